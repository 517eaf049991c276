#include "gateway/net/server.hpp"

#include "gateway/listen_address.hpp"
#include "gateway/net/http_session.hpp"
#include "gateway/net/listener.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <stdexcept>
#include <thread>

namespace courtyard::gateway::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Server::Server(App& app)
    : app_(app),
      config_(app.config()),
      state_(app, pool_),
      ioc_(config_.threads),
      control_(asio::make_strand(ioc_)),
      signals_(control_, SIGINT, SIGTERM),
      drain_timer_(control_),
      listener_(std::make_shared<Listener>(ioc_, state_)),
      pool_(static_cast<std::size_t>(config_.workers), static_cast<std::size_t>(config_.queue),
            &app.metrics().queue_depth) {}

Server::~Server() { pool_.stop(); }

tcp::endpoint Server::listen() {
  auto const address = parse_listen_address(config_.listen);
  if (!address) throw std::runtime_error("cannot listen on '" + config_.listen + "': expected HOST:PORT");

  beast::error_code ec;
  tcp::resolver resolver(ioc_);
  auto const results = resolver.resolve(address->host, std::to_string(address->port),
                                        tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    throw std::runtime_error("cannot listen on '" + config_.listen + "': " + (ec ? ec.message() : "no address"));
  }
  try {
    return listener_->open(results.begin()->endpoint());
  } catch (boost::system::system_error const& e) {
    throw std::runtime_error("cannot listen on '" + config_.listen + "': " + e.code().message());
  }
}

void Server::run() {
  signals_.async_wait([this](beast::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("received {}, draining connections", signal == SIGTERM ? "SIGTERM" : "SIGINT");
    begin_stop();
  });
  listener_->run();

  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(config_.threads) - 1);
  for (int i = 1; i < config_.threads; ++i) threads.emplace_back([this] { run_io(); });
  run_io();
  for (auto& t : threads) t.join();

  // Requests still running after the drain deadline cannot be answered any more.
  pool_.stop();
  spdlog::info("server stopped");
}

void Server::stop() {
  asio::dispatch(control_, [this] { begin_stop(); });
}

void Server::run_io() {
  for (;;) {
    try {
      ioc_.run();
      return;
    } catch (std::exception const& e) {
      // Handlers report errors through error_code; reaching here is a bug, not a reason to die.
      spdlog::error("I/O thread caught: {}", e.what());
    }
  }
}

void Server::begin_stop() {
  if (stopping_) return;
  stopping_ = true;

  listener_->stop();
  beast::error_code ec;
  signals_.cancel(ec);
  for (auto& hook : stop_hooks_) hook();

  drain_timer_.expires_after(config_.drain_timeout);
  drain_timer_.async_wait([this](beast::error_code wait_ec) {
    if (wait_ec) return;
    spdlog::warn("drain timeout: closing {} open connections",
                 app_.metrics().open_connections.load(std::memory_order_relaxed));
    ioc_.stop();
  });

  state_.begin_stop([this] {
    asio::post(control_, [this] {
      drain_timer_.cancel();
      ioc_.stop();
    });
  });
  for (auto const& weak : state_.sessions()) {
    if (auto session = weak.lock()) session->shutdown();
  }
}

}  // namespace courtyard::gateway::net
