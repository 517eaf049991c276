#include "gateway/net/http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <memory>
#include <optional>
#include <limits>

namespace courtyard::gateway::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// Enough for a typical request head in one read (an idle connection holds no buffer at all:
// wait_for_request gives back whatever a request grew it to).
constexpr std::size_t kIdleReadSize = 1024;
static_assert(kIdleReadSize >= HttpSession::kFirstReadSize);
constexpr std::chrono::seconds kLingerTime{2};
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// The read buffer only holds bytes the parser has not taken yet: at most a request head plus
// one read (Beast reads up to 64 KiB at a time). A line that never ends, such as an endless
// chunk-size line, reaches this bound and is refused with 400 at once, instead of growing the
// buffer until the read timeout.
std::size_t buffer_limit(Config const& c) { return static_cast<std::size_t>(c.header_limit) + 64 * 1024 + kIdleReadSize; }

bool iequals_trimmed(std::string_view v, std::string_view word) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return beast::iequals(v, word);
}

// Request smuggling shapes (RFC 9112 6.1, 6.3): a body length two parsers could read
// differently. Refused, and the connection closed, rather than guessed at.
char const* ambiguous_framing(BeastRequest const& msg) {
  std::size_t lengths = 0, encodings = 0;
  std::string_view encoding;
  for (auto const& f : msg) {
    if (f.name() == http::field::content_length) {
      ++lengths;
      // Beast takes a list of equal values ("2, 2"); other parsers may not.
      auto v = f.value();
      if (v.empty() || v.find_first_not_of("0123456789") != std::string_view::npos)
        return "a Content-Length that is not one number";
    }
    if (f.name() == http::field::transfer_encoding) {
      ++encodings;
      encoding = f.value();
    }
  }
  if (lengths > 1) return "more than one Content-Length";
  if (encodings > 1) return "more than one Transfer-Encoding";
  if (encodings == 1 && lengths == 1) return "both Content-Length and Transfer-Encoding";
  if (encodings == 1 && !iequals_trimmed(encoding, "chunked")) return "a Transfer-Encoding other than chunked";
  return nullptr;
}

bool is_parse_error(beast::error_code const& ec) {
  static auto const& category = beast::error_code(http::error::bad_method).category();
  return ec.category() == category && ec != http::error::end_of_stream && ec != http::error::partial_message &&
         ec != http::error::need_more && ec != http::error::need_buffer;
}

Response handle_safely(App& app, Request& req) {
  try {
    Response r = app.handle(req);
    if (!req.request_id.empty() && !r.header("x-request-id")) r.headers.emplace_back("X-Request-Id", req.request_id);
    return r;
  } catch (std::exception const& e) {
    spdlog::error("unhandled error in {} {}: {}", req.method, req.path, e.what());
  } catch (...) {
    spdlog::error("unhandled non-standard exception in {} {}", req.method, req.path);
  }
  std::string id = req.request_id.empty() ? request_id_for(req.header("x-request-id")) : req.request_id;
  return net_problem(500, "internal-error", "Internal server error", "the server could not complete the request", id);
}

// Runs a streamed body to its end (HTTP/1.0); a failing producer becomes a 500 here,
// since nothing has been sent yet.
void drain_safely(Response& r, Request const& req) {
  try {
    courtyard::http::drain(r);
  } catch (std::exception const& e) {
    spdlog::error("streamed body of {} {} failed: {}", req.method, req.path, e.what());
    r = net_problem(500, "internal-error", "Internal server error", "the server could not complete the request",
                    req.request_id.empty() ? new_request_id() : req.request_id);
  }
}

std::string chunk_size_line(std::size_t n) {
  char hex[24];
  auto const [end, ec] = std::to_chars(hex, hex + sizeof hex, n, 16);
  std::string line(hex, std::size_t(end - hex));
  line += "\r\n";
  return line;
}

}  // namespace

HttpSession::HttpSession(ConnSocket&& socket, SharedState& state)
    : state_(state),
      slot_(state.metrics().open_connections),
      socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      buffer_(buffer_limit(state.config())) {
  beast::error_code ec;
  auto const remote = socket_.remote_endpoint(ec);
  if (!ec) remote_ip_ = remote.address().to_string();
  socket_.set_option(tcp::no_delay(true), ec);
  socket_.non_blocking(true, ec);  // no synchronous operation on it can block an I/O thread
}

HttpSession::~HttpSession() {
  if (joined_) state_.leave(this);
}

void HttpSession::run() {
  asio::dispatch(timer_.get_executor(), beast::bind_front_handler(&HttpSession::start, shared_from_this()));
}

void HttpSession::start() {
  state_.join(this);
  joined_ = true;
  if (state_.stopping()) return close();
  set_deadline(config().read_timeout);
  wait_for_request();
}

void HttpSession::shutdown() {
  // The timer's executor is the connection's; unlike the socket, the timer is never handed off.
  asio::dispatch(timer_.get_executor(), [self = shared_from_this()] {
    self->stop_requested_ = true;
    if (self->phase_ == Phase::Idle) {
      beast::error_code ignored;
      self->socket_.cancel(ignored);
    }
  });
}

// ---- deadlines

void HttpSession::set_deadline(Clock::duration d) {
  deadline_ = Clock::now() + d;
  if (!timer_pending_) return arm_timer(deadline_);
  if (deadline_ < timer_expiry_) {
    timer_expiry_ = deadline_;
    // 0 cancelled: the timer already fired and its handler, queued, re-arms from deadline_.
    if (timer_.expires_at(timer_expiry_) > 0) {
      timer_.async_wait(beast::bind_front_handler(&HttpSession::on_timer, shared_from_this()));
    }
  }
}

void HttpSession::arm_timer(Clock::time_point at) {
  auto const longest_sleep = std::min(config().read_timeout, config().idle_timeout);
  timer_expiry_ = std::min(at, Clock::now() + longest_sleep);
  timer_pending_ = true;
  timer_.expires_at(timer_expiry_);
  timer_.async_wait(beast::bind_front_handler(&HttpSession::on_timer, shared_from_this()));
}

void HttpSession::on_timer(beast::error_code ec) {
  if (ec == asio::error::operation_aborted) return;  // re-armed (a newer wait is pending) or closed
  timer_pending_ = false;
  if (phase_ == Phase::Closed || phase_ == Phase::Upgraded) return;
  auto const now = Clock::now();
  if (phase_ == Phase::Handling) return arm_timer(now + config().read_timeout);  // no I/O to bound
  if (now < deadline_) return arm_timer(deadline_);
  timed_out_ = true;
  beast::error_code ignored;
  socket_.close(ignored);  // the pending read or write completes with an error and the session ends
}

// ---- reading

// An idle connection holds no read buffer of its own: it reads the first bytes of its next
// request into the session's small `first_`, and takes a buffer only once they have arrived.
// With tens of thousands of idle keep-alive connections, 1 KB buffers were about a third of
// their memory. A read (not a wait for readability, as before) because Asio re-arms epoll for
// every wait (an epoll_ctl per request: 5-8 % of a /healthz request's CPU), and not for a read.
void HttpSession::wait_for_request() {
  phase_ = Phase::Idle;
  if (buffer_.size() > 0) return read_header();  // the client pipelined the next request
  buffer_.shrink_to_fit();  // empty: gives the allocation back
  socket_.async_read_some(asio::buffer(first_),
                          beast::bind_front_handler(&HttpSession::on_first_bytes, shared_from_this()));
}

void HttpSession::on_first_bytes(beast::error_code ec, std::size_t n) {
  if (ec) return close();  // idle timeout, the client left, or a graceful stop
  auto to = buffer_.prepare(kIdleReadSize);
  std::memcpy(to.data(), first_.data(), n);
  buffer_.commit(n);
  if (!first_request_) set_deadline(config().read_timeout);
  read_header();  // a longer head: Beast reads the rest, which has usually arrived with it
}

void HttpSession::read_header() {
  phase_ = Phase::Reading;
  parser_ = std::make_unique<http::request_parser<http::string_body>>();
  auto const header_limit = std::min<std::size_t>(config().header_limit, std::numeric_limits<std::uint32_t>::max());
  parser_->header_limit(static_cast<std::uint32_t>(header_limit));
  parser_->body_limit(config().body_limit);

  // Usually the whole head is already buffered: parse it here rather than through another
  // asynchronous operation and completion.
  if (buffer_.size() > 0) {
    beast::error_code ec;
    buffer_.consume(parser_->put(buffer_.data(), ec));
    if (ec && ec != http::error::need_more) return on_read_error(ec);
    if (parser_->is_header_done()) return on_header({}, 0);
  }
  http::async_read_header(socket_, buffer_, *parser_,
                          beast::bind_front_handler(&HttpSession::on_header, shared_from_this()));
}

void HttpSession::on_header(beast::error_code ec, std::size_t) {
  if (ec) return on_read_error(ec);
  auto const& msg = parser_->get();
  if (char const* why = ambiguous_framing(msg))
    return reply_and_close(400, "bad-request", "Bad request", std::string("ambiguous message framing: ") + why);

  if (beast::websocket::is_upgrade(msg)) {
    auto const target = msg.target();
    if (target.substr(0, target.find('?')) == "/v1/ws") return upgrade();
  }

  if (parser_->is_done()) return dispatch();

  auto const expect = msg[http::field::expect];
  if (msg.version() >= 11 && beast::iequals(expect, "100-continue")) {
    asio::async_write(socket_, asio::buffer(kContinue.data(), kContinue.size()),
                      beast::bind_front_handler(&HttpSession::on_continue_sent, shared_from_this()));
    return;
  }
  read_body();
}

void HttpSession::on_continue_sent(beast::error_code ec, std::size_t) {
  if (ec) return close();
  read_body();
}

void HttpSession::read_body() {
  http::async_read(socket_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::on_body, shared_from_this()));
}

void HttpSession::on_body(beast::error_code ec, std::size_t) {
  if (ec) return on_read_error(ec);
  dispatch();
}

void HttpSession::on_read_error(beast::error_code ec) {
  if (ec == http::error::header_limit) {
    return reply_and_close(431, "header-too-large", "Request header fields too large",
                           "the request header exceeds " + std::to_string(config().header_limit) + " bytes");
  }
  if (ec == http::error::body_limit) {
    return reply_and_close(413, "payload-too-large", "Payload too large",
                           "the request body exceeds " + std::to_string(config().body_limit) + " bytes");
  }
  if (ec == http::error::buffer_overflow) {
    return reply_and_close(400, "bad-request", "Bad request", "a line of the request is too long");
  }
  if (is_parse_error(ec)) {
    return reply_and_close(400, "bad-request", "Bad request", "malformed HTTP request");
  }
  // Timeouts, resets and a client that stopped mid-request: nobody to answer.
  if (timed_out_) spdlog::debug("closing {}: request not received in time", remote_ip_);
  close();
}

void HttpSession::upgrade() {
  auto const& hook = state_.websocket_upgrade();
  if (!hook) {
    auto const& msg = parser_->get();
    keep_alive_ = msg.keep_alive() && parser_->is_done();
    version_ = msg.version();
    head_request_ = false;
    std::string id = request_id_for(msg);
    parser_.reset();
    return send(net_problem(404, "not-found", "Not found", "WebSocket endpoint is not available", id));
  }
  phase_ = Phase::Upgraded;
  timer_.cancel();
  BeastRequest msg = parser_->release();
  parser_.reset();
  if (joined_) {
    state_.leave(this);
    joined_ = false;
  }
  hook(beast::tcp_stream(std::move(socket_)), std::move(msg), std::move(slot_));
}

// ---- handling

void HttpSession::dispatch() {
  phase_ = Phase::Handling;
  BeastRequest msg = parser_->release();
  parser_.reset();
  keep_alive_ = msg.keep_alive();
  version_ = msg.version();
  head_request_ = msg.method() == http::verb::head;

  auto req = to_request(std::move(msg), remote_ip_);
  if (!req) {
    return send(net_problem(400, "bad-request", "Bad request", "the request target is not a valid URI",
                            new_request_id()));
  }

  App& app = state_.app();
  if (app.is_inline(req->method, req->path)) return send(handle_safely(app, *req));

  std::optional<std::string> client_request_id;
  if (auto id = req->header("x-request-id")) client_request_id.emplace(*id);

  bool const queued = state_.pool().try_submit([self = shared_from_this(), req = std::move(*req),
                                                 http10 = version_ == 10]() mutable {
    Response r = handle_safely(self->state_.app(), req);
    if (http10 && r.stream) drain_safely(r, req);  // no chunked coding in HTTP/1.0
    auto io = self->timer_.get_executor();
    asio::post(io, [self = std::move(self), r = std::move(r)]() mutable { self->send(std::move(r)); });
  });
  if (!queued) {
    state_.metrics().rejected_overload.fetch_add(1, std::memory_order_relaxed);
    send(net_problem(503, "overloaded", "Service unavailable", "the server is busy; retry shortly",
                     request_id_for(client_request_id)));
  }
}

// ---- writing

void HttpSession::send(Response&& r) {
  phase_ = Phase::Writing;
  bool const keep_alive = keep_alive_ && !stop_requested_ && !state_.stopping();
  out_ = serialize(std::move(r), version_, keep_alive, head_request_);
  set_deadline(config().read_timeout);
  if (out_.stream) {
    stream_ = std::move(out_.stream);
    out_.stream = nullptr;
    stream_close_after_ = !keep_alive;
    std::array<asio::const_buffer, 2> const first{asio::buffer(out_.head), asio::buffer(out_.body)};
    asio::async_write(socket_, first,
                      beast::bind_front_handler(&HttpSession::on_piece_written, shared_from_this(), false));
    return;
  }
  std::array<asio::const_buffer, 2> const buffers{asio::buffer(out_.head), asio::buffer(out_.body)};
  asio::async_write(socket_, buffers,
                    beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), !keep_alive));
}

void HttpSession::on_write(bool close_after, beast::error_code ec, std::size_t) {
  out_ = {};
  if (ec) return close();
  if (close_after || stop_requested_) return linger_after_write_ ? linger() : close();

  first_request_ = false;
  set_deadline(config().idle_timeout);
  wait_for_request();
}

void HttpSession::produce_piece() {
  phase_ = Phase::Handling;  // no I/O to bound while the producer works
  bool const queued = state_.pool().try_submit([self = shared_from_this()]() mutable {
    std::string piece;
    bool more = false, failed = false;
    try {
      more = self->stream_(piece);
    } catch (std::exception const& e) {
      spdlog::error("streamed response to {} failed mid-body: {}", self->remote_ip_, e.what());
      failed = true;
    } catch (...) {
      spdlog::error("streamed response to {} failed mid-body", self->remote_ip_);
      failed = true;
    }
    auto io = self->timer_.get_executor();
    asio::post(io, [self = std::move(self), piece = std::move(piece), more, failed]() mutable {
      self->write_piece(std::move(piece), more, failed);
    });
  });
  if (queued) return;
  if (state_.stopping()) {
    stream_ = nullptr;
    return close();
  }
  // The workers are saturated: ask again shortly rather than answer a half-sent body.
  auto retry = std::make_shared<asio::basic_waitable_timer<Clock, asio::wait_traits<Clock>, ConnExecutor>>(
      socket_.get_executor(), std::chrono::milliseconds(5));
  retry->async_wait([self = shared_from_this(), retry](beast::error_code) { self->produce_piece(); });
}

void HttpSession::write_piece(std::string piece, bool more, bool failed) {
  if (failed || phase_ == Phase::Closed) {
    // Close without the last chunk: the client sees a truncated body, not a short one.
    stream_ = nullptr;
    out_ = {};
    return close();
  }
  if (more && piece.empty()) return produce_piece();
  phase_ = Phase::Writing;
  set_deadline(config().read_timeout);
  out_.head = piece.empty() ? std::string() : chunk_size_line(piece.size());
  out_.body = std::move(piece);
  static constexpr std::string_view kPieceEnd = "\r\n";
  static constexpr std::string_view kLastPieceEnd = "\r\n0\r\n\r\n";
  static constexpr std::string_view kLastChunk = "0\r\n\r\n";
  std::string_view const tail = !more ? (out_.body.empty() ? kLastChunk : kLastPieceEnd) : kPieceEnd;
  std::array<asio::const_buffer, 3> const buffers{asio::buffer(out_.head), asio::buffer(out_.body),
                                                  asio::buffer(tail.data(), tail.size())};
  asio::async_write(socket_, buffers,
                    beast::bind_front_handler(&HttpSession::on_piece_written, shared_from_this(), !more));
}

void HttpSession::on_piece_written(bool last, beast::error_code ec, std::size_t n) {
  if (ec) {
    stream_ = nullptr;
    out_ = {};
    return close();
  }
  if (!last) return produce_piece();
  stream_ = nullptr;
  on_write(stream_close_after_, ec, n);
}

void HttpSession::reply_and_close(int status, std::string_view slug, std::string_view title, std::string_view detail) {
  std::string id = parser_ ? request_id_for(parser_->get()) : new_request_id();
  parser_.reset();
  keep_alive_ = false;
  linger_after_write_ = true;
  version_ = 11;
  head_request_ = false;
  send(net_problem(status, slug, title, detail, id));
}

// ---- closing

void HttpSession::close() {
  phase_ = Phase::Closed;
  timer_.cancel();
  beast::error_code ignored;
  socket_.shutdown(asio::socket_base::shutdown_send, ignored);
}

void HttpSession::linger() {
  phase_ = Phase::Lingering;
  beast::error_code ec;
  socket_.shutdown(asio::socket_base::shutdown_send, ec);
  if (ec) return close();
  buffer_.clear();
  set_deadline(kLingerTime);
  socket_.async_read_some(buffer_.prepare(kIdleReadSize),
                          beast::bind_front_handler(&HttpSession::on_linger, shared_from_this()));
}

void HttpSession::on_linger(beast::error_code ec, std::size_t) {
  if (ec) return close();  // the client closed, or the linger time is up
  socket_.async_read_some(buffer_.prepare(kIdleReadSize),
                          beast::bind_front_handler(&HttpSession::on_linger, shared_from_this()));
}

}  // namespace courtyard::gateway::net
