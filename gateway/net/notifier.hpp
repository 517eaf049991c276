#pragma once
// Real-time push (ARCHITECTURE.md "Real time"): the /v1/ws upgrade hook, the registry of the
// WebSocket sessions this instance holds, and a poller that pushes new notification rows to
// them — also rows written by ANOTHER instance, since it reads them from the shared database.
//
// How new rows are found. Transactions commit out of id order, so a row with a smaller id can
// become visible after a larger one was seen: a bare high-water mark would skip it for good.
// So the poller keeps a cursor (the largest id it has seen) and the GAPS it stepped over: the
// ids below the cursor that were not visible when the cursor passed them, as ranges with the
// time they were found missing. Each poll reads (a) rows with id > cursor, by primary key, and
// (b) rows in the open gaps; a row found in a gap is pushed and cut out of its gap. So no row
// is read twice, and a poll costs what is new plus the gaps still open. A gap is closed
// `window` after it was found: the missing row was stamped (created_at, taken right before its
// INSERT allocates the id) before the row above it got its id, i.e. before the gap was found,
// and rows commit within `window` of their stamp — the same assumption as before (and that
// instances' clocks agree to well within `window`). Rolled-back inserts leave gaps that simply
// expire. start() sets the cursor at the largest id (no socket exists yet); a row
// committed later with a smaller id is not pushed (clients list /v1/me/notifications after
// connecting and dedupe by id). Full rows are then fetched by id only for accounts that have a
// socket here. Rows written by a transaction of THIS process wake the poller right after the
// commit (notifications::watch_local_writes); the `poll` period is only for rows written by
// other instances. A socket that connects later does not get rows from before.
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
#include <map>
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
  // The upgrade hook itself (runs on the connection's thread): checks the token (`?token=`
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
  // Rows read by the polls so far, and the gaps (ranges) still re-checked: for tests and metrics.
  std::uint64_t rows_read() const { return rows_read_.load(); }
  std::size_t open_gaps() const;
  // Wakes the poller now (a local transaction committed notification rows).
  void wake();

 private:
  // With poll_mu_ held: starts the cursor at the largest id if it has not started; true when
  // it started it now.
  bool start_cursor();
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

  struct Gap {
    std::int64_t last = 0;      // the range is [key, last]
    std::int64_t found_at = 0;  // ms when the cursor stepped over it
  };
  mutable std::mutex poll_mu_;
  bool cursor_set_ = false;
  std::int64_t cursor_ = 0;                 // the largest id seen
  std::map<std::int64_t, Gap> gaps_;        // first id -> gap
  std::atomic<std::uint64_t> rows_read_{0};
  std::uint64_t watch_ = 0;                 // notifications::watch_local_writes handle; under start_mu_
  bool wake_ = false;                       // under run_mu_

  // Held by start() and stop() throughout, never while a commit wakes the notifier: the
  // wake-up holds the watchers' lock and takes run_mu_, so registering the watcher under
  // run_mu_ (as start() once did) could deadlock against a commit (ThreadSanitizer's
  // lock-order report).
  std::mutex start_mu_;
  std::mutex run_mu_;
  std::condition_variable run_cv_;
  bool run_stop_ = false;
  std::thread thread_;
  std::thread revalidate_thread_;
};

}  // namespace courtyard::gateway::net
