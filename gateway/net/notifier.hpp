#pragma once
// Real-time push (ARCHITECTURE.md "Real time"): the /v1/ws upgrade hook, the registry of the
// WebSocket sessions this instance holds, and a poller that pushes new notification rows to
// them — also rows written by ANOTHER instance, since it reads them from the shared database.
//
// How new rows are found. Not with a high-water mark over notification ids: transactions
// commit out of id order, so a row with a smaller id can appear after a larger one was seen
// and a mark would skip it for good. Instead every poll reads the (id, account) of rows whose
// created_at lies within the last `window` (an indexed range scan of a few small columns),
// and remembers which ids it has already handled in a set that forgets an id once its row
// has left the window (it can never be returned again). A row is therefore pushed exactly
// once per instance as long as its transaction commits within `window` of being stamped
// (notifications stamp created_at when the row is written, not when the transaction began)
// and instances' clocks agree to well within `window` (NTP). Full rows are then fetched by
// id only for accounts that have a socket here. Rows are handled by whichever instance is
// polling; a socket that connects later does not get rows from before (clients list
// /v1/me/notifications after connecting, and dedupe by id).
//
// A socket lives no longer than its credential. Every options.revalidate (2 s) a second
// thread checks each credential held by this instance's sockets again, with one Authenticator
// call per distinct credential (several tabs share one), and closes with 4001 the sockets
// whose credential no longer resolves (logout, expiry, revocation) or whose account lost a
// role it held when the socket opened. Every instance does this for its own sockets against
// the shared database, so a logout on one instance closes the sockets held by all of them.
// When storage cannot be reached no socket is closed for it; the next period tries again.
//
//   net::Server server(app);
//   Notifier rt(app, gateway::authenticator());   // either order: sessions share the registry
//   rt.attach(server);         // upgrade hook + close sockets on graceful stop
//   rt.start();                // poller and revalidation threads
//   server.run();
//   rt.stop();                 // before the Server is destroyed
#include "gateway/app.hpp"
#include "gateway/net/shared_state.hpp"
#include "gateway/net/websocket_session.hpp"

#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace courtyard::gateway::net {

class Server;

class Notifier {
 public:
  Notifier(App& app, Authenticator auth, RealtimeOptions options = {});
  ~Notifier();
  Notifier(Notifier const&) = delete;
  Notifier& operator=(Notifier const&) = delete;

  // Installs the /v1/ws upgrade hook on the server and closes the sockets when it stops.
  void attach(Server& server);
  // The upgrade hook itself (runs on the connection's strand): checks the token (`?token=`
  // or Authorization: Bearer) off the I/O thread, answers 401/403/429/503 before upgrading,
  // otherwise hands the connection to a WebSocketSession.
  void upgrade(beast::tcp_stream&& stream, BeastRequest&& req, ConnectionSlot&& slot);

  void start();  // the poller and revalidation threads
  // Stops the poller and waits for token checks in flight; idempotent. Call before the
  // Server (whose io_context the sessions use) is destroyed.
  void stop();
  // One poll: pushes new rows to the sockets held here; returns how many messages were sent.
  int poll_once();
  // One revalidation pass over the sockets held here; returns how many it closed.
  int revalidate_once();
  // Sends a close frame to every socket (graceful stop).
  void close_all();

  // The sockets held here.
  std::size_t sockets_of(std::int64_t account_id) const { return registry_->sockets_of(account_id); }
  std::size_t connections() const { return registry_->connections(); }

  RealtimeOptions const& options() const { return options_; }

 private:
  void loop();
  void revalidate_loop();

  App& app_;
  Authenticator auth_;
  RealtimeOptions options_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> pending_auth_{0};
  boost::asio::thread_pool auth_pool_{2};
  bool auth_joined_ = false;

  std::shared_ptr<SocketRegistry> registry_;

  std::mutex poll_mu_;
  std::unordered_map<std::int64_t, std::int64_t> seen_;  // notification id -> created_at

  std::mutex run_mu_;
  std::condition_variable run_cv_;
  bool run_stop_ = false;
  std::thread thread_;
  std::thread revalidate_thread_;
};

}  // namespace courtyard::gateway::net
