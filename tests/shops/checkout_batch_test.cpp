// Checkout batches (services/shops/checkout_batch.cpp) on SQLite and MariaDB: concurrent
// checkouts of one shop placed in one transaction write the rows, ledger entries, events,
// stock movements and stored Idempotency-Key answers that checkouts placed one by one write,
// and every checkout a batch cannot place gets the answer it gets alone.
#include "db/query.hpp"
#include "services/shops/checkout.hpp"
#include "tests/shops/support.hpp"
#include "tests/support/threads.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <set>

using namespace shops_test;
using courtyard::test::in_threads;
namespace db = courtyard::db;

namespace {

// Rounds of `n` concurrent checkouts (fn(i) places one) until batches placed at least
// `want` orders: a round's first checkout runs alone, the rest queue behind it.
template <class Fn>
void until_batched(int n, std::uint64_t want, Fn fn) {
  auto before = courtyard::shops::checkout_batch_stats().batched_orders;
  for (int round = 0; round < 20; ++round) {
    in_threads(n, [&](int i) { fn(round, i); });
    if (courtyard::shops::checkout_batch_stats().batched_orders - before >= want) return;
  }
  FAIL("no checkout batch formed in 20 rounds of " << n << " threads");
}

struct LedgerAccount {
  std::int64_t id = 0, balance = 0, entries_total = 0;
  bool chain_ok = true;  // each entry's balance_after = the previous one's + its amount
};

// Every wallet account of the community: its balance, the sum of its entries, and whether
// the entries' running balances chain (in id order, as they were written).
std::vector<LedgerAccount> ledger_accounts(Community const& c) {
  auto& t = TestApp::get();
  std::vector<LedgerAccount> out;
  db::transact(t.app().db(), nullptr, [&](db::Tx& tx) {
    out.clear();
    std::map<std::int64_t, LedgerAccount> by_id;
    db::each(tx, "SELECT id, balance_cents FROM wallet_accounts WHERE community_id = :c", [&](db::Row const& r) {
      db::Cols col(r);
      LedgerAccount a;
      col.into(a.id, a.balance);
      by_id[a.id] = a;
    }, soci::use(c.id, "c"));
    std::map<std::int64_t, std::int64_t> running;
    db::each(tx, "SELECT account_id, amount_cents, balance_after_cents FROM wallet_entries WHERE community_id = :c "
                 "ORDER BY id",
             [&](db::Row const& r) {
               db::Cols col(r);
               std::int64_t account = col.integer(), amount = col.integer(), after = col.integer();
               auto& a = by_id[account];
               a.entries_total += amount;
               if (running[account] + amount != after) a.chain_ok = false;
               running[account] = after;
             },
             soci::use(c.id, "c"));
    for (auto& [id, a] : by_id) out.push_back(a);
  });
  return out;
}

// The product's movements in id order: (delta, stock_after).
std::vector<std::pair<std::int64_t, std::int64_t>> movements(std::int64_t pid) {
  auto& t = TestApp::get();
  std::vector<std::pair<std::int64_t, std::int64_t>> out;
  db::transact(t.app().db(), nullptr, [&](db::Tx& tx) {
    out = db::all(tx, "SELECT delta, stock_after FROM stock_movements WHERE product_id = :p ORDER BY id",
                  [](db::Row const& r) {
                    db::Cols col(r);
                    std::int64_t d = col.integer(), after = col.integer();
                    return std::pair{d, after};
                  },
                  soci::use(pid, "p"));
  });
  return out;
}

void check_books(Shop const& s, std::vector<std::int64_t> const& pids) {
  CHECK(ledger_balanced(s.c));
  for (auto const& a : ledger_accounts(s.c)) {
    INFO("wallet account " << a.id);
    CHECK(a.balance == a.entries_total);
    CHECK(a.chain_ok);
  }
  for (auto pid : pids) {
    INFO("product " << pid);
    CHECK(movements_total(s, pid) == stock(s, pid));
    std::int64_t running = 0;
    for (auto [delta, after] : movements(pid)) {
      CHECK(running + delta == after);  // each movement's stock_after follows the one before
      running = after;
    }
    CHECK(running == stock(s, pid));
  }
}

}  // namespace

TEST_CASE("concurrent checkouts of one shop are placed in batches with the rows one by one writes",
          "[shops][concurrency][batch]") {
  auto& t = TestApp::get();
  auto s = shop();
  constexpr int kBuyers = 16;
  constexpr std::int64_t kFunds = 1'000'000;
  auto bread = product(s, "Bread", 350, 5'000, "bakery");
  auto milk = product(s, "Milk", 120, 5'000, "dairy");
  std::vector<Actor> buyers;
  for (int i = 0; i < kBuyers; ++i) buyers.push_back(buyer(s, kFunds, static_cast<std::size_t>(i % 3)));

  std::mutex m;
  std::vector<std::tuple<int, std::string, Result>> placed;  // buyer, key, answer
  until_batched(kBuyers, 8, [&](int round, int i) {
    auto key = t.unique("batch-" + std::to_string(round) + "-" + std::to_string(i));
    auto body = i % 2 ? order_body(s.mid, {{bread, 1 + i % 3}, {milk, 2}}) : order_body(s.mid, {{milk, 1}}, "delivery");
    auto r = place(s, buyers[i], body, key);
    std::lock_guard lock(m);
    placed.emplace_back(i, key, std::move(r));
  });

  std::map<int, std::int64_t> spent;
  std::int64_t takings = 0, bread_sold = 0, milk_sold = 0;
  std::set<std::int64_t> ids;
  for (auto const& [i, key, r] : placed) {
    INFO(r.status << " " << r.body);
    REQUIRE(r.status == 201);
    CHECK(r.header("Location") == s.order(r.id()));
    ids.insert(r.id());
    auto const& o = r.json.as_object();
    CHECK(o.at("status") == "placed");
    CHECK(o.at("buyer_id").as_int64() == buyers[i].account_id);
    std::int64_t expected = i % 2 ? 350 * (1 + i % 3) + 240 : 120;
    CHECK(o.at("total_cents").as_int64() == expected);
    // Pickup orders carry a code; delivery orders have none.
    auto const* code = o.if_contains("redemption_code");
    CHECK((code && code->is_string()) == (i % 2 == 1));
    spent[i] += expected;
    takings += expected;
    if (i % 2) bread_sold += 1 + i % 3, milk_sold += 2;
    else milk_sold += 1;
    // The order reads back as it was answered, and the key replays the same answer.
    auto back = t.get(s.order(r.id()), buyers[i].token);
    CHECK(back.json.at("total_cents") == o.at("total_cents"));
    CHECK(back.json.at("items") == o.at("items"));
    auto again = place(s, buyers[i], i % 2 ? order_body(s.mid, {{bread, 1 + i % 3}, {milk, 2}})
                                          : order_body(s.mid, {{milk, 1}}, "delivery"),
                       key);
    CHECK(again.status == 201);
    CHECK(again.body == r.body);
    CHECK(again.header("Idempotent-Replayed") == "true");
  }
  CHECK(ids.size() == placed.size());  // one order per answer
  for (int i = 0; i < kBuyers; ++i) CHECK(t.balance(s.c, buyers[i]) == kFunds - spent[i]);
  CHECK(merchant_balance(s) == takings);
  CHECK(stock(s, bread) == 5'000 - bread_sold);
  CHECK(stock(s, milk) == 5'000 - milk_sold);
  check_books(s, {bread, milk});
  // One order.placed event per order, with the order's own figures.
  auto evs = events(s.c, "order.placed");
  CHECK(evs.size() == placed.size());
  std::set<std::int64_t> evented;
  for (auto const& e : evs) {
    evented.insert(e.at("order_id").as_int64());
    event_facts_match(s.c, e);  // what a batch publishes is what it wrote
  }
  CHECK(evented == ids);

  // A batch credits its first order's sub-account only; each cancellation refunds from its
  // own order's sub-account, which the wallet first fills from the merchant's others.
  for (auto const& [i, key, r] : placed) {
    auto c = t.call("POST", s.order(r.id()) + "/cancel", std::nullopt, buyers[i].token);
    INFO(c.status << " " << c.body);
    CHECK(c.status == 200);
  }
  for (int i = 0; i < kBuyers; ++i) CHECK(t.balance(s.c, buyers[i]) == kFunds);
  CHECK(merchant_balance(s) == 0);
  CHECK(stock(s, bread) == 5'000);
  CHECK(stock(s, milk) == 5'000);
  check_books(s, {bread, milk});
}

TEST_CASE("a checkout batch hands back what it cannot place, and each gets its own answer",
          "[shops][concurrency][batch]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto jam = product(s, "Jam", 500, 1'000);
  auto gone = product(s, "Old stock", 100, 10);
  REQUIRE(t.patch(s.product(gone), {{"active", false}}, s.owner.token).status == 200);
  auto last = product(s, "Last loaves", 300, 4);
  constexpr int kThreads = 12;
  std::vector<Actor> buyers;
  for (int i = 0; i < kThreads; ++i) buyers.push_back(buyer(s, i % 4 == 1 ? 200 : 100'000));
  auto fallbacks_before = courtyard::shops::checkout_batch_stats().fallbacks;
  auto failed_before = courtyard::shops::checkout_batch_stats().failed_batches;

  std::vector<Result> results(kThreads);
  int last_won = 0;
  for (int round = 0; round < 3; ++round) {
    in_threads(kThreads, [&](int i) {
      bj::object body;
      if (i % 4 == 1) body = order_body(s.mid, {{jam, 1}});         // 500 with 200 in the wallet: 409
      else if (i % 4 == 2) body = order_body(s.mid, {{gone, 1}});   // not for sale: 422
      else if (i % 4 == 3) body = order_body(s.mid, {{last, 1}});   // 4 loaves for 9 tries: 409 for 5
      else body = order_body(s.mid, {{jam, 1}});
      results[i] = place(s, buyers[i], body, t.unique("mixed"));
    });
    for (int i = 0; i < kThreads; ++i) {
      auto const& r = results[i];
      INFO(i << ": " << r.status << " " << r.body);
      if (i % 4 == 1) {
        CHECK(r.status == 409);
        CHECK(r.problem_type() == "/problems/insufficient-funds");
      } else if (i % 4 == 2) {
        CHECK(r.status == 422);
      } else if (i % 4 == 3) {
        if (r.status == 201) ++last_won;
        else CHECK(r.problem_type() == "/problems/insufficient-stock");
      } else {
        CHECK(r.status == 201);
      }
    }
  }
  CHECK(last_won == 4);
  CHECK(stock(s, last) == 0);
  CHECK(stock(s, gone) == 10);
  for (int i = 1; i < kThreads; i += 4) CHECK(t.balance(s.c, buyers[i]) == 200);  // never charged
  CHECK(courtyard::shops::checkout_batch_stats().fallbacks > fallbacks_before);
  CHECK(courtyard::shops::checkout_batch_stats().failed_batches > failed_before);  // short of money: the whole batch
  check_books(s, {jam, gone, last});
}

TEST_CASE("checkout batch figures are on /metrics", "[shops][batch][metrics]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto tea = product(s, "Tea", 250, 1'000);
  constexpr int kBuyers = 8;
  std::vector<Actor> buyers;
  for (int i = 0; i < kBuyers; ++i) buyers.push_back(buyer(s, 100'000));
  std::atomic<int> refused{0};  // counted here and checked after: Catch's assertions are not thread-safe
  until_batched(kBuyers, 2, [&](int round, int i) {
    auto r = place(s, buyers[i], order_body(s.mid, {{tea, 1}}), t.unique("m" + std::to_string(round)));
    if (r.status != 201) ++refused;
  });
  CHECK(refused == 0);

  auto text = t.get("/metrics").body;
  auto value = [&](std::string const& series) -> std::int64_t {
    auto at = text.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stoll(text.substr(at + series.size() + 2));
  };
  auto stats = courtyard::shops::checkout_batch_stats();
  CHECK(text.find("# TYPE courtyard_shops_checkout_batches_total counter") != std::string::npos);
  CHECK(value("courtyard_shops_checkout_batches_total") == static_cast<std::int64_t>(stats.batches));
  CHECK(value("courtyard_shops_checkout_batched_orders_total") == static_cast<std::int64_t>(stats.batched_orders));
  CHECK(value("courtyard_shops_checkout_fallbacks_total") == static_cast<std::int64_t>(stats.fallbacks));
  CHECK(value("courtyard_shops_checkout_batches_failed_total") == static_cast<std::int64_t>(stats.failed_batches));
  CHECK(stats.batches >= 1);
  // A histogram of batch durations: cumulative buckets up to +Inf, which counts every batch
  // of two or more that ran (committed or not).
  auto inf = value("courtyard_shops_checkout_batch_seconds_bucket{le=\"+Inf\"}");
  CHECK(inf >= static_cast<std::int64_t>(stats.batches + stats.failed_batches));
  CHECK(value("courtyard_shops_checkout_batch_seconds_count") == inf);
  std::int64_t previous = 0;
  for (char const* le : {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25"}) {
    auto n = value(std::string("courtyard_shops_checkout_batch_seconds_bucket{le=\"") + le + "\"}");
    INFO("le " << le);
    CHECK(n >= previous);
    previous = n;
  }
  CHECK(inf >= previous);
}
