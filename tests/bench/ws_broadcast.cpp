// courtyard_ws_bench: N residents each hold a WebSocket on /v1/ws; a manager publishes an
// announcement to all of them; every socket records when its notification arrives.
// Reports delivery time percentiles (from just before the announcement POST to arrival)
// and the servers' memory (VmRSS and Pss, summed over --server-pids). The sockets are held by
// child processes, as many as the descriptor limit asks for (see "holders" below). Loopback
// only; every wait is bounded.
//
//   courtyard_ws_bench --port P --admin-email E --admin-password W [--residents 5000]
//                      [--rounds 3] [--server-pids PID,PID...] [--timeout 60] [--holders N]
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

#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
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
  std::vector<int> server_pids;
  int holders = 0;  // 0: as many as the descriptor limit asks for
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
// Each socket keeps the arrival time of each round's announcement, found by its title
// ("bench round R"); anything else, or a round's second copy, is a stray message.
struct Shared {
  explicit Shared(int rounds) : received(new std::atomic<int>[rounds]) {
    for (int r = 0; r < rounds; ++r) received[r] = 0;
  }
  std::atomic<int> open{0}, failed{0};
  std::unique_ptr<std::atomic<int>[]> received;  // per round
  std::atomic<long> stray{0};
};

int round_of(std::string_view title, int rounds) {
  constexpr std::string_view kPrefix = "bench round ";
  auto at = title.find(kPrefix);
  if (at == std::string_view::npos) return -1;
  int r = 0, digits = 0;
  for (auto i = at + kPrefix.size(); i < title.size() && title[i] >= '0' && title[i] <= '9' && digits < 6; ++i, ++digits)
    r = r * 10 + (title[i] - '0');
  return digits > 0 && r < rounds ? r : -1;
}

class Client : public std::enable_shared_from_this<Client> {
 public:
  Client(asio::io_context& ioc, Shared& shared, std::string target, int rounds)
      : ws_(asio::make_strand(ioc)), shared_(shared), target_(std::move(target)), arrivals_(rounds) {}

  template <class Done>
  void start(asio::ip::address source, tcp::endpoint ep, Done done) {
    auto& socket = beast::get_lowest_layer(ws_).socket();
    beast::error_code ec;
    socket.open(tcp::v4(), ec);
    if (!ec) socket.bind(tcp::endpoint(source, 0), ec);
    if (ec) return fail(done);
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
      boost::system::error_code pec;
      auto v = bj::parse(beast::buffers_to_string(self->buf_.data()), pec);
      self->buf_.consume(self->buf_.size());
      int r = -1;
      if (!pec && v.is_object())
        if (auto const* n = v.as_object().if_contains("notification"); n && n->is_object())
          if (auto const* t = n->as_object().if_contains("title"); t && t->is_string())
            r = round_of(t->as_string(), static_cast<int>(self->arrivals_.size()));
      if (r >= 0 && !self->got(r)) {
        self->arrivals_[r] = now;
        self->shared_.received[r]++;
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

long proc_kb(int pid, char const* file, char const* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/" + file);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field, 0) == 0) return std::strtol(line.c_str() + std::strlen(field), nullptr, 10);
  return 0;
}
// The servers' memory, summed over their processes. VmRSS counts a page they share once per
// process: the binary's code, the libraries, and on SQLite the database file, which each
// process maps (mmap_size) and whose pages the sockets' sign-ins read. Pss counts such a page
// once in all. RssAnon is the processes' own memory (heap, stacks), where a socket's cost is.
struct Memory {
  long rss_kb = 0, pss_kb = 0, anon_kb = 0;
};
Memory memory(std::vector<int> const& pids) {
  Memory m;
  for (int pid : pids) {
    m.rss_kb += proc_kb(pid, "status", "VmRSS:");
    m.anon_kb += proc_kb(pid, "status", "RssAnon:");
    m.pss_kb += proc_kb(pid, "smaps_rollup", "Pss:");
  }
  return m;
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
    else if (k == "--server-pids") {
      std::istringstream list(v);
      for (std::string pid; std::getline(list, pid, ',');) o.server_pids.push_back(std::stoi(pid));
    } else if (k == "--timeout") o.timeout_s = std::stoi(v);
    else if (k == "--setup-threads") o.setup_threads = std::stoi(v);
    else if (k == "--holders") o.holders = std::stoi(v);
    else throw std::invalid_argument("unknown option " + k);
  }
  if (!o.port || o.admin_email.empty() || o.admin_password.empty())
    throw std::invalid_argument("--port, --admin-email and --admin-password are required");
  if (o.rounds < 1 || o.rounds > 1000 || o.residents < 1)
    throw std::invalid_argument("--rounds takes 1 to 1000, --residents at least 1");
  return o;
}

// ---- holders: the processes that hold the sockets
// A process holds at most its descriptor limit of sockets (this sandbox's hard limit is 20,000,
// which not even root may raise), so the sockets are held by child processes forked after the
// set-up (whose threads have ended), each with its share and a loopback source address of its
// own (127.0.H.1: two never share ephemeral ports). Each talks to the parent over two pipes,
// one line a message:
//   holder -> parent  "open OK FAILED" once its sockets are connected; "got ROUND N" as a
//                     round's deliveries arrive (N so far); after "report": "arr ROUND NS" per
//                     delivery (the steady clock, CLOCK_MONOTONIC: one clock for every
//                     process), "stray N", "end".
//   parent -> holder  "report" after the last round.
bool write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    auto n = ::write(fd, s.data(), s.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;  // the other side is gone (SIGPIPE is ignored)
    s.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}
// A holder whose parent is gone has nobody to report to.
void tell_parent(int fd, std::string_view s) {
  if (!write_all(fd, s)) _exit(3);
}

int hold(Options const& o, std::vector<std::string> const& tokens, int index, int to_parent, int from_parent) {
  asio::io_context ioc;
  auto guard = asio::make_work_guard(ioc);
  std::vector<std::thread> io;
  for (int i = 0; i < 2; ++i) io.emplace_back([&] { ioc.run(); });
  Shared shared(o.rounds);
  std::vector<std::shared_ptr<Client>> clients;
  for (auto const& token : tokens)
    clients.push_back(std::make_shared<Client>(ioc, shared, "/v1/ws?token=" + token, o.rounds));
  auto source = asio::ip::address_v4(asio::ip::address_v4::bytes_type{127, 0, static_cast<unsigned char>(index + 1), 1});
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), o.port);
  int const n = static_cast<int>(clients.size());
  std::atomic<int> launched{0};
  std::function<void()> launch_next = [&] {
    int i = launched++;
    if (i < n) clients[i]->start(source, ep, [&] { launch_next(); });
  };
  for (int i = 0; i < o.connects_in_flight; ++i) asio::post(ioc, [&] { launch_next(); });
  auto deadline = Clock::now() + std::chrono::seconds(o.timeout_s * 5);
  while (shared.open + shared.failed < n && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  int const open = shared.open.load();
  tell_parent(to_parent, "open " + std::to_string(open) + " " + std::to_string(n - open) + "\n");

  std::vector<int> sent(o.rounds, 0);
  std::string in;
  for (bool report = false; !report;) {
    pollfd p{from_parent, POLLIN, 0};
    if (::poll(&p, 1, 5) > 0) {
      char buf[64];
      auto got = ::read(from_parent, buf, sizeof buf);
      if (got <= 0) _exit(3);  // the parent is gone
      in.append(buf, static_cast<std::size_t>(got));
      report = in.find("report\n") != std::string::npos;
    }
    std::string progress;
    for (int r = 0; r < o.rounds; ++r)
      if (int now = shared.received[r].load(); now != sent[r]) {
        sent[r] = now;
        progress += "got " + std::to_string(r) + " " + std::to_string(now) + "\n";
      }
    if (!progress.empty()) tell_parent(to_parent, progress);
  }
  std::string out;
  for (auto const& c : clients)
    for (int r = 0; r < o.rounds; ++r)
      if (c->got(r))
        out += "arr " + std::to_string(r) + " " +
               std::to_string(
                   std::chrono::duration_cast<std::chrono::nanoseconds>(c->arrival(r).time_since_epoch()).count()) +
               "\n";
  out += "stray " + std::to_string(shared.stray.load()) + "\nend\n";
  tell_parent(to_parent, out);
  for (auto& c : clients) c->close();
  guard.reset();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ioc.stop();
  for (auto& t : io) t.join();
  return 0;
}

struct Holder {
  pid_t pid = -1;
  int to = -1, from = -1;  // the parent's ends of the two pipes
  int share = 0;           // sockets it was given
  std::string buf;
  bool opened = false, ended = false;
  int open = 0, failed = 0;
  long stray = 0;
  std::vector<int> received;                             // per round, as last reported
  std::vector<std::vector<Clock::time_point>> arrivals;  // per round
};

void take_line(Holder& h, std::string const& text) {
  std::istringstream line(text);
  std::string what;
  line >> what;
  if (what == "open") {
    line >> h.open >> h.failed;
    h.opened = true;
  } else if (what == "got") {
    int r = -1, k = 0;
    line >> r >> k;
    if (r >= 0 && r < static_cast<int>(h.received.size())) h.received[r] = k;
  } else if (what == "arr") {
    int r = -1;
    long long ns = 0;
    line >> r >> ns;
    if (r >= 0 && r < static_cast<int>(h.arrivals.size()))
      h.arrivals[r].push_back(Clock::time_point(std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(ns))));
  } else if (what == "stray") {
    line >> h.stray;
  } else if (what == "end") {
    h.ended = true;
  }
}

// Reads what the holders have written, waiting up to wait_ms for the first bytes.
void pump(std::vector<Holder>& holders, int wait_ms) {
  std::vector<pollfd> fds;
  std::vector<Holder*> of;
  for (auto& h : holders)
    if (!h.ended) {
      fds.push_back({h.from, POLLIN, 0});
      of.push_back(&h);
    }
  if (fds.empty() || ::poll(fds.data(), fds.size(), wait_ms) <= 0) return;
  for (std::size_t i = 0; i < fds.size(); ++i) {
    if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    Holder& h = *of[i];
    char buf[65536];
    auto n = ::read(h.from, buf, sizeof buf);
    if (n <= 0) {
      h.ended = true;  // it died or closed early: what it reported stands
      continue;
    }
    h.buf.append(buf, static_cast<std::size_t>(n));
    std::size_t start = 0;
    for (std::size_t nl; (nl = h.buf.find('\n', start)) != std::string::npos; start = nl + 1)
      take_line(h, h.buf.substr(start, nl - start));
    h.buf.erase(0, start);
  }
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
  std::signal(SIGPIPE, SIG_IGN);  // a holder that died shows as a failed write, not a dead parent
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
  Memory mem_idle = memory(o.server_pids);

  // ---- the holders: as many as this process's descriptor limit asks for, or --holders
  rlimit lim{};
  ::getrlimit(RLIMIT_NOFILE, &lim);
  long per_holder = std::max<long>(1000, static_cast<long>(lim.rlim_cur) - 1000);
  int n_holders = o.holders > 0 ? o.holders : static_cast<int>((o.residents + per_holder - 1) / per_holder);
  n_holders = std::clamp(n_holders, 1, std::min(o.residents, 250));
  std::vector<Holder> holders(n_holders);
  std::fflush(stdout);
  for (int h = 0; h < n_holders; ++h) {
    int down[2], up[2];  // parent -> holder, holder -> parent
    if (::pipe(down) != 0 || ::pipe(up) != 0) {
      std::perror("courtyard_ws_bench: pipe");
      return 1;
    }
    int from = static_cast<int>(static_cast<long>(o.residents) * h / n_holders);
    int to = static_cast<int>(static_cast<long>(o.residents) * (h + 1) / n_holders);
    pid_t pid = ::fork();
    if (pid < 0) {
      std::perror("courtyard_ws_bench: fork");
      return 1;
    }
    if (pid == 0) {
      for (int e = 0; e < h; ++e) {
        ::close(holders[e].to);
        ::close(holders[e].from);
      }
      ::close(down[1]);
      ::close(up[0]);
      std::vector<std::string> share(tokens.begin() + from, tokens.begin() + to);
      _exit(hold(o, share, h, up[1], down[0]));
    }
    ::close(down[0]);
    ::close(up[1]);
    holders[h].pid = pid;
    holders[h].to = down[1];
    holders[h].from = up[0];
    holders[h].share = to - from;
    holders[h].received.assign(o.rounds, 0);
    holders[h].arrivals.resize(o.rounds);
  }
  auto every = [&](auto pred) { return std::all_of(holders.begin(), holders.end(), pred); };
  while (!every([](Holder const& h) { return h.opened || h.ended; }) && Clock::now() < deadline) pump(holders, 20);
  int open = 0, failed = 0;
  for (auto const& h : holders) {
    open += h.open;
    failed += h.opened ? h.failed : h.share;
  }
  auto connected = Clock::now();
  for (auto until = connected + std::chrono::seconds(1); Clock::now() < until;) pump(holders, 50);
  Memory mem_sockets = memory(o.server_pids);

  // ---- broadcast rounds
  std::printf("setup: %d residents in %.1f s; %d sockets open (%d failed) in %.1f s, held by %d client process%s\n",
              o.residents, secs(setup_done - started), open, failed, secs(connected - setup_done), n_holders,
              n_holders == 1 ? "" : "es");
  std::vector<Clock::time_point> t0(o.rounds);
  std::vector<double> post_ms(o.rounds);
  for (int r = 0; r < o.rounds; ++r) {
    bj::value ann = bj::object{{"title", "bench round " + std::to_string(r)}, {"body", "Loopback broadcast"}};
    t0[r] = Clock::now();
    admin_http.expect(201, http::verb::post, base + "/announcements", &ann, admin);
    post_ms[r] = std::chrono::duration<double, std::milli>(Clock::now() - t0[r]).count();
    auto received = [&] {
      int k = 0;
      for (auto const& h : holders) k += h.received[r];
      return k;
    };
    for (auto until = t0[r] + std::chrono::seconds(o.timeout_s); received() < open && Clock::now() < until;)
      pump(holders, 5);
    for (auto until = Clock::now() + std::chrono::milliseconds(500); Clock::now() < until;) pump(holders, 50);
  }
  Memory mem_after = memory(o.server_pids);
  for (auto const& h : holders) write_all(h.to, "report\n");
  for (auto until = Clock::now() + std::chrono::seconds(o.timeout_s);
       !every([](Holder const& h) { return h.ended; }) && Clock::now() < until;)
    pump(holders, 50);

  std::printf("%-6s %9s %9s %9s %9s %9s %9s\n", "round", "received", "post_ms", "p50_ms", "p99_ms", "max_ms", "total_s");
  std::vector<double> all;
  int lost = 0;
  long stray = 0;
  for (auto const& h : holders) stray += h.stray;
  for (int r = 0; r < o.rounds; ++r) {
    std::vector<double> lat;
    Clock::time_point last{};
    for (auto const& h : holders)
      for (auto t : h.arrivals[r]) {
        lat.push_back(std::chrono::duration<double, std::milli>(t - t0[r]).count());
        last = std::max(last, t);
      }
    lost += open - static_cast<int>(lat.size());
    all.insert(all.end(), lat.begin(), lat.end());
    std::printf("%-6d %9zu %9.1f %9.1f %9.1f %9.1f %9.2f\n", r, lat.size(), post_ms[r], pct(lat, 50), pct(lat, 99),
                pct(lat, 100), lat.empty() ? 0.0 : secs(last - t0[r]));
  }
  std::printf("all rounds: %zu deliveries, %d missing, p50 %.1f ms, p99 %.1f ms, max %.1f ms; stray messages %ld\n",
              all.size(), lost, pct(all, 50), pct(all, 99), pct(all, 100), stray);
  if (!o.server_pids.empty()) {
    auto per_socket = [&](long before, long with) { return open ? double(with - before) / open : 0.0; };
    std::size_t n = o.server_pids.size();
    std::string over = n == 1 ? "" : " summed over " + std::to_string(n) + " processes";
    std::printf("server VmRSS%s: %.1f MB after setup, %.1f MB with %d sockets (%.1f KB per socket), %.1f MB after the rounds\n",
                over.c_str(), mem_idle.rss_kb / 1024.0, mem_sockets.rss_kb / 1024.0, open,
                per_socket(mem_idle.rss_kb, mem_sockets.rss_kb), mem_after.rss_kb / 1024.0);
    std::printf("server Pss%s: %.1f MB after setup, %.1f MB with %d sockets (%.1f KB per socket), %.1f MB after the rounds\n",
                over.c_str(), mem_idle.pss_kb / 1024.0, mem_sockets.pss_kb / 1024.0, open,
                per_socket(mem_idle.pss_kb, mem_sockets.pss_kb), mem_after.pss_kb / 1024.0);
    std::printf("server RssAnon%s: %.1f MB after setup, %.1f MB with %d sockets (%.1f KB per socket), %.1f MB after the rounds\n",
                over.c_str(), mem_idle.anon_kb / 1024.0, mem_sockets.anon_kb / 1024.0, open,
                per_socket(mem_idle.anon_kb, mem_sockets.anon_kb), mem_after.anon_kb / 1024.0);
  }
  for (auto const& h : holders) {
    ::close(h.to);
    ::close(h.from);
    int st = 0;
    ::waitpid(h.pid, &st, 0);
  }
  return failed == 0 && lost == 0 ? 0 : 1;
}

#endif  // COURTYARD_WS_BENCH
