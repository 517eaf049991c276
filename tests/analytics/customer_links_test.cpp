// A range's customers, repeat and returning customers come from each (merchant, buyer) pair's
// days with orders linked as a list (analytics_customer_days.prev_day/next_day). Random order
// histories (days out of order, cancellations that empty a day, the day ordered again),
// through the real subscriber, the backfill, Rollups batches and concurrent transactions,
// checked against counts made here from the orders themselves.
#include "services/analytics/repository.hpp"
#include "services/analytics/routes.hpp"
#include "tests/analytics/helpers.hpp"

#include <barrier>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <tuple>

using namespace analytics_test;
using soci::use;
namespace repo = courtyard::analytics::repo;

namespace {

// merchant -> buyer -> day -> net orders
using History = std::map<std::int64_t, std::map<std::int64_t, std::map<std::int64_t, std::int64_t>>>;

repo::Customers brute_force(History const& h, std::int64_t mid, std::int64_t from, std::int64_t to) {
  repo::Customers c;
  auto m = h.find(mid);
  if (m == h.end()) return c;
  for (auto const& [buyer, days] : m->second) {
    std::int64_t in = 0;
    bool before = false;
    for (auto const& [day, n] : days) {
      if (day >= from && day <= to) in += n;
      if (day < from && n > 0) before = true;
    }
    if (in <= 0) continue;
    ++c.customers;
    c.repeat_customers += in >= 2 ? 1 : 0;
    c.returning_customers += before ? 1 : 0;
  }
  return c;
}

struct DayRow {
  std::int64_t mid, buyer, day, orders, prev, next, capped;
};

// Every customer day row of the community holds the orders of `h` (and them capped at 2) and
// is linked to its pair's previous and next days with orders (a row without orders to nothing).
void links_hold(std::int64_t cid, History const& h) {
  std::vector<DayRow> rows;
  courtyard::db::read(TestApp::get().app().db(), [&](soci::session& s) {
    courtyard::db::each(
        s,
        "SELECT merchant_id, buyer_id, day, orders, prev_day, next_day, orders_capped FROM analytics_customer_days "
        "WHERE community_id = :c ORDER BY merchant_id, buyer_id, day",
        [&](courtyard::db::Row const& r) {
          courtyard::db::Cols c(r);
          DayRow d;
          c.into(d.mid, d.buyer, d.day, d.orders, d.prev, d.next, d.capped);
          rows.push_back(d);
        },
        use(cid, "c"));
  });
  std::size_t with_orders = 0;
  for (auto const& [mid, buyers] : h)
    for (auto const& [buyer, days] : buyers)
      for (auto const& [day, n] : days) with_orders += n > 0 ? 1 : 0;
  std::size_t seen = 0;
  for (auto const& r : rows) {
    INFO("merchant " << r.mid << " buyer " << r.buyer << " day " << r.day);
    auto const& days = h.at(r.mid).at(r.buyer);
    auto it = days.find(r.day);
    std::int64_t n = it == days.end() ? 0 : it->second;
    REQUIRE(r.orders == n);
    REQUIRE(r.capped == std::min<std::int64_t>(n, 2));  // what the customers report reads
    std::int64_t prev = 0, next = repo::kNoDay;
    if (n > 0) {
      ++seen;
      for (auto const& [day, k] : days)
        if (k > 0 && day < r.day) prev = day;
      for (auto x = days.rbegin(); x != days.rend(); ++x)
        if (x->second > 0 && x->first > r.day) next = x->first;
    }
    CHECK(r.prev == prev);
    CHECK(r.next == next);
  }
  CHECK(seen == with_orders);  // every day with orders has its row
}

// The report's counts for every range given, against the brute force.
void counts_hold(History const& h, std::vector<std::int64_t> const& mids,
                 std::vector<std::pair<std::int64_t, std::int64_t>> const& ranges) {
  courtyard::db::transact(TestApp::get().app().db(), nullptr, [&](courtyard::db::Tx& tx) {
    for (auto mid : mids)
      for (auto const& [from, to] : ranges) {
        INFO("merchant " << mid << " range " << date(from) << " .. " << date(to));
        auto got = repo::customers(tx, mid, from, to);
        auto want = brute_force(h, mid, from, to);
        CHECK(std::tuple{got.customers, got.repeat_customers, got.returning_customers} ==
              std::tuple{want.customers, want.repeat_customers, want.returning_customers});
      }
  });
}

// One Rollups batch of a single customer day: n orders (negative: cancellations), 100 each.
void add_customer_day(std::int64_t cid, std::int64_t mid, std::int64_t buyer, std::int64_t day, std::int64_t n) {
  courtyard::db::transact(TestApp::get().app().db(), nullptr, [&](courtyard::db::Tx& tx) {
    repo::Rollups r;
    r.customer_day(cid, mid, buyer, day, n, n * 100);
    r.flush(tx);
  });
}

std::vector<std::pair<std::int64_t, std::int64_t>> ranges_over(std::mt19937& rng, std::int64_t start,
                                                               std::int64_t end, int n) {
  auto pick = [&](std::int64_t lo, std::int64_t hi) { return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng); };
  std::vector<std::pair<std::int64_t, std::int64_t>> out{
      {start - 5, end + 5}, {start, start}, {end, end}, {start + 1, end - 1}, {end + 1, end + 30},
      {start - 500, end}, {start + 2, end + 500}};  // longer than repo's list of days: a range of days
  for (int i = 0; i < n; ++i) {
    std::int64_t from = pick(start - 3, end + 1);
    out.emplace_back(from, pick(from, end + 3));
  }
  return out;
}

}  // namespace

TEST_CASE("customer links: orders through the subscriber and the backfill count like the orders",
          "[rollups][customers]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto other = second_shop(s);
  std::map<std::int64_t, std::int64_t> product_of{{s.mid, product(s, "Tea", 150, 100'000)},
                                                  {other.mid, product(other, "Bun", 90, 100'000)}};
  std::vector<Actor> buyers;
  for (std::size_t u = 0; u < 3; ++u) buyers.push_back(buyer(s, 10'000'000, u));
  t.drain_events();
  std::mt19937 rng(GENERATE(7, 1414));
  auto pick = [&](std::int64_t lo, std::int64_t hi) { return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng); };
  std::int64_t end = today() - 1, start = end - 20;  // a few weeks: buyers order on the same days again
  struct Placed {
    Shop const* shop;
    std::size_t buyer;
    std::int64_t id, day;
    bool cancelled = false;
  };
  std::vector<Placed> placed;
  History h;
  for (int n = 0; n < 70; ++n) {
    Placed p{pick(0, 2) ? &s : &other, static_cast<std::size_t>(pick(0, 2)), 0, pick(start, end)};
    // placed on a random earlier day (noon in Berlin), the clock moved there and back: the
    // order and its event say that day, as a real order of that day would
    std::int64_t shift = p.day * kDay + 11 * 3'600'000 - courtyard::db::now_ms();
    t.advance_clock_ms(shift);
    p.id = order(*p.shop, buyers[p.buyer], {{product_of.at(p.shop->mid), 1}});
    t.advance_clock_ms(-shift);
    ++h[p.shop->mid][buyers[p.buyer].account_id][p.day];
    placed.push_back(p);
    if (pick(0, 3) == 0) {  // cancel one of the orders so far: its day may have no orders left
      auto& c = placed[pick(0, static_cast<std::int64_t>(placed.size()) - 1)];
      if (!c.cancelled) {
        cancel(*c.shop, buyers[c.buyer], c.id);
        c.cancelled = true;
        --h[c.shop->mid][buyers[c.buyer].account_id][c.day];
      }
    }
    if (pick(0, 2) == 0) t.drain_events();  // batches of one to a few events
  }
  t.drain_events();
  std::vector<std::int64_t> mids{s.mid, other.mid};
  auto ranges = ranges_over(rng, start, end, 60);
  {
    INFO("subscriber");
    links_hold(s.c.id, h);
    counts_hold(h, mids, ranges);
  }
  REQUIRE(t.post(s.c.base() + "/analytics/backfill", bj::object{}, s.c.manager.token).status == 200);
  {
    INFO("backfill");
    links_hold(s.c.id, h);
    counts_hold(h, mids, ranges);
  }
  // The report shows the same counts.
  auto want = brute_force(h, s.mid, start, end);
  auto sales = ok(s.report("sales") + range(start, end), s.owner.token);
  CHECK(sales.at("summary").at("customers").as_int64() == want.customers);
}

TEST_CASE("customer links: Rollups batches with days out of order, emptied and ordered again",
          "[rollups][customers]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto other = second_shop(s);
  std::int64_t cid = s.c.id;
  std::vector<std::int64_t> mids{s.mid, other.mid};
  std::mt19937 rng(GENERATE(3, 14, 2026));
  auto pick = [&](std::int64_t lo, std::int64_t hi) { return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng); };
  std::int64_t end = today(), start = end - 45;
  History h;
  std::vector<std::tuple<std::int64_t, std::int64_t, std::int64_t>> live;  // placed, not cancelled
  for (int batch = 0; batch < 80; ++batch) {
    History delta;
    std::vector<std::tuple<std::int64_t, std::int64_t, std::int64_t>> kept;
    courtyard::db::transact(t.app().db(), nullptr, [&](courtyard::db::Tx& tx) {
      delta.clear();  // a retry starts again from the last commit
      kept = live;
      repo::Rollups r;
      for (std::int64_t k = pick(1, 12); k > 0; --k) {
        if (!kept.empty() && pick(0, 2) == 0) {  // cancel a live order (maybe one of this batch)
          auto i = pick(0, static_cast<std::int64_t>(kept.size()) - 1);
          auto [mid, buyer, day] = kept[i];
          kept.erase(kept.begin() + i);
          r.customer_day(cid, mid, buyer, day, -1, -500);
          --delta[mid][buyer][day];
        } else {
          std::int64_t mid = mids[pick(0, 1)], buyer = 5'000'000 + pick(0, 7), day = pick(start, end);
          r.customer_day(cid, mid, buyer, day, 1, 500);
          ++delta[mid][buyer][day];
          kept.emplace_back(mid, buyer, day);
        }
      }
      r.flush(tx);
    });
    live = kept;
    for (auto const& [mid, buyers] : delta)
      for (auto const& [buyer, days] : buyers)
        for (auto const& [day, n] : days) h[mid][buyer][day] += n;
  }
  links_hold(cid, h);
  counts_hold(h, mids, ranges_over(rng, start, end, 150));
}

// Each round, every thread adds a day of its own to one buyer at once (and later takes some
// back at once): the transaction that commits last must link against the others' days. A
// buyer is left alone after its round, so a wrong link would stay.
TEST_CASE("customer links: concurrent transactions adding and emptying one buyer's days keep the list",
          "[rollups][customers][concurrency]") {
  auto s = shop();
  std::int64_t cid = s.c.id, mid = s.mid;
  std::int64_t end = today(), start = end - 30;
  constexpr int kThreads = 4, kRounds = 16;
  History h;
  auto add = [&](std::int64_t buyer, std::int64_t day, std::int64_t n) { add_customer_day(cid, mid, buyer, day, n); };
  for (int round = 0; round < kRounds; ++round) {  // a day before the threads' for every buyer
    add(6'000'000 + round, start, 1);
    h[mid][6'000'000 + round][start] = 1;
  }
  std::barrier sync(kThreads);
  auto day_of = [&](int thread, int round) { return start + 1 + 2 * thread + round % 3; };
  auto work = [&](int thread) {
    for (int round = 0; round < kRounds; ++round) {
      sync.arrive_and_wait();
      add(6'000'000 + round, day_of(thread, round), 1);
    }
    for (int round = 0; round < kRounds; round += 2) {  // every other buyer: the threads' days emptied
      sync.arrive_and_wait();
      if (thread % 2 == 0 || round % 4 == 0) add(6'000'000 + round, day_of(thread, round), -1);
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) threads.emplace_back(work, i);
  for (auto& th : threads) th.join();
  for (int round = 0; round < kRounds; ++round)
    for (int thread = 0; thread < kThreads; ++thread)
      h[mid][6'000'000 + round][day_of(thread, round)] =
          round % 2 == 1 || (thread % 2 == 1 && round % 4 != 0) ? 1 : 0;
  links_hold(cid, h);
  std::mt19937 rng(5);
  counts_hold(h, {mid}, ranges_over(rng, start, end, 60));
}

// The placement and the cancellation of an order are two subscriptions, delivered side by side
// on MariaDB: the cancellation can come first and leave its day at -1 until the placement
// brings it to 0. That day is not the buyer's first day with orders, though the placement
// "added" one there (it was: returning customers counted a buyer as new on an empty day).
TEST_CASE("customer links: a cancellation delivered before its placement leaves the first day alone",
          "[rollups][customers][concurrency]") {
  auto& t = TestApp::get();
  auto s = shop();
  std::int64_t cid = s.c.id, mid = s.mid;
  std::int64_t end = today(), start = end - 30;
  History h;
  auto add = [&](std::int64_t buyer, std::int64_t day, std::int64_t n) {
    add_customer_day(cid, mid, buyer, day, n);
    h[mid][buyer][day] += n;
  };
  std::int64_t buyer = 7'000'000;
  add(buyer, start + 5, 1);
  add(buyer, start, -1);  // the cancellation first
  add(buyer, start, 1);   // then its placement: the day holds none
  add(buyer + 1, start + 2, -1);
  add(buyer + 1, start + 2, 1);  // a buyer whose only order was cancelled: no first day at all
  std::int64_t firsts = courtyard::db::read(t.app().db(), [&](soci::session& ss) {
    std::int64_t n = 0;
    ss << "SELECT COUNT(*) FROM analytics_customer_firsts WHERE merchant_id = :m AND buyer_id = :b",
        use(mid, "m"), use(buyer + 1, "b"), soci::into(n);
    return n;
  });
  CHECK(firsts == 0);

  // Threads cancel-then-place orders on days before one buyer's first at once, every round a
  // buyer of its own: the first day stays the one with orders.
  constexpr int kThreads = 4, kRounds = 12;
  for (int round = 0; round < kRounds; ++round) add(buyer + 10 + round, start, 1);
  std::barrier sync(kThreads);
  auto work = [&](int thread) {
    for (int round = 0; round < kRounds; ++round) {
      sync.arrive_and_wait();
      add_customer_day(cid, mid, buyer + 10 + round, start - 1 - thread, -1);
      sync.arrive_and_wait();
      add_customer_day(cid, mid, buyer + 10 + round, start - 1 - thread, 1);
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) threads.emplace_back(work, i);
  for (auto& th : threads) th.join();
  for (int round = 0; round < kRounds; ++round)
    for (int thread = 0; thread < kThreads; ++thread) h[mid][buyer + 10 + round][start - 1 - thread] = 0;
  links_hold(cid, h);
  std::mt19937 rng(11);
  counts_hold(h, {mid}, ranges_over(rng, start - kThreads - 2, end, 60));
}
