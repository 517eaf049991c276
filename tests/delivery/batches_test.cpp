// Group buy -> batched delivery, end to end through the real shops service: residents join
// (delivered or picked up), the threshold is reached at close, one batch per building and one
// pickup point appear, a courier claims a building's batch and delivers each household with
// its own proof code; the orders complete and the progress shows to merchant and residents.
#include "http/json.hpp"
#include "tests/delivery/helpers.hpp"

#include <algorithm>

using namespace courtyard;
using namespace courtyard::test;
using namespace courtyard::test::delivery;

namespace {

constexpr std::int64_t kCloseIn = 60'000;

bool shops_linked(TestApp& t) {
  auto const& enabled = t.app().services();
  return std::any_of(enabled.begin(), enabled.end(), [](auto const& s) { return s->name() == "shops"; });
}

// A second building "B" with a unit on the 12th floor, added to the community's units.
std::int64_t add_tower(TestApp& t, Community& c) {
  auto b = t.post(c.base() + "/buildings", {{"name", "B"}}, c.manager.token);
  REQUIRE(b.status == 201);
  auto u = t.post(c.base() + "/buildings/" + std::to_string(b.id()) + "/units", {{"number", "1203"}},
                  c.manager.token);
  REQUIRE(u.status == 201);
  c.unit_ids.push_back(u.id());
  return b.id();
}

// A new merchant of the community (its owner and its path) and its group buy (id) of a new
// product (name, price_cents, stock) at `unit_price_cents`, reached with `min_participants`,
// closing in kCloseIn.
struct GroupBuy {
  Actor owner;
  std::string shop;
  std::int64_t id = 0;
};
GroupBuy group_buy(TestApp& t, Community const& c, bj::object const& product, std::int64_t unit_price_cents,
                   std::int64_t min_participants) {
  auto [owner, mid] = t.merchant(c);
  GroupBuy g{owner, c.base() + "/merchants/" + std::to_string(mid)};
  auto p = t.post(g.shop + "/products", product, owner.token);
  REQUIRE(p.status == 201);
  auto gb = t.post(c.base() + "/group-buys",
                   {{"product_id", p.id()},
                    {"unit_price_cents", unit_price_cents},
                    {"min_participants", min_participants},
                    {"closes_at", json::rfc3339(db::now_ms() + kCloseIn)}},
                   owner.token);
  REQUIRE(gb.status == 201);
  g.id = gb.id();
  return g;
}

// Moves the clock past the group buys' closing and runs the closing job; the orders it
// places and then the batches made of them (groupbuy.closed) come in two rounds of events.
void close_group_buys(TestApp& t) {
  t.advance_clock_ms(kCloseIn + 1000);
  REQUIRE(t.run_job("shops.close_group_buys"));
  t.drain_events();
  t.drain_events();
}

Result join(TestApp& t, Community const& c, std::int64_t gid, Actor const& who, std::string const& fulfilment) {
  return t.post(c.base() + "/group-buys/" + std::to_string(gid) + "/join",
                {{"quantity", 1}, {"fulfilment", fulfilment}}, who.token,
                {{"Idempotency-Key", t.unique("join")}});
}

bj::object batch_in(bj::array const& list, std::string const& kind, std::string const& building = "") {
  for (auto const& b : list)
    if (b.at("kind") == kind.c_str() && (building.empty() || b.at("building_name") == building.c_str()))
      return b.as_object();
  FAIL("no " << kind << " batch " << building);
  return {};
}

}  // namespace

TEST_CASE("group buy reached -> batches per building -> courier delivers each household", "[delivery][batches][e2e]") {
  auto& t = TestApp::get();
  if (!shops_linked(t)) {
    WARN("shops is not linked: batched delivery skipped");
    return;
  }
  auto c = t.community();
  auto tower = add_tower(t, c);
  auto [owner, shop, gid] = group_buy(t, c, {{"name", "Eggs x30"}, {"price_cents", 900}, {"stock", 50}}, 700, 4);

  // Building A: units 103 and 101 (joined in that order), building B: 1203; one pickup.
  auto a103 = t.resident(c, 2), a101 = t.resident(c, 0), b1203 = t.resident(c, 3), pick = t.resident(c, 1);
  for (auto* r : {&a103, &a101, &b1203, &pick}) t.top_up(c, *r, 5'000);
  CHECK(join(t, c, gid, a103, "drone").status == 422);
  REQUIRE(join(t, c, gid, a103, "delivery").status == 201);
  REQUIRE(join(t, c, gid, a101, "delivery").status == 201);
  REQUIRE(join(t, c, gid, b1203, "delivery").status == 201);
  auto joined = join(t, c, gid, pick, "pickup");
  REQUIRE(joined.status == 201);
  CHECK(joined.json.at("fulfilment") == "pickup");

  // The threshold is reached at close: orders, then batches (groupbuy.closed).
  close_group_buys(t);

  auto all = items(t.get(c.base() + "/delivery-batches?limit=50", c.manager.token));
  REQUIRE(all.size() == 3);
  auto a = batch_in(all, "delivery", "A");
  auto b = batch_in(all, "delivery", "B");
  auto p = batch_in(all, "pickup");
  CHECK(b.at("building_id").as_int64() == tower);
  CHECK(a.at("progress").at("total").as_int64() == 2);
  CHECK(a.at("progress").at("done").as_int64() == 0);
  CHECK(p.at("progress").at("total").as_int64() == 1);
  CHECK(events_with(t, "delivery.batch_created", "group_buy_id", gid) == 3);
  // A redelivered groupbuy.closed makes nothing new.
  auto closed = last_event(t, "groupbuy.closed", "group_buy_id", gid);
  db::transact(t.app().db(), &t.app().bus(), [&](db::Tx& tx) { tx.publish("groupbuy.closed", c.id, closed); });
  t.drain_events();
  CHECK(items(t.get(c.base() + "/delivery-batches?limit=50", c.manager.token)).size() == 3);

  // Stops in round order: floor, then unit (101 before 103, whoever joined first).
  auto a_path = c.base() + "/delivery-batches/" + std::to_string(a.at("id").as_int64());
  auto detail = t.get(a_path, c.manager.token);
  REQUIRE(detail.status == 200);
  auto stops = detail.json.at("stops").as_array();
  REQUIRE(stops.size() == 2);
  CHECK(stops[0].at("unit_number") == "101");
  CHECK(stops[1].at("unit_number") == "103");
  CHECK(stops[0].at("floor").as_int64() == 1);
  CHECK_FALSE(stops[0].as_object().contains("proof_code"));  // couriers never see the codes
  auto b_detail = t.get(c.base() + "/delivery-batches/" + std::to_string(b.at("id").as_int64()), c.manager.token);
  CHECK(b_detail.json.at("stops").as_array()[0].at("floor").as_int64() == 12);

  // Each household sees its batch's progress and its own proof code.
  auto mine = items(t.get("/v1/me/delivery-batches", a101.token));
  REQUIRE(mine.size() == 1);
  CHECK(mine[0].at("id") == a.at("id"));
  std::string code101(mine[0].at("my_stop").at("proof_code").as_string());
  auto stop101 = mine[0].at("my_stop").at("id").as_int64();
  auto mine103 = items(t.get("/v1/me/delivery-batches", a103.token));
  std::string code103(mine103[0].at("my_stop").at("proof_code").as_string());
  auto stop103 = mine103[0].at("my_stop").at("id").as_int64();
  CHECK(code101 != code103);

  // The merchant sees its batches and their progress.
  auto merchant_view = items(t.get(shop + "/delivery-batches", owner.token));
  CHECK(merchant_view.size() == 3);

  // The courier's round: claim, pick up at the shop, one stop per household with its code.
  auto courier = t.courier(c);
  auto rival = t.courier(c);
  auto stop_path = [&](std::int64_t sid) { return a_path + "/stops/" + std::to_string(sid) + "/deliver"; };
  CHECK(t.post(stop_path(stop101), {{"proof_code", code101}}, courier.token).status == 409);  // not claimed
  REQUIRE(t.post(a_path + "/claim", bj::object{}, courier.token).status == 200);
  CHECK(t.post(a_path + "/claim", bj::object{}, rival.token).status == 409);
  CHECK(t.get(a_path, rival.token).status == 404);  // someone else's round
  CHECK(t.post(stop_path(stop101), {{"proof_code", code101}}, courier.token).status == 409);  // not picked up
  REQUIRE(t.post(a_path + "/pick-up", bj::object{}, courier.token).status == 200);
  CHECK(t.post(stop_path(stop101), {{"proof_code", code101}}, rival.token).status == 403);
  auto wrong = t.post(stop_path(stop101), {{"proof_code", code103}}, courier.token);
  CHECK(wrong.status == 422);
  CHECK(wrong.problem_type() == "/problems/wrong-proof-code");
  CHECK(t.post(stop_path(999999999), {{"proof_code", code101}}, courier.token).status == 404);

  auto first = t.post(stop_path(stop101), {{"proof_code", code101}}, courier.token);
  REQUIRE(first.status == 200);
  CHECK(first.json.at("progress").at("done").as_int64() == 1);
  CHECK(first.json.at("status") == "picked_up");
  CHECK(t.post(stop_path(stop101), {{"proof_code", code101}}, courier.token).status == 409);  // done already
  auto progress = items(t.get("/v1/me/delivery-batches", a103.token));
  CHECK(progress[0].at("progress").at("done").as_int64() == 1);
  auto last = t.post(stop_path(stop103), {{"proof_code", code103}}, courier.token);
  REQUIRE(last.status == 200);
  CHECK(last.json.at("status") == "completed");
  t.drain_events();
  CHECK(events_with(t, "delivery.batch_completed", "batch_id", a.at("id").as_int64()) == 1);

  // Shops completed the delivered orders.
  auto orders = items(t.get("/v1/me/orders", a101.token));
  REQUIRE(orders.size() == 1);
  CHECK(orders[0].at("status") == "completed");
  CHECK(orders[0].at("fulfilment") == "delivery");

  // The pickup point: the merchant redeems the household's code; its stop is done.
  auto pick_orders = items(t.get("/v1/me/orders", pick.token));
  REQUIRE(pick_orders.size() == 1);
  auto pick_path = c.base() + "/orders/" + std::to_string(pick_orders[0].at("id").as_int64());
  REQUIRE(t.post(pick_path + "/accept", bj::object{}, owner.token).status == 200);
  auto redeemed = t.post(shop + "/redemptions", {{"code", pick_orders[0].at("redemption_code")}}, owner.token);
  REQUIRE(redeemed.status == 200);
  t.drain_events();
  auto p_after = t.get(shop + "/delivery-batches/" + std::to_string(p.at("id").as_int64()), owner.token);
  REQUIRE(p_after.status == 200);
  CHECK(p_after.json.at("status") == "completed");
  CHECK(p_after.json.at("progress").at("done").as_int64() == 1);
}

TEST_CASE("delivery batches: roles, other communities, cancelled households", "[delivery][batches][access]") {
  auto& t = TestApp::get();
  if (!shops_linked(t)) return;
  auto c = t.community();
  auto [owner, shop, gid] = group_buy(t, c, {{"name", "Oranges"}, {"price_cents", 500}, {"stock", 20}}, 400, 2);
  auto r1 = t.resident(c, 0), r2 = t.resident(c, 1);
  for (auto* r : {&r1, &r2}) t.top_up(c, *r, 2'000);
  REQUIRE(join(t, c, gid, r1, "delivery").status == 201);
  REQUIRE(join(t, c, gid, r2, "delivery").status == 201);
  close_group_buys(t);
  auto list = items(t.get(c.base() + "/delivery-batches", c.manager.token));
  REQUIRE(list.size() == 1);
  auto bid = list[0].at("id").as_int64();
  auto path = c.base() + "/delivery-batches/" + std::to_string(bid);

  // Roles: residents and merchants are not couriers; another community sees nothing.
  CHECK(t.get(c.base() + "/delivery-batches", r1.token).status == 403);
  CHECK(t.post(path + "/claim", bj::object{}, owner.token).status == 403);
  CHECK(t.post(path + "/claim", bj::object{}, c.manager.token).status == 403);
  auto other = t.community();
  auto stranger = t.courier(other);
  CHECK(t.get(path, stranger.token).status == 404);
  CHECK(t.get(other.base() + "/delivery-batches/" + std::to_string(bid), stranger.token).status == 404);
  CHECK(t.post(other.base() + "/delivery-batches/" + std::to_string(bid) + "/claim", bj::object{}, stranger.token)
            .status == 404);
  auto [rival, rival_mid] = t.merchant(c, "bakery");
  CHECK(t.get(shop + "/delivery-batches", rival.token).status == 403);
  CHECK(t.get(c.base() + "/merchants/" + std::to_string(rival_mid) + "/delivery-batches/" + std::to_string(bid),
              rival.token)
            .status == 404);
  CHECK(t.get(c.base() + "/delivery-batches?status=lost", c.manager.token).status == 422);

  // The merchant cancels one household's order: its stop is cancelled, the total stays, and
  // delivering the other completes the batch.
  auto o1 = items(t.get("/v1/me/orders", r1.token));
  REQUIRE(o1.size() == 1);
  REQUIRE(t.post(c.base() + "/orders/" + std::to_string(o1[0].at("id").as_int64()) + "/cancel", bj::object{},
                 owner.token)
              .status == 200);
  t.drain_events();
  auto after = t.get(path, c.manager.token);
  CHECK(after.json.at("progress").at("cancelled").as_int64() == 1);
  auto courier = t.courier(c);
  REQUIRE(t.post(path + "/claim", bj::object{}, courier.token).status == 200);
  REQUIRE(t.post(path + "/pick-up", bj::object{}, courier.token).status == 200);
  auto mine = items(t.get("/v1/me/delivery-batches", r2.token));
  REQUIRE(mine.size() == 1);
  auto sid = mine[0].at("my_stop").at("id").as_int64();
  auto done = t.post(path + "/stops/" + std::to_string(sid) + "/deliver",
                     {{"proof_code", mine[0].at("my_stop").at("proof_code")}}, courier.token);
  REQUIRE(done.status == 200);
  CHECK(done.json.at("status") == "completed");
  // A cancelled household's stop cannot be delivered.
  auto cancelled_stop = items(t.get("/v1/me/delivery-batches", r1.token))[0].at("my_stop");
  CHECK(cancelled_stop.at("status") == "cancelled");
  CHECK(t.post(path + "/stops/" + std::to_string(cancelled_stop.at("id").as_int64()) + "/deliver",
               {{"proof_code", "AAAAAAAA"}}, courier.token)
            .status == 409);
}
