#include "gateway/metrics.hpp"
#include "gateway/rate_limit.hpp"
#include "http/router.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <stdexcept>
#include <string>
#include <vector>

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

// The rule the tree must keep, written the plain way: of the routes whose segments fit the
// path, the one whose literal segments rank highest from the left (literal before parameter),
// the first registered among equals; `known` when any route of any method fits.
namespace {
Route const* ranked_best(Router const& r, std::string_view method, std::vector<std::string> const& segs, bool& known) {
  Route const* best = nullptr;
  std::vector<bool> best_rank;
  for (auto const& route : r.routes()) {
    if (route->segments.size() != segs.size()) continue;
    std::vector<bool> rank;
    bool fits = true;
    for (std::size_t i = 0; i < segs.size() && fits; ++i) {
      bool param = route->segments[i].front() == '{';
      fits = param ? !segs[i].empty() : route->segments[i] == segs[i];
      rank.push_back(!param);
    }
    if (!fits) continue;
    known = true;
    if (route->method != method) continue;
    if (!best || best_rank < rank) best = route.get(), best_rank = rank;
  }
  return best;
}
}  // namespace

TEST_CASE("router ranks like a scan over every route", "[router]") {
  Router r;
  std::vector<std::string> const words = {"a", "b", "{x}", "{y}"};
  std::vector<std::string> const methods = {"GET", "POST"};
  // Every pattern of one to three segments from those words, under both methods: literal and
  // parameter at every position, and patterns that differ only in a parameter's name.
  std::mt19937 gen(7);
  int added = 0;
  for (std::size_t n = 1; n <= 3; ++n) {
    std::vector<std::size_t> pick(n, 0);
    for (;;) {
      std::string pattern;
      for (auto k : pick) pattern += "/" + words[k];
      for (auto const& m : methods)
        if (gen() % 3 != 0) {  // leave some out, so a path falls back to a lower rank
          try {
            r.add(m, pattern, Access::public_(), noop());
            ++added;
          } catch (std::logic_error const&) {
          }
        }
      std::size_t i = 0;
      while (i < n && ++pick[i] == words.size()) pick[i++] = 0;
      if (i == n) break;
    }
  }
  REQUIRE(added > 50);
  std::vector<std::string> const values = {"a", "b", "c"};
  int matched = 0, unmatched = 0;
  for (std::size_t n = 0; n <= 4; ++n) {
    std::vector<std::size_t> pick(n, 0);
    for (;;) {
      std::vector<std::string> segs;
      std::string path;
      for (auto k : pick) segs.push_back(values[k]), path += "/" + values[k];
      for (auto const& m : methods) {
        bool known = false;
        auto const* want = ranked_best(r, m, segs, known);
        auto got = r.match(m, path.empty() ? "/" : path);
        INFO(m << " " << path);
        CHECK(got.route == want);
        CHECK(got.path_known == known);
        (want ? matched : unmatched) += 1;
      }
      std::size_t i = 0;
      while (i < n && ++pick[i] == values.size()) pick[i++] = 0;
      if (i == n) break;
    }
  }
  CHECK(matched > 20);
  CHECK(unmatched > 5);
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
