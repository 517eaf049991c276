#include "gateway/metrics.hpp"
#include "gateway/rate_limit.hpp"
#include "http/router.hpp"

#include <catch2/catch.hpp>

using namespace courtyard;
using namespace courtyard::http;
using namespace courtyard::gateway;

namespace {
Handler noop() {
  return [](Request const&, Context&) { return Response::no_content(); };
}
}  // namespace

TEST_CASE("router matches literals, parameters and methods", "[router]") {
  Router r;
  r.set_current_service("t");
  r.get("/v1/communities/{cid}/tickets/{id}", Access::member(), noop());
  r.get("/v1/communities/{cid}/tickets/stats", Access::manager(), noop());
  r.post("/v1/communities/{cid}/tickets/{id}/resolve", Access::manager(), noop());

  auto m = r.match("GET", "/v1/communities/7/tickets/42");
  REQUIRE(m.route);
  CHECK(m.route->pattern == "/v1/communities/{cid}/tickets/{id}");
  CHECK(m.route->service == "t");
  REQUIRE(m.params.size() == 2);
  CHECK(m.params[0] == std::pair<std::string, std::string>{"cid", "7"});
  CHECK(m.params[1] == std::pair<std::string, std::string>{"id", "42"});

  auto lit = r.match("GET", "/v1/communities/7/tickets/stats");
  REQUIRE(lit.route);
  CHECK(lit.route->pattern == "/v1/communities/{cid}/tickets/stats");

  auto wrong_method = r.match("DELETE", "/v1/communities/7/tickets/42");
  CHECK_FALSE(wrong_method.route);
  CHECK(wrong_method.path_known);

  auto unknown = r.match("GET", "/v1/nothing/here");
  CHECK_FALSE(unknown.route);
  CHECK_FALSE(unknown.path_known);

  CHECK(r.match("GET", "/v1/communities/7/tickets/42/").route);  // trailing slash tolerated
  CHECK_FALSE(r.match("POST", "/v1/communities/7/tickets//resolve").route);
}

TEST_CASE("router rejects duplicate routes", "[router]") {
  Router r;
  r.get("/a/{x}", Access::public_(), noop());
  CHECK_THROWS_AS(r.get("/a/{x}", Access::public_(), noop()), std::logic_error);
}

TEST_CASE("access rules describe themselves", "[router]") {
  CHECK(Access::public_().describe() == "public");
  CHECK(Access::manager().describe() == "manager");
  CHECK(Access::any_of(Role::Resident | Role::Manager).describe() == "resident|manager");
  CHECK(Access::merchant("orders:write").scope == "orders:write");
}

TEST_CASE("rate limiter: burst, then Retry-After seconds", "[ratelimit]") {
  RateLimiter rl(1.0, 3.0);
  CHECK(rl.take("a") == 0);
  CHECK(rl.take("a") == 0);
  CHECK(rl.take("a") == 0);
  CHECK(rl.take("a") >= 1);
  CHECK(rl.take("b") == 0);  // buckets are per key
  RateLimiter off(0, 0);
  for (int i = 0; i < 100; ++i) CHECK(off.take("x") == 0);
}

TEST_CASE("metrics render Prometheus text", "[metrics]") {
  Metrics m;
  m.observe("GET /healthz", 200, 0.0004);
  m.observe("GET /healthz", 503, 0.2);
  auto text = m.render();
  CHECK(text.find("courtyard_http_requests_total{route=\"GET /healthz\",status=\"2xx\"} 1") != std::string::npos);
  CHECK(text.find("courtyard_http_requests_total{route=\"GET /healthz\",status=\"5xx\"} 1") != std::string::npos);
  CHECK(text.find("courtyard_http_request_duration_seconds_count{route=\"GET /healthz\"} 2") != std::string::npos);
}
