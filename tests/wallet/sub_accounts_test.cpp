// A merchant's account is kMerchantBuckets sub-accounts: concurrent payments land on
// different rows, and everything the merchant and the community see adds them up. Real
// threads, on SQLite and MariaDB.
#include "db/query.hpp"
#include "db/tx.hpp"
#include "http/errors.hpp"
#include "services/identity/api.hpp"
#include "services/wallet/api.hpp"
#include "services/wallet/logic.hpp"
#include "tests/support/test_app.hpp"
#include "tests/support/threads.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <set>
#include <thread>

using namespace courtyard;
using test::TestApp;

namespace {

// A merchant id the wallet's merchant route accepts: someone acts for it in the community.
std::int64_t merchant_in(test::Community const& c, test::Actor const& owner) {
  static std::atomic<std::int64_t> next{900'000};
  std::int64_t mid = ++next;
  auto& app = TestApp::get().app();
  db::transact(app.db(), &app.bus(), [&](db::Tx& tx) {
    identity::grant_role(tx, owner.account_id, c.id, Role::Merchant, 0, mid);
  });
  return mid;
}

boost::json::object merchant_statement(test::Community const& c, std::int64_t mid, std::string const& query = "") {
  auto r = TestApp::get().get(c.base() + "/merchants/" + std::to_string(mid) + "/wallet" + query, c.manager.token);
  REQUIRE(r.status == 200);
  return r.json.as_object();
}

// The balance after each entry follows from the one after it: newest first, each entry's
// balance_after minus its amount is the next (older) entry's balance_after.
void check_running_balances(boost::json::array const& entries, std::int64_t balance_now) {
  std::int64_t expected = balance_now;
  for (auto const& e : entries) {
    INFO(boost::json::serialize(e));
    CHECK(e.at("balance_after_cents").as_int64() == expected);
    expected -= e.at("amount_cents").as_int64();
  }
}

struct Rows {
  std::int64_t sum = 0;
  std::int64_t rows = 0;
};
Rows merchant_rows(test::Community const& c, std::int64_t mid) {
  auto& app = TestApp::get().app();
  return db::transact(app.db(), nullptr, [&](db::Tx& tx) {
    Rows r;
    r.sum = db::scalar(tx,
                       "SELECT COALESCE(SUM(balance_cents), 0) FROM wallet_accounts WHERE community_id = :c AND "
                       "owner_kind = 'merchant' AND owner_id = :o",
                       soci::use(c.id, "c"), soci::use(mid, "o"));
    r.rows = db::scalar(tx,
                        "SELECT COUNT(*) FROM wallet_accounts WHERE community_id = :c AND owner_kind = 'merchant' AND "
                        "owner_id = :o",
                        soci::use(c.id, "c"), soci::use(mid, "o"));
    return r;
  });
}

bool ledger_balanced(test::Community const& c) {
  auto r = TestApp::get().get(c.base() + "/ledger/summary", c.manager.token);
  REQUIRE(r.status == 200);
  return r.json.at("balanced").as_bool() && r.json.at("total_cents").as_int64() == 0;
}

}  // namespace

TEST_CASE("payments from 16 threads spread over the merchant's sub-accounts and add up", "[wallet][concurrency]") {
  auto& t = TestApp::get();
  auto& app = t.app();
  auto c = t.community();
  auto owner = t.resident(c);
  auto mid = merchant_in(c, owner);
  constexpr int kThreads = 16, kEach = 6;
  std::vector<test::Actor> buyers;
  for (int i = 0; i < kThreads; ++i) {
    buyers.push_back(t.resident(c));
    t.top_up(c, buyers.back(), 10'000);
  }

  courtyard::test::in_threads(kThreads, [&](int i) {
    for (int n = 0; n < kEach; ++n) {
      std::int64_t order = i * kEach + n;  // every sub-account is hit, several at once
      db::transact(app.db(), &app.bus(), [&](db::Tx& tx) {
        wallet::transfer(tx, c.id, wallet::resident(buyers[i].account_id), wallet::merchant_for_order(mid, order),
                         100 + order, "order_payment", "order:" + std::to_string(order));
      });
    }
  });

  std::int64_t paid = 0;
  for (int order = 0; order < kThreads * kEach; ++order) paid += 100 + order;
  auto st = merchant_statement(c, mid, "?limit=200");
  CHECK(st.at("balance_cents").as_int64() == paid);  // what the merchant sees
  auto rows = merchant_rows(c, mid);
  CHECK(rows.sum == paid);  // the sum of the sub-accounts
  CHECK(rows.rows == wallet::kMerchantBuckets);
  CHECK(st.at("entries").as_array().size() == std::size_t(kThreads * kEach));
  check_running_balances(st.at("entries").as_array(), paid);
  for (int i = 0; i < kThreads; ++i) {
    std::int64_t spent = 0;
    for (int n = 0; n < kEach; ++n) spent += 100 + i * kEach + n;
    CHECK(t.balance(c, buyers[i]) == 10'000 - spent);
  }
  CHECK(ledger_balanced(c));
  auto summary = t.get(c.base() + "/ledger/summary", c.manager.token);
  CHECK(summary.json.at("by_kind").at("merchant").at("accounts").as_int64() == 1);  // one merchant
  CHECK(summary.json.at("by_kind").at("merchant").at("balance_cents").as_int64() == paid);

  // Paging keeps the running balance: page 2 continues where page 1 stopped.
  auto p1 = merchant_statement(c, mid, "?limit=7");
  auto p2 = merchant_statement(c, mid, "?limit=7&cursor=" + std::string(p1.at("next_cursor").as_string()));
  auto const& last1 = p1.at("entries").as_array().back();
  CHECK(p2.at("entries").as_array().front().at("balance_after_cents").as_int64() ==
        last1.at("balance_after_cents").as_int64() - last1.at("amount_cents").as_int64());
}

TEST_CASE("a debit larger than its sub-account draws on the others; the merchant as a whole is never overdrawn",
          "[wallet][concurrency]") {
  auto& t = TestApp::get();
  auto& app = t.app();
  auto c = t.community();
  auto owner = t.resident(c);
  auto buyer = t.resident(c);
  t.top_up(c, buyer, 50'000);
  auto mid = merchant_in(c, owner);
  auto pay = [&](std::int64_t order, std::int64_t cents) {
    db::transact(app.db(), &app.bus(), [&](db::Tx& tx) {
      wallet::transfer(tx, c.id, wallet::resident(buyer.account_id), wallet::merchant_for_order(mid, order), cents,
                       "order_payment", "order:" + std::to_string(order));
    });
  };
  // 1,000 in each of four sub-accounts (orders 1-4), none in sub-account 0 (the legacy account).
  for (int order = 1; order <= 4; ++order) pay(order, 1000);
  auto before = merchant_statement(c, mid);

  // 8 threads each take 600 from sub-account 0: 4,000 in all covers six of them.
  constexpr int kThreads = 8;
  std::atomic<int> ok{0}, refused{0}, ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&] {
      ++ready;
      while (ready.load() < kThreads) std::this_thread::yield();
      try {
        db::transact(app.db(), &app.bus(), [&](db::Tx& tx) {
          wallet::transfer(tx, c.id, wallet::merchant(mid), wallet::resident(buyer.account_id), 600, "refund",
                           "order:legacy");
        });
        ++ok;
      } catch (Conflict const& e) {
        // Counted only for the right reason (and checked after the join: Catch's
        // assertions are not thread-safe).
        if (e.slug() == "insufficient-funds") ++refused;
      }
    });
  for (auto& th : threads) th.join();
  CHECK(ok == 6);
  CHECK(refused == 2);

  auto st = merchant_statement(c, mid, "?limit=100");
  CHECK(st.at("balance_cents").as_int64() == 4000 - 6 * 600);
  CHECK(merchant_rows(c, mid).sum == 400);
  // The statement shows the payments and the refunds, not the moves between sub-accounts.
  std::set<std::string> kinds;
  for (auto const& e : st.at("entries").as_array()) kinds.insert(std::string(e.at("kind").as_string()));
  CHECK(kinds == std::set<std::string>{"order_payment", "refund"});
  CHECK(st.at("entries").as_array().size() == 4 + 6);
  check_running_balances(st.at("entries").as_array(), 400);
  CHECK(before.at("balance_cents").as_int64() == 4000);
  CHECK(t.balance(c, buyer) == 50'000 - 4000 + 3600);
  CHECK(ledger_balanced(c));
}

TEST_CASE("consolidation legs move every other sub-account's money into one", "[wallet][logic]") {
  using wallet::logic::consolidation_legs;
  auto legs = consolidation_legs(7, 3, {{0, 500}, {3, -0}, {5, 250}, {9, 0}});
  REQUIRE(legs.size() == 3);
  CHECK(legs[0].account.bucket == 0);
  CHECK(legs[0].amount_cents == -500);
  CHECK(legs[1].account.bucket == 5);
  CHECK(legs[1].amount_cents == -250);
  CHECK(legs[2].account.bucket == 3);
  CHECK(legs[2].amount_cents == 750);
  CHECK(consolidation_legs(7, 3, {{3, 900}}).empty());
  CHECK(wallet::logic::running_balances(1000, 100, {200, 300}) == std::vector<std::int64_t>{900, 700});
  CHECK(wallet::merchant_for_order(7, 35).bucket == 35 % wallet::kMerchantBuckets);
}
