#include "gateway/net/websocket_session.hpp"

#include "gateway/net/message.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace courtyard::gateway::net {

namespace asio = boost::asio;
namespace websocket = beast::websocket;

bool SocketRegistry::try_join(std::int64_t account_id, std::shared_ptr<WebSocketSession> const& s) {
  std::lock_guard lk(mu_);
  auto& v = by_account_[account_id];
  auto live = std::count_if(v.begin(), v.end(), [](auto const& w) { return !w.expired(); });
  if (static_cast<std::size_t>(live) >= options_.max_sockets_per_account) {
    if (v.empty()) by_account_.erase(account_id);
    return false;
  }
  v.push_back(s);
  ++count_;
  return true;
}

void SocketRegistry::leave(std::int64_t account_id) {
  // The caller's weak_ptr has expired by now (and so may others of the same account going
  // away at the same time: each is removed and counted once, by whoever comes first).
  std::lock_guard lk(mu_);
  auto it = by_account_.find(account_id);
  if (it == by_account_.end()) return;
  auto& v = it->second;
  auto before = v.size();
  v.erase(std::remove_if(v.begin(), v.end(), [](auto const& w) { return w.expired(); }), v.end());
  count_ -= before - v.size();
  if (v.empty()) by_account_.erase(it);
}

std::size_t SocketRegistry::sockets_of(std::int64_t account_id) const {
  std::lock_guard lk(mu_);
  auto it = by_account_.find(account_id);
  return it == by_account_.end() ? 0 : it->second.size();
}

bool SocketRegistry::has(std::int64_t account_id) const {
  std::lock_guard lk(mu_);
  return by_account_.count(account_id) != 0;
}

std::size_t SocketRegistry::connections() const {
  std::lock_guard lk(mu_);
  return count_;
}

std::vector<std::shared_ptr<WebSocketSession>> SocketRegistry::snapshot(std::int64_t account_id) const {
  std::vector<std::shared_ptr<WebSocketSession>> out;
  std::lock_guard lk(mu_);
  auto it = by_account_.find(account_id);
  if (it == by_account_.end()) return out;
  for (auto const& w : it->second)
    if (auto s = w.lock()) out.push_back(std::move(s));
  return out;
}

std::vector<std::shared_ptr<WebSocketSession>> SocketRegistry::snapshot_all() const {
  std::vector<std::shared_ptr<WebSocketSession>> out;
  std::lock_guard lk(mu_);
  for (auto const& [_, v] : by_account_)
    for (auto const& w : v)
      if (auto s = w.lock()) out.push_back(std::move(s));
  return out;
}

WebSocketSession::WebSocketSession(beast::tcp_stream&& stream, std::shared_ptr<SocketRegistry> registry,
                                   std::string credential, Principal const& principal, ConnectionSlot&& slot)
    : ws_(std::move(stream)),
      registry_(std::move(registry)),
      account_id_(principal.account_id),
      credential_(std::move(credential)),
      admin_(principal.admin),
      memberships_(principal.memberships),
      slot_(std::move(slot)) {}

WebSocketSession::~WebSocketSession() {
  // Whether or not try_join took it: leave() only drops expired entries of the account.
  registry_->leave(account_id_);
  if (open_) registry_->metrics().websocket_connections.fetch_sub(1, std::memory_order_relaxed);
}

char const* WebSocketSession::no_longer_allowed(std::optional<Principal> const& now) const {
  if (!now || now->kind != Principal::Kind::Session || now->account_id != account_id_) return "session ended";
  if (admin_ && !now->admin) return "role removed";
  for (auto const& m : memberships_) {
    bool kept = std::any_of(now->memberships.begin(), now->memberships.end(), [&](Membership const& n) {
      return n.community_id == m.community_id && n.role == m.role && n.unit_id == m.unit_id &&
             n.merchant_id == m.merchant_id;
    });
    if (!kept) return "role removed";
  }
  return nullptr;
}

void WebSocketSession::refuse(unsigned version, Response response) {
  reject_upgrade(std::move(ws_.next_layer()), version, std::move(response), std::move(slot_));
}

void WebSocketSession::run(BeastRequest req) {
  auto const& o = registry_->options();
  beast::get_lowest_layer(ws_).expires_never();  // the websocket stream has its own timeouts
  websocket::stream_base::timeout t{};
  // Opening (the 101 answer) and closing handshakes.
  t.handshake_timeout = o.handshake_timeout;
  // Beast pings after half the idle timeout of silence and closes when the other half also
  // passes without a frame (pong or anything else) from the client.
  t.idle_timeout = std::chrono::duration_cast<std::chrono::steady_clock::duration>(o.ping_interval * 2);
  t.keep_alive_pings = true;
  ws_.set_option(t);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "courtyard"); }));
  ws_.read_message_max(o.max_message_bytes);
  ws_.auto_fragment(false);
  ws_.async_accept(req, beast::bind_front_handler(&WebSocketSession::on_accept, shared_from_this()));
}

void WebSocketSession::on_accept(beast::error_code ec) {
  if (ec) return;  // handshake failed or timed out: nothing was registered
  open_ = true;
  registry_->metrics().websocket_connections.fetch_add(1, std::memory_order_relaxed);
  ws_.text(true);
  do_read();
  if (close_when_open_) {
    closing_ = true;
    ws_.async_close(*close_when_open_, [self = shared_from_this()](beast::error_code) {});
    return;
  }
  // Messages sent while the 101 answer was on its way: the client may already have it (and
  // count on being subscribed), so they go out now instead of being lost.
  if (!queue_.empty()) do_write();
}

void WebSocketSession::do_read() {
  ws_.async_read(buffer_, beast::bind_front_handler(&WebSocketSession::on_read, shared_from_this()));
}

void WebSocketSession::on_read(beast::error_code ec, std::size_t) {
  if (ec) {
    // Closed by the client, timed out (no pong), or too big (Beast has sent close 1009):
    // the session ends when its last pending operation completes.
    if (ec == websocket::error::message_too_big) spdlog::debug("ws {}: message over the limit", account_id_);
    return;
  }
  // The socket is a push channel; the one request it answers is an application-level ping.
  boost::system::error_code pec;
  auto v = boost::json::parse(beast::buffers_to_string(buffer_.data()), pec);
  buffer_.consume(buffer_.size());
  if (!pec && v.is_object()) {
    auto const* type = v.as_object().if_contains("type");
    if (type && type->is_string() && type->as_string() == "ping")
      on_send(std::make_shared<std::string const>(R"({"type":"pong"})"));
  }
  if (!closing_) do_read();
}

void WebSocketSession::send(std::shared_ptr<std::string const> message) {
  asio::post(ws_.get_executor(), [self = shared_from_this(), m = std::move(message)]() mutable {
    self->on_send(std::move(m));
  });
}

void WebSocketSession::on_send(std::shared_ptr<std::string const> message) {
  // Before the handshake completes the message waits in the queue; on_accept writes it.
  if (closing_ || close_when_open_) return;
  auto const& o = registry_->options();
  if (queue_.size() >= o.max_queue_messages || queued_bytes_ + message->size() > o.max_queue_bytes)
    return drop("send queue over its bound (slow consumer)");
  queued_bytes_ += message->size();
  queue_.push_back(std::move(message));
  if (open_ && queue_.size() == 1) do_write();
}

void WebSocketSession::do_write() {
  ws_.async_write(asio::buffer(*queue_.front()),
                  beast::bind_front_handler(&WebSocketSession::on_write, shared_from_this()));
}

void WebSocketSession::on_write(beast::error_code ec, std::size_t) {
  if (ec) return;
  queued_bytes_ -= queue_.front()->size();
  queue_.pop_front();
  if (!queue_.empty() && !closing_) do_write();
}

void WebSocketSession::drop(char const* why) {
  spdlog::info("ws: disconnecting account {}: {}", account_id_, why);
  closing_ = true;
  // No close handshake: the peer is not reading. Closing the socket cancels the pending
  // read and write, whose handlers release the session.
  beast::get_lowest_layer(ws_).close();
}

void WebSocketSession::close(websocket::close_reason reason) {
  asio::post(ws_.get_executor(), [self = shared_from_this(), reason] {
    if (self->closing_) return;
    if (!self->open_) {
      if (!self->close_when_open_) self->close_when_open_ = reason;
      return;
    }
    self->closing_ = true;
    self->ws_.async_close(reason, [self](beast::error_code) {});
  });
}

namespace {

class Rejection : public std::enable_shared_from_this<Rejection> {
 public:
  Rejection(beast::tcp_stream&& stream, BeastResponse&& response, ConnectionSlot&& slot)
      : stream_(std::move(stream)), response_(std::move(response)), slot_(std::move(slot)) {}
  void run() {
    stream_.expires_after(std::chrono::seconds(5));
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    });
  }

 private:
  beast::tcp_stream stream_;
  BeastResponse response_;
  ConnectionSlot slot_;
};

}  // namespace

void reject_upgrade(beast::tcp_stream&& stream, unsigned version, Response response, ConnectionSlot&& slot) {
  std::make_shared<Rejection>(std::move(stream), to_beast(std::move(response), version, false, false),
                              std::move(slot))
      ->run();
}

}  // namespace courtyard::gateway::net
