// courtyard_loadgen: opens N keep-alive connections to HOST:PORT, sends one request on each,
// reads the response, then holds them all idle so the caller can measure the server's memory.
//
//   courtyard_loadgen HOST PORT CONNECTIONS HOLD_SECONDS [TARGET [FIRST_SOURCE]]
//
// Prints "ready <open> <failed>" once every connection has its response, then holds for
// HOLD_SECONDS (or until SIGTERM/SIGINT), closes them and prints "closed". Exit status 1
// when any connection failed.
// One source address has about 28k ephemeral ports towards one server port, so beyond
// kPerSource connections the load spreads over the loopback sources 127.0.0.1, 127.0.0.2, ...
// (bound with IP_BIND_ADDRESS_NO_PORT, so the port is still chosen at connect time).
// FIRST_SOURCE (a loopback address) binds every connection, from that address on: several
// load generators, each below its descriptor limit, then use sources of their own.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <netinet/in.h>
#include <sys/resource.h>

#include <csignal>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// Connects in waves so the listen backlog is never overrun.
constexpr int kConnectsInFlight = 256;
// Connections per loopback source address (below the default ephemeral range of ~28k).
constexpr int kPerSource = 20000;

struct Conn {
  explicit Conn(asio::io_context& ioc) : socket(ioc) {}
  tcp::socket socket;
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
};

class IdleLoad {
 public:
  IdleLoad(asio::io_context& ioc, tcp::endpoint endpoint, int total, std::string request,
           std::optional<asio::ip::address_v4> first_source)
      : ioc_(ioc), endpoint_(endpoint), total_(total), request_(std::move(request)), first_source_(first_source) {}

  void start() {
    for (int i = 0; i < kConnectsInFlight && started_ < total_; ++i) open_next();
  }
  int open() const { return open_; }
  int failed() const { return failed_; }
  // Why connections failed, and how many of each (printed to stderr with "ready").
  std::map<std::string, int> const& why_failed() const { return why_failed_; }
  bool done() const { return open_ + failed_ == total_; }
  // Runs once every connection has either its response or an error.
  void watch(std::function<void()> on_ready) { on_ready_ = std::move(on_ready); }
  void close_all() {
    for (auto& c : conns_) {
      beast::error_code ec;
      c->socket.close(ec);
    }
  }

 private:
  void open_next() {
    ++started_;
    auto c = std::make_shared<Conn>(ioc_);
    conns_.push_back(c);
    if (first_source_ || (total_ > kPerSource && endpoint_.address().is_loopback())) {
      beast::error_code ec;
      c->socket.open(tcp::v4(), ec);
      c->socket.set_option(asio::detail::socket_option::boolean<IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT>(true), ec);
      auto const first = first_source_ ? first_source_->to_uint() : 0x7f000001u;
      auto source = asio::ip::address_v4(first + static_cast<unsigned>((started_ - 1) / kPerSource));
      if (!ec) c->socket.bind(tcp::endpoint(source, 0), ec);
      if (ec) {
        if (failed_ == 0) std::cerr << "bind " << source << ": " << ec.message() << std::endl;
        return asio::post(ioc_, [this] { fail("bind"); });  // not recursively: many may fail
      }
    }
    c->socket.async_connect(endpoint_, [this, c](beast::error_code ec) {
      if (ec) return fail("connect: " + ec.message());
      asio::async_write(c->socket, asio::buffer(request_), [this, c](beast::error_code ec, std::size_t) {
        if (ec) return fail("write: " + ec.message());
        http::async_read(c->socket, c->buffer, c->response, [this, c](beast::error_code ec, std::size_t) {
          if (ec) return fail("read: " + ec.message());
          if (c->response.result_int() != 200) return fail("status " + std::to_string(c->response.result_int()));
          c->buffer.clear();
          c->buffer.shrink_to_fit();
          c->response = {};
          ++open_;
          next();
        });
      });
    });
  }
  void fail(std::string why) {
    ++failed_;
    ++why_failed_[std::move(why)];
    next();
  }
  void next() {
    if (started_ < total_) open_next();
    if (done() && on_ready_) std::exchange(on_ready_, nullptr)();
  }

  asio::io_context& ioc_;
  tcp::endpoint endpoint_;
  int total_;
  std::string request_;
  std::optional<asio::ip::address_v4> first_source_;
  int started_ = 0;
  int open_ = 0;
  int failed_ = 0;
  std::map<std::string, int> why_failed_;
  std::vector<std::shared_ptr<Conn>> conns_;
  std::function<void()> on_ready_;
};

void raise_fd_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::cerr << "usage: courtyard_loadgen HOST PORT CONNECTIONS HOLD_SECONDS [TARGET [FIRST_SOURCE]]\n";
    return 2;
  }
  raise_fd_limit();
  std::string const host = argv[1];
  auto const port = static_cast<unsigned short>(std::stoi(argv[2]));
  int const total = std::stoi(argv[3]);
  int const hold_seconds = std::stoi(argv[4]);
  std::string const target = argc > 5 ? argv[5] : "/healthz";
  std::optional<asio::ip::address_v4> first_source;
  if (argc > 6) first_source = asio::ip::make_address_v4(argv[6]);

  asio::io_context ioc(1);
  tcp::endpoint const endpoint(asio::ip::make_address(host), port);
  std::string const request = "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
  IdleLoad load(ioc, endpoint, total, request, first_source);

  asio::steady_timer hold(ioc);
  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  auto finish = [&] {
    hold.cancel();
    signals.cancel();
    load.close_all();
  };
  signals.async_wait([&](beast::error_code ec, int) {
    if (!ec) finish();
  });
  load.watch([&] {
    std::cout << "ready " << load.open() << " " << load.failed() << std::endl;
    for (auto const& [why, n] : load.why_failed()) std::cerr << "failed " << n << ": " << why << std::endl;
    hold.expires_after(std::chrono::seconds(hold_seconds));
    hold.async_wait([&](beast::error_code ec) {
      if (!ec) finish();
    });
  });
  load.start();
  ioc.run();
  std::cout << "closed" << std::endl;
  return load.failed() == 0 ? 0 : 1;
}
