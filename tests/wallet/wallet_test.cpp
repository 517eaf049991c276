#include "db/tx.hpp"
#include "http/errors.hpp"
#include "services/wallet/api.hpp"
#include "tests/support/test_app.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

using namespace courtyard;
using test::TestApp;

namespace {

std::string top_up_path(test::Community const& c, test::Actor const& who) {
  return c.base() + "/wallets/" + std::to_string(who.account_id) + "/top-ups";
}

http::Headers key(std::string k) { return {{"Idempotency-Key", std::move(k)}}; }

}  // namespace

TEST_CASE("manager top-up credits the resident and the ledger stays balanced", "[wallet]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c);

  auto res = t.post(top_up_path(c, r), {{"amount_cents", 2500}}, c.manager.token, key(t.unique("k")));
  REQUIRE(res.status == 201);
  CHECK(res.json.at("balance_cents").as_int64() == 2500);
  CHECK_FALSE(res.header("Location").empty());

  auto me = t.get("/v1/me/wallet?community_id=" + std::to_string(c.id), r.token);
  REQUIRE(me.status == 200);
  CHECK(me.json.at("balance_cents").as_int64() == 2500);
  REQUIRE(me.json.at("entries").as_array().size() == 1);
  CHECK(me.json.at("entries").at(0).at("kind").as_string() == "top_up");
  CHECK(me.json.at("entries").at(0).at("amount_cents").as_int64() == 2500);

  auto summary = t.get(c.base() + "/ledger/summary", c.manager.token);
  REQUIRE(summary.status == 200);
  CHECK(summary.json.at("balanced").as_bool());
  CHECK(summary.json.at("total_cents").as_int64() == 0);
}

TEST_CASE("top-up validation and access", "[wallet][errors]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c);
  auto other = t.community();

  CHECK(t.post(top_up_path(c, r), {{"amount_cents", 0}}, c.manager.token).status == 422);
  CHECK(t.post(top_up_path(c, r), {{"amount_cents", 10'000'001}}, c.manager.token).status == 422);
  CHECK(t.post(top_up_path(c, r), {{"amount_cents", "100"}}, c.manager.token).status == 400);
  CHECK(t.post(top_up_path(c, r), boost::json::object{}, c.manager.token).status == 422);
  CHECK(t.call("POST", top_up_path(c, r), std::nullopt, c.manager.token).status == 400);
  CHECK(t.post(top_up_path(c, r), {{"amount_cents", 100}}).status == 401);
  CHECK(t.post(top_up_path(c, r), {{"amount_cents", 100}}, r.token).status == 403);
  // Another community's manager: the community is not theirs -> 404.
  CHECK(t.post(top_up_path(c, r), {{"amount_cents", 100}}, other.manager.token).status == 404);
  // A member of another community cannot be topped up through this one.
  auto stranger = t.resident(other);
  CHECK(t.post(top_up_path(c, stranger), {{"amount_cents", 100}}, c.manager.token).status == 404);
  CHECK(t.get("/v1/me/wallet?community_id=" + std::to_string(c.id), stranger.token).status == 404);
  CHECK(t.get("/v1/me/wallet", r.token).status == 422);
  CHECK(t.get(c.base() + "/wallets/" + std::to_string(stranger.account_id), c.manager.token).status == 404);
  CHECK(t.balance(c, r) == 0);
}

TEST_CASE("top-up Idempotency-Key: replay, reuse with another body, concurrency", "[wallet][idempotency][concurrency]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c);
  auto k = t.unique("idem");

  auto first = t.post(top_up_path(c, r), {{"amount_cents", 700}}, c.manager.token, key(k));
  REQUIRE(first.status == 201);
  auto replay = t.post(top_up_path(c, r), {{"amount_cents", 700}}, c.manager.token, key(k));
  CHECK(replay.status == 201);
  CHECK(replay.body == first.body);
  CHECK(replay.header("Idempotent-Replayed") == "true");
  auto reused = t.post(top_up_path(c, r), {{"amount_cents", 900}}, c.manager.token, key(k));
  CHECK(reused.status == 422);
  CHECK(reused.problem_type() == "/problems/idempotency-key-reused");
  CHECK(t.balance(c, r) == 700);

  // The same key from many clients at once moves money once.
  auto k2 = t.unique("idem");
  std::vector<std::thread> threads;
  std::atomic<int> created{0};
  std::vector<std::string> bodies(12);
  for (int i = 0; i < 12; ++i)
    threads.emplace_back([&, i] {
      auto res = t.post(top_up_path(c, r), {{"amount_cents", 100}}, c.manager.token, key(k2));
      if (res.status == 201) ++created;
      bodies[i] = res.body;
    });
  for (auto& th : threads) th.join();
  CHECK(created == 12);
  for (auto const& b : bodies) CHECK(b == bodies[0]);
  CHECK(t.balance(c, r) == 800);
}

TEST_CASE("ledger never lets a wallet go below zero under concurrent spending", "[wallet][concurrency]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c);
  t.top_up(c, r, 1000);
  auto& app = t.app();
  std::atomic<int> paid{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i)
    threads.emplace_back([&] {
      try {
        db::transact(app.db(), &app.bus(), [&](db::Tx& tx) {
          wallet::transfer(tx, c.id, wallet::resident(r.account_id), wallet::community(), 300, "test_spend", "t");
        });
        ++paid;
      } catch (Conflict const& e) {
        // Counted only for the right reason (and checked after the join: Catch's
        // assertions are not thread-safe).
        if (e.slug() == "insufficient-funds") ++refused;
      }
    });
  for (auto& th : threads) th.join();
  CHECK(paid == 3);
  CHECK(refused == 13);
  CHECK(t.balance(c, r) == 100);
  auto summary = t.get(c.base() + "/ledger/summary", c.manager.token);
  CHECK(summary.json.at("balanced").as_bool());
  CHECK(summary.json.at("by_kind").at("community").at("balance_cents").as_int64() == 900);
}

TEST_CASE("ledger rejects unbalanced postings", "[wallet]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c);
  auto& app = t.app();
  CHECK_THROWS_AS(db::transact(app.db(), &app.bus(),
                               [&](db::Tx& tx) {
                                 wallet::post(tx, c.id, {{wallet::cash(), -5}, {wallet::resident(r.account_id), 6}},
                                              "bad", "t");
                               }),
                  std::logic_error);
  CHECK(t.balance(c, r) == 0);
}

TEST_CASE("wallet statement pages with a cursor", "[wallet][pagination]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c);
  for (int i = 1; i <= 5; ++i) t.top_up(c, r, i * 100);
  auto base = "/v1/me/wallet?community_id=" + std::to_string(c.id);
  auto p1 = t.get(base + "&limit=2", r.token);
  REQUIRE(p1.status == 200);
  REQUIRE(p1.json.at("entries").as_array().size() == 2);
  CHECK(p1.json.at("entries").at(0).at("amount_cents").as_int64() == 500);
  REQUIRE(p1.json.at("next_cursor").is_string());
  auto p2 = t.get(base + "&limit=2&cursor=" + std::string(p1.json.at("next_cursor").as_string()), r.token);
  CHECK(p2.json.at("entries").at(0).at("amount_cents").as_int64() == 300);
  auto p3 = t.get(base + "&limit=2&cursor=" + std::string(p2.json.at("next_cursor").as_string()), r.token);
  CHECK(p3.json.at("entries").as_array().size() == 1);
  CHECK(p3.json.at("next_cursor").is_null());
  CHECK(t.get(base + "&limit=0", r.token).status == 422);
  CHECK(t.get(base + "&limit=201", r.token).status == 422);
  CHECK(t.get(base + "&cursor=bogus", r.token).status == 422);
}

TEST_CASE("wallet routes: every route x every role", "[wallet][access]") {
  test::walk_access(TestApp::get(), "wallet");
}
