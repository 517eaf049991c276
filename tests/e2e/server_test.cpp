// End-to-end: one real server process shared by these tests, driven over loopback TCP.
// The abusive cases (huge header, oversized body, slowloris, garbage) each check that the
// server still answers afterwards; the last test checks it once more.
#include "tests/e2e/http_client.hpp"
#include "tests/e2e/server_process.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>

using namespace courtyard::e2e;
namespace bj = boost::json;

namespace {

constexpr std::size_t kHeaderLimit = 8 * 1024;
constexpr std::size_t kBodyLimit = 64 * 1024;

ServerProcess& server() {
  static ServerProcess s({"--read-timeout", "2", "--header-limit", std::to_string(kHeaderLimit), "--body-limit",
                          std::to_string(kBodyLimit), "--rate-limit-rps", "1000", "--rate-limit-burst", "1000",
                          "--threads", "2", "--workers", "4"});
  return s;
}

unsigned short port() { return server().port(); }

HttpResponse get(std::string_view target, std::string const& token = {}) {
  HeaderList headers;
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  return fetch(port(), "GET", target, {}, headers);
}

HttpResponse post(std::string_view target, std::string_view body, std::string const& token = {}) {
  HeaderList headers;
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  return fetch(port(), "POST", target, body, headers);
}

std::string unique_email(std::string_view who) {
  static std::atomic<int> n{0};
  return std::string(who) + "-" + std::to_string(getpid()) + "-" + std::to_string(++n) + "@e2e.example.com";
}

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Nothing internal may reach a client: no SQL, no driver names, no exception text.
void check_no_leak(HttpResponse const& r) {
  auto const body = lower(r.body);
  for (char const* needle : {"select ", "insert ", "update ", "sqlite", "soci", "mysql", "exception", "what()",
                             "terminate", ".cpp", "stack"}) {
    INFO("response body: " << r.body);
    CHECK(body.find(needle) == std::string::npos);
  }
}

void check_problem(HttpResponse const& r, int status) {
  INFO("status " << r.status << ", body: " << r.body);
  CHECK(r.status == status);
  CHECK(r.header("content-type").rfind("application/problem+json", 0) == 0);
  auto const v = r.json();
  REQUIRE(v.is_object());
  auto const& o = v.as_object();
  CHECK(o.at("status").as_int64() == status);
  CHECK(std::string(o.at("type").as_string()).rfind("/problems/", 0) == 0);
  CHECK_FALSE(o.at("title").as_string().empty());
  CHECK_FALSE(o.at("request_id").as_string().empty());
  CHECK(r.header("x-request-id") == std::string(o.at("request_id").as_string()));
  check_no_leak(r);
}

std::string login(std::string const& email, std::string const& password) {
  auto r = post("/v1/auth/login", bj::serialize(bj::object{{"email", email}, {"password", password}}));
  INFO(r.body);
  REQUIRE(r.status == 200);
  return std::string(r.json().at("token").as_string());
}

std::string new_account() {
  auto const email = unique_email("user");
  auto r = post("/v1/auth/register",
                bj::serialize(bj::object{{"email", email}, {"password", "correct horse"}, {"display_name", "E2E"}}));
  INFO(r.body);
  REQUIRE(r.status == 201);
  return login(email, "correct horse");
}

void check_alive() {
  auto r = get("/healthz");
  CHECK(r.status == 200);
}

}  // namespace

TEST_CASE("e2e: health, readiness, metrics and OpenAPI", "[e2e]") {
  auto health = get("/healthz");
  CHECK(health.status == 200);
  CHECK(health.header("server") == "courtyard");
  CHECK(health.json().at("status") == "ok");
  CHECK_FALSE(health.header("x-request-id").empty());

  CHECK(get("/readyz").status == 200);

  auto metrics = get("/metrics");
  CHECK(metrics.status == 200);
  CHECK_THAT(metrics.body, Catch::Contains("courtyard_http_requests_total"));
  CHECK_THAT(metrics.body, Catch::Contains("courtyard_open_connections"));

  auto openapi = get("/v1/openapi.json");
  REQUIRE(openapi.status == 200);
  auto const doc = openapi.json();
  CHECK(std::string(doc.at("openapi").as_string()).rfind("3.1.", 0) == 0);
  CHECK(doc.at("paths").is_object());
}

TEST_CASE("e2e: register, log in and read /v1/me", "[e2e]") {
  auto const email = unique_email("me");
  auto created = post("/v1/auth/register",
                      bj::serialize(bj::object{{"email", email}, {"password", "correct horse"}, {"display_name", "Me"}}));
  INFO(created.body);
  REQUIRE(created.status == 201);
  CHECK_FALSE(created.header("location").empty());

  auto const token = login(email, "correct horse");
  auto me = get("/v1/me", token);
  INFO(me.body);
  REQUIRE(me.status == 200);
  CHECK_THAT(me.body, Catch::Contains(email));
}

TEST_CASE("e2e: malformed and mistyped bodies", "[e2e]") {
  check_problem(post("/v1/auth/register", "{\"email\": "), 400);
  check_problem(post("/v1/auth/register", "[1, 2, 3]"), 400);

  auto wrong_types = post("/v1/auth/register", R"({"email": 5, "password": true, "display_name": []})");
  CHECK((wrong_types.status == 400 || wrong_types.status == 422));
  check_problem(wrong_types, wrong_types.status);

  auto invalid = post("/v1/auth/register", R"({"email": "not-an-email", "password": "x", "display_name": "A"})");
  check_problem(invalid, 422);
}

TEST_CASE("e2e: authentication and authorisation", "[e2e]") {
  check_problem(get("/v1/me"), 401);
  check_problem(get("/v1/me", "not-a-real-token"), 401);

  auto const user = new_account();
  auto const community = bj::serialize(bj::object{{"name", "E2E Court"}, {"address", "1 Test St"}, {"timezone", "Europe/Berlin"}});
  check_problem(post("/v1/communities", community, user), 403);

  auto const admin = login(kAdminEmail, kAdminPassword);
  check_problem(get("/v1/communities/999999999", admin), 404);
  check_problem(get("/v1/no-such-route"), 404);
}

TEST_CASE("e2e: X-Request-Id is echoed, or generated", "[e2e]") {
  auto echoed = fetch(port(), "GET", "/healthz", {}, {{"X-Request-Id", "e2e-trace-42"}});
  CHECK(echoed.header("x-request-id") == "e2e-trace-42");

  auto problem = fetch(port(), "GET", "/v1/me", {}, {{"X-Request-Id", "e2e-trace-43"}});
  CHECK(problem.header("x-request-id") == "e2e-trace-43");
  CHECK(problem.json().at("request_id") == "e2e-trace-43");

  auto a = get("/healthz");
  auto b = get("/healthz");
  CHECK_FALSE(a.header("x-request-id").empty());
  CHECK(a.header("x-request-id") != b.header("x-request-id"));
}

TEST_CASE("e2e: keep-alive and pipelining", "[e2e]") {
  HttpConnection c(port());
  auto first = c.request("GET", "/healthz");
  CHECK(first.status == 200);
  CHECK(first.keep_alive);
  auto second = c.request("GET", "/readyz");  // runs on a worker, not inline
  CHECK(second.status == 200);
  CHECK(second.keep_alive);

  c.send(raw_request("GET", "/healthz") + raw_request("GET", "/v1/me") + raw_request("GET", "/readyz"));
  CHECK(c.read().status == 200);
  CHECK(c.read().status == 401);
  CHECK(c.read().status == 200);

  auto closing = c.request("GET", "/healthz", {}, {{"Connection", "close"}});
  CHECK(closing.status == 200);
  CHECK_FALSE(closing.keep_alive);
  CHECK(c.closed_within(2s));
}

TEST_CASE("e2e: a body over the limit is refused with 413", "[e2e]") {
  std::string const big(kBodyLimit + 1, 'x');
  {
    HttpConnection c(port());
    c.try_send(raw_request("POST", "/v1/auth/register", big));  // the server may stop reading early
    auto r = c.read();
    check_problem(r, 413);
    CHECK_FALSE(r.keep_alive);
  }
  {
    // Refused on Content-Length alone: the client waiting for 100 Continue never sends the body.
    HttpConnection c(port());
    c.send("POST /v1/auth/register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           "Expect: 100-continue\r\nContent-Length: " + std::to_string(big.size()) + "\r\n\r\n");
    check_problem(c.read(), 413);
  }
  {
    // Chunked: the limit applies as the body streams in.
    HttpConnection c(port());
    std::string chunked = "POST /v1/auth/register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i) chunked += "8000\r\n" + std::string(0x8000, 'y') + "\r\n";
    chunked += "0\r\n\r\n";
    c.try_send(chunked);
    check_problem(c.read(), 413);
  }
  {
    // Just under the limit is read and handed to the handler (which rejects it as JSON).
    HttpConnection c(port());
    auto r = c.request("POST", "/v1/auth/register", std::string(kBodyLimit, ' '));
    CHECK(r.status == 400);
  }
  check_alive();
}

TEST_CASE("e2e: a header over the limit is refused with 431", "[e2e]") {
  HttpConnection c(port());
  c.try_send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + std::string(kHeaderLimit * 2, 'a') +
             "\r\n\r\n");
  auto r = c.read();
  check_problem(r, 431);
  CHECK_FALSE(r.keep_alive);
  check_alive();
}

TEST_CASE("e2e: malformed HTTP is answered 400 and closed", "[e2e]") {
  HttpConnection c(port());
  c.try_send("THIS IS NOT HTTP\r\n\r\n");
  auto r = c.read();
  check_problem(r, 400);
  CHECK(c.closed_within(3s));

  HttpConnection bad_length(port());
  bad_length.try_send("POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n");
  check_problem(bad_length.read(), 400);
  check_alive();
}

TEST_CASE("e2e: a slowloris client is cut off at the read timeout", "[e2e]") {
  // The server runs with --read-timeout 2: the whole request must arrive within 2 s no matter
  // how steadily bytes trickle in.
  HttpConnection c(port());
  std::string const request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + std::string(200, 's') + "\r\n\r\n";
  auto const started = std::chrono::steady_clock::now();
  bool closed = false;
  for (char byte : request) {
    if (c.try_send(std::string_view(&byte, 1))) {
      closed = true;
      break;
    }
    if (c.closed_within(250ms)) {
      closed = true;
      break;
    }
    if (std::chrono::steady_clock::now() - started > 10s) break;
  }
  auto const elapsed = std::chrono::steady_clock::now() - started;
  CHECK(closed);
  CHECK(elapsed >= 1500ms);
  CHECK(elapsed < 6s);
  check_alive();
}

TEST_CASE("e2e: idle keep-alive connections do not block others", "[e2e]") {
  std::vector<std::unique_ptr<HttpConnection>> idle;
  for (int i = 0; i < 50; ++i) {
    idle.push_back(std::make_unique<HttpConnection>(port()));
    CHECK(idle.back()->request("GET", "/healthz").status == 200);
  }
  check_alive();
  for (auto& c : idle) CHECK(c->request("GET", "/healthz").status == 200);
}

TEST_CASE("e2e: the server is still up after all of the above", "[e2e]") {
  CHECK(server().running());
  check_alive();
  auto const token = new_account();
  CHECK(get("/v1/me", token).status == 200);
}
