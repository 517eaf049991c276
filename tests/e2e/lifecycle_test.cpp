// End-to-end tests that need a server process of their own: graceful SIGTERM, the
// connection cap, and start-up errors.
#include "tests/e2e/http_client.hpp"
#include "tests/e2e/server_process.hpp"

#include <catch2/catch.hpp>
#include <signal.h>

#include <memory>
#include <optional>
#include <vector>
#include <thread>

using namespace courtyard::e2e;

TEST_CASE("e2e: SIGTERM lets an in-flight request finish, closes idle connections, exits 0", "[e2e][lifecycle]") {
  ServerProcess server({"--drain-timeout", "10", "--read-timeout", "10"});

  HttpConnection idle(server.port());
  REQUIRE(idle.request("GET", "/healthz").status == 200);

  // A request whose body is only half sent is in flight from the server's point of view.
  std::string const body = R"({"email": "drain@e2e.example.com", "password": "correct horse", "display_name": "D"})";
  std::string const request = raw_request("POST", "/v1/auth/register", body);
  auto const split = request.size() - body.size() / 2;
  HttpConnection busy(server.port());
  busy.send(std::string_view(request).substr(0, split));
  std::this_thread::sleep_for(300ms);

  server.signal(SIGTERM);
  CHECK(idle.closed_within(5s));
  CHECK_THROWS(HttpConnection(server.port()));  // no longer accepting
  CHECK(server.running());

  busy.send(std::string_view(request).substr(split));
  auto r = busy.read();
  CHECK(r.status == 201);
  CHECK_FALSE(r.keep_alive);

  auto const code = server.wait(15s);
  INFO(server.log());
  REQUIRE(code);
  CHECK(*code == 0);
}

TEST_CASE("e2e: SIGTERM with nothing in flight exits promptly", "[e2e][lifecycle]") {
  ServerProcess server;
  REQUIRE(fetch(server.port(), "GET", "/healthz").status == 200);
  auto const started = std::chrono::steady_clock::now();
  server.signal(SIGTERM);
  auto const code = server.wait(10s);
  REQUIRE(code);
  CHECK(*code == 0);
  CHECK(std::chrono::steady_clock::now() - started < 5s);
}

TEST_CASE("e2e: connections over --max-connections get 503", "[e2e][lifecycle]") {
  ServerProcess server({"--max-connections", "2"});
  std::optional<HttpConnection> a(std::in_place, server.port());
  HttpConnection b(server.port());
  REQUIRE(a->request("GET", "/healthz").status == 200);
  REQUIRE(b.request("GET", "/healthz").status == 200);

  HttpConnection c(server.port());
  c.try_send(raw_request("GET", "/healthz"));
  auto r = c.read();
  CHECK(r.status == 503);
  CHECK(r.header("retry-after") == "1");
  CHECK(r.header("content-type").rfind("application/problem+json", 0) == 0);

  a.reset();  // closing one frees a slot
  std::this_thread::sleep_for(200ms);
  CHECK(fetch(server.port(), "GET", "/healthz").status == 200);
}

TEST_CASE("e2e: an idle keep-alive connection is closed at the idle timeout, a busy one is not", "[e2e][lifecycle]") {
  // The idle wait holds no buffer and waits for readability: the idle deadline must still end
  // it, and each new request must still move the deadline on.
  ServerProcess server({"--idle-timeout", "1", "--read-timeout", "10"});
  HttpConnection idle(server.port());
  HttpConnection busy(server.port());
  REQUIRE(idle.request("GET", "/healthz").status == 200);
  auto const started = std::chrono::steady_clock::now();
  for (int i = 0; i < 6; ++i) {  // a request every 0.4 s for 2.4 s: never idle for 1 s
    REQUIRE(busy.request("GET", "/healthz").status == 200);
    std::this_thread::sleep_for(400ms);
  }
  CHECK(idle.closed_within(1s));  // closed at about 1-2 s, long before the 10 s read timeout
  CHECK(std::chrono::steady_clock::now() - started < 5s);
  CHECK(busy.request("GET", "/healthz").status == 200);
}

TEST_CASE("e2e: with --reuse-port two processes share one port and the kernel spreads connections over them",
          "[e2e][lifecycle]") {
  ServerProcess a({"--reuse-port"});
  std::string const listen = "127.0.0.1:" + std::to_string(a.port());
  // Without the option the port is taken.
  CHECK_THROWS_WITH(ServerProcess({"--listen", listen}), Catch::Contains("in use"));
  ServerProcess b({"--reuse-port", "--listen", listen});
  REQUIRE(b.port() == a.port());

  std::vector<std::unique_ptr<HttpConnection>> conns;
  for (int i = 0; i < 64; ++i) {
    conns.push_back(std::make_unique<HttpConnection>(a.port()));
    REQUIRE(conns.back()->request("GET", "/healthz").status == 200);
  }
  // b stops gracefully, closing its idle connections: those were b's, the rest are a's.
  b.signal(SIGTERM);
  auto const code = b.wait(15s);
  REQUIRE(code);
  CHECK(*code == 0);
  int closed = 0;
  for (auto& c : conns) {
    if (c->closed_within(100ms)) {
      ++closed;
    } else {
      CHECK(c->request("GET", "/healthz").status == 200);  // a's connections still serve
    }
  }
  CHECK(closed > 0);  // each process got some of the 64 (all on one: 2 in 2^64)
  CHECK(closed < 64);
  for (int i = 0; i < 8; ++i) CHECK(fetch(a.port(), "GET", "/healthz").status == 200);  // all to a now
}

TEST_CASE("e2e: a full worker queue answers 503 with Retry-After", "[e2e][lifecycle]") {
  ServerProcess server({"--workers", "1", "--queue", "1", "--threads", "1"});
  std::string const login = raw_request(
      "POST", "/v1/auth/login", std::string(R"({"email": ")") + kAdminEmail + R"(", "password": ")" + kAdminPassword + R"("})");

  std::vector<std::unique_ptr<HttpConnection>> clients;
  for (int i = 0; i < 32; ++i) clients.push_back(std::make_unique<HttpConnection>(server.port()));
  for (auto& c : clients) c->send(login);

  int ok = 0;
  int overloaded = 0;
  for (auto& c : clients) {
    auto r = c->read();
    if (r.status == 200) ++ok;
    if (r.status == 503) {
      ++overloaded;
      CHECK(r.header("retry-after") == "1");
      CHECK(r.header("content-type").rfind("application/problem+json", 0) == 0);
    }
  }
  CHECK(ok >= 1);
  CHECK(overloaded >= 1);
  CHECK(ok + overloaded == 32);
  auto metrics = fetch(server.port(), "GET", "/metrics");
  CHECK_THAT(metrics.body, Catch::Contains("courtyard_rejected_overload_total " + std::to_string(overloaded)));
}

TEST_CASE("e2e: bad configuration exits 2 with a message", "[e2e][lifecycle]") {
  CHECK_THROWS_WITH(ServerProcess({"--threads", "0"}),
                    Catch::Contains("exit code 2") && Catch::Contains("--threads"));
  CHECK_THROWS_WITH(ServerProcess({"--no-such-flag"}),
                    Catch::Contains("exit code 2") && Catch::Contains("no-such-flag"));
}
