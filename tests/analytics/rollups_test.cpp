// The rollups count each fact once: a redelivered event, a copy of it, two dispatchers
// delivering it at once (real threads on both backends), and the backfill.
#include "services/analytics/routes.hpp"
#include "tests/analytics/helpers.hpp"
#include "tests/support/stored_events.hpp"

#include <map>
#include <set>
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
                            [&](courtyard::db::Tx& tx) { courtyard::analytics::on_orders({e}, tx); });
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

// The backfill gathers a batch of 500 orders in memory and writes each rollup row once
// (multi-row upserts). Over 1,234 orders bulk-loaded around the routes (days shared across
// batch boundaries, cancellations, coupons, repeat buyers over three months), every rollup
// must equal the sums over shops' own rows, and a second run must give the same.
TEST_CASE("backfill over several batches equals the sums over the orders", "[rollups][backfill]") {
  auto& t = TestApp::get();
  auto s = shop();
  std::int64_t pids[] = {product(s, "Tea", 250, 0, "drinks"), product(s, "Cake", 900, 0, "bakery"),
                         product(s, "Jam", 400, 0, "grocery")};
  std::vector<std::int64_t> buyers;
  for (int i = 0; i < 37; ++i) buyers.push_back(1'000'000 + i);
  std::int64_t start = courtyard::db::now_ms() - 80 * kDay;
  std::map<std::int64_t, std::int64_t> first_at;  // buyer -> first order's instant
  courtyard::db::transact(t.app().db(), nullptr, [&](courtyard::db::Tx& tx) {
    for (int n = 0; n < 1234; ++n) {
      std::int64_t at = start + n * (80 * kDay / 1234), buyer = buyers[(n * 7) % buyers.size()];
      std::string status = n % 23 == 0 ? "cancelled" : "completed";
      std::int64_t coupon = n % 5 == 0 ? 900 + n % 2 : 0;
      std::int64_t q1 = 1 + n % 3, q2 = n % 4, sub = q1 * 250 + q2 * 900, discount = coupon ? sub / 10 : 0;
      std::int64_t total = sub - discount;
      auto oid = tx.insert("orders",
                           "INSERT INTO orders (community_id, merchant_id, buyer_id, unit_id, status, fulfilment, "
                           "subtotal_cents, discount_cents, total_cents, coupon_id, created_at, updated_at) VALUES "
                           "(:c, :m, :b, 0, :s, 'pickup', :sub, :d, :tot, NULLIF(:cp, 0), :at, :at2)",
                           use(s.c.id, "c"), use(s.mid, "m"), use(buyer, "b"), use(status, "s"), use(sub, "sub"),
                           use(discount, "d"), use(total, "tot"), use(coupon, "cp"), use(at, "at"), use(at, "at2"));
      if (!first_at.count(buyer)) first_at[buyer] = at;
      std::int64_t line1 = q1 * 250, line2 = q2 * 900;
      tx.exec("INSERT INTO order_items (community_id, order_id, product_id, name, category, unit_price_cents, "
              "quantity, line_cents) VALUES (:c, :o, :p, 'Tea', 'drinks', 250, :q, :l)",
              use(s.c.id, "c"), use(oid, "o"), use(pids[0], "p"), use(q1, "q"), use(line1, "l"));
      if (q2)
        tx.exec("INSERT INTO order_items (community_id, order_id, product_id, name, category, unit_price_cents, "
                "quantity, line_cents) VALUES (:c, :o, :p, 'Cake', 'bakery', 900, :q, :l)",
                use(s.c.id, "c"), use(oid, "o"), use(pids[1], "p"), use(q2, "q"), use(line2, "l"));
    }
  });

  auto check = [&] {
    std::int64_t const m = s.mid;
    char const* kept = " FROM orders WHERE merchant_id = :m AND status <> 'cancelled'";
    CHECK(scalar("SELECT COALESCE(SUM(orders), 0) FROM analytics_merchant_days WHERE merchant_id = :m", use(m, "m")) ==
          scalar(std::string("SELECT COUNT(*)") + kept, use(m, "m")));
    CHECK(scalar("SELECT COALESCE(SUM(revenue_cents), 0) FROM analytics_merchant_days WHERE merchant_id = :m",
                 use(m, "m")) == scalar(std::string("SELECT SUM(total_cents)") + kept, use(m, "m")));
    CHECK(scalar("SELECT COALESCE(SUM(cancelled), 0) FROM analytics_merchant_days WHERE merchant_id = :m",
                 use(m, "m")) ==
          scalar("SELECT COUNT(*) FROM orders WHERE merchant_id = :m AND status = 'cancelled'", use(m, "m")));
    // Per day: the rollup's orders equal the kept orders of that local day.
    auto tz = courtyard::db::transact(t.app().db(), nullptr, [&](courtyard::db::Tx& tx) {
      return courtyard::analytics::zone_of(tx, s.c.id);
    });
    std::map<std::int64_t, std::int64_t> by_day;
    courtyard::db::read(t.app().db(), [&](soci::session& sql) {
      courtyard::db::each(
          sql, "SELECT created_at, status FROM orders WHERE merchant_id = :m",
          [&](courtyard::db::Row const& r) {
            courtyard::db::Cols c(r);
            std::int64_t at = c.integer();
            if (c.text() != "cancelled") ++by_day[tz->local_day(at)];
          },
          use(m, "m"));
      courtyard::db::each(
          sql, "SELECT day, orders FROM analytics_merchant_days WHERE merchant_id = :m AND orders <> 0",
          [&](courtyard::db::Row const& r) {
            courtyard::db::Cols c(r);
            std::int64_t day = c.integer(), n = c.integer();
            CHECK(by_day[day] == n);
            by_day.erase(day);
          },
          use(m, "m"));
    });
    CHECK(by_day.empty());
    for (auto pid : pids)
      CHECK(scalar("SELECT COALESCE(SUM(quantity), 0) FROM analytics_product_days WHERE product_id = :p",
                   use(pid, "p")) ==
            scalar("SELECT COALESCE(SUM(i.quantity), 0) FROM order_items i JOIN orders o ON o.id = i.order_id "
                   "WHERE i.product_id = :p AND o.status <> 'cancelled'",
                   use(pid, "p")));
    CHECK(scalar("SELECT COALESCE(SUM(revenue_cents), 0) FROM analytics_category_days WHERE merchant_id = :m AND "
                 "category = 'bakery'",
                 use(m, "m")) ==
          scalar("SELECT COALESCE(SUM(i.line_cents), 0) FROM order_items i JOIN orders o ON o.id = i.order_id "
                 "WHERE o.merchant_id = :m AND i.category = 'bakery' AND o.status <> 'cancelled'",
                 use(m, "m")));
    CHECK(scalar("SELECT COUNT(*) FROM (SELECT buyer_id FROM analytics_customer_days WHERE merchant_id = :m "
                 "GROUP BY buyer_id HAVING SUM(orders) > 0) x",
                 use(m, "m")) == scalar(std::string("SELECT COUNT(DISTINCT buyer_id)") + kept, use(m, "m")));
    for (std::int64_t coupon : {900, 901})
      CHECK(scalar("SELECT COALESCE(SUM(orders), 0) FROM analytics_promo_days WHERE merchant_id = :m AND "
                   "kind = 'coupon' AND promo_id = :p",
                   use(m, "m"), use(coupon, "p")) ==
            scalar(std::string("SELECT COUNT(*)") + kept + " AND coupon_id = :p", use(m, "m"), use(coupon, "p")));
    // Each buyer's cohort is the month of their first order (cancelled or not: they ordered).
    for (auto const& [buyer, at] : first_at)
      CHECK(scalar("SELECT cohort FROM analytics_resident_cohorts WHERE community_id = :c AND account_id = :a",
                   use(s.c.id, "c"), use(buyer, "a")) == courtyard::analytics::logic::month_of(tz->local_day(at)));
    CHECK(scalar("SELECT COUNT(DISTINCT account_id) FROM analytics_resident_days WHERE community_id = :c",
                 use(s.c.id, "c")) == static_cast<std::int64_t>(buyers.size()));
  };

  auto r = t.post(s.c.base() + "/analytics/backfill", bj::object{}, s.c.manager.token);
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.json.at("orders").as_int64() == 1234);
  CHECK(r.json.at("cancelled").as_int64() == scalar("SELECT COUNT(*) FROM orders WHERE merchant_id = :m AND "
                                                    "status = 'cancelled'",
                                                    use(s.mid, "m")));
  check();
  REQUIRE(t.post(s.c.base() + "/analytics/backfill", bj::object{}, s.c.manager.token).status == 200);
  check();
}

TEST_CASE("backfill claims: a fact an event delivery took is not the backfill's, and none is taken twice",
          "[rollups][backfill]") {
  auto& t = TestApp::get();
  auto s = shop();
  std::string const pre = "order.placed:" + std::to_string(900'000'000 + s.mid);
  std::vector<std::string> facts{pre, "order.placed:" + std::to_string(900'000'001 + s.mid),
                                 "order.cancelled:" + std::to_string(900'000'001 + s.mid)};
  namespace repo = courtyard::analytics::repo;
  courtyard::db::transact(t.app().db(), nullptr,
                          [&](courtyard::db::Tx& tx) { REQUIRE(repo::claim_fact(tx, s.c.id, pre, 77)); });
  auto first = courtyard::db::transact(t.app().db(), nullptr, [&](courtyard::db::Tx& tx) {
    return repo::claim_backfill_facts(tx, s.c.id, facts);
  });
  CHECK(first == std::set<std::string>{facts[1], facts[2]});
  auto second = courtyard::db::transact(t.app().db(), nullptr, [&](courtyard::db::Tx& tx) {
    return repo::claim_backfill_facts(tx, s.c.id, facts);
  });
  CHECK(second.empty());
  CHECK(scalar("SELECT event_id FROM analytics_facts WHERE fact = :f", use(pre, "f")) == 77);
}

namespace {

// Every shop rollup row of the merchant (keys and sums; not the row ids), as text.
std::string rollup_rows(std::int64_t mid) {
  static constexpr char const* kTables[] = {
      "SELECT day, orders, items, subtotal_cents, discount_cents, revenue_cents, cancelled FROM "
      "analytics_merchant_days WHERE merchant_id = :m ORDER BY day",
      "SELECT day, product_id, category, orders, quantity, revenue_cents FROM analytics_product_days "
      "WHERE merchant_id = :m ORDER BY day, product_id",
      "SELECT day, category, orders, quantity, revenue_cents FROM analytics_category_days WHERE merchant_id = :m "
      "ORDER BY day, category",
      "SELECT day, buyer_id, orders, revenue_cents FROM analytics_customer_days WHERE merchant_id = :m "
      "ORDER BY day, buyer_id",
      "SELECT day, kind, promo_id, orders, quantity, revenue_cents, discount_cents FROM analytics_promo_days "
      "WHERE merchant_id = :m ORDER BY day, kind, promo_id"};
  std::string out;
  courtyard::db::read(TestApp::get().app().db(), [&](soci::session& sql) {
    for (auto const* q : kTables) {
      courtyard::db::each(
          sql, q,
          [&](courtyard::db::Row const& r) {
            for (std::size_t i = 0; i < r.size(); ++i) {
              courtyard::db::Cols c(r);
              c.skip(i);
              out += (r.kind(i) == courtyard::db::Row::Kind::Text ? c.text() : std::to_string(c.integer()));
              out += i + 1 < r.size() ? "," : "\n";
            }
          },
          use(mid, "m"));
      out += "--\n";
    }
    return 0;
  });
  return out;
}

std::vector<courtyard::events::Event> order_events(std::int64_t cid) {
  return courtyard::test::stored_events(TestApp::get(), cid, "topic IN ('order.placed', 'order.cancelled')");
}

void deliver(std::vector<courtyard::events::Event> const& batch) {
  auto& t = TestApp::get();
  courtyard::db::transact(t.app().db(), &t.app().bus(),
                          [&](courtyard::db::Tx& tx) { courtyard::analytics::on_orders(batch, tx); });
}

void clear(std::int64_t cid) {
  courtyard::db::transact(TestApp::get().app().db(), nullptr,
                          [&](courtyard::db::Tx& tx) { courtyard::analytics::repo::clear_community(tx, cid); });
}

}  // namespace

TEST_CASE("rollups: a batch delivery with duplicates and redeliveries equals delivering one by one",
          "[rollups][batch][concurrency]") {
  auto& t = TestApp::get();
  // The order events go to analytics in batches.
  CHECK(t.app().bus().batch_handler("analytics.order_placed", "order.placed").first != nullptr);
  CHECK(t.app().bus().batch_handler("analytics.order_cancelled", "order.cancelled").first != nullptr);
  auto s = shop();
  auto tea = product(s, "Tea", 250, 1000, "drinks");
  auto cake = product(s, "Cake", 900, 1000, "bakery");
  auto a = buyer(s, 1'000'000), b = buyer(s, 1'000'000, 1);
  t.drain_events();
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(order(s, a, {{tea, 1 + i}, {cake, 1}}));
    ids.push_back(order(s, b, {{cake, 2 + i}}));
  }
  cancel(s, b, ids[3]);
  cancel(s, a, ids[6]);
  t.drain_events();  // the dispatcher's batches (11 of each queue were due together)
  auto batched = rollup_rows(s.mid);
  CHECK(rolled_orders(s.mid) == 8);
  auto events = order_events(s.c.id);
  REQUIRE(events.size() == 12);

  clear(s.c.id);
  for (auto const& e : events) deliver({e});
  CHECK(rollup_rows(s.mid) == batched);

  // One batch holding every event twice and a copy of one (a new event id for the same
  // order), delivered, then delivered again (a redelivery), then by two threads at once.
  clear(s.c.id);
  auto twice = events;
  twice.insert(twice.end(), events.begin(), events.end());
  auto copy = events[0];
  copy.id += 1'000'000'000;
  twice.push_back(copy);
  deliver(twice);
  CHECK(rollup_rows(s.mid) == batched);
  deliver(twice);
  CHECK(rollup_rows(s.mid) == batched);
  clear(s.c.id);
  std::thread one([&] { deliver(twice); }), two([&] { deliver(events); });
  one.join();
  two.join();
  CHECK(rollup_rows(s.mid) == batched);
  CHECK(scalar("SELECT COUNT(*) FROM analytics_facts WHERE community_id = :c AND fact LIKE 'order.%'",
               use(s.c.id, "c")) == 12);
}
