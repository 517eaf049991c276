#pragma once
// One WebSocket connection on /v1/ws (Beast chat-multi style). The connection's executor
// (inherited from the HTTP session that upgraded it: its I/O thread, the only one running its
// io_context) serialises everything: sends from other
// threads are posted to it, the write queue lives on it, and every completion handler holds a
// shared_ptr so the session lives exactly as long as an operation is pending.
//
// Limits: incoming messages over options.max_message_bytes fail the connection (close code
// 1009); a ping goes out after options.ping_interval of silence and the connection is closed
// when nothing (no pong) arrives within another ping_interval; the send queue is bounded in
// messages and bytes, and a consumer too slow to keep it under the bound is disconnected
// instead of letting memory grow.
//
// Timeouts, all set explicitly in run(): the opening and the closing handshake must each
// complete within options.handshake_timeout; the idle timeout with keep-alive pings is as
// described above; the lowest layer's own (HTTP) deadline is switched off.
//
// A session keeps the credential it was opened with and the principal it resolved to, so the
// Notifier can check both again periodically and close it (4001) once they no longer hold.
#include "gateway/net/shared_state.hpp"
#include "http/principal.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace courtyard::gateway::net {

struct RealtimeOptions {
  std::size_t max_message_bytes = 4 * 1024;        // incoming
  std::chrono::milliseconds ping_interval{20000};  // idle -> ping; no answer in as long -> close
  std::chrono::seconds handshake_timeout{10};
  std::size_t max_queue_messages = 256;            // per socket
  std::size_t max_queue_bytes = 1024 * 1024;       // per socket
  std::size_t max_sockets_per_account = 16;        // phones, tablets, browser tabs
  std::size_t max_pending_auth = 1024;             // upgrades waiting for their token check
  std::chrono::milliseconds poll{200};             // Notifier: how often it looks for new rows
  std::chrono::milliseconds window{30000};         // Notifier: how far back it looks
  std::chrono::milliseconds revalidate{2000};      // Notifier: how often each socket's credential is checked again
};

// The close code for a socket whose credential no longer holds (logout, expiry, a role
// removed): the application range of RFC 6455; clients sign in again before reconnecting.
inline constexpr std::uint16_t kCloseSessionEnded = 4001;

class WebSocketSession;

// The sockets this instance holds, by account. Shared (not owned by the Notifier alone) so a
// session that outlives the Notifier during shutdown still has a registry to leave.
class SocketRegistry {
 public:
  SocketRegistry(Metrics& metrics, RealtimeOptions options) : metrics_(metrics), options_(options) {}
  // Registers `s` unless the account already holds options.max_sockets_per_account live
  // sockets: the check and the registration are one step under the lock, so a burst of
  // upgrades with one token cannot exceed the cap. Sessions register before their handshake.
  bool try_join(std::int64_t account_id, std::shared_ptr<WebSocketSession> const& s);
  // From a session's destructor: drops the account's expired entries.
  void leave(std::int64_t account_id);
  std::size_t sockets_of(std::int64_t account_id) const;
  std::size_t connections() const;
  std::vector<std::shared_ptr<WebSocketSession>> snapshot(std::int64_t account_id) const;
  std::vector<std::shared_ptr<WebSocketSession>> snapshot_all() const;
  bool has(std::int64_t account_id) const;
  Metrics& metrics() { return metrics_; }
  RealtimeOptions const& options() const { return options_; }

 private:
  Metrics& metrics_;
  RealtimeOptions const options_;
  mutable std::mutex mu_;
  std::unordered_map<std::int64_t, std::vector<std::weak_ptr<WebSocketSession>>> by_account_;
  std::size_t count_ = 0;
};

class WebSocketSession : public std::enable_shared_from_this<WebSocketSession> {
 public:
  // `stream`'s executor must be the connection's. `credential` and `principal` are
  // what the upgrade was authenticated with; `slot` keeps the connection counted.
  WebSocketSession(beast::tcp_stream&& stream, std::shared_ptr<SocketRegistry> registry, std::string credential,
                   Principal const& principal, ConnectionSlot&& slot);
  ~WebSocketSession();
  WebSocketSession(WebSocketSession const&) = delete;
  WebSocketSession& operator=(WebSocketSession const&) = delete;

  // Completes the handshake for `req` (on the connection's thread), after try_join succeeded.
  void run(BeastRequest req);
  // Answers the upgrade with `response` instead (on the connection's thread, instead of run()).
  void refuse(unsigned version, Response response);
  // Queues a text message; thread-safe.
  void send(std::shared_ptr<std::string const> message);
  // Sends a close frame (by default 1001 going away); thread-safe. Before the handshake has
  // completed, the socket is closed as soon as it does.
  void close(beast::websocket::close_reason reason = beast::websocket::close_code::going_away);
  std::int64_t account_id() const { return account_id_; }
  std::string const& credential() const { return credential_; }
  // Why a socket opened as this session may not go on receiving when its credential now
  // resolves to `now` (nullopt: unknown, expired or revoked); nullptr when it may.
  char const* no_longer_allowed(std::optional<Principal> const& now) const;

 private:
  void on_accept(beast::error_code ec);
  void do_read();
  void on_read(beast::error_code ec, std::size_t n);
  void on_send(std::shared_ptr<std::string const> message);
  void do_write();
  void on_write(beast::error_code ec, std::size_t n);
  void drop(char const* why);

  beast::websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::deque<std::shared_ptr<std::string const>> queue_;
  std::size_t queued_bytes_ = 0;
  std::shared_ptr<SocketRegistry> registry_;
  std::int64_t account_id_;
  std::string const credential_;
  bool const admin_;
  std::vector<Membership> const memberships_;
  ConnectionSlot slot_;
  std::optional<beast::websocket::close_reason> close_when_open_;
  bool open_ = false;
  bool closing_ = false;
};

// Answers an upgrade request that may not proceed (401, 403, 429, 503) with problem+json,
// then closes the connection.
void reject_upgrade(beast::tcp_stream&& stream, unsigned version, Response response, ConnectionSlot&& slot);

}  // namespace courtyard::gateway::net
