#pragma once
// What the listener and every HTTP session share: the application, the worker pool,
// the WebSocket hand-off, and the registry of live sessions used for a graceful stop.
#include "gateway/app.hpp"
#include "gateway/net/worker_pool.hpp"

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_set>
#include <utility>
#include <vector>

namespace courtyard::gateway::net {

namespace beast = boost::beast;
namespace http = beast::http;

using BeastRequest = http::request<http::string_body>;

// One open connection counted in Metrics::open_connections, which is what max-connections
// caps, for as long as this object lives. It moves with the socket: from the HTTP session
// to the upgrade in progress, then to the WebSocket session (or its rejection), so an
// upgraded socket stays counted until it is closed.
class ConnectionSlot {
 public:
  ConnectionSlot() = default;
  explicit ConnectionSlot(std::atomic<std::int64_t>& counter) : counter_(&counter) {
    counter_->fetch_add(1, std::memory_order_relaxed);
  }
  ConnectionSlot(ConnectionSlot&& o) noexcept : counter_(std::exchange(o.counter_, nullptr)) {}
  ConnectionSlot& operator=(ConnectionSlot&& o) noexcept {
    if (this != &o) {
      release();
      counter_ = std::exchange(o.counter_, nullptr);
    }
    return *this;
  }
  ~ConnectionSlot() { release(); }
  ConnectionSlot(ConnectionSlot const&) = delete;
  ConnectionSlot& operator=(ConnectionSlot const&) = delete;

 private:
  void release() {
    if (counter_) counter_->fetch_sub(1, std::memory_order_relaxed);
    counter_ = nullptr;
  }
  std::atomic<std::int64_t>* counter_ = nullptr;
};

// Takes over a connection whose request asked to upgrade to a WebSocket on /v1/ws.
// The stream's executor is the connection's (its I/O thread's); the callee owns the stream, the request
// and the connection's slot from then on.
using WebSocketUpgrade = std::function<void(beast::tcp_stream&&, BeastRequest&&, ConnectionSlot&&)>;

class HttpSession;

class SharedState {
 public:
  SharedState(App& app, WorkerPool& pool) : app_(app), config_(app.config()), pool_(pool) {}
  SharedState(SharedState const&) = delete;
  SharedState& operator=(SharedState const&) = delete;

  App& app() const { return app_; }
  Config const& config() const { return config_; }
  WorkerPool& pool() const { return pool_; }
  Metrics& metrics() const { return app_.metrics(); }

  WebSocketUpgrade const& websocket_upgrade() const { return websocket_upgrade_; }
  void set_websocket_upgrade(WebSocketUpgrade f) { websocket_upgrade_ = std::move(f); }

  bool stopping() const { return stopping_.load(std::memory_order_acquire); }

  void join(HttpSession* s);
  void leave(HttpSession* s);
  // Live sessions at this instant; a session already being destroyed is left out.
  std::vector<std::weak_ptr<HttpSession>> sessions() const;

  // From now on new connections are refused and `on_drained` runs (once, on the thread
  // that closed it) when the last session is gone. Runs it at once when none is open.
  void begin_stop(std::function<void()> on_drained);
  // Forgets `on_drained` (the server is being destroyed: the sessions still open are
  // destroyed with their io_contexts, after what the callback would reach).
  void forget_drained();

 private:
  App& app_;
  Config const& config_;
  WorkerPool& pool_;
  WebSocketUpgrade websocket_upgrade_;
  std::atomic<bool> stopping_{false};

  mutable std::mutex mu_;
  std::unordered_set<HttpSession*> sessions_;
  std::function<void()> on_drained_;
};

}  // namespace courtyard::gateway::net
