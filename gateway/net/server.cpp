#include "gateway/net/server.hpp"

#include "gateway/listen_address.hpp"
#include "gateway/net/http_session.hpp"
#include "gateway/net/listener.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <csignal>
#include <stdexcept>
#include <thread>

namespace courtyard::gateway::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

std::vector<std::unique_ptr<asio::io_context>> make_contexts(int threads) {
  std::vector<std::unique_ptr<asio::io_context>> out;
  for (int i = 0; i < std::max(threads, 1); ++i) out.push_back(std::make_unique<asio::io_context>(1));
  return out;
}

std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards(
    std::vector<std::unique_ptr<asio::io_context>> const& iocs) {
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> out;
  for (auto const& ioc : iocs) out.push_back(asio::make_work_guard(*ioc));
  return out;
}

std::vector<asio::io_context*> contexts(std::vector<std::unique_ptr<asio::io_context>> const& iocs) {
  std::vector<asio::io_context*> out;
  for (auto const& ioc : iocs) out.push_back(ioc.get());
  return out;
}

}  // namespace

Server::Server(App& app)
    : app_(app),
      config_(app.config()),
      state_(app, pool_),
      iocs_(make_contexts(config_.threads)),
      work_(guards(iocs_)),
      ioc_(*iocs_.front()),
      control_(asio::make_strand(ioc_)),
      signals_(control_, SIGINT, SIGTERM),
      drain_timer_(control_),
      listener_(std::make_shared<Listener>(ioc_, contexts(iocs_), state_)),
      pool_(static_cast<std::size_t>(config_.workers), static_cast<std::size_t>(config_.queue),
            &app.metrics().queue_depth) {}

Server::~Server() {
  pool_.stop();
  // Sessions left open by a drain timeout are destroyed with their io_contexts, after
  // control_: their last leave() must not post the drained callback to it.
  state_.forget_drained();
}

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
  threads.reserve(iocs_.size() - 1);
  for (std::size_t i = 1; i < iocs_.size(); ++i) threads.emplace_back([this, i] { run_io(*iocs_[i]); });
  run_io(ioc_);
  for (auto& t : threads) t.join();

  // Requests still running after the drain deadline cannot be answered any more.
  pool_.stop();
  spdlog::info("server stopped");
}

void Server::stop() {
  asio::dispatch(control_, [this] { begin_stop(); });
}

void Server::stop_io() {
  for (auto const& ioc : iocs_) ioc->stop();
}

void Server::run_io(asio::io_context& ioc) {
  for (;;) {
    try {
      ioc.run();
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
    stop_io();
  });

  state_.begin_stop([this] {
    asio::post(control_, [this] {
      drain_timer_.cancel();
      stop_io();
    });
  });
  for (auto const& weak : state_.sessions()) {
    if (auto session = weak.lock()) session->shutdown();
  }
}

}  // namespace courtyard::gateway::net
