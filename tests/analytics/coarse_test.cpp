// The coarser rollups the range reports read (product blocks, the community's category days,
// each customer's first day, resident months for the active count) give the day-grained
// answer for ranges that start and end anywhere: mid-block, mid-month, on a boundary, one
// day; with cancellations, and with customers whose first order is before the range.
#include "services/analytics/repository.hpp"
#include "tests/analytics/helpers.hpp"

#include <map>
#include <random>
#include <set>
#include <tuple>

using namespace analytics_test;
using soci::use;
namespace repo = courtyard::analytics::repo;
namespace logic = courtyard::analytics::logic;

namespace {

// The reads as they were before the coarser tables, straight over the day rows.
constexpr char const* kDayProductTotals =
    "SELECT product_id, MAX(category), SUM(orders), SUM(quantity), SUM(revenue_cents) "
    "FROM analytics_product_days WHERE merchant_id = :m AND day >= :f AND day <= :t GROUP BY product_id";
constexpr char const* kDayCustomers =
    "SELECT COUNT(*), COALESCE(SUM(CASE WHEN x.n >= 2 THEN 1 ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM analytics_customer_days p WHERE p.merchant_id = :m2 "
    "AND p.buyer_id = x.buyer_id AND p.day < :f2 AND p.orders > 0) THEN 1 ELSE 0 END), 0) "
    "FROM (SELECT buyer_id, SUM(orders) AS n FROM analytics_customer_days WHERE merchant_id = :m "
    "AND day >= :f AND day <= :t GROUP BY buyer_id HAVING SUM(orders) > 0) x";
constexpr char const* kDayCategories =
    "SELECT category, SUM(orders), SUM(quantity), SUM(revenue_cents), MIN(day), MAX(day) "
    "FROM analytics_category_days WHERE community_id = :c AND day >= :f AND day <= :t GROUP BY category";
constexpr char const* kDayActive =
    "SELECT COUNT(DISTINCT account_id) FROM analytics_resident_days WHERE community_id = :c "
    "AND day >= :f AND day <= :t";

using Row = std::vector<std::string>;

// Every row of a query as text cells (integers printed), keyed by its first `key` cells.
template <class... Uses>
std::map<Row, Row> rows(std::string const& sql, std::size_t key, std::size_t cols, Uses&&... uses) {
  std::map<Row, Row> out;
  courtyard::db::read(TestApp::get().app().db(), [&](soci::session& s) {
    courtyard::db::each(
        s, sql,
        [&](courtyard::db::Row const& r) {
          Row k, v;
          courtyard::db::Cols c(r);
          for (std::size_t i = 0; i < cols; ++i) {
            bool text = r.kind(i) == courtyard::db::Row::Kind::Text;
            (i < key ? k : v).push_back(text ? c.text() : std::to_string(c.integer()));
          }
          out[k] = v;
        },
        std::forward<Uses>(uses)...);
  });
  return out;
}

std::string show(std::map<Row, Row> const& m) {
  std::string out;
  for (auto const& [k, v] : m) {
    for (auto const& c : k) out += c + ",";
    out += "=";
    for (auto const& c : v) out += c + ",";
    out += " ";
  }
  return out;
}

// The coarse tables hold exactly what their day rows add up to (what migrations 71-73 fill).
void coarse_matches_days(std::int64_t cid) {
  CHECK(rows("SELECT merchant_id, block, product_id, category, orders, quantity, revenue_cents "
             "FROM analytics_product_blocks WHERE community_id = :c",
             3, 7, use(cid, "c")) ==
        rows("SELECT merchant_id, day - day % 16, product_id, MAX(category), SUM(orders), SUM(quantity), "
             "SUM(revenue_cents) FROM analytics_product_days WHERE community_id = :c "
             "GROUP BY merchant_id, day - day % 16, product_id",
             3, 7, use(cid, "c")));
  CHECK(rows("SELECT day, category, orders, quantity, revenue_cents FROM analytics_community_category_days "
             "WHERE community_id = :c",
             2, 5, use(cid, "c")) ==
        rows("SELECT day, category, SUM(orders), SUM(quantity), SUM(revenue_cents) FROM analytics_category_days "
             "WHERE community_id = :c GROUP BY day, category",
             2, 5, use(cid, "c")));
  CHECK(rows("SELECT merchant_id, buyer_id, first_day FROM analytics_customer_firsts WHERE community_id = :c", 2, 3,
             use(cid, "c")) ==
        rows("SELECT merchant_id, buyer_id, MIN(day) FROM analytics_customer_days WHERE community_id = :c "
             "AND orders > 0 GROUP BY merchant_id, buyer_id",
             2, 3, use(cid, "c")));
}

// One generated order: its merchant, buyer, local day and lines (product, category, quantity, cents).
struct GenOrder {
  std::int64_t mid = 0, buyer = 0, day = 0;
  std::vector<std::tuple<std::int64_t, std::string, std::int64_t, std::int64_t>> lines;
};

// What subscriptions.cpp's apply_sale adds for an order (sign -1: its cancellation).
void add(repo::Rollups& r, std::int64_t cid, GenOrder const& o, int sign) {
  repo::Sale s;
  s.orders = sign;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> categories;
  for (auto const& [pid, category, q, cents] : o.lines) {
    s.items += sign * q;
    s.revenue_cents += sign * cents;
    r.product_day(cid, o.mid, pid, o.day, category, sign, sign * q, sign * cents);
    categories[category].first += q;
    categories[category].second += cents;
  }
  s.subtotal_cents = s.revenue_cents;
  s.cancelled = sign < 0 ? 1 : 0;
  r.merchant_day(cid, o.mid, o.day, s);
  for (auto const& [category, c] : categories)
    r.category_day(cid, o.mid, category, o.day, sign, sign * c.first, sign * c.second);
  r.customer_day(cid, o.mid, o.buyer, o.day, sign, s.revenue_cents);
  if (sign > 0) r.active(cid, o.buyer, o.day, logic::month_of(o.day));
}

void compare_range(std::int64_t cid, std::vector<std::int64_t> const& mids, std::int64_t from, std::int64_t to) {
  INFO("range " << date(from) << " .. " << date(to));
  auto& t = TestApp::get();
  courtyard::db::transact(t.app().db(), nullptr, [&](courtyard::db::Tx& tx) {
    for (auto mid : mids) {
      std::map<Row, Row> got;
      for (auto const& x : repo::product_totals(tx, mid, from, to))
        got[{std::to_string(x.id)}] = {x.key, std::to_string(x.orders), std::to_string(x.quantity),
                                       std::to_string(x.revenue_cents)};
      auto want_products = rows(kDayProductTotals, 1, 5, use(mid, "m"), use(from, "f"), use(to, "t"));
      INFO("products: " << show(got) << " want " << show(want_products));
      CHECK(got == want_products);
      auto c = repo::customers(tx, mid, from, to);
      auto want = rows(kDayCustomers, 0, 3, use(mid, "m2"), use(from, "f2"), use(mid, "m"), use(from, "f"),
                       use(to, "t"));
      REQUIRE(want.size() == 1);
      CHECK(Row{std::to_string(c.customers), std::to_string(c.repeat_customers),
                std::to_string(c.returning_customers)} == want.begin()->second);
    }
    std::map<Row, Row> cats;
    for (auto const& x : repo::community_categories(tx, cid, from, to))
      cats[{x.key}] = {std::to_string(x.orders), std::to_string(x.quantity), std::to_string(x.revenue_cents),
                       std::to_string(x.first_day), std::to_string(x.last_day)};
    CHECK(cats == rows(kDayCategories, 1, 6, use(cid, "c"), use(from, "f"), use(to, "t")));
    CHECK(repo::active_residents(tx, cid, from, to) ==
          scalar(kDayActive, use(cid, "c"), use(from, "f"), use(to, "t")));
  });
}

}  // namespace

TEST_CASE("block and month splits cover a range exactly once", "[logic][coarse]") {
  std::int64_t d0 = *logic::parse_date("2026-01-20");
  for (std::int64_t from = d0 - 40; from < d0 + 40; ++from)
    for (std::int64_t to = from; to < from + 120; ++to) {
      auto b = logic::split_blocks(from, to);
      std::map<std::int64_t, int> seen;
      for (std::int64_t d = b.head_from; d <= b.head_to; ++d) ++seen[d];
      for (std::int64_t d = b.tail_from; d <= b.tail_to; ++d) ++seen[d];
      for (std::int64_t blk = b.first_block; blk <= b.last_block; blk += logic::kBlockDays) {
        REQUIRE(logic::block_start(blk) == blk);
        for (std::int64_t d = blk; d < blk + logic::kBlockDays; ++d) ++seen[d];
      }
      CHECK(b.head_to - b.head_from + 1 < 2 * logic::kBlockDays);
      auto m = logic::split_months(from, to);
      std::map<std::int64_t, int> seen_m;
      for (std::int64_t d = m.head_from; d <= m.head_to; ++d) ++seen_m[d];
      for (std::int64_t d = m.tail_from; d <= m.tail_to; ++d) ++seen_m[d];
      for (std::int64_t mo = m.first_month; mo <= m.last_month; ++mo)
        for (std::int64_t d = logic::month_start(mo); d < logic::month_start(mo + 1); ++d) ++seen_m[d];
      bool exact = static_cast<std::int64_t>(seen.size()) == to - from + 1 &&
                   static_cast<std::int64_t>(seen_m.size()) == to - from + 1;
      for (auto const& [d, n] : seen) exact = exact && n == 1 && d >= from && d <= to;
      for (auto const& [d, n] : seen_m) exact = exact && n == 1 && d >= from && d <= to;
      if (!exact) FAIL("split of " << from << ".." << to);
    }
  CHECK(logic::block_start(-1) == -logic::kBlockDays);
  CHECK(logic::block_start(0) == 0);
  CHECK(logic::block_start(31) == 16);
}

TEST_CASE("coarse rollups answer like the day rows for ranges starting and ending anywhere", "[rollups][coarse]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto other = second_shop(s);
  std::int64_t cid = s.c.id;
  std::vector<std::int64_t> mids{s.mid, other.mid};
  std::int64_t end = today(), start = end - 150;
  std::mt19937 rng(GENERATE(14, 41));
  auto pick = [&](std::int64_t lo, std::int64_t hi) { return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng); };
  char const* categories[] = {"bakery", "drinks", "grocery"};
  std::vector<GenOrder> placed;
  for (int n = 0; n < 400; ++n) {
    GenOrder o;
    o.mid = mids[pick(0, 1)];
    o.buyer = 3'000'000 + pick(0, 24);
    o.day = pick(start, end);
    for (std::int64_t i = 0, lines = pick(1, 3); i < lines; ++i) {
      std::int64_t pid = 4'000'000 + o.mid * 10 + pick(0, 5), q = pick(1, 3);
      // a product's category is mostly one; now and then it was filed under another
      std::string category = categories[pick(0, 9) == 0 ? pick(0, 2) : pid % 3];
      o.lines.emplace_back(pid, category, q, q * pick(100, 900));
    }
    placed.push_back(o);
  }
  // Placed in batches of 1-40 (a backfill batch, or one event), some cancelled in the same
  // batch, some in a later one.
  std::vector<GenOrder const*> cancel_later;
  for (std::size_t i = 0; i < placed.size();) {
    courtyard::db::transact(t.app().db(), nullptr, [&](courtyard::db::Tx& tx) {
      repo::Rollups r;
      for (std::int64_t k = pick(1, 40); k > 0 && i < placed.size(); --k, ++i) {
        add(r, cid, placed[i], +1);
        if (auto p = pick(0, 99); p < 5)
          add(r, cid, placed[i], -1);
        else if (p < 15)
          cancel_later.push_back(&placed[i]);
      }
      if (pick(0, 2) == 0 && !cancel_later.empty()) {
        add(r, cid, *cancel_later.back(), -1);
        cancel_later.pop_back();
      }
      r.flush(tx);
    });
  }
  for (auto const* o : cancel_later)
    courtyard::db::transact(t.app().db(), nullptr, [&](courtyard::db::Tx& tx) {
      repo::Rollups r;
      add(r, cid, *o, -1);
      r.flush(tx);
    });
  coarse_matches_days(cid);

  // Boundaries: block starts and ends, month starts and ends, single days, the whole history.
  std::int64_t b = logic::block_start(end - 60), m = logic::month_start(logic::month_of(end - 60));
  std::vector<std::pair<std::int64_t, std::int64_t>> ranges = {
      {end - 89, end},     {b, b + logic::kBlockDays - 1}, {b, end},         {b + 1, b + 47},  {b - 1, b + 48},
      {m, end},            {m, logic::month_start(logic::month_of(m) + 1) - 1}, {m + 3, m + 40}, {m - 1, m},
      {end, end},          {start - 30, end + 5},          {start, start},   {b + 5, b + 9},   {m - 20, m + 70}};
  for (int i = 0; i < 40; ++i) {
    std::int64_t from = pick(start - 10, end);
    ranges.emplace_back(from, pick(from, end + 3));
  }
  for (auto const& [from, to] : ranges) compare_range(cid, mids, from, to);
}

TEST_CASE("coarse rollups follow orders placed and cancelled through the routes, and the backfill",
          "[rollups][coarse][backfill]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto tea = product(s, "Tea", 250, 100, "drinks");
  auto cake = product(s, "Cake", 900, 100, "bakery");
  auto a = buyer(s, 1'000'000), b = buyer(s, 1'000'000, 1);
  order(s, a, {{tea, 2}, {cake, 1}});
  auto x = order(s, b, {{cake, 2}});
  t.drain_events();
  std::int64_t d = today();
  CHECK(scalar("SELECT first_day FROM analytics_customer_firsts WHERE merchant_id = :m AND buyer_id = :b",
               use(s.mid, "m"), use(b.account_id, "b")) == d);
  cancel(s, b, x);  // b's only order: b has no first day any more
  t.drain_events();
  CHECK(scalar("SELECT COUNT(*) FROM analytics_customer_firsts WHERE merchant_id = :m AND buyer_id = :b",
               use(s.mid, "m"), use(b.account_id, "b")) == 0);
  coarse_matches_days(s.c.id);
  auto sales = ok(s.report("sales") + range(d, d), s.owner.token);
  CHECK(sales.at("summary").at("customers").as_int64() == 1);
  CHECK(sales.at("summary").at("new_customers").as_int64() == 1);
  REQUIRE(t.post(s.c.base() + "/analytics/backfill", bj::object{}, s.c.manager.token).status == 200);
  coarse_matches_days(s.c.id);
  CHECK(scalar("SELECT COUNT(*) FROM analytics_product_blocks WHERE merchant_id = :m", use(s.mid, "m")) == 2);
  CHECK(ok(s.report("sales") + range(d, d), s.owner.token) == sales);
}
