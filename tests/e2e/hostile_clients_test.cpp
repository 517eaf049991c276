// End-to-end, issue 10 "slow and hostile clients": against the real binary on loopback, with a
// 2 s read timeout. Slowloris connections, an endless chunk-size line and request-smuggling
// shapes must each end in a closed connection, the server's memory must stay bounded, and a
// healthy client served alongside must not notice. The whole file runs in well under 60 s.
#include "tests/e2e/http_client.hpp"
#include "tests/e2e/server_process.hpp"

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>

using namespace courtyard::e2e;

namespace {

ServerProcess& server() {
  static ServerProcess s({"--read-timeout", "2", "--threads", "2", "--workers", "4", "--rate-limit-rps", "100000",
                          "--rate-limit-burst", "100000", "--access-log", "false"});
  return s;
}

unsigned short port() { return server().port(); }

// Resident memory of the server process, in KiB.
long rss_kib() {
  std::ifstream in("/proc/" + std::to_string(server().pid()) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

// A plain blocking loopback socket, so the attack controls every byte and every pause.
class RawSocket {
 public:
  RawSocket() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port());
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
      throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
  }
  ~RawSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawSocket(RawSocket const&) = delete;
  RawSocket& operator=(RawSocket const&) = delete;

  // Sends what the kernel takes without blocking; false once the server has closed.
  bool send_some(std::string_view bytes, std::size_t* sent = nullptr) {
    auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
    if (sent) *sent += static_cast<std::size_t>(n);
    return true;
  }
  // Collects what the server sent; true once it has closed (EOF or reset).
  bool poll_closed(std::chrono::milliseconds wait = 0ms) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return false;
    char buf[4096];
    for (;;) {
      auto n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        received_.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0) return true;
      return errno != EAGAIN && errno != EWOULDBLOCK;
    }
  }
  bool closed_within(std::chrono::milliseconds timeout) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end)
      if (poll_closed(50ms)) return true;
    return false;
  }
  std::string const& received() const { return received_; }

 private:
  int fd_ = -1;
  std::string received_;
};

std::size_t count_of(std::string const& haystack, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

// A well-behaved client in the background: one request at a time, fresh and kept-alive
// connections alternately, recording failures and the slowest answer.
class HealthyClient {
 public:
  HealthyClient() : thread_([this] { loop(); }) {}
  ~HealthyClient() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int ok() const { return ok_; }
  int failed() const { return failed_; }
  std::chrono::milliseconds slowest() const { return std::chrono::milliseconds(slowest_ms_.load()); }

 private:
  void loop() {
    std::optional<HttpConnection> kept;
    for (int i = 0; !stop_; ++i) {
      auto const started = std::chrono::steady_clock::now();
      try {
        HttpResponse r;
        if (i % 2 == 0) {
          r = fetch(port(), "GET", "/healthz");
        } else {
          if (!kept) kept.emplace(port());
          r = kept->request("GET", "/v1/openapi.json");
        }
        (r.status == 200 ? ok_ : failed_)++;
      } catch (std::exception const&) {
        ++failed_;
        kept.reset();
      }
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
      slowest_ms_ = std::max<long>(slowest_ms_, ms);
      std::this_thread::sleep_for(50ms);
    }
  }

  std::atomic<bool> stop_{false};
  std::atomic<int> ok_{0}, failed_{0};
  std::atomic<long> slowest_ms_{0};
  std::thread thread_;
};

}  // namespace

TEST_CASE("e2e hostile: slowloris connections are all cut off at the read timeout; others are served",
          "[e2e][hostile]") {
  REQUIRE(fetch(port(), "GET", "/healthz").status == 200);
  long const rss_before = rss_kib();
  HealthyClient healthy;

  constexpr int kSlow = 300;
  std::vector<std::unique_ptr<RawSocket>> slow;
  for (int i = 0; i < kSlow; ++i) slow.push_back(std::make_unique<RawSocket>());
  std::string const head = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + std::string(500, 's');
  std::vector<bool> closed(kSlow, false);
  auto const started = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration last_close{};
  // One header byte per connection per second, for up to 8 s (the read timeout is 2 s).
  for (std::size_t byte = 0; byte < head.size() && std::chrono::steady_clock::now() - started < 8s; ++byte) {
    for (int i = 0; i < kSlow; ++i) {
      if (closed[i]) continue;
      if (slow[i]->poll_closed() || !slow[i]->send_some(std::string_view(&head[byte], 1))) {
        closed[i] = true;
        last_close = std::chrono::steady_clock::now() - started;
      }
    }
    if (std::all_of(closed.begin(), closed.end(), [](bool c) { return c; })) break;
    std::this_thread::sleep_for(1s);
  }
  auto const n_closed = std::count(closed.begin(), closed.end(), true);
  INFO("slow connections closed: " << n_closed << " of " << kSlow << ", the last after "
                                   << std::chrono::duration_cast<std::chrono::milliseconds>(last_close).count() << " ms");
  CHECK(n_closed == kSlow);
  CHECK(last_close < 5s);
  healthy.stop();
  INFO("healthy: " << healthy.ok() << " ok, " << healthy.failed() << " failed, slowest " << healthy.slowest().count() << " ms");
  CHECK(healthy.ok() > 10);
  CHECK(healthy.failed() == 0);
  CHECK(healthy.slowest() < 1000ms);
  INFO("rss before " << rss_before << " KiB, after " << rss_kib() << " KiB");
  CHECK(rss_kib() - rss_before < 64 * 1024);
}

TEST_CASE("e2e hostile: an endless chunk-size line is refused and its memory stays bounded", "[e2e][hostile]") {
  REQUIRE(fetch(port(), "GET", "/healthz").status == 200);
  long const rss_before = rss_kib();
  HealthyClient healthy;

  // Three shapes of a chunk-size line that never ends: a chunk extension, a size padded with
  // zeros (a number that never overflows), and plain whitespace.
  for (std::string filler : {"a", "0", " "}) {
    RawSocket s;
    std::string head =
        "POST /v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n";
    head += filler == "a" ? "1;ext=" : (filler == "0" ? "" : "1");
    REQUIRE(s.send_some(head));
    std::string const block(64 * 1024, filler[0]);
    std::size_t sent = 0;
    bool closed = false;
    auto const started = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - started < 6s) {
      if (s.poll_closed() || !s.send_some(block, &sent)) {
        closed = true;
        break;
      }
      std::this_thread::sleep_for(1ms);
    }
    closed = closed || s.closed_within(3s);
    auto elapsed = std::chrono::steady_clock::now() - started;
    INFO("filler '" << filler << "': " << sent << " bytes taken in "
                    << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms; answer: "
                    << s.received().substr(0, 200));
    CHECK(closed);
    CHECK(elapsed < 4s);
    // Refused early: the server stops reading long before the read timeout would cut it off.
    CHECK(sent < 4u * 1024 * 1024);
    CHECK(s.received().rfind("HTTP/1.1 400", 0) == 0);
    INFO("rss before " << rss_before << " KiB, now " << rss_kib() << " KiB");
    CHECK(rss_kib() - rss_before < 64 * 1024);
  }
  healthy.stop();
  INFO("healthy: " << healthy.ok() << " ok, " << healthy.failed() << " failed, slowest " << healthy.slowest().count() << " ms");
  CHECK(healthy.failed() == 0);
  CHECK(healthy.slowest() < 1000ms);
}

TEST_CASE("e2e hostile: request smuggling shapes are answered 400 and the connection closed", "[e2e][hostile]") {
  std::string const smuggled = "GET /healthz?smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  struct Shape {
    char const* name;
    std::string head;
    std::string body;
  };
  std::vector<Shape> const shapes{
      {"Content-Length then Transfer-Encoding",
       "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"},
      {"Transfer-Encoding then Content-Length",
       "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "0\r\n\r\n"},
      {"two different Content-Lengths", "Content-Length: 2\r\nContent-Length: 7\r\n", "{}"},
      {"two equal Content-Lengths", "Content-Length: 2\r\nContent-Length: 2\r\n", "{}"},
      {"a Content-Length list", "Content-Length: 2, 2\r\n", "{}"},
      {"Transfer-Encoding not ending in chunked", "Transfer-Encoding: chunked, identity\r\nContent-Length: 2\r\n", "{}"},
      {"two Transfer-Encoding fields", "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"},
  };
  for (auto const& shape : shapes) {
    RawSocket s;
    REQUIRE(s.send_some("POST /v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
                        shape.head + "\r\n" + shape.body + smuggled));
    bool const closed = s.closed_within(4s);
    INFO(shape.name << ": " << s.received());
    CHECK(closed);
    CHECK(s.received().rfind("HTTP/1.1 400", 0) == 0);
    CHECK(s.received().find("application/problem+json") != std::string::npos);
    CHECK(count_of(s.received(), "HTTP/1.1 ") == 1);  // the smuggled request was never answered
  }
  CHECK(fetch(port(), "GET", "/healthz").status == 200);
}
