// Delivery tasks: created from order.ready, claimed, picked up, delivered with the
// resident's proof code, failed; history; who sees what.
#include "services/delivery/logic.hpp"
#include "tests/delivery/helpers.hpp"

#include <thread>

using namespace courtyard;
using namespace courtyard::test;
using namespace courtyard::test::delivery;

TEST_CASE("order.ready with fulfilment delivery creates one task with a proof code", "[delivery][events]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto buyer = t.resident(c);

  auto order = order_ready(t, c, buyer);
  auto task = task_of_order(t, buyer, order);
  CHECK(task.at("status") == "pending");
  CHECK(task.at("courier_id").is_null());
  CHECK(task.at("resident_id").as_int64() == buyer.account_id);
  CHECK(task.at("community_id").as_int64() == c.id);
  CHECK(task.at("total_cents").as_int64() == 1250);
  std::string code(task.at("proof_code").as_string());
  CHECK(code.size() == ::courtyard::delivery::kCodeLength);
  auto const& hist = task.at("history").as_array();
  REQUIRE(hist.size() == 1);
  CHECK(hist[0].at("from").is_null());
  CHECK(hist[0].at("to") == "pending");
  CHECK(hist[0].at("actor_id").is_null());
  CHECK(events_with(t, "delivery.created", "order_id", order) == 1);
  auto created = last_event(t, "delivery.created", "order_id", order);
  CHECK(created.at("delivery_id").as_int64() == task.at("id").as_int64());
  CHECK(created.at("resident_id").as_int64() == buyer.account_id);
  CHECK(created.at("courier_id").as_int64() == 0);
  CHECK(created.at("status") == "pending");

  SECTION("the same order ready again (a redelivered or repeated event) adds nothing") {
    order_ready(t, c, buyer, "delivery", order);
    auto again = t.get("/v1/me/deliveries?limit=200", buyer.token);
    int n = 0;
    for (auto const& it : again.json.at("items").as_array()) n += it.at("order_id").as_int64() == order;
    CHECK(n == 1);
    CHECK(events_with(t, "delivery.created", "order_id", order) == 1);
  }
  SECTION("the subscriber run twice on one event creates one task") {
    auto const* h = t.app().bus().handler("delivery.from_order", "order.ready");
    REQUIRE(h);
    events::Event e;
    e.id = 1;
    e.topic = "order.ready";
    e.community_id = c.id;
    auto other_order = next_order_id();
    e.payload = bj::object{{"community_id", c.id}, {"order_id", other_order}, {"merchant_id", 1},
                           {"buyer_id", buyer.account_id}, {"total_cents", 5}, {"fulfilment", "delivery"},
                           {"unit_id", c.unit_ids[0]}, {"status", "ready"}};
    for (int i = 0; i < 2; ++i) db::transact(t.app().db(), &t.app().bus(), [&](db::Tx& tx) { (*h)(e, tx); });
    auto n = db::read(t.app().db(), [&](soci::session& s) {
      long long k = 0;
      s << "SELECT COUNT(*) FROM delivery_tasks WHERE order_id = :o", soci::use(other_order), soci::into(k);
      return k;
    });
    CHECK(n == 1);
  }
  SECTION("pickup orders make no task") {
    auto pickup = order_ready(t, c, buyer, "pickup");
    auto list = t.get("/v1/me/deliveries?limit=200", buyer.token);
    for (auto const& it : list.json.at("items").as_array()) CHECK(it.at("order_id").as_int64() != pickup);
    CHECK(events_with(t, "delivery.created", "order_id", pickup) == 0);
  }
  SECTION("only the buyer sees the task under /v1/me") {
    auto stranger = t.account("stranger");
    CHECK(t.get("/v1/me/deliveries/" + std::to_string(task.at("id").as_int64()), stranger.token).status == 404);
    CHECK(t.get("/v1/me/deliveries/" + std::to_string(task.at("id").as_int64()), c.manager.token).status == 404);
    CHECK(t.get("/v1/me/deliveries/" + std::to_string(task.at("id").as_int64())).status == 401);
    CHECK(t.get("/v1/me/deliveries/999999999", buyer.token).status == 404);
  }
}

TEST_CASE_METHOD(BuyerAndCourier, "a courier claims, picks up and delivers against the proof code", "[delivery]") {
  auto rival = t.courier(c);
  auto order = order_ready(t, c, buyer);
  auto task = task_of_order(t, buyer, order);
  std::int64_t id = task.at("id").as_int64();
  std::string code(task.at("proof_code").as_string());
  auto path = task_path(c, id);

  // Couriers see unclaimed tasks, without the proof code.
  auto listed = t.get(deliveries(c) + "?status=pending", courier.token);
  REQUIRE(listed.status == 200);
  bool seen = false;
  for (auto const& it : listed.json.at("items").as_array())
    if (it.at("id").as_int64() == id) {
      seen = true;
      CHECK(!it.as_object().contains("proof_code"));
    }
  CHECK(seen);
  auto detail = t.get(path, courier.token);
  REQUIRE(detail.status == 200);
  CHECK(!detail.json.as_object().contains("proof_code"));

  // Steps out of order are state conflicts.
  CHECK(t.post(path + "/pick-up", bj::object{}, courier.token).status == 409);
  CHECK(t.post(path + "/deliver", {{"proof_code", code}}, courier.token).status == 409);

  auto claimed = t.post(path + "/claim", bj::object{}, courier.token);
  REQUIRE(claimed.status == 200);
  CHECK(claimed.json.at("status") == "claimed");
  CHECK(claimed.json.at("courier_id").as_int64() == courier.account_id);
  CHECK(!claimed.json.as_object().contains("proof_code"));
  auto ev = last_event(t, "delivery.claimed", "delivery_id", id);
  CHECK(ev.at("courier_id").as_int64() == courier.account_id);
  CHECK(ev.at("resident_id").as_int64() == buyer.account_id);
  CHECK(ev.at("order_id").as_int64() == order);
  CHECK(ev.at("status") == "claimed");

  // Another courier: cannot claim it again, cannot move it, no longer sees it.
  auto again = t.post(path + "/claim", bj::object{}, rival.token);
  CHECK(again.status == 409);
  CHECK(again.problem_type() == "/problems/delivery-state");
  CHECK(t.post(path + "/pick-up", bj::object{}, rival.token).status == 403);
  CHECK(t.post(path + "/fail", {{"reason", "mine now"}}, rival.token).status == 403);
  CHECK(t.get(path, rival.token).status == 404);
  for (auto const& it : items(t.get(deliveries(c), rival.token)))
    CHECK(it.at("id").as_int64() != id);
  // The manager sees everything.
  bool manager_sees = false;
  for (auto const& it : items(t.get(deliveries(c) + "?status=claimed", c.manager.token)))
    manager_sees |= it.at("id").as_int64() == id;
  CHECK(manager_sees);

  auto picked = t.post(path + "/pick-up", bj::object{}, courier.token);
  REQUIRE(picked.status == 200);
  CHECK(picked.json.at("status") == "picked_up");
  CHECK(events_with(t, "delivery.picked_up", "delivery_id", id) == 1);

  SECTION("a wrong proof code is 422 and changes nothing") {
    auto wrong = t.post(path + "/deliver", {{"proof_code", code == "AAAAAAAA" ? "BBBBBBBB" : "AAAAAAAA"}}, courier.token);
    CHECK(wrong.status == 422);
    CHECK(wrong.problem_type() == "/problems/wrong-proof-code");
    auto still = t.get(path, courier.token);
    CHECK(still.json.at("status") == "picked_up");
    CHECK(still.json.at("history").as_array().size() == 3);
    CHECK(events_with(t, "delivery.delivered", "delivery_id", id) == 0);
    CHECK(t.post(path + "/deliver", bj::object{}, courier.token).status == 422);
    CHECK(t.post(path + "/deliver", {{"proof_code", 12345}}, courier.token).status == 400);
    CHECK(t.call("POST", path + "/deliver", std::nullopt, courier.token).status == 400);
    CHECK(t.post(path + "/deliver", {{"proof_code", code}}, rival.token).status == 403);
  }
  SECTION("the right code delivers (case and dashes do not matter); the history is complete") {
    std::string typed = code.substr(0, 4) + "-" + code.substr(4);
    for (auto& ch : typed) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    auto done = t.post(path + "/deliver", {{"proof_code", typed}}, courier.token);
    REQUIRE(done.status == 200);
    CHECK(done.json.at("status") == "delivered");
    auto delivered = last_event(t, "delivery.delivered", "delivery_id", id);
    CHECK(delivered.at("order_id").as_int64() == order);
    CHECK(delivered.at("courier_id").as_int64() == courier.account_id);
    CHECK(delivered.at("status") == "delivered");

    auto mine = t.get("/v1/me/deliveries/" + std::to_string(id), buyer.token);
    REQUIRE(mine.status == 200);
    CHECK(mine.json.at("status") == "delivered");
    CHECK(mine.json.at("proof_code") == code.c_str());
    auto const& h = mine.json.at("history").as_array();
    REQUIRE(h.size() == 4);
    char const* to[] = {"pending", "claimed", "picked_up", "delivered"};
    for (std::size_t i = 0; i < 4; ++i) {
      CHECK(h[i].at("to") == to[i]);
      if (i > 0) CHECK(h[i].at("from") == to[i - 1]);
      if (i > 0) CHECK(h[i].at("actor_id").as_int64() == courier.account_id);
      CHECK(h[i].at("at").is_string());
    }
    // Final: every verb is now a conflict.
    CHECK(t.post(path + "/deliver", {{"proof_code", code}}, courier.token).status == 409);
    CHECK(t.post(path + "/fail", {{"reason", "late"}}, courier.token).status == 409);
    CHECK(t.post(path + "/fail", {{"reason", "late"}}, c.manager.token).status == 409);
    CHECK(t.post(path + "/claim", bj::object{}, rival.token).status == 409);
  }
}

TEST_CASE_METHOD(BuyerAndCourier, "failing a delivery", "[delivery]") {

  SECTION("the assigned courier fails it with a reason") {
    auto id = ready_task(t, c, buyer);
    auto path = task_path(c, id);
    REQUIRE(t.post(path + "/claim", bj::object{}, courier.token).status == 200);
    CHECK(t.post(path + "/fail", bj::object{}, courier.token).status == 422);
    CHECK(t.post(path + "/fail", {{"reason", ""}}, courier.token).status == 422);
    CHECK(t.post(path + "/fail", {{"reason", 5}}, courier.token).status == 400);
    auto failed = t.post(path + "/fail", {{"reason", "nobody home"}}, courier.token);
    REQUIRE(failed.status == 200);
    // The first of two attempts (delivery.max-attempts): re-dispatched, not final.
    CHECK(failed.json.at("status") == "pending");
    CHECK(failed.json.at("courier_id").is_null());
    CHECK(failed.json.at("attempt").as_int64() == 2);
    CHECK(failed.json.at("failure_reason") == "nobody home");
    auto ev = last_event(t, "delivery.failed", "delivery_id", id);
    CHECK(ev.at("reason") == "nobody home");
    CHECK(!ev.at("final").as_bool());
    auto h = t.get("/v1/me/deliveries/" + std::to_string(id), buyer.token).json.at("history").as_array();
    REQUIRE(h.size() == 4);  // pending, claimed, failed, pending again
    CHECK(h[2].at("note") == "nobody home");
    CHECK(h[2].at("from") == "claimed");
    CHECK(h[2].at("to") == "failed");
    CHECK(h.back().at("to") == "pending");
    // Unclaimed now: the courier cannot fail it again before claiming it.
    CHECK(t.post(path + "/fail", {{"reason", "again"}}, courier.token).status == 409);
    REQUIRE(t.post(path + "/claim", bj::object{}, courier.token).status == 200);
    auto last = t.post(path + "/fail", {{"reason", "nobody home again"}}, courier.token);
    REQUIRE(last.status == 200);
    CHECK(last.json.at("status") == "failed");
    CHECK(last_event(t, "delivery.failed", "delivery_id", id).at("final").as_bool());
    CHECK(t.post(path + "/fail", {{"reason", "again"}}, courier.token).status == 409);
  }
  SECTION("a courier cannot fail an unclaimed task; the manager can") {
    auto id = ready_task(t, c, buyer);
    auto path = task_path(c, id);
    CHECK(t.post(path + "/fail", {{"reason", "x"}}, courier.token).status == 409);
    auto failed = t.post(path + "/fail", {{"reason", "shop closed"}}, c.manager.token);
    REQUIRE(failed.status == 200);
    CHECK(failed.json.at("status") == "pending");
    failed = t.post(path + "/fail", {{"reason", "shop closed"}}, c.manager.token);
    REQUIRE(failed.status == 200);
    CHECK(failed.json.at("status") == "failed");
    CHECK(t.post(path + "/claim", bj::object{}, courier.token).status == 409);
  }
  SECTION("a resident may not") {
    auto id = ready_task(t, c, buyer);
    CHECK(t.post(task_path(c, id) + "/fail", {{"reason", "x"}}, buyer.token).status == 403);
    CHECK(t.post(task_path(c, id) + "/claim", bj::object{}, buyer.token).status == 403);
    CHECK(t.get(deliveries(c), buyer.token).status == 403);
  }
}

TEST_CASE_METHOD(BuyerAndCourier, "a cancelled order cancels its delivery task", "[delivery][events]") {
  auto order = order_ready(t, c, buyer);
  auto id = task_of_order(t, buyer, order).at("id").as_int64();
  REQUIRE(t.post(task_path(c, id) + "/claim", bj::object{}, courier.token).status == 200);
  db::transact(t.app().db(), &t.app().bus(), [&](db::Tx& tx) {
    tx.publish("order.cancelled", c.id,
               bj::object{{"community_id", c.id}, {"order_id", order}, {"merchant_id", 77}, {"buyer_id", buyer.account_id},
                          {"total_cents", 1250}, {"fulfilment", "delivery"}, {"unit_id", c.unit_ids[0]},
                          {"status", "cancelled"}});
  });
  t.drain_events();
  auto task = task_of_order(t, buyer, order);
  CHECK(task.at("status") == "cancelled");
  CHECK(task.at("history").as_array().back().at("to") == "cancelled");
  CHECK(t.post(task_path(c, id) + "/pick-up", bj::object{}, courier.token).status == 409);
}

TEST_CASE("tenancy: another community's couriers and managers get 404", "[delivery][access]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto other = t.community();
  auto buyer = t.resident(c);
  auto outsider = t.courier(other);
  auto id = ready_task(t, c, buyer);

  // Not a member of c: 404 for every route under c.
  CHECK(t.get(deliveries(c), outsider.token).status == 404);
  CHECK(t.post(task_path(c, id) + "/claim", bj::object{}, outsider.token).status == 404);
  CHECK(t.get(task_path(c, id), other.manager.token).status == 404);
  // A member of `other` naming c's task under its own community: also 404.
  CHECK(t.post(task_path(other, id) + "/claim", bj::object{}, outsider.token).status == 404);
  CHECK(t.get(task_path(other, id), other.manager.token).status == 404);
  CHECK(t.post(task_path(other, id) + "/fail", {{"reason", "x"}}, other.manager.token).status == 404);
  for (auto const& it : items(t.get(deliveries(other), other.manager.token)))
    CHECK(it.at("id").as_int64() != id);
  CHECK(t.get(deliveries(c)).status == 401);
}

TEST_CASE("delivery lists page and filter", "[delivery]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto buyer = t.resident(c);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(ready_task(t, c, buyer));

  auto p1 = t.get(deliveries(c) + "?limit=2", c.manager.token);
  REQUIRE(p1.status == 200);
  REQUIRE(p1.json.at("items").as_array().size() == 2);
  CHECK(p1.json.at("items").as_array()[0].at("id").as_int64() == ids[2]);  // newest first
  REQUIRE(p1.json.at("next_cursor").is_string());
  auto p2 = t.get(deliveries(c) + "?limit=2&cursor=" + std::string(p1.json.at("next_cursor").as_string()), c.manager.token);
  REQUIRE(p2.status == 200);
  REQUIRE(p2.json.at("items").as_array().size() == 1);
  CHECK(p2.json.at("items").as_array()[0].at("id").as_int64() == ids[0]);
  CHECK(p2.json.at("next_cursor").is_null());

  CHECK(t.get(deliveries(c) + "?status=delivered", c.manager.token).json.at("items").as_array().empty());
  CHECK(t.get(deliveries(c) + "?status=lost", c.manager.token).status == 422);
  CHECK(t.get(deliveries(c) + "?limit=0", c.manager.token).status == 422);
  CHECK(t.get(deliveries(c) + "?limit=201", c.manager.token).status == 422);
  CHECK(t.get(deliveries(c) + "?cursor=zz", c.manager.token).status == 422);
  CHECK(t.get("/v1/me/deliveries?limit=1", buyer.token).json.at("next_cursor").is_string());
  CHECK(t.get("/v1/me/deliveries?status=nope", buyer.token).status == 422);
  CHECK(t.get("/v1/me/deliveries").status == 401);
}

TEST_CASE("eight couriers claim one task at once: exactly one wins", "[delivery][concurrency]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto buyer = t.resident(c);
  std::vector<Actor> couriers;
  for (int i = 0; i < 8; ++i) couriers.push_back(t.courier(c));
  auto id = ready_task(t, c, buyer);
  auto path = task_path(c, id) + "/claim";

  std::vector<int> status(couriers.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < couriers.size(); ++i)
    threads.emplace_back([&, i] { status[i] = t.post(path, bj::object{}, couriers[i].token).status; });
  for (auto& th : threads) th.join();

  int ok = 0, conflict = 0;
  std::int64_t winner = 0;
  for (std::size_t i = 0; i < status.size(); ++i) {
    if (status[i] == 200) {
      ++ok;
      winner = couriers[i].account_id;
    }
    conflict += status[i] == 409;
  }
  CHECK(ok == 1);
  CHECK(conflict == 7);
  auto task = t.get(task_path(c, id), c.manager.token);
  CHECK(task.json.at("courier_id").as_int64() == winner);
  CHECK(task.json.at("history").as_array().size() == 2);
  CHECK(events_with(t, "delivery.claimed", "delivery_id", id) == 1);
}

// order.ready and order.cancelled are delivered by two queues in no fixed order between them.
TEST_CASE("a ready order's cancellation delivered before its order.ready leaves a cancelled task, no courier job",
          "[delivery][events]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto buyer = t.resident(c);
  auto const* cancelled = t.app().bus().handler("delivery.order_cancelled", "order.cancelled");
  auto const* ready = t.app().bus().handler("delivery.from_order", "order.ready");
  REQUIRE(cancelled);
  REQUIRE(ready);
  auto run = [&](auto const* h, std::string topic, std::int64_t order, std::string const& fulfilment,
                 std::string const& previous) {
    events::Event e;
    e.id = order;
    e.topic = topic;
    e.community_id = c.id;
    bj::object p{{"community_id", c.id}, {"order_id", order},          {"merchant_id", 77},
                 {"buyer_id", buyer.account_id}, {"total_cents", 990}, {"fulfilment", fulfilment},
                 {"unit_id", c.unit_ids[0]},     {"status", topic == "order.ready" ? "ready" : "cancelled"}};
    if (!previous.empty()) p["previous_status"] = previous;
    e.payload = p;
    db::transact(t.app().db(), &t.app().bus(), [&](db::Tx& tx) { (*h)(e, tx); });
  };
  auto tasks_of = [&](std::int64_t order) {
    return db::read(t.app().db(), [&](soci::session& s) {
      std::vector<std::string> v;
      soci::rowset<soci::row> rs = (s.prepare << "SELECT status FROM delivery_tasks WHERE order_id = :o", soci::use(order));
      for (auto const& r : rs) v.push_back(r.get<std::string>(0));
      return v;
    });
  };

  auto order = next_order_id();
  run(cancelled, "order.cancelled", order, "delivery", "ready");
  run(cancelled, "order.cancelled", order, "delivery", "ready");  // redelivered: still one
  run(ready, "order.ready", order, "delivery", "");
  CHECK(tasks_of(order) == std::vector<std::string>{"cancelled"});
  CHECK(events_with(t, "delivery.created", "order_id", order) == 0);
  auto pending = t.get(deliveries(c) + "?status=pending", t.courier(c).token);
  REQUIRE(pending.status == 200);
  for (auto const& it : pending.json.at("items").as_array()) CHECK(it.at("order_id").as_int64() != order);
  auto mine = t.get("/v1/me/deliveries?limit=200", buyer.token);
  REQUIRE(mine.status == 200);
  int seen = 0;
  for (auto const& it : mine.json.at("items").as_array())
    if (it.at("order_id").as_int64() == order) {
      ++seen;
      CHECK(it.at("status") == "cancelled");
    }
  CHECK(seen == 1);

  // A cancellation before the order was ready (or of a pickup order) leaves nothing behind.
  auto placed = next_order_id(), pickup = next_order_id(), unknown = next_order_id();
  run(cancelled, "order.cancelled", placed, "delivery", "placed");
  run(cancelled, "order.cancelled", pickup, "pickup", "ready");
  run(cancelled, "order.cancelled", unknown, "delivery", "");  // an event from before the field
  CHECK(tasks_of(placed).empty());
  CHECK(tasks_of(pickup).empty());
  CHECK(tasks_of(unknown).empty());

  // In the usual order the task is created, then cancelled.
  auto usual = order_ready(t, c, buyer);
  run(cancelled, "order.cancelled", usual, "delivery", "ready");
  CHECK(tasks_of(usual) == std::vector<std::string>{"cancelled"});
}
