// courtyard_ws_bench: N residents each hold a WebSocket on /v1/ws; a manager publishes an
// announcement to all of them; every socket records when its notification arrives.
// Reports delivery time percentiles (from just before the announcement POST to arrival)
// and the server's VmRSS. Loopback only; every wait is bounded.
//
//   courtyard_ws_bench --port P --admin-email E --admin-password W [--residents 5000]
//                      [--rounds 3] [--server-pid PID] [--timeout 60]
//
// The whole file is compiled only with COURTYARD_WS_BENCH defined (tests/bench/ws_run.sh
// builds it), so the bench/*.cpp glob that builds courtyard_loadgen gets an empty unit.
#ifdef COURTYARD_WS_BENCH

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace bj = boost::json;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  unsigned short port = 0;
  std::string admin_email, admin_password;
  int residents = 5000;
  int rounds = 3;
  int server_pid = 0;
  int timeout_s = 60;
  int setup_threads = 8;
  int connects_in_flight = 200;
};

// ---- blocking HTTP for the setup (one keep-alive connection per thread)
class Http {
 public:
  explicit Http(unsigned short port) : port_(port) { connect(); }
  std::pair<int, bj::value> call(http::verb method, std::string const& target, bj::value const* body,
                                 std::string const& token) {
    for (int attempt = 0;; ++attempt) {
      try {
        http::request<http::string_body> req{method, target, 11};
        req.set(http::field::host, "127.0.0.1");
        req.keep_alive(true);
        if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
        if (body) {
          req.set(http::field::content_type, "application/json");
          req.body() = bj::serialize(*body);
        }
        req.prepare_payload();
        stream_->expires_after(std::chrono::seconds(30));
        http::write(*stream_, req);
        beast::flat_buffer buf;
        http::response<http::string_body> res;
        http::read(*stream_, buf, res);
        bj::value v;
        boost::system::error_code ec;
        if (!res.body().empty()) v = bj::parse(res.body(), ec);
        if (!res.keep_alive()) reconnect();
        return {res.result_int(), v};
      } catch (std::exception const&) {
        if (attempt >= 2) throw;
        reconnect();
      }
    }
  }
  bj::value expect(int status, http::verb m, std::string const& target, bj::value const* body, std::string const& token) {
    auto [s, v] = call(m, target, body, token);
    if (s != status)
      throw std::runtime_error(std::string(http::to_string(m)) + " " + target + ": expected " + std::to_string(status) +
                               ", got " + std::to_string(s) + " " + bj::serialize(v));
    return v;
  }

 private:
  void connect() {
    stream_.emplace(ioc_);
    stream_->connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
  }
  void reconnect() {
    beast::error_code ec;
    stream_->socket().close(ec);
    connect();
  }
  asio::io_context ioc_;
  std::optional<beast::tcp_stream> stream_;
  unsigned short port_;
};

std::string login(Http& h, std::string const& email, std::string const& password) {
  bj::value body = bj::object{{"email", email}, {"password", password}};
  auto v = h.expect(200, http::verb::post, "/v1/auth/login", &body, "");
  return std::string(v.at("token").as_string());
}

// ---- one WebSocket client
struct Shared {
  std::atomic<int> open{0}, failed{0};
  std::atomic<int> round{-1};
  std::atomic<int> received{0};   // in the current round
  std::atomic<long> stray{0};     // messages that were not the current round's
};

class Client : public std::enable_shared_from_this<Client> {
 public:
  Client(asio::io_context& ioc, Shared& shared, std::string target, int rounds)
      : ws_(asio::make_strand(ioc)), shared_(shared), target_(std::move(target)), arrivals_(rounds) {}

  template <class Done>
  void start(tcp::endpoint ep, Done done) {
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(30));
    beast::get_lowest_layer(ws_).async_connect(ep, [self = shared_from_this(), done](beast::error_code ec) {
      if (ec) return self->fail(done);
      self->ws_.async_handshake("127.0.0.1", self->target_, [self, done](beast::error_code ec2) {
        if (ec2) return self->fail(done);
        beast::get_lowest_layer(self->ws_).expires_never();
        self->shared_.open++;
        done();
        self->read();
      });
    });
  }
  Clock::time_point arrival(int round) const { return arrivals_[round]; }
  bool got(int round) const { return arrivals_[round] != Clock::time_point{}; }
  void close() {
    asio::post(ws_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      beast::get_lowest_layer(self->ws_).socket().close(ec);
    });
  }

 private:
  template <class Done>
  void fail(Done done) {
    shared_.failed++;
    done();
  }
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      auto now = Clock::now();
      int r = self->shared_.round.load();
      boost::system::error_code pec;
      auto v = bj::parse(beast::buffers_to_string(self->buf_.data()), pec);
      self->buf_.consume(self->buf_.size());
      std::string want = "bench round " + std::to_string(r);
      if (!pec && r >= 0 && v.is_object() && v.as_object().if_contains("notification") &&
          v.at("notification").at("title").as_string().find(want) != bj::string::npos && !self->got(r)) {
        self->arrivals_[r] = now;
        self->shared_.received++;
      } else {
        self->shared_.stray++;
      }
      self->read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  Shared& shared_;
  std::string target_;
  std::vector<Clock::time_point> arrivals_;
};

long rss_kb(int pid) {
  if (pid <= 0) return 0;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return 0;
}

double pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  auto i = static_cast<std::size_t>(p / 100.0 * (v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--port") o.port = static_cast<unsigned short>(std::stoi(v));
    else if (k == "--admin-email") o.admin_email = v;
    else if (k == "--admin-password") o.admin_password = v;
    else if (k == "--residents") o.residents = std::stoi(v);
    else if (k == "--rounds") o.rounds = std::stoi(v);
    else if (k == "--server-pid") o.server_pid = std::stoi(v);
    else if (k == "--timeout") o.timeout_s = std::stoi(v);
    else if (k == "--setup-threads") o.setup_threads = std::stoi(v);
    else throw std::invalid_argument("unknown option " + k);
  }
  if (!o.port || o.admin_email.empty() || o.admin_password.empty())
    throw std::invalid_argument("--port, --admin-email and --admin-password are required");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  try {
    o = parse(argc, argv);
  } catch (std::exception const& e) {
    std::cerr << "courtyard_ws_bench: " << e.what() << "\n";
    return 2;
  }
  auto const started = Clock::now();
  auto deadline = started + std::chrono::seconds(o.timeout_s * 10);
  auto secs = [](Clock::duration d) { return std::chrono::duration<double>(d).count(); };

  // ---- setup: a community with one unit and N residents (register, login, apply, approve)
  std::string run = std::to_string(std::random_device{}() % 1000000);
  Http admin_http(o.port);
  std::string admin = login(admin_http, o.admin_email, o.admin_password);
  bj::value body = bj::object{{"name", "Bench " + run}, {"address", "1 Loopback Road"}, {"timezone", "UTC"}};
  auto cid = admin_http.expect(201, http::verb::post, "/v1/communities", &body, admin).at("id").as_int64();
  std::string base = "/v1/communities/" + std::to_string(cid);
  body = bj::object{{"name", "A"}};
  auto bid = admin_http.expect(201, http::verb::post, base + "/buildings", &body, admin).at("id").as_int64();
  body = bj::object{{"number", "1"}};
  auto unit = admin_http.expect(201, http::verb::post, base + "/buildings/" + std::to_string(bid) + "/units", &body, admin)
                  .at("id").as_int64();

  std::vector<std::string> tokens(o.residents);
  std::atomic<int> next{0};
  std::atomic<bool> setup_failed{false};
  std::vector<std::thread> setup;
  for (int t = 0; t < o.setup_threads; ++t)
    setup.emplace_back([&] {
      try {
        Http h(o.port);
        for (int i; (i = next++) < o.residents && !setup_failed;) {
          std::string email = "bench-" + run + "-" + std::to_string(i) + "@example.test";
          bj::value reg = bj::object{{"email", email}, {"password", "bench-password-1"}, {"display_name", "R" + std::to_string(i)}};
          h.expect(201, http::verb::post, "/v1/auth/register", &reg, "");
          tokens[i] = login(h, email, "bench-password-1");
          bj::value apply = bj::object{{"unit_id", unit}};
          auto app = h.expect(201, http::verb::post, base + "/residency-applications", &apply, tokens[i]).at("id").as_int64();
          h.expect(200, http::verb::post, base + "/residency-applications/" + std::to_string(app) + "/approve", nullptr, admin);
        }
      } catch (std::exception const& e) {
        std::cerr << "setup: " << e.what() << "\n";
        setup_failed = true;
      }
    });
  for (auto& t : setup) t.join();
  if (setup_failed) return 1;
  auto setup_done = Clock::now();
  long rss_idle = rss_kb(o.server_pid);

  // ---- connect N sockets, at most connects_in_flight at a time
  asio::io_context ioc;
  auto guard = asio::make_work_guard(ioc);
  std::vector<std::thread> io;
  for (int i = 0; i < 2; ++i) io.emplace_back([&] { ioc.run(); });
  Shared shared;
  std::vector<std::shared_ptr<Client>> clients;
  for (int i = 0; i < o.residents; ++i)
    clients.push_back(std::make_shared<Client>(ioc, shared, "/v1/ws?token=" + tokens[i], o.rounds));
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), o.port);
  std::atomic<int> launched{0};
  std::function<void()> launch_next = [&] {
    int i = launched++;
    if (i < o.residents) clients[i]->start(ep, [&] { launch_next(); });
  };
  for (int i = 0; i < o.connects_in_flight; ++i) asio::post(ioc, [&] { launch_next(); });
  while (shared.open + shared.failed < o.residents && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto connected = Clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  long rss_sockets = rss_kb(o.server_pid);

  // ---- broadcast rounds
  std::printf("setup: %d residents in %.1f s; %d sockets open (%d failed) in %.1f s\n", o.residents,
              secs(setup_done - started), shared.open.load(), shared.failed.load(), secs(connected - setup_done));
  std::printf("%-6s %9s %9s %9s %9s %9s %9s\n", "round", "received", "post_ms", "p50_ms", "p99_ms", "max_ms", "total_s");
  std::vector<double> all;
  int lost = 0;
  for (int r = 0; r < o.rounds; ++r) {
    shared.received = 0;
    shared.round = r;
    bj::value ann = bj::object{{"title", "bench round " + std::to_string(r)}, {"body", "Loopback broadcast"}};
    auto t0 = Clock::now();
    admin_http.expect(201, http::verb::post, base + "/announcements", &ann, admin);
    auto posted = Clock::now();
    auto round_deadline = t0 + std::chrono::seconds(o.timeout_s);
    while (shared.received < shared.open && Clock::now() < round_deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::vector<double> lat;
    Clock::time_point last{};
    for (auto const& c : clients)
      if (c->got(r)) {
        lat.push_back(std::chrono::duration<double, std::milli>(c->arrival(r) - t0).count());
        last = std::max(last, c->arrival(r));
      }
    lost += shared.open - static_cast<int>(lat.size());
    all.insert(all.end(), lat.begin(), lat.end());
    std::printf("%-6d %9zu %9.1f %9.1f %9.1f %9.1f %9.2f\n", r, lat.size(),
                std::chrono::duration<double, std::milli>(posted - t0).count(), pct(lat, 50), pct(lat, 99),
                pct(lat, 100), lat.empty() ? 0.0 : secs(last - t0));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  long rss_after = rss_kb(o.server_pid);
  std::printf("all rounds: %zu deliveries, %d missing, p50 %.1f ms, p99 %.1f ms, max %.1f ms; stray messages %ld\n",
              all.size(), lost, pct(all, 50), pct(all, 99), pct(all, 100), shared.stray.load());
  if (o.server_pid > 0)
    std::printf("server VmRSS: %.1f MB after setup, %.1f MB with %d sockets (%.1f KB per socket), %.1f MB after the rounds\n",
                rss_idle / 1024.0, rss_sockets / 1024.0, shared.open.load(),
                shared.open ? double(rss_sockets - rss_idle) / shared.open.load() : 0.0, rss_after / 1024.0);

  for (auto& c : clients) c->close();
  guard.reset();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ioc.stop();
  for (auto& t : io) t.join();
  return shared.failed == 0 && lost == 0 ? 0 : 1;
}

#endif  // COURTYARD_WS_BENCH
