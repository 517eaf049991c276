// The rollups count each fact once: a redelivered event, a copy of it, two dispatchers
// delivering it at once (real threads on both backends), and the backfill.
#include "services/analytics/routes.hpp"
#include "tests/analytics/helpers.hpp"

#include <thread>

using namespace analytics_test;
using soci::use;

namespace {

std::int64_t rolled_orders(std::int64_t mid) {
  return scalar("SELECT COALESCE(SUM(orders), 0) FROM analytics_merchant_days WHERE merchant_id = :m", use(mid, "m"));
}

std::int64_t rolled_items(std::int64_t mid) {
  return scalar("SELECT COALESCE(SUM(quantity), 0) FROM analytics_product_days WHERE merchant_id = :m",
                use(mid, "m"));
}

}  // namespace

TEST_CASE("rollups: two dispatchers delivering the same events at once count each order once", "[rollups][concurrency]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto tea = product(s, "Tea", 100, 1000);
  auto a = buyer(s, 1'000'000);
  t.drain_events();
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(order(s, a, {{tea, 2}}));
  // Deliver each order.placed from two threads at once, before the dispatcher does.
  auto deliver = [&](std::int64_t oid) {
    courtyard::events::Event e;
    e.id = oid;
    e.topic = "order.placed";
    e.community_id = s.c.id;
    e.payload = bj::object{{"order_id", oid}, {"community_id", s.c.id}, {"merchant_id", s.mid}};
    e.created_at = courtyard::db::now_ms();
    courtyard::db::transact(t.app().db(), &t.app().bus(),
                            [&](courtyard::db::Tx& tx) { courtyard::analytics::on_order_placed(e, tx); });
  };
  for (auto oid : ids) {
    std::thread one([&] { deliver(oid); }), two([&] { deliver(oid); });
    one.join();
    two.join();
  }
  CHECK(rolled_orders(s.mid) == 6);
  CHECK(rolled_items(s.mid) == 12);
  t.drain_events();  // the real deliveries: already counted
  CHECK(rolled_orders(s.mid) == 6);
  // A copy of an event (a new event id for the same order) counts nothing either.
  publish(s.c.id, "order.placed", {{"order_id", ids[0]}, {"merchant_id", s.mid}});
  t.drain_events();
  CHECK(rolled_orders(s.mid) == 6);
  CHECK(scalar("SELECT COUNT(*) FROM analytics_facts WHERE community_id = :c AND fact LIKE 'order.placed:%'",
               use(s.c.id, "c")) == 6);
}

TEST_CASE("rollups: community events count once per fact", "[rollups]") {
  auto& t = TestApp::get();
  auto c = t.community();
  for (int i = 0; i < 2; ++i)
    publish(c.id, "bill.issued", {{"bill_id", 7'000'000 + c.id}, {"amount_cents", 5000}, {"due_at_ms", 1}});
  t.drain_events();
  CHECK(scalar("SELECT COALESCE(SUM(bills_issued), 0) FROM analytics_community_days WHERE community_id = :c",
               use(c.id, "c")) == 1);
}

TEST_CASE("backfill rebuilds the same figures the events built", "[rollups][backfill]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto tea = product(s, "Tea", 250, 1000, "drinks");
  auto cake = product(s, "Cake", 900, 1000, "bakery");
  auto a = buyer(s, 1'000'000), b = buyer(s, 1'000'000, 1);
  order(s, a, {{tea, 2}, {cake, 1}});
  auto x = order(s, b, {{cake, 2}});
  order(s, b, {{tea, 4}});
  cancel(s, b, x);
  t.drain_events();
  auto url = s.report("overview") + range(today() - 3, today());
  auto before = ok(url, s.owner.token);

  // Lose the rollups, as if the data had existed before analytics.
  courtyard::db::transact(t.app().db(), nullptr,
                          [&](courtyard::db::Tx& tx) { courtyard::analytics::repo::clear_community(tx, s.c.id); });
  CHECK(ok(url, s.owner.token).at("summary").at("orders").as_int64() == 0);

  auto r = t.post(s.c.base() + "/analytics/backfill", bj::object{}, s.c.manager.token);
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.json.at("orders").as_int64() == 3);
  CHECK(r.json.at("cancelled").as_int64() == 1);
  auto after = ok(url, s.owner.token);
  CHECK(bj::serialize(after.at("summary")) == bj::serialize(before.at("summary")));
  CHECK(bj::serialize(after.at("series")) == bj::serialize(before.at("series")));
  CHECK(bj::serialize(after.at("categories")) == bj::serialize(before.at("categories")));

  // A second backfill, and late events, change nothing.
  REQUIRE(t.post(s.c.base() + "/analytics/backfill", bj::object{}, s.c.manager.token).status == 200);
  publish(s.c.id, "order.placed", {{"order_id", x}, {"merchant_id", s.mid}});
  t.drain_events();
  CHECK(bj::serialize(ok(url, s.owner.token).at("summary")) == bj::serialize(before.at("summary")));

  // Only the community's managers.
  CHECK(t.post(s.c.base() + "/analytics/backfill", bj::object{}, s.owner.token).status == 403);
  auto other = t.community();
  CHECK(t.post(s.c.base() + "/analytics/backfill", bj::object{}, other.manager.token).status == 404);
}
