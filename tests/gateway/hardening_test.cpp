// Edges of the middleware found in review (the hardening issue): health and metrics never
// touch auth or storage, bad credentials are rate-limited, RateLimit headers, caching and
// content-type rules, browser sessions by cookie with CSRF protection, the web clients'
// static files, and a COMMIT whose outcome is unknown.
#include "db/errors.hpp"
#include "db/tx.hpp"
#include "gateway/app.hpp"
#include "gateway/static_files.hpp"
#include "http/session_cookie.hpp"
#include "services/identity/api.hpp"
#include "tests/gateway/helpers.hpp"
#include "tests/support/test_app.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace courtyard;
using namespace courtyard::gateway;
using namespace courtyard::http;

namespace {

constexpr char kPassword[] = "correct-horse-battery-staple";

Request make(std::string method, std::string path, Headers headers = {}, std::string body = {}) {
  return test::gateway_test::request_from("127.0.0.77", std::move(method), std::move(path), std::move(headers),
                                          std::move(body));
}

std::unique_ptr<App> limited_app(double rps, double burst) {
  Config cfg = test::gateway_test::second_app_config(rps, burst);
  cfg.services = {"identity"};
  return std::make_unique<App>(cfg, test::services_under_test(), &identity::authenticate);
}

std::vector<std::string> headers_named(Response const& r, std::string_view name) {
  std::vector<std::string> out;
  for (auto const& [k, v] : r.headers)
    if (strcasecmp(k.c_str(), std::string(name).c_str()) == 0) out.push_back(v);
  return out;
}

std::string cookie_value(std::vector<std::string> const& set_cookies, std::string_view name) {
  for (auto const& c : set_cookies) {
    if (c.rfind(std::string(name) + "=", 0) != 0) continue;
    auto v = c.substr(name.size() + 1);
    return v.substr(0, v.find(';'));
  }
  return {};
}

}  // namespace

TEST_CASE("health, metrics and the OpenAPI document never run the auth path", "[hardening][middleware]") {
  auto& t = test::TestApp::get();
  for (auto path : {"/healthz", "/metrics", "/v1/openapi.json"}) {
    INFO(path);
    // Before the fix a garbage token was looked up in storage and answered 401.
    auto r = t.call("GET", path, std::nullopt, "garbage-token");
    CHECK(r.status == 200);
    CHECK(r.header("Cache-Control").empty());
  }
}

TEST_CASE("invalid credentials count against the client's rate limit", "[hardening][ratelimit]") {
  auto app = limited_app(0.01, 3);
  int refused = 0, unauthorized = 0;
  for (int i = 0; i < 6; ++i) {
    auto req = make("GET", "/v1/me", {{"authorization", "Bearer not-a-token-" + std::to_string(i)}});
    auto r = app->handle(req);
    if (r.status == 401) ++unauthorized;
    if (r.status == 429) {
      ++refused;
      CHECK_FALSE(r.header("Retry-After").value_or("").empty());
    }
  }
  // Before the fix every guess got a 401 and none was ever limited.
  CHECK(unauthorized == 3);
  CHECK(refused == 3);
}

TEST_CASE("answers carry RateLimit headers, nosniff, and no-store when signed in", "[hardening][headers]") {
  auto app = limited_app(10, 20);
  auto anon = make("GET", "/v1/me");
  auto r = app->handle(anon);
  CHECK(r.status == 401);
  CHECK(r.header("X-Content-Type-Options") == "nosniff");
  CHECK(r.header("RateLimit-Policy") == "\"default\";q=20;w=2");
  CHECK(r.header("RateLimit").value_or("").rfind("\"default\";r=19;t=", 0) == 0);

  auto& t = test::TestApp::get();
  auto who = t.account("headers");
  auto me = t.get("/v1/me", who.token);
  CHECK(me.status == 200);
  CHECK(me.header("Cache-Control") == "no-store");
  CHECK(me.header("X-Content-Type-Options") == "nosniff");
}

TEST_CASE("a body that is not JSON on a JSON route is 415 and changes nothing", "[hardening][content-type]") {
  auto& t = test::TestApp::get();
  auto email = t.unique("plain") + "@example.test";
  std::string body = R"({"email":")" + email + R"(","password":"correct-horse-battery-staple","display_name":"P"})";
  auto r = t.call("POST", "/v1/auth/register", std::nullopt, "", {});
  auto req = make("POST", "/v1/auth/register", {{"content-type", "text/plain"}}, body);
  auto plain = t.app().handle(req);
  CHECK(plain.status == 415);
  CHECK(plain.content_type == "application/problem+json");
  // Nothing was registered: the same body as JSON still succeeds.
  auto ok = make("POST", "/v1/auth/register", {{"content-type", "application/json; charset=utf-8"}}, body);
  CHECK(t.app().handle(ok).status == 201);
  (void)r;
}

TEST_CASE("browser sessions: an HttpOnly cookie, CSRF on state changes, cleared at logout", "[hardening][cookie]") {
  auto& t = test::TestApp::get();
  auto who = t.account("browser");
  auto login = make("POST", "/v1/auth/login", {{"content-type", "application/json"}},
                    boost::json::serialize(boost::json::object{
                        {"email", who.email}, {"password", kPassword}, {"session", "cookie"}}));
  auto res = t.app().handle(login);
  REQUIRE(res.status == 200);
  auto body = boost::json::parse(res.body).as_object();
  CHECK_FALSE(body.contains("token"));  // never within script's reach
  std::string csrf(body.at("csrf_token").as_string());
  auto set = headers_named(res, "Set-Cookie");
  REQUIRE(set.size() == 2);
  std::string session = cookie_value(set, "cy_session");
  CHECK(cookie_value(set, "cy_csrf") == csrf);
  bool http_only = false;
  for (auto const& c : set) {
    CHECK(c.find("SameSite=Strict") != std::string::npos);
    if (c.rfind("cy_session=", 0) == 0) http_only = c.find("HttpOnly") != std::string::npos;
  }
  CHECK(http_only);

  std::string cookies = "cy_session=" + session + "; cy_csrf=" + csrf;
  auto me = make("GET", "/v1/me", {{"cookie", cookies}});
  CHECK(t.app().handle(me).status == 200);

  // A state change by cookie without the CSRF token, or from another origin, is refused.
  auto no_csrf = make("POST", "/v1/auth/logout", {{"cookie", cookies}});
  CHECK(t.app().handle(no_csrf).status == 403);
  auto wrong = make("POST", "/v1/auth/logout", {{"cookie", cookies}, {"x-csrf-token", std::string(32, '0')}});
  CHECK(t.app().handle(wrong).status == 403);
  auto cross = make("POST", "/v1/auth/logout",
                    {{"cookie", cookies}, {"x-csrf-token", csrf}, {"origin", "https://evil.example"},
                     {"host", "courtyard.local"}});
  CHECK(t.app().handle(cross).status == 403);
  CHECK(t.app().handle(me).status == 200);  // none of them signed the session out

  auto logout = make("POST", "/v1/auth/logout",
                     {{"cookie", cookies}, {"x-csrf-token", csrf}, {"origin", "http://courtyard.local"},
                      {"host", "courtyard.local"}});
  auto out = t.app().handle(logout);
  CHECK(out.status == 204);
  auto cleared = headers_named(out, "Set-Cookie");
  REQUIRE(cleared.size() == 2);
  for (auto const& c : cleared) CHECK(c.find("Max-Age=0") != std::string::npos);
  CHECK(t.app().handle(me).status == 401);

  // A wrong session value in the login request is a field error.
  auto bad = make("POST", "/v1/auth/login", {{"content-type", "application/json"}},
                  R"({"email":")" + who.email + R"(","password":"x","session":"jar"})");
  CHECK(t.app().handle(bad).status == 422);
}

TEST_CASE("the web clients are served from memory with caching, gzip and a fallback", "[hardening][web]") {
  namespace fs = std::filesystem;
  fs::path root = fs::temp_directory_path() / ("courtyard-web-" + std::to_string(getpid()));
  fs::create_directories(root / "portal" / "assets");
  fs::create_directories(root / "app");
  std::ofstream(root / "portal" / "index.html") << "<!doctype html><title>portal</title>";
  std::ofstream(root / "portal" / "assets" / "main-abc123.js") << "console.log('portal')";
  std::ofstream(root / "portal" / "assets" / "main-abc123.js.gz") << "GZIPPED";
  std::ofstream(root / "app" / "index.html") << "<!doctype html><title>app</title>";
  StaticFiles web(root.string());
  fs::remove_all(root);

  CHECK(web.prefixes() == std::vector<std::string>{"/portal/", "/app/"});
  auto get = [&](std::string path, Headers h = {}) { return web.serve(make("GET", std::move(path), std::move(h))); };

  auto index = get("/portal/");
  REQUIRE(index);
  CHECK(index->status == 200);
  CHECK(index->content_type == "text/html; charset=utf-8");
  CHECK(index->header("Cache-Control") == "no-cache");
  CHECK(index->header("Content-Security-Policy").value_or("").find("script-src 'self'") != std::string::npos);

  auto asset = get("/portal/assets/main-abc123.js", {{"accept-encoding", "gzip, br"}});
  REQUIRE(asset);
  CHECK(asset->header("Cache-Control") == "public, max-age=31536000, immutable");
  CHECK(asset->header("Content-Encoding") == "gzip");
  CHECK(asset->body == "GZIPPED");
  auto plain = get("/portal/assets/main-abc123.js");
  CHECK(plain->body == "console.log('portal')");
  auto etag = std::string(plain->header("ETag").value_or(""));
  CHECK_FALSE(etag.empty());
  CHECK(get("/portal/assets/main-abc123.js", {{"if-none-match", etag}})->status == 304);

  CHECK(get("/portal/tickets/7")->body.find("portal") != std::string::npos);  // client-side route
  CHECK(get("/app/orders")->body.find("<title>app") != std::string::npos);
  CHECK(get("/portal/assets/missing.js")->status == 404);
  CHECK(get("/")->status == 302);
  CHECK(get("/portal")->status == 301);
  CHECK_FALSE(get("/v1/me"));
  CHECK_FALSE(web.serve(make("POST", "/portal/")));
}

TEST_CASE("when the server drops the pool's connections, one failure is enough: the others are checked before use",
          "[hardening][db]") {
  auto& t = test::TestApp::get();
  if (!t.mysql()) {
    SUCCEED("MariaDB only");
    return;
  }
  std::string url = std::getenv("COURTYARD_TEST_MYSQL");
  db::Database pool(url, 4);
  auto select_one = [](soci::session& s) {
    int one = 0;
    s << "SELECT 1", soci::into(one);
    return one;
  };
  std::vector<long long> ids;
  {
    std::vector<db::Lease> all;
    for (int i = 0; i < 4; ++i) all.push_back(pool.acquire());
    for (auto& l : all) {
      long long id = 0;
      *l << "SELECT CONNECTION_ID()", soci::into(id);
      ids.push_back(id);
    }
  }
  // What a restart of the server does to every pooled connection.
  db::Database killer(url, 1);
  for (auto id : ids) *killer.acquire() << "KILL CONNECTION " + std::to_string(id);
  // The first unit to use one finds it dead (a read has nothing to retry)...
  CHECK_THROWS(db::read(pool, select_one));
  // ...and every other session is pinged and reopened before it is lent, not found dead by
  // the next three requests.
  std::vector<db::Lease> all;
  for (int i = 0; i < 4; ++i) all.push_back(pool.acquire());
  for (auto& l : all) {
    CHECK_NOTHROW(select_one(*l));
    long long id = 0;
    *l << "SELECT CONNECTION_ID()", soci::into(id);
    CHECK(std::find(ids.begin(), ids.end(), id) == ids.end());
  }
}

TEST_CASE("a COMMIT whose outcome is unknown is never retried", "[hardening][db]") {
  auto& t = test::TestApp::get();
  if (!t.mysql()) {
    // SQLite has no connection to lose; its COMMIT either commits or reports BUSY (retried).
    SUCCEED("MariaDB only");
    return;
  }
  auto& db = t.app().db();
  db::transact(db, nullptr, [](db::Tx& tx) {
    tx.exec("CREATE TABLE IF NOT EXISTS commit_probe (id BIGINT PRIMARY KEY AUTO_INCREMENT, tag VARCHAR(64))");
  });
  std::string tag = t.unique("probe");
  int runs = 0;
  db::fault::kill_connection_at_next_commit();
  CHECK_THROWS_AS(db::transact(db, nullptr,
                               [&](db::Tx& tx) {
                                 ++runs;
                                 tx.exec("INSERT INTO commit_probe (tag) VALUES (:t)", soci::use(tag, "t"));
                               }),
                  db::CommitUnknown);
  CHECK(runs == 1);  // before the fix the lost connection was "retryable" and the unit ran again
  // The pool reconnects the broken session, with its settings, for the next unit.
  for (int i = 0; i < 30; ++i) {
    auto isolation = db::transact(db, nullptr, [](db::Tx& tx) {
      std::string level;
      tx.sql() << "SELECT @@SESSION.tx_isolation", soci::into(level);
      return level;
    });
    CHECK(isolation == "READ-COMMITTED");
  }
}
