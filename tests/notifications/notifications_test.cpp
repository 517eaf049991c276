// Notification rows from every service's events; listing, reading.
#include "services/notifications/api.hpp"
#include "tests/notifications/helpers.hpp"

using namespace courtyard;
using namespace courtyard::test;
using namespace courtyard::test::notif;

TEST_CASE_METHOD(AliceAndBob, "events become notifications for the accounts they concern", "[notifications][events]") {
  auto outsider = t.account("outsider");

  publish(t, "order.placed", c.id, {{"order_id", 5001}, {"merchant_id", 1}, {"buyer_id", a.account_id}, {"total_cents", 1250},
                                    {"fulfilment", "delivery"}, {"unit_id", 0}, {"status", "placed"},
                                    {"items", bj::array{bj::object{{"product_id", 9}, {"name", "Tea"}, {"quantity", 1}}}}});
  publish(t, "order.ready", c.id, {{"order_id", 5001}, {"merchant_id", 1}, {"buyer_id", a.account_id}, {"total_cents", 1250},
                                   {"fulfilment", "pickup"}, {"unit_id", 0}, {"status", "ready"}});
  publish(t, "delivery.picked_up", c.id, {{"delivery_id", 1}, {"order_id", 5001}, {"resident_id", a.account_id},
                                          {"courier_id", 2}, {"status", "picked_up"}});
  publish(t, "bill.issued", c.id, {{"bill_id", 3}, {"unit_id", 4}, {"account_ids", bj::array{a.account_id, b.account_id}},
                                   {"amount_cents", 9900}, {"period", "2026-11"}, {"due_at_ms", 1795000000000}});
  publish(t, "announcement.published", c.id, {{"announcement_id", 8}, {"building_id", 0}, {"title", "Lift service"},
                                               {"account_ids", bj::array{b.account_id}}});
  publish(t, "event.rsvp", c.id, {{"event_id", 1}, {"club_id", 1}, {"account_id", b.account_id}, {"status", "going"}});
  publish(t, "event.rsvp", c.id, {{"event_id", 1}, {"club_id", 1}, {"account_id", b.account_id}, {"status", "promoted"}});
  publish(t, "ticket.resolved", c.id, {{"ticket_id", 12}, {"opened_by", b.account_id}, {"unit_id", 4}, {"status", "resolved"}});

  auto la = mine(t, a);
  REQUIRE(la.size() == 4);
  // Newest first.
  CHECK(la[0].at("type") == "bill.issued");
  CHECK(la[1].at("type") == "delivery.picked_up");
  CHECK(la[2].at("type") == "order.ready");
  CHECK(la[2].at("title") == "Order #5001 is ready for pick-up");
  CHECK(la[3].at("type") == "order.placed");
  CHECK(la[3].at("data").at("order_id").as_int64() == 5001);
  CHECK(la[3].at("community_id").as_int64() == c.id);
  CHECK(la[3].at("account_id").as_int64() == a.account_id);
  CHECK(la[3].at("read_at").is_null());
  CHECK(la[3].at("created_at").is_string());
  CHECK(!la[0].at("data").as_object().contains("account_ids"));
  CHECK(la[3].at("data").at("total_cents").as_int64() == 1250);
  CHECK(!la[3].at("data").as_object().contains("items"));  // an order's lines stay on the order

  auto lb = mine(t, b);
  REQUIRE(lb.size() == 4);  // bill, announcement, promotion (not the plain "going"), ticket
  CHECK(lb[0].at("type") == "ticket.resolved");
  CHECK(lb[1].at("type") == "event.rsvp");
  CHECK(lb[2].at("title") == "Announcement: Lift service");
  CHECK(mine(t, outsider).empty());
}

TEST_CASE_METHOD(AliceAndBob, "a redelivered event adds no second notification", "[notifications][events]") {
  auto [h, size] = t.app().bus().batch_handler("notifications.parcel.logged", "parcel.logged");
  REQUIRE(h);
  CHECK(size > 1);
  events::Event e;
  e.id = 777000000 + a.account_id;
  e.topic = "parcel.logged";
  e.community_id = c.id;
  e.payload = bj::object{{"community_id", c.id}, {"parcel_id", 1}, {"unit_id", 2},
                         {"account_ids", bj::array{a.account_id, b.account_id}}, {"pickup_code", "ABCD2345"}};
  for (int i = 0; i < 3; ++i) db::transact(t.app().db(), &t.app().bus(), [&](db::Tx& tx) { (*h)({e}, tx); });
  // Twice in one batch too (a redelivery claimed with its first delivery).
  db::transact(t.app().db(), &t.app().bus(), [&](db::Tx& tx) { (*h)({e, e}, tx); });
  CHECK(mine(t, a).size() == 1);
  CHECK(mine(t, b).size() == 1);
  CHECK(std::string(mine(t, a)[0].at("body").as_string()).find("ABCD2345") != std::string::npos);
}

TEST_CASE("a logged parcel notifies the unit's residents", "[notifications][events][parcels]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c, 0);
  auto neighbour = t.resident(c, 1);
  auto res = t.post(c.base() + "/parcels", {{"unit_id", c.unit_ids[0]}, {"carrier", "DHL"}, {"tracking_no", "JD9"}},
                    c.manager.token);
  REQUIRE(res.status == 201);
  t.drain_events();
  auto n = mine(t, r);
  REQUIRE(n.size() == 1);
  CHECK(n[0].at("type") == "parcel.logged");
  CHECK(n[0].at("data").at("parcel_id").as_int64() == res.id());
  std::string code(n[0].at("data").at("pickup_code").as_string());
  CHECK(std::string(n[0].at("body").as_string()).find(code) != std::string::npos);
  CHECK(mine(t, neighbour).empty());
}

TEST_CASE_METHOD(AliceAndBob, "listing, paging and reading notifications", "[notifications]") {
  std::vector<std::int64_t> ids;
  db::transact(t.app().db(), &t.app().bus(), [&](db::Tx& tx) {
    for (int i = 0; i < 5; ++i)
      ids.push_back(notifications::notify(tx, a.account_id, c.id, "test.note", "Note " + std::to_string(i), "body",
                                          bj::object{{"n", i}}));
  });
  REQUIRE(ids.size() == 5);

  auto p1 = t.get("/v1/me/notifications?limit=2", a.token);
  REQUIRE(p1.status == 200);
  auto const& i1 = p1.json.at("items").as_array();
  REQUIRE(i1.size() == 2);
  CHECK(i1[0].at("id").as_int64() == ids[4]);
  CHECK(i1[1].at("id").as_int64() == ids[3]);
  CHECK(i1[0].at("data").at("n").as_int64() == 4);
  CHECK(p1.json.at("unread_count").as_int64() == 5);
  auto p2 = t.get("/v1/me/notifications?limit=2&cursor=" + std::string(p1.json.at("next_cursor").as_string()), a.token);
  CHECK(p2.json.at("items").as_array()[0].at("id").as_int64() == ids[2]);
  auto p3 = t.get("/v1/me/notifications?limit=2&cursor=" + std::string(p2.json.at("next_cursor").as_string()), a.token);
  CHECK(p3.json.at("items").as_array().size() == 1);
  CHECK(p3.json.at("next_cursor").is_null());

  auto read = t.post("/v1/me/notifications/" + std::to_string(ids[1]) + "/read", bj::object{}, a.token);
  REQUIRE(read.status == 200);
  CHECK(read.json.at("read_at").is_string());
  auto again = t.post("/v1/me/notifications/" + std::to_string(ids[1]) + "/read", bj::object{}, a.token);
  CHECK(again.status == 200);
  CHECK(again.json.at("read_at") == read.json.at("read_at"));
  auto unread = mine(t, a, "&unread=true");
  CHECK(unread.size() == 4);
  for (auto const& n : unread) CHECK(n.at("id").as_int64() != ids[1]);
  CHECK(mine(t, a, "&unread=false").size() == 5);
  CHECK(mine(t, a, "&community_id=" + std::to_string(c.id)).size() == 5);
  CHECK(mine(t, a, "&community_id=999999999").empty());

  // Someone else's notification does not exist for you.
  CHECK(t.post("/v1/me/notifications/" + std::to_string(ids[0]) + "/read", bj::object{}, b.token).status == 404);
  CHECK(t.post("/v1/me/notifications/999999999/read", bj::object{}, a.token).status == 404);
  CHECK(mine(t, b).empty());

  auto all = t.post("/v1/me/notifications/read-all", bj::object{}, a.token);
  REQUIRE(all.status == 200);
  CHECK(all.json.at("updated").as_int64() == 4);
  CHECK(all.json.at("unread_count").as_int64() == 0);
  CHECK(mine(t, a, "&unread=true").empty());
  CHECK(t.post("/v1/me/notifications/read-all", bj::object{}, a.token).json.at("updated").as_int64() == 0);

  CHECK(t.get("/v1/me/notifications?unread=maybe", a.token).status == 422);
  CHECK(t.get("/v1/me/notifications?limit=0", a.token).status == 422);
  CHECK(t.get("/v1/me/notifications?limit=201", a.token).status == 422);
  CHECK(t.get("/v1/me/notifications?cursor=garbage", a.token).status == 422);
  CHECK(t.get("/v1/me/notifications?community_id=-1", a.token).status == 422);
  CHECK(t.get("/v1/me/notifications").status == 401);
  CHECK(t.post("/v1/me/notifications/read-all", bj::object{}).status == 401);
  CHECK(t.post("/v1/me/notifications/1/read", bj::object{}).status == 401);
}

TEST_CASE("notify() with a dedupe key is idempotent", "[notifications][api]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto a = t.account("alice");
  std::int64_t first = 0, second = 0;
  db::transact(t.app().db(), &t.app().bus(), [&](db::Tx& tx) {
    first = notifications::notify(tx, a.account_id, c.id, "x.test", std::string(500, 't'), "b", {}, "k1");
    second = notifications::notify(tx, a.account_id, c.id, "x.test", "t", "b", {}, "k1");
  });
  CHECK(first > 0);
  CHECK(second == 0);
  auto n = mine(t, a);
  REQUIRE(n.size() == 1);
  CHECK(n[0].at("title").as_string().size() <= 255);
}

TEST_CASE("GET /v1/ws without an upgrade", "[notifications][ws]") {
  auto& t = TestApp::get();
  auto a = t.account("alice");
  auto r = t.get("/v1/ws", a.token);
  CHECK(r.status == 426);
  CHECK(r.problem_type() == "/problems/upgrade-required");
  CHECK(r.header("Upgrade") == "websocket");
  CHECK(t.get("/v1/ws").status == 401);
}

TEST_CASE("access walk: notifications", "[notifications][access]") { walk_access(TestApp::get(), "notifications"); }

TEST_CASE("a batch of order events tells each buyer of theirs and each shop's staff of its own",
          "[notifications][events][batch]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto a = t.resident(c, 0);
  auto b = t.resident(c, 1);
  auto owner1 = t.account("owner-one");
  auto owner2 = t.account("owner-two");
  std::int64_t m1 = 910'000 + c.id, m2 = 920'000 + c.id;  // shops that exist only as staff rows here
  make_staff(t, owner1.account_id, c.id, m1);
  make_staff(t, owner2.account_id, c.id, m2);
  auto [h, size] = t.app().bus().batch_handler("notifications.order.placed", "order.placed");
  REQUIRE(h);
  std::vector<events::Event> batch;
  auto order = [&](std::int64_t id, Actor const& buyer, std::int64_t merchant) {
    batch.push_back(order_placed(880'000'000 + c.id * 10 + id, c.id, merchant, buyer.account_id, 250, "pickup"));
  };
  order(1, a, m1);
  order(2, b, m1);
  order(3, a, m2);
  // As shops publishes it: with its lines, which the shop's notice names.
  batch.back().payload.as_object()["items"] = bj::array{bj::object{{"quantity", 2}, {"name", "Tea"}}};
  batch.push_back(batch.front());  // a redelivery claimed with its first delivery
  db::transact(t.app().db(), &t.app().bus(), [&](db::Tx& tx) { (*h)(batch, tx); });
  db::transact(t.app().db(), &t.app().bus(), [&](db::Tx& tx) { (*h)(batch, tx); });  // all again: nothing new

  auto count = [&](Actor const& who, std::string const& type) {
    int n = 0;
    for (auto const& x : mine(t, who)) n += x.at("type").as_string() == type;
    return n;
  };
  CHECK(count(a, "order.placed") == 2);
  CHECK(count(b, "order.placed") == 1);
  CHECK(count(a, "order.placed.merchant") == 0);
  // Shop one's two new orders of the batch (and the redelivery, not counted twice) are one
  // digest; shop two's one order is told as itself.
  CHECK(count(owner1, "order.placed.merchant") == 1);
  CHECK(count(owner2, "order.placed.merchant") == 1);
  CHECK(count(owner1, "order.placed") == 0);
  for (auto const& x : mine(t, owner1)) {
    if (x.at("type").as_string() != "order.placed.merchant") continue;
    CHECK(x.at("title").as_string() == "2 new orders");
    CHECK(x.at("body").as_string() == "5.00 in all · 2 pick-up. Accept them in the order queue.");
    auto const& data = x.at("data").as_object();
    CHECK(data.at("orders").to_number<std::int64_t>() == 2);
    CHECK(data.at("merchant_id").to_number<std::int64_t>() == m1);
    CHECK(data.at("order_ids").as_array().size() == 2);
  }
  for (auto const& x : mine(t, owner2))
    if (x.at("type").as_string() == "order.placed.merchant") {
      CHECK(x.at("title").as_string().starts_with("New Order #"));
      CHECK(x.at("body").as_string() == "2 × Tea · 2.50 · pick-up. Accept it in the order queue.");
      CHECK(x.at("data").as_object().at("merchant_id").to_number<std::int64_t>() == m2);
    }
}

TEST_CASE("a shop's staff member who buys from it is told of the others' orders only",
          "[notifications][events][batch]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto a = t.resident(c, 0);
  auto b = t.resident(c, 1);
  std::int64_t shop = 930'000 + c.id;
  make_staff(t, a.account_id, c.id, shop);
  auto [h, size] = t.app().bus().batch_handler("notifications.order.placed", "order.placed");
  REQUIRE(h);
  std::vector<events::Event> batch;
  auto order = [&](std::int64_t id, Actor const& buyer) {
    batch.push_back(order_placed(890'000'000 + c.id * 10 + id, c.id, shop, buyer.account_id, 100 * id, "delivery"));
  };
  order(1, a);  // a's own order: a is told as its buyer, not as the shop's staff
  order(2, b);
  order(3, b);
  db::transact(t.app().db(), &t.app().bus(), [&](db::Tx& tx) { (*h)(batch, tx); });
  int digests = 0;
  for (auto const& x : mine(t, a))
    if (x.at("type").as_string() == "order.placed.merchant") {
      ++digests;
      CHECK(x.at("title").as_string() == "2 new orders");
      CHECK(x.at("body").as_string() == "5.00 in all · 2 delivery. Accept them in the order queue.");
      auto const& ids = x.at("data").as_object().at("order_ids").as_array();
      REQUIRE(ids.size() == 2);
      CHECK(ids[0].to_number<std::int64_t>() == batch[1].id);
      CHECK(ids[1].to_number<std::int64_t>() == batch[2].id);
    }
  CHECK(digests == 1);
}
