// The middleware chain in App::handle: request ids, problem mapping, auth, rate limit,
// and the last-resort handler that never leaks internals.
#include "gateway/app.hpp"
#include "http/context.hpp"
#include "http/errors.hpp"
#include "tests/gateway/helpers.hpp"
#include "tests/support/test_app.hpp"

#include <algorithm>
#include <thread>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace courtyard;
using namespace courtyard::gateway;
using namespace courtyard::http;

namespace {

Request make(std::string method, std::string path, Headers headers = {}) {
  return test::gateway_test::request_from("127.0.0.9", std::move(method), std::move(path), std::move(headers));
}

// A second App on the same database with its own settings and no services.
std::unique_ptr<App> bare_app(double rps, double burst) {
  Config cfg = test::gateway_test::second_app_config(rps, burst);
  cfg.services = {};
  return std::make_unique<App>(cfg, std::vector<ServiceEntry>{}, nullptr);
}

}  // namespace

TEST_CASE("request ids are echoed when sane and generated otherwise", "[middleware]") {
  auto& t = test::TestApp::get();
  auto echoed = t.call("GET", "/healthz", std::nullopt, "", {{"X-Request-Id", "abc-123"}});
  CHECK(echoed.header("X-Request-Id") == "abc-123");
  auto generated = t.call("GET", "/healthz", std::nullopt, "", {{"X-Request-Id", "bad id with spaces"}});
  CHECK_FALSE(generated.header("X-Request-Id").empty());
  CHECK(generated.header("X-Request-Id") != "bad id with spaces");
}

TEST_CASE("unknown routes, wrong methods and bad credentials are problems", "[middleware]") {
  auto& t = test::TestApp::get();
  auto missing = t.get("/v1/definitely/not/here");
  CHECK(missing.status == 404);
  CHECK(missing.header("Content-Type").find("application/problem+json") != std::string::npos);
  CHECK(missing.problem_type() == "/problems/not-found");
  CHECK_FALSE(missing.json.at("request_id").as_string().empty());

  CHECK(t.call("DELETE", "/healthz").status == 405);
  CHECK(t.get("/v1/me", "not-a-real-token").status == 401);
  auto basic = t.call("GET", "/v1/me", std::nullopt, "", {{"Authorization", "Basic dXNlcjpwYXNz"}});
  CHECK(basic.status == 401);
  CHECK(basic.problem_type() == "/problems/unauthorized");
}

TEST_CASE("platform endpoints", "[middleware]") {
  auto& t = test::TestApp::get();
  CHECK(t.get("/healthz").status == 200);
  CHECK(t.get("/readyz").status == 200);
  auto metrics = t.get("/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.body.find("courtyard_http_requests_total") != std::string::npos);
}

TEST_CASE("rate limit answers 429 with Retry-After per client", "[middleware][ratelimit]") {
  auto app = bare_app(0.5, 2);
  auto r1 = make("GET", "/readyz");
  auto r2 = make("GET", "/readyz");
  auto r3 = make("GET", "/readyz");
  CHECK(app->handle(r1).status == 200);
  CHECK(app->handle(r2).status == 200);
  auto limited = app->handle(r3);
  CHECK(limited.status == 429);
  CHECK(limited.header("Retry-After").has_value());
  CHECK(std::stoi(std::string(*limited.header("Retry-After"))) >= 1);
  // Inline platform routes (health, metrics) are never limited.
  auto h = make("GET", "/healthz");
  CHECK(app->handle(h).status == 200);
}

TEST_CASE("unexpected failures answer 500 without internals", "[middleware]") {
  auto app = bare_app(0, 0);
  app->router().get("/boom", Access::public_(), [](Request const&, Context&) -> Response {
    throw std::runtime_error("SELECT secret FROM accounts WHERE x = 'y' near line 1: syntax error");
  });
  app->router().get("/typed", Access::public_(), [](Request const&, Context&) -> Response {
    throw Invalid(std::vector<FieldError>{{"a", "bad"}, {"b", "worse"}});
  });
  auto boom = make("GET", "/boom");
  auto res = app->handle(boom);
  CHECK(res.status == 500);
  CHECK(res.body.find("SELECT") == std::string::npos);
  CHECK(res.body.find("secret") == std::string::npos);
  CHECK(res.content_type == "application/problem+json");

  auto typed = make("GET", "/typed");
  auto inv = app->handle(typed);
  CHECK(inv.status == 422);
  auto body = boost::json::parse(inv.body).as_object();
  CHECK(body.at("errors").as_array().size() == 2);
  CHECK(body.at("errors").at(1).at("field").as_string() == "b");
}

TEST_CASE("services are enabled by config; a disabled one leaves no routes behind", "[registry]") {
  auto& t = test::TestApp::get();
  Config cfg = t.app().config();
  cfg.services = {"identity", "wallet"};
  cfg.db_pool = 2;
  App only_core(cfg, test::services_under_test(), nullptr);
  bool shops_routes = false, wallet_routes = false;
  for (auto const& r : only_core.router().routes()) {
    shops_routes |= r->service == "shops";
    wallet_routes |= r->service == "wallet";
  }
  CHECK(wallet_routes);
  CHECK_FALSE(shops_routes);
  auto req = make("GET", "/v1/communities/1/merchants");
  CHECK(only_core.handle(req).status == 404);

  cfg.services = {"identity", "no-such-service"};
  CHECK_THROWS_AS(App(cfg, test::services_under_test(), nullptr), std::invalid_argument);
}

TEST_CASE("workers left at 0 are chosen by storage (2 per core on SQLite, 8 on MariaDB); a count given stays",
          "[middleware][config]") {
  auto& t = test::TestApp::get();
  Config cfg = t.app().config();
  cfg.services = {};
  cfg.db_pool = 2;
  cfg.workers = 0;
  {
    App app(cfg, {}, nullptr);
    int const cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    CHECK(app.config().workers == (t.app().db().backend() == db::Backend::Sqlite ? std::max(2, 2 * cores) : 8));
  }
  cfg.workers = 5;
  App app(cfg, {}, nullptr);
  CHECK(app.config().workers == 5);
}

TEST_CASE("behind a trusted proxy the client is taken from X-Forwarded-For", "[middleware][ratelimit]") {
  auto& t = test::TestApp::get();
  Config cfg = t.app().config();
  cfg.services = {};
  cfg.db_pool = 2;
  cfg.access_log = false;
  cfg.rate_limit_rps = 0.01;
  cfg.rate_limit_burst = 1;
  cfg.trusted_proxies = {"10.0.0.2"};
  App app(cfg, {}, nullptr);
  auto via = [&](std::string from, std::string xff) {
    auto r = make("GET", "/readyz", {{"x-forwarded-for", std::move(xff)}});
    r.remote_ip = std::move(from);
    return app.handle(r).status;
  };
  // Two clients behind the balancer get a bucket each.
  CHECK(via("10.0.0.2", "198.51.100.7") == 200);
  CHECK(via("10.0.0.2", "198.51.100.8, 10.0.0.2") == 200);
  CHECK(via("10.0.0.2", "198.51.100.7") == 429);
  // An untrusted peer cannot pick its bucket by sending the header.
  CHECK(via("203.0.113.9", "198.51.100.99") == 200);
  CHECK(via("203.0.113.9", "198.51.100.100") == 429);
}
