#include "db/tx.hpp"
#include "services/identity/api.hpp"
#include "tests/support/test_app.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>

using namespace courtyard;
using test::TestApp;
namespace bj = boost::json;

namespace {

constexpr char kPassword[] = "a long enough password";

std::string fresh_email(TestApp& t, std::string const& name) { return t.unique(name) + "@example.test"; }

test::Result register_account(TestApp& t, std::string const& email, std::string const& password = kPassword,
                              std::string const& name = "Alice") {
  return t.post("/v1/auth/register", {{"email", email}, {"password", password}, {"display_name", name}});
}

test::Result login(TestApp& t, std::string const& email, std::string const& password = kPassword) {
  return t.post("/v1/auth/login", {{"email", email}, {"password", password}});
}

bool has_field_error(test::Result const& r, std::string const& field) {
  if (!r.json.is_object() || !r.json.as_object().contains("errors")) return false;
  auto const& errors = r.json.at("errors").as_array();
  return std::any_of(errors.begin(), errors.end(),
                     [&](bj::value const& e) { return e.at("field").as_string() == field; });
}

}  // namespace

TEST_CASE("register, log in, read /v1/me, log out", "[identity][auth]") {
  auto& t = TestApp::get();
  auto email = fresh_email(t, "Alice");  // has capitals: stored lower-cased
  std::string lower = email, shouted = email;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  std::transform(shouted.begin(), shouted.end(), shouted.begin(), ::toupper);

  auto reg = t.post("/v1/auth/register",
                    {{"email", "  " + email + " "}, {"password", kPassword}, {"display_name", "  Alice Example "}});
  REQUIRE(reg.status == 201);
  CHECK(reg.header("Location") == "/v1/me");
  CHECK(reg.json.at("email").as_string() == lower);
  CHECK(reg.json.at("display_name").as_string() == "Alice Example");
  CHECK(reg.json.at("admin").as_bool() == false);
  CHECK(reg.json.at("created_at").is_string());
  CHECK_FALSE(reg.json.as_object().contains("password"));
  CHECK_FALSE(reg.json.as_object().contains("password_hash"));
  CHECK(reg.body.find("argon2") == std::string::npos);

  auto in = login(t, shouted);
  REQUIRE(in.status == 200);
  auto token = std::string(in.json.at("token").as_string());
  CHECK(token.size() == 64);
  CHECK(in.json.at("account").at("id").as_int64() == reg.id());
  CHECK(in.json.at("expires_at").is_string());
  CHECK(in.header("Content-Type") == "application/json");

  auto me = t.get("/v1/me", token);
  REQUIRE(me.status == 200);
  CHECK(me.id() == reg.id());
  CHECK(me.json.at("email").as_string() == lower);
  CHECK(me.json.at("admin").as_bool() == false);
  CHECK(me.json.at("roles").as_array().empty());

  CHECK(t.post("/v1/auth/logout", bj::object{}, token).status == 204);
  CHECK(t.get("/v1/me", token).status == 401);
  CHECK(t.post("/v1/auth/logout", bj::object{}, token).status == 401);

  auto again = login(t, email);
  REQUIRE(again.status == 200);
  CHECK(std::string(again.json.at("token").as_string()) != token);
  CHECK(t.get("/v1/me", std::string(again.json.at("token").as_string())).status == 200);
}

TEST_CASE("the bootstrap admin is an admin and bootstrapping is done once", "[identity][auth]") {
  auto& t = TestApp::get();
  auto admin = t.admin();
  auto me = t.get("/v1/me", admin.token);
  REQUIRE(me.status == 200);
  CHECK(me.json.at("admin").as_bool());
  CHECK_FALSE(identity::bootstrap_admin(t.app().db(), "second-admin@example.test", kPassword, "min"));
  CHECK(login(t, "second-admin@example.test").status == 401);
  CHECK_THROWS_AS(identity::bootstrap_admin(t.app().db(), "not an email", kPassword, "min"), std::invalid_argument);
}

TEST_CASE("a duplicate email is 409, whatever its case", "[identity][auth]") {
  auto& t = TestApp::get();
  auto email = fresh_email(t, "dup");
  REQUIRE(register_account(t, email).status == 201);
  auto dup = register_account(t, email);
  CHECK(dup.status == 409);
  CHECK(dup.problem_type() == "/problems/duplicate");
  std::string upper = email;
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  CHECK(register_account(t, upper).status == 409);
}

TEST_CASE("registration validation: 422 with field errors, 400 for wrong types", "[identity][auth][errors]") {
  auto& t = TestApp::get();

  auto empty = t.post("/v1/auth/register", bj::object{});
  REQUIRE(empty.status == 422);
  CHECK(empty.problem_type() == "/problems/validation");
  CHECK(empty.header("Content-Type") == "application/problem+json");
  CHECK(has_field_error(empty, "email"));
  CHECK(has_field_error(empty, "password"));
  CHECK(has_field_error(empty, "display_name"));

  auto email = fresh_email(t, "val");
  for (auto const* bad : {"not-an-email", "a@b", "two@@example.test", "sp ace@example.test", "x@-bad-.test",
                          "dots..@example.test", "ünïcode@example.test"}) {
    INFO(bad);
    auto r = register_account(t, bad);
    CHECK(r.status == 422);
    CHECK(has_field_error(r, "email"));
  }
  auto too_long = std::string(250, 'a') + "@example.test";
  CHECK(register_account(t, too_long).status == 422);

  auto short_pw = register_account(t, email, "short");
  CHECK(short_pw.status == 422);
  CHECK(has_field_error(short_pw, "password"));
  CHECK(register_account(t, email, std::string(129, 'p')).status == 422);
  CHECK(register_account(t, email, "          ").status == 422);
  CHECK(register_account(t, email, kPassword, "   ").status == 422);
  CHECK(register_account(t, email, kPassword, std::string(101, 'n')).status == 422);
  CHECK(register_account(t, email, kPassword, "line\nbreak").status == 422);

  CHECK(t.post("/v1/auth/register", {{"email", 42}, {"password", kPassword}, {"display_name", "A"}}).status == 400);
  CHECK(t.post("/v1/auth/register", {{"email", email}, {"password", true}, {"display_name", "A"}}).status == 400);
  CHECK(
      t.post("/v1/auth/register", {{"email", email}, {"password", kPassword}, {"display_name", bj::array{}}}).status ==
      400);
  CHECK(t.post("/v1/auth/register", bj::array{}).status == 400);
  CHECK(t.call("POST", "/v1/auth/register", std::nullopt).status == 400);
  CHECK(t.post("/v1/auth/login", {{"email", email}}).status == 422);

  // Nothing was created by the rejected attempts.
  CHECK(register_account(t, email).status == 201);
}

TEST_CASE("a wrong password and an unknown email get the same 401", "[identity][auth]") {
  auto& t = TestApp::get();
  auto email = fresh_email(t, "pw");
  REQUIRE(register_account(t, email).status == 201);
  auto wrong = login(t, email, "not the password");
  auto unknown = login(t, fresh_email(t, "nobody"));
  REQUIRE(wrong.status == 401);
  REQUIRE(unknown.status == 401);
  CHECK(wrong.problem_type() == unknown.problem_type());
  CHECK(wrong.json.at("detail") == unknown.json.at("detail"));
}

TEST_CASE("unknown, malformed and foreign bearer credentials are 401", "[identity][auth]") {
  auto& t = TestApp::get();
  CHECK(t.get("/v1/me").status == 401);
  CHECK(t.get("/v1/me", "nonsense").status == 401);
  CHECK(t.get("/v1/me", std::string(64, 'a')).status == 401);
  CHECK(t.get("/v1/me", "ck_" + std::string(64, '0')).status == 401);
  CHECK(t.get("/v1/me", std::string(5000, 'x')).status == 401);
  CHECK_FALSE(identity::authenticate(t.app().db(), "").has_value());
  CHECK(t.call("GET", "/v1/me", std::nullopt, "", {{"Authorization", "Basic abc"}}).status == 401);
}

TEST_CASE("failed logins are limited per email and address in the database, across instances", "[identity][auth][brute-force]") {
  auto& t = TestApp::get();
  auto const& cfg = t.app().config().settings;
  auto const max_failures = cfg.integer("identity.login-max-failures");
  auto const window_s = cfg.integer("identity.login-window-minutes") * 60;
  REQUIRE(max_failures == 5);
  auto email = fresh_email(t, "target");
  auto bystander = fresh_email(t, "bystander");
  REQUIRE(register_account(t, email).status == 201);
  REQUIRE(register_account(t, bystander).status == 201);

  for (int i = 0; i < max_failures; ++i) CHECK(login(t, email, "guess " + std::to_string(i)).status == 401);
  auto locked = login(t, email, "one more guess");
  REQUIRE(locked.status == 429);
  auto retry = std::stoll(locked.header("Retry-After"));
  CHECK(retry >= 1);
  CHECK(retry <= window_s);
  // The right password does not get through a lock either, and the lock is per email.
  CHECK(login(t, email).status == 429);
  CHECK(login(t, bystander).status == 200);

  // Another gateway instance on the same database sees the same count.
  gateway::App second(t.app().config(), test::services_under_test(), &identity::authenticate);
  http::Request req;
  req.method = "POST";
  req.target = req.path = "/v1/auth/login";
  req.headers = {{"content-type", "application/json"}};
  req.body = bj::serialize(bj::object{{"email", email}, {"password", kPassword}});
  req.remote_ip = "127.0.0.1";
  CHECK(second.handle(req).status == 429);

  t.advance_clock_ms(window_s * 1000 + 1000);
  CHECK(login(t, email).status == 200);
  // A successful login clears the count.
  CHECK(login(t, email, "typo").status == 401);
  CHECK(login(t, email).status == 200);
}

TEST_CASE("session tokens expire after token_ttl", "[identity][auth][clock]") {
  auto& t = TestApp::get();
  auto a = t.account("expiring");
  REQUIRE(t.get("/v1/me", a.token).status == 200);
  t.advance_clock_ms(t.app().config().settings.integer("identity.token-ttl-hours") * 3600 * 1000 -
                     60'000);
  CHECK(t.get("/v1/me", a.token).status == 200);
  t.advance_clock_ms(120'000);
  auto expired = t.get("/v1/me", a.token);
  CHECK(expired.status == 401);
  CHECK(expired.problem_type() == "/problems/unauthorized");
  CHECK(login(t, a.email, "correct-horse-battery-staple").status == 200);
  // The admin fixture signs in again after the jump.
  CHECK(t.get("/v1/me", t.admin().token).status == 200);
}

TEST_CASE("the prune job drops expired sessions and old failures", "[identity][jobs]") {
  auto& t = TestApp::get();
  auto a = t.account("pruned");
  auto email = fresh_email(t, "pruned-failures");
  CHECK(login(t, email, "whatever").status == 401);
  t.advance_clock_ms(t.app().config().settings.integer("identity.token-ttl-hours") * 3600 * 1000 + 1000);
  REQUIRE(t.run_job("identity.prune"));
  auto counts = db::read(t.app().db(), [&](soci::session& s) {
    long long sessions = 0, failures = 0;
    s << "SELECT COUNT(*) FROM sessions WHERE account_id = :a", soci::into(sessions), soci::use(a.account_id);
    s << "SELECT COUNT(*) FROM login_attempts WHERE email = :e", soci::into(failures), soci::use(email);
    return std::pair(sessions, failures);
  });
  CHECK(counts.first == 0);
  CHECK(counts.second == 0);
}
