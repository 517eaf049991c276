// Login and registration under abuse (issue 10, defect 3): failures are counted per (email,
// client address) so an attacker cannot lock the owner out, a softer per-email threshold slows
// distributed guessing with a growing delay, the count holds under a concurrent burst, and
// Argon2id is neither run for refused requests nor allowed to swallow every worker.
#include "services/identity/api.hpp"
#include "services/identity/credentials.hpp"
#include "tests/support/test_app.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <thread>
#include <vector>

using namespace courtyard;
using test::TestApp;
namespace bj = boost::json;

namespace {

constexpr char kPassword[] = "a long enough password";

struct Answer {
  int status = 0;
  std::string retry_after;
  bj::value json;
};

// A request from a given client address, straight into `app` (the harness always uses 127.0.0.1).
Answer post_from(gateway::App& app, std::string const& ip, std::string const& path, bj::object body) {
  http::Request req;
  req.method = "POST";
  req.target = req.path = path;
  req.headers = {{"content-type", "application/json"}};
  req.body = bj::serialize(body);
  req.remote_ip = ip;
  auto resp = app.handle(req);
  Answer a;
  a.status = resp.status;
  for (auto const& [k, v] : resp.headers)
    if (k == "Retry-After") a.retry_after = v;
  boost::system::error_code ec;
  auto v = bj::parse(resp.body, ec);
  if (!ec) a.json = v;
  return a;
}

Answer login_from(gateway::App& app, std::string const& ip, std::string const& email,
                  std::string const& password = kPassword) {
  return post_from(app, ip, "/v1/auth/login", {{"email", email}, {"password", password}});
}

std::string registered(TestApp& t, std::string const& name) {
  auto email = t.unique(name) + "@example.test";
  REQUIRE(t.post("/v1/auth/register", {{"email", email}, {"password", kPassword}, {"display_name", name}}).status ==
          201);
  return email;
}

// A second gateway instance on the same database with some identity settings changed.
std::unique_ptr<gateway::App> app_with(TestApp& t, std::vector<std::pair<std::string, std::string>> const& settings) {
  auto config = t.app().config();
  for (auto const& [k, v] : settings) config.settings.set(k, v);
  return std::make_unique<gateway::App>(config, test::services_under_test(), &identity::authenticate);
}

}  // namespace

TEST_CASE("an attacker's failures lock the attacker's address, not the owner's", "[identity][lockout]") {
  auto& t = TestApp::get();
  auto& app = t.app();
  auto victim = registered(t, "victim");
  for (int i = 0; i < 5; ++i) CHECK(login_from(app, "203.0.113.66", victim, "guess " + std::to_string(i)).status == 401);
  auto locked = login_from(app, "203.0.113.66", victim, "guess 5");
  CHECK(locked.status == 429);
  CHECK_FALSE(locked.retry_after.empty());
  // Even the right password is refused from the attacker's address...
  CHECK(login_from(app, "203.0.113.66", victim).status == 429);
  // ...while the owner, from her own address, signs in.
  CHECK(login_from(app, "198.51.100.7", victim).status == 200);
  CHECK(login_from(app, "2001:db8::7", victim).status == 200);
  CHECK(login_from(app, "203.0.113.66", victim).status == 429);
}

TEST_CASE("past the per-email threshold every address waits a delay that doubles", "[identity][lockout]") {
  auto& t = TestApp::get();
  auto app = app_with(t, {{"identity.login-global-max-failures", "6"}});
  auto victim = registered(t, "global");
  // Six failures from three addresses: nobody is locked yet.
  for (int i = 0; i < 6; ++i)
    CHECK(login_from(*app, "203.0.113." + std::to_string(10 + i / 2), victim, "wrong").status == 401);
  // The seventh is let through, and holds the account for 1 s.
  CHECK(login_from(*app, "203.0.113.20", victim, "wrong").status == 401);
  auto held = login_from(*app, "203.0.113.21", victim, "wrong");
  REQUIRE(held.status == 429);
  CHECK(held.retry_after == "1");
  t.advance_clock_ms(1100);
  CHECK(login_from(*app, "203.0.113.22", victim, "wrong").status == 401);
  auto longer = login_from(*app, "203.0.113.23", victim, "wrong");
  REQUIRE(longer.status == 429);
  CHECK(longer.retry_after == "2");
  // The owner waits it out, not a whole lock-out window, and gets in.
  CHECK(login_from(*app, "198.51.100.8", victim).status == 429);
  t.advance_clock_ms(2100);
  CHECK(login_from(*app, "198.51.100.8", victim).status == 200);
}

TEST_CASE("a concurrent burst of guesses from one address gets at most login-max-failures verdicts",
          "[identity][lockout][concurrency]") {
  auto& t = TestApp::get();
  auto& app = t.app();
  auto victim = registered(t, "burst");
  constexpr int kThreads = 16;
  std::vector<int> statuses(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back(
        [&, i] { statuses[i] = login_from(app, "203.0.113.99", victim, "guess " + std::to_string(i)).status; });
  for (auto& th : threads) th.join();
  INFO("statuses: " << bj::serialize(bj::value_from(statuses)));
  CHECK(std::count(statuses.begin(), statuses.end(), 401) == 5);
  CHECK(std::count(statuses.begin(), statuses.end(), 429) == kThreads - 5);
  CHECK(login_from(app, "203.0.113.99", victim).status == 429);
  CHECK(login_from(app, "198.51.100.9", victim).status == 200);
}

TEST_CASE("no Argon2id for a duplicate registration or a locked login", "[identity][lockout]") {
  auto& t = TestApp::get();
  auto& app = t.app();
  auto email = registered(t, "nohash");

  auto before = identity::argon2_runs();
  auto dup = post_from(app, "198.51.100.10", "/v1/auth/register",
                       {{"email", email}, {"password", kPassword}, {"display_name", "Again"}});
  CHECK(dup.status == 409);
  CHECK(identity::argon2_runs() == before);

  for (int i = 0; i < 5; ++i) CHECK(login_from(app, "203.0.113.77", email, "wrong").status == 401);
  before = identity::argon2_runs();
  CHECK(login_from(app, "203.0.113.77", email).status == 429);
  CHECK(login_from(app, "203.0.113.77", email, "wrong").status == 429);
  CHECK(identity::argon2_runs() == before);
  // A login that is let through does verify (the counter is live).
  CHECK(login_from(app, "198.51.100.77", email).status == 200);
  CHECK(identity::argon2_runs() > before);
}

TEST_CASE("when every Argon2id slot is busy, login answers 503 + Retry-After and counts nothing",
          "[identity][lockout]") {
  auto& t = TestApp::get();
  auto& app = t.app();
  auto email = registered(t, "busy");
  for (int i = 0; i < 4; ++i) CHECK(login_from(app, "203.0.113.55", email, "wrong").status == 401);
  {
    std::vector<std::unique_ptr<identity::HashPermit>> held;
    for (int i = 0; i < identity::hash_concurrency(); ++i) held.push_back(std::make_unique<identity::HashPermit>());
    for (int i = 0; i < 3; ++i) {
      auto busy = login_from(app, "203.0.113.55", email, "wrong");
      CHECK(busy.status == 503);
      CHECK(busy.retry_after == "1");
      CHECK(busy.json.at("type").as_string() == "/problems/unavailable");
    }
    auto reg = post_from(app, "203.0.113.55", "/v1/auth/register",
                         {{"email", t.unique("busyreg") + "@example.test"}, {"password", kPassword},
                          {"display_name", "B"}});
    CHECK(reg.status == 503);
  }
  // The refused attempts were given back: the fifth failure is still a 401.
  CHECK(login_from(app, "203.0.113.55", email, "wrong").status == 401);
  CHECK(login_from(app, "203.0.113.55", email, "wrong").status == 429);
}

TEST_CASE("hashing requests are rate-limited per client address", "[identity][lockout]") {
  auto& t = TestApp::get();
  auto app = app_with(t, {{"identity.hash-per-client-per-minute", "60"}, {"identity.hash-burst", "3"}});
  for (int i = 0; i < 3; ++i) CHECK(login_from(*app, "203.0.113.44", t.unique("x") + "@example.test").status == 401);
  auto limited = login_from(*app, "203.0.113.44", t.unique("x") + "@example.test");
  CHECK(limited.status == 429);
  CHECK(limited.retry_after == "1");
  auto reg = post_from(*app, "203.0.113.44", "/v1/auth/register",
                       {{"email", t.unique("limited") + "@example.test"}, {"password", kPassword},
                        {"display_name", "L"}});
  CHECK(reg.status == 429);
  // Another address has its own budget.
  CHECK(login_from(*app, "203.0.113.45", t.unique("x") + "@example.test").status == 401);
}
