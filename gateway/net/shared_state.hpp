#pragma once
// What the listener and every HTTP session share: the application, the worker pool,
// the WebSocket hand-off, and the registry of live sessions used for a graceful stop.
#include "gateway/app.hpp"
#include "gateway/net/worker_pool.hpp"

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_set>
#include <vector>

namespace courtyard::gateway::net {

namespace beast = boost::beast;
namespace http = beast::http;

using BeastRequest = http::request<http::string_body>;

// Takes over a connection whose request asked to upgrade to a WebSocket on /v1/ws.
// The stream's executor is the connection's strand; the callee owns both from then on.
using WebSocketUpgrade = std::function<void(beast::tcp_stream&&, BeastRequest&&)>;

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
