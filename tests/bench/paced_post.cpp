// courtyard_paced: an open-loop load client. Requests are sent at a fixed rate whatever the
// server's answers do, and each latency is measured from the moment its request was due, not
// from when a connection was free to send it: a slow answer delays the requests behind it and
// that delay is counted (wrk's closed loop would send fewer requests instead, and at 64
// connections its latency is 64 / throughput by Little's law, whatever the server does).
//
//   courtyard_paced --port P --path PATH --body JSON --tokens FILE --rate R --seconds S
//                   [--tag T] [--connections 64] [--max-connections 512]
//
// POSTs PATH with BODY, a bearer token taken in turn from FILE (one per line) and a fresh
// Idempotency-Key (T-n). Opens --connections keep-alive connections before it starts and
// more (up to --max-connections) when every one is busy; a request due while all are busy
// waits in a queue, its clock already running. Prints one line:
//   paced: rate R/s for S s: sent N, answered N (2xx N, other N, errors N) in T s, A/s;
//          latency p50 … p90 … p99 … p99.9 … max … ms
// Exit status 1 when a request failed at the socket level or was not answered in time.
//
// Compiled only with COURTYARD_PACED_BENCH defined (tests/bench/flash_sale.sh builds it), so
// the bench/*.cpp glob that builds courtyard_loadgen gets an empty unit.
#ifdef COURTYARD_PACED_BENCH

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  unsigned short port = 0;
  std::string path, body, tokens_file, tag = "paced";
  double rate = 0, seconds = 0;
  int connections = 64, max_connections = 512;
};

Options parse(int argc, char** argv) {
  std::map<std::string, std::string> kv;
  for (int i = 1; i + 1 < argc; i += 2) kv[argv[i]] = argv[i + 1];
  auto need = [&](char const* k) {
    auto it = kv.find(k);
    if (it == kv.end()) throw std::invalid_argument(std::string(k) + " is required");
    return it->second;
  };
  Options o;
  o.port = static_cast<unsigned short>(std::stoi(need("--port")));
  o.path = need("--path");
  o.body = need("--body");
  o.tokens_file = need("--tokens");
  o.rate = std::stod(need("--rate"));
  o.seconds = std::stod(need("--seconds"));
  if (kv.count("--tag")) o.tag = kv["--tag"];
  if (kv.count("--connections")) o.connections = std::stoi(kv["--connections"]);
  if (kv.count("--max-connections")) o.max_connections = std::stoi(kv["--max-connections"]);
  if (o.rate <= 0 || o.seconds <= 0 || o.connections < 1 || o.max_connections < o.connections)
    throw std::invalid_argument("--rate and --seconds must be positive, 1 <= --connections <= --max-connections");
  return o;
}

class Paced {
 public:
  Paced(asio::io_context& ioc, Options o, std::vector<std::string> tokens)
      : ioc_(ioc), o_(std::move(o)), tokens_(std::move(tokens)), timer_(ioc),
        endpoint_(asio::ip::make_address("127.0.0.1"), o_.port) {
    total_ = static_cast<std::uint64_t>(o_.rate * o_.seconds);
    latencies_.reserve(total_);
  }

  // Opens the first connections, then starts the clock.
  void run() {
    for (int i = 0; i < o_.connections; ++i) {
      auto c = std::make_shared<Conn>(ioc_);
      c->socket.connect(endpoint_);
      c->socket.set_option(tcp::no_delay(true));
      conns_.push_back(c);
      idle_.push_back(c.get());
    }
    start_ = Clock::now();
    tick();
  }

  int report() const {
    auto elapsed = std::chrono::duration<double>(last_answer_ - start_).count();
    std::vector<double> ms = latencies_;
    std::sort(ms.begin(), ms.end());
    auto pct = [&](double p) {
      if (ms.empty()) return 0.0;
      return ms[std::min(ms.size() - 1, static_cast<std::size_t>(p / 100.0 * static_cast<double>(ms.size())))];
    };
    std::printf(
        "paced: rate %.0f/s for %.0f s: sent %llu, answered %zu (2xx %llu, other %llu, errors %llu) in %.2f s, %.1f/s, "
        "%zu connections; latency p50 %.2f p90 %.2f p99 %.2f p99.9 %.2f max %.2f ms\n",
        o_.rate, o_.seconds, static_cast<unsigned long long>(sent_), ms.size(),
        static_cast<unsigned long long>(ok_), static_cast<unsigned long long>(other_),
        static_cast<unsigned long long>(errors_), elapsed, elapsed > 0 ? static_cast<double>(ms.size()) / elapsed : 0.0,
        conns_.size(), pct(50), pct(90), pct(99), pct(99.9), ms.empty() ? 0.0 : ms.back());
    return errors_ || ms.size() < total_ ? 1 : 0;
  }

 private:
  struct Conn {
    explicit Conn(asio::io_context& ioc) : socket(ioc) {}
    tcp::socket socket;
    std::string request;
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    Clock::time_point due;
  };

  Clock::time_point due_of(std::uint64_t n) const {
    return start_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(static_cast<double>(n) / o_.rate));
  }

  // Sends every request now due, then sleeps until the next one is.
  void tick() {
    auto now = Clock::now();
    while (scheduled_ < total_ && due_of(scheduled_) <= now) backlog_.push_back(due_of(scheduled_++));
    dispatch();
    if (scheduled_ < total_) {
      timer_.expires_at(due_of(scheduled_));
      timer_.async_wait([this](beast::error_code ec) {
        if (!ec) tick();
      });
    }
  }

  void dispatch() {
    while (!backlog_.empty()) {
      Conn* c = nullptr;
      if (!idle_.empty()) {
        c = idle_.back();
        idle_.pop_back();
      } else if (static_cast<int>(conns_.size()) < o_.max_connections) {
        auto fresh = std::make_shared<Conn>(ioc_);
        beast::error_code ec;
        fresh->socket.connect(endpoint_, ec);
        if (ec) {
          ++errors_;
          backlog_.pop_front();
          continue;
        }
        fresh->socket.set_option(tcp::no_delay(true));
        conns_.push_back(fresh);
        c = fresh.get();
      } else {
        return;  // every connection busy: the due requests wait, their clocks running
      }
      send(c, backlog_.front());
      backlog_.pop_front();
    }
  }

  void send(Conn* c, Clock::time_point due) {
    auto n = sent_++;
    c->due = due;
    auto const& token = tokens_[n % tokens_.size()];
    c->request = "POST " + o_.path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
                 "\r\nContent-Type: application/json\r\nIdempotency-Key: " + o_.tag + "-" + std::to_string(n) +
                 "\r\nContent-Length: " + std::to_string(o_.body.size()) + "\r\n\r\n" + o_.body;
    asio::async_write(c->socket, asio::buffer(c->request), [this, c](beast::error_code ec, std::size_t) {
      if (ec) return failed(c);
      c->response = {};
      http::async_read(c->socket, c->buffer, c->response, [this, c](beast::error_code ec, std::size_t) {
        if (ec) return failed(c);
        last_answer_ = Clock::now();
        latencies_.push_back(std::chrono::duration<double, std::milli>(last_answer_ - c->due).count());
        (c->response.result_int() / 100 == 2 ? ok_ : other_) += 1;
        idle_.push_back(c);
        dispatch();
      });
    });
  }

  void failed(Conn* c) {
    ++errors_;
    beast::error_code ignored;
    c->socket.close(ignored);  // not returned to idle_: the connection is lost
    dispatch();
  }

  asio::io_context& ioc_;
  Options o_;
  std::vector<std::string> tokens_;
  asio::steady_timer timer_;
  tcp::endpoint endpoint_;
  std::vector<std::shared_ptr<Conn>> conns_;
  std::vector<Conn*> idle_;
  std::deque<Clock::time_point> backlog_;
  Clock::time_point start_{}, last_answer_{};
  std::uint64_t total_ = 0, scheduled_ = 0, sent_ = 0, ok_ = 0, other_ = 0, errors_ = 0;
  std::vector<double> latencies_;
};

}  // namespace

int main(int argc, char** argv) {
  try {
    auto o = parse(argc, argv);
    std::vector<std::string> tokens;
    std::ifstream in(o.tokens_file);
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) tokens.push_back(line);
    if (tokens.empty()) throw std::invalid_argument("no tokens in " + o.tokens_file);
    asio::io_context ioc(1);
    Paced p(ioc, o, std::move(tokens));
    p.run();
    // Every request is answered, or 10 s after the last one was due the rest count as lost.
    ioc.run_for(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::duration<double>(o.seconds + 10)));
    return p.report();
  } catch (std::exception const& e) {
    std::cerr << "courtyard_paced: " << e.what() << "\n";
    return 2;
  }
}

#endif  // COURTYARD_PACED_BENCH
