#pragma once
// One WebSocket connection on /v1/ws (Beast chat-multi style). The connection's strand
// (inherited from the HTTP session that upgraded it) serialises everything: sends from other
// threads are posted to it, the write queue lives on it, and every completion handler holds a
// shared_ptr so the session lives exactly as long as an operation is pending.
//
// Limits: incoming messages over options.max_message_bytes fail the connection (close code
// 1009); a ping goes out after options.ping_interval of silence and the connection is closed
// when nothing (no pong) arrives within another ping_interval; the send queue is bounded in
// messages and bytes, and a consumer too slow to keep it under the bound is disconnected
// instead of letting memory grow.
#include "gateway/net/shared_state.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
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
};

class WebSocketSession;

// The sockets this instance holds, by account. Shared (not owned by the Notifier alone) so a
// session that outlives the Notifier during shutdown still has a registry to leave.
class SocketRegistry {
 public:
  SocketRegistry(Metrics& metrics, RealtimeOptions options) : metrics_(metrics), options_(options) {}
  void join(std::int64_t account_id, std::shared_ptr<WebSocketSession> const& s);
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
  // `stream`'s executor must be the connection's strand.
  WebSocketSession(beast::tcp_stream&& stream, std::shared_ptr<SocketRegistry> registry, std::int64_t account_id);
  ~WebSocketSession();
  WebSocketSession(WebSocketSession const&) = delete;
  WebSocketSession& operator=(WebSocketSession const&) = delete;

  // Completes the handshake for `req` (on the strand).
  void run(BeastRequest req);
  // Queues a text message; thread-safe.
  void send(std::shared_ptr<std::string const> message);
  // Sends a close frame (going away); thread-safe.
  void close();
  std::int64_t account_id() const { return account_id_; }

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
  bool open_ = false;
  bool closing_ = false;
};

// Answers an upgrade request that may not proceed (401, 403, 429, 503) with problem+json,
// then closes the connection.
void reject_upgrade(beast::tcp_stream&& stream, unsigned version, Response response);

}  // namespace courtyard::gateway::net
