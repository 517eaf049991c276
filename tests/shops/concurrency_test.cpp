// Real threads against the shared app, on SQLite and MariaDB: stock, money, coupons,
// redemptions, reviews and Idempotency-Key under contention.
#include "db/query.hpp"
#include "tests/shops/support.hpp"
#include "tests/support/threads.hpp"

#include <map>
#include <mutex>
#include <optional>

using namespace shops_test;
using courtyard::test::in_threads;

TEST_CASE("16 residents race for the last 5 items: exactly 5 win, nothing else moves", "[shops][concurrency]") {
  auto& t = TestApp::get();
  auto s = shop();
  constexpr int kBuyers = 16, kLeft = 5;
  constexpr std::int64_t kPrice = 700, kFunds = 5000;
  auto pid = product(s, "Last croissants", kPrice, 20);
  // Sell down to the last five through the normal path.
  auto early = buyer(s, 20'000);
  REQUIRE(place(s, early, order_body(s.mid, {{pid, 15}})).status == 201);
  REQUIRE(stock(s, pid) == kLeft);
  std::int64_t takings_before = merchant_balance(s);

  std::vector<Actor> buyers;
  for (int i = 0; i < kBuyers; ++i) buyers.push_back(buyer(s, kFunds, static_cast<std::size_t>(i % 3)));

  std::vector<Result> results(kBuyers);
  in_threads(kBuyers, [&](int i) { results[i] = place(s, buyers[i], order_body(s.mid, {{pid, 1}})); });

  int won = 0, refused = 0;
  for (int i = 0; i < kBuyers; ++i) {
    INFO(results[i].status << " " << results[i].body);
    if (results[i].status == 201) {
      ++won;
      CHECK(t.balance(s.c, buyers[i]) == kFunds - kPrice);  // charged exactly once
    } else {
      CHECK(results[i].status == 409);
      CHECK(results[i].problem_type() == "/problems/insufficient-stock");
      CHECK(t.balance(s.c, buyers[i]) == kFunds);  // not charged
      ++refused;
    }
  }
  CHECK(won == kLeft);
  CHECK(refused == kBuyers - kLeft);
  CHECK(stock(s, pid) == 0);
  CHECK(movements_total(s, pid) == 0);  // stock == SUM(movements)
  CHECK(merchant_balance(s) - takings_before == kLeft * kPrice);
  CHECK(ledger_balanced(s.c));
  int placed_events = 0;
  for (auto const& e : events(s.c, "order.placed"))
    if (e.at("buyer_id").as_int64() != early.account_id) ++placed_events;
  CHECK(placed_events == kLeft);
}

TEST_CASE("the same Idempotency-Key from 8 threads makes one order", "[shops][concurrency][idempotency]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto pid = product(s, "Olive oil", 1200, 10);
  auto r = buyer(s, 10'000);
  auto k = t.unique("same-key");
  constexpr int kThreads = 8;
  std::vector<Result> results(kThreads);
  in_threads(kThreads, [&](int i) { results[i] = place(s, r, order_body(s.mid, {{pid, 2}}), k); });

  for (auto const& res : results) {
    INFO(res.status << " " << res.body);
    CHECK(res.status == 201);
    CHECK(res.body == results[0].body);
  }
  CHECK(stock(s, pid) == 8);
  CHECK(t.balance(s.c, r) == 10'000 - 2400);
  CHECK(merchant_balance(s) == 2400);
  auto mine = t.get("/v1/me/orders", r.token);
  CHECK(mine.json.at("items").as_array().size() == 1);
  CHECK(events(s.c, "order.placed").size() == 1);
}

TEST_CASE("a coupon is never over-redeemed", "[shops][concurrency][coupons]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto pid = product(s, "Jam", 500, 100);
  add_coupon(s, {{"code", "FIRST3"}, {"amount_off_cents", 100}, {"max_redemptions", 3}});
  constexpr int kThreads = 10;
  std::vector<Actor> buyers;
  for (int i = 0; i < kThreads; ++i) buyers.push_back(buyer(s, 2000));
  std::vector<Result> results(kThreads);
  in_threads(kThreads, [&](int i) {
    auto body = order_body(s.mid, {{pid, 1}});
    body["coupon_code"] = "FIRST3";
    results[i] = place(s, buyers[i], body);
  });
  int won = 0;
  for (int i = 0; i < kThreads; ++i) {
    INFO(results[i].body);
    if (results[i].status == 201) {
      ++won;
      CHECK(results[i].json.at("total_cents").as_int64() == 400);
    } else {
      CHECK(results[i].status == 409);
      CHECK(results[i].problem_type() == "/problems/coupon-exhausted");
      CHECK(t.balance(s.c, buyers[i]) == 2000);
    }
  }
  CHECK(won == 3);
  CHECK(stock(s, pid) == 97);
  auto list = t.get(s.merchant_base() + "/coupons", s.owner.token);
  CHECK(list.json.at("items").at(0).at("redemptions").as_int64() == 3);
}

TEST_CASE("one pickup code redeemed from 8 threads completes once", "[shops][concurrency][redemption]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto pid = product(s, "Flowers", 900, 5);
  auto r = buyer(s, 5000);
  auto o = place(s, r, order_body(s.mid, {{pid, 1}}));
  REQUIRE(o.status == 201);
  auto code = std::string(o.json.at("redemption_code").as_string());
  REQUIRE(t.call("POST", s.order(o.id()) + "/accept", std::nullopt, s.owner.token).status == 200);
  REQUIRE(t.call("POST", s.order(o.id()) + "/ready", std::nullopt, s.owner.token).status == 200);

  constexpr int kThreads = 8;
  std::vector<Result> results(kThreads);
  in_threads(kThreads, [&](int i) {
    results[i] = t.post(s.merchant_base() + "/redemptions", {{"code", code}}, s.owner.token);
  });
  int ok = 0;
  for (auto const& res : results) {
    INFO(res.status << " " << res.body);
    if (res.status == 200) ++ok;
    else CHECK(res.problem_type() == "/problems/already-redeemed");
  }
  CHECK(ok == 1);
  CHECK(order_events(s.c, "order.completed", o.id()).size() == 1);

  // Six concurrent reviews of the completed order: one is kept, one rating counted.
  std::vector<Result> reviews(6);
  in_threads(6, [&](int i) { reviews[i] = t.post(s.order(o.id()) + "/review", {{"rating", 5}}, r.token); });
  int posted = 0;
  for (auto const& res : reviews) {
    INFO(res.body);
    if (res.status == 201) ++posted;
    else CHECK(res.problem_type() == "/problems/already-reviewed");
  }
  CHECK(posted == 1);
  CHECK(t.get(s.merchant_base(), r.token).json.at("rating").at("count").as_int64() == 1);
}

TEST_CASE("crossing multi-line orders and cancellations keep stock == sum of movements", "[shops][concurrency]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto a = product(s, "Rice", 100, 30);
  auto b = product(s, "Beans", 100, 40);
  constexpr int kThreads = 12;
  std::vector<Actor> buyers;
  for (int i = 0; i < kThreads; ++i) buyers.push_back(buyer(s, 10'000));
  std::vector<Result> results(kThreads);
  in_threads(kThreads, [&](int i) {
    // Half list the products one way round, half the other.
    auto body = i % 2 ? order_body(s.mid, {{a, 3}, {b, 2}}) : order_body(s.mid, {{b, 2}, {a, 3}});
    results[i] = place(s, buyers[i], body);
    if (results[i].status == 201 && i % 3 == 0)
      t.call("POST", s.order(results[i].id()) + "/cancel", std::nullopt, buyers[i].token);
  });
  int placed = 0, cancelled = 0;
  for (int i = 0; i < kThreads; ++i) {
    INFO(results[i].body);
    if (results[i].status == 201) {
      ++placed;
      if (i % 3 == 0) ++cancelled;
    } else {
      CHECK(results[i].problem_type() == "/problems/insufficient-stock");
    }
  }
  CHECK(placed >= 10);  // 30 / 3 = 10 orders' worth of rice; cancellations only add back
  int kept = placed - cancelled;
  CHECK(stock(s, a) == 30 - 3 * kept);
  CHECK(stock(s, b) == 40 - 2 * kept);
  CHECK(movements_total(s, a) == stock(s, a));
  CHECK(movements_total(s, b) == stock(s, b));
  CHECK(merchant_balance(s) == kept * 500);
  CHECK(ledger_balanced(s.c));
}

TEST_CASE("a flash sale from 24 threads: no oversell, the merchant's sub-accounts add up, refunds come back",
          "[shops][concurrency][flash-sale]") {
  auto& t = TestApp::get();
  auto s = shop();
  constexpr int kThreads = 24, kEach = 3, kStock = 50;
  constexpr std::int64_t kPrice = 250;
  auto pid = product(s, "Flash item", kPrice, kStock);
  std::vector<Actor> buyers;
  for (int i = 0; i < kThreads; ++i) buyers.push_back(buyer(s, 10'000, static_cast<std::size_t>(i % 3)));

  // 72 attempts at 50 units; every fourth buyer cancels its first order (stock and money back).
  std::vector<std::vector<Result>> results(kThreads);
  std::vector<int> cancelled(kThreads, 0);
  std::vector<std::optional<Result>> cancels(kThreads);  // checked after the join: Catch is not thread-safe
  in_threads(kThreads, [&](int i) {
    for (int n = 0; n < kEach; ++n) {
      results[i].push_back(place(s, buyers[i], order_body(s.mid, {{pid, 1}}), t.unique("flash")));
      if (n == 0 && i % 4 == 0 && results[i].back().status == 201) {
        cancels[i] = t.call("POST", s.order(results[i].back().id()) + "/cancel", std::nullopt, buyers[i].token);
        cancelled[i] = 1;
      }
    }
  });
  for (auto const& c : cancels) {
    if (!c) continue;
    INFO(c->body);
    CHECK(c->status == 200);
  }

  int placed = 0, refused = 0, undone = 0;
  for (int i = 0; i < kThreads; ++i) {
    int mine = 0;
    for (auto const& r : results[i]) {
      INFO(r.status << " " << r.body);
      if (r.status == 201) {
        ++placed;
        ++mine;
      } else {
        CHECK(r.status == 409);
        CHECK(r.problem_type() == "/problems/insufficient-stock");
        ++refused;
      }
    }
    undone += cancelled[i];
    CHECK(t.balance(s.c, buyers[i]) == 10'000 - (mine - cancelled[i]) * kPrice);  // charged once per kept order
  }
  int kept = placed - undone;
  CHECK(placed + refused == kThreads * kEach);
  CHECK(refused >= kThreads * kEach - kStock - undone);  // it sold out
  CHECK(stock(s, pid) + kept == kStock);                  // no unit sold twice, none lost
  CHECK(stock(s, pid) >= 0);
  CHECK(movements_total(s, pid) == stock(s, pid));
  CHECK(merchant_balance(s) == kept * kPrice);
  CHECK(ledger_balanced(s.c));

  // What the merchant sees is the sum of its sub-accounts, and there are several of them.
  std::int64_t rows = 0, sum = 0;
  courtyard::db::transact(t.app().db(), nullptr, [&](courtyard::db::Tx& tx) {
    courtyard::db::each(
        tx,
        "SELECT COUNT(*), COALESCE(SUM(balance_cents), 0) FROM wallet_accounts WHERE community_id = :c "
        "AND owner_kind = 'merchant' AND owner_id = :m",
        [&](courtyard::db::Row const& r) {
          courtyard::db::Cols cols(r);
          rows = cols.integer();
          sum = cols.integer();
        },
        soci::use(s.c.id, "c"), soci::use(s.mid, "m"));
  });
  CHECK(sum == kept * kPrice);
  CHECK(rows > 1);

  // The merchant's statement: one payment per order and one refund per cancellation, with a
  // running balance that ends at the balance.
  auto st = t.get(s.merchant_base() + "/wallet?limit=200", s.owner.token);
  REQUIRE(st.status == 200);
  auto const& entries = st.json.at("entries").as_array();
  CHECK(entries.size() == std::size_t(placed + undone));
  std::int64_t expected = st.json.at("balance_cents").as_int64();
  for (auto const& e : entries) {
    CHECK(e.at("balance_after_cents").as_int64() == expected);
    expected -= e.at("amount_cents").as_int64();
  }
  CHECK(expected == 0);
  CHECK(events(s.c, "order.placed").size() == std::size_t(placed));
}
