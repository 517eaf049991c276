#pragma once
// The HTTP server around an App: config.threads I/O threads, each running an io_context of
// its own (a connection lives on one of them, handed out in turn), a bounded worker pool for
// handlers, graceful stop on SIGTERM/SIGINT.
//
//   net::Server server(app);
//   auto endpoint = server.listen();   // config.listen; port 0 picks a free port
//   server.run();                      // blocks until a graceful stop has finished
#include "gateway/app.hpp"
#include "gateway/net/shared_state.hpp"
#include "gateway/net/worker_pool.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <functional>
#include <memory>
#include <vector>

namespace courtyard::gateway::net {

class Listener;

class Server {
 public:
  // Installs the SIGTERM/SIGINT handlers at once, so a signal that arrives before run()
  // still stops the server gracefully.
  explicit Server(App& app);
  ~Server();
  Server(Server const&) = delete;
  Server& operator=(Server const&) = delete;

  // Binds config.listen. Throws std::runtime_error when the address is unusable.
  boost::asio::ip::tcp::endpoint listen();

  // Requests to upgrade on /v1/ws go here; while unset they are answered 404.
  void set_websocket_upgrade(WebSocketUpgrade f) { state_.set_websocket_upgrade(std::move(f)); }
  // Runs when a graceful stop begins (e.g. to close WebSocket sessions). Set before run().
  void on_stop(std::function<void()> f) { stop_hooks_.push_back(std::move(f)); }

  // Serves on config.threads threads (the caller's among them) until a graceful stop:
  // no new connections; idle connections closed; requests in progress get up to
  // config.drain_timeout to finish, then everything left is closed.
  void run();
  // Starts a graceful stop, as SIGTERM does. Thread-safe.
  void stop();

 private:
  void begin_stop();
  void run_io(boost::asio::io_context& ioc);
  // Stops every I/O thread's io_context; thread-safe.
  void stop_io();

  App& app_;
  Config const& config_;
  // Declared first, destroyed last: sessions destroyed with the io_context still report to it.
  SharedState state_;
  // One per I/O thread. Sharing one between threads cost a /healthz request a fifth of its
  // throughput at two threads (the threads took turns on its lock and woke each other).
  // The first also runs the listener, the signals and the stop.
  std::vector<std::unique_ptr<boost::asio::io_context>> iocs_;
  // Keep each io_context's run() going while it has no connection yet.
  std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  boost::asio::io_context& ioc_;
  boost::asio::strand<boost::asio::io_context::executor_type> control_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer drain_timer_;
  std::shared_ptr<Listener> listener_;
  std::vector<std::function<void()>> stop_hooks_;
  bool stopping_ = false;  // on control_
  // Destroyed first: queued jobs own sessions whose sockets need the io_context.
  WorkerPool pool_;
};

}  // namespace courtyard::gateway::net
