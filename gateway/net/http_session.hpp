#pragma once
// One HTTP/1.1 connection. All of its work runs on its I/O thread (the one thread that runs
// its io_context, so no strand is needed: workers post to it); every completion handler
// holds a shared_ptr to the session, so the session lives exactly as long as an operation
// is pending on it.
//
// Reading a request has two deadlines: waiting for its first byte is bounded by the
// keep-alive idle timeout, and from that byte the whole request (headers and body) must
// arrive within the read timeout, which is set once and never extended, so a client
// trickling bytes (slowloris) is cut off. The first request of a connection gets the read
// timeout from accept. Writing a response gets the read timeout too.
//
// Deadlines are enforced by one timer per connection that is re-armed lazily: moving a
// deadline only stores a time point, and the timer, which never sleeps longer than the
// shorter of the two timeouts, checks the current deadline when it fires. A busy connection
// therefore costs no timer operations per request.
#include "gateway/net/message.hpp"
#include "gateway/net/shared_state.hpp"

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace courtyard::gateway::net {

// Concrete executor types rather than any_io_executor: the type-erased executor costs
// measurably on the per-request path. A connection's executor is its I/O thread's
// io_context, which only that thread runs (Server): what a strand would serialise already
// runs on one thread, and a strand cost a /healthz request 5-6 % of its CPU.
using ConnExecutor = boost::asio::io_context::executor_type;
using ConnSocket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, ConnExecutor>;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // The socket's executor is its I/O thread's io_context.
  HttpSession(ConnSocket&& socket, SharedState& state);
  ~HttpSession();
  HttpSession(HttpSession const&) = delete;
  HttpSession& operator=(HttpSession const&) = delete;

  // What an idle connection reads into before it takes a read buffer: a typical API request
  // head (a bearer token and a few headers) fits. Part of every connection's memory.
  static constexpr std::size_t kFirstReadSize = 256;

  void run();
  // Graceful stop, from any thread: an idle connection is closed now; one with a request in
  // progress is closed after its response is written.
  void shutdown();

 private:
  using Clock = std::chrono::steady_clock;
  enum class Phase : std::uint8_t { Idle, Reading, Handling, Writing, Lingering, Closed, Upgraded };

  void start();
  void wait_for_request();
  void on_first_bytes(beast::error_code ec, std::size_t n);
  void read_header();
  void on_header(beast::error_code ec, std::size_t n);
  void on_continue_sent(beast::error_code ec, std::size_t n);
  void read_body();
  void on_body(beast::error_code ec, std::size_t n);
  void on_read_error(beast::error_code ec);
  void upgrade();
  void dispatch();
  void send(Response&& r);
  void on_write(bool close, beast::error_code ec, std::size_t n);
  // A streamed body: each piece is produced on a worker, then written as one chunk; the next
  // is asked for only when the previous one is on the wire.
  void produce_piece();
  void write_piece(std::string piece, bool more, bool failed);
  void on_piece_written(bool last, beast::error_code ec, std::size_t n);
  // Answers a request that was not (or not fully) read, then closes.
  void reply_and_close(int status, std::string_view slug, std::string_view title, std::string_view detail);
  void close();
  // Half-closes, then drains what the client is still sending for a short while, so the
  // kernel does not reset the connection before the client has read our answer.
  void linger();
  void on_linger(beast::error_code ec, std::size_t n);

  void set_deadline(Clock::duration d);
  void arm_timer(Clock::time_point at);
  void on_timer(beast::error_code ec);

  Config const& config() const { return state_.config(); }

  SharedState& state_;
  ConnectionSlot slot_;  // handed to the WebSocket on an upgrade
  ConnSocket socket_;
  boost::asio::basic_waitable_timer<Clock, boost::asio::wait_traits<Clock>, ConnExecutor> timer_;
  Clock::time_point deadline_;
  Clock::time_point timer_expiry_;
  beast::flat_buffer buffer_;
  std::array<char, kFirstReadSize> first_;  // an idle connection's read: the next request's first bytes
  // While a request is read only: on the heap (a parser is 288 bytes), so an idle
  // connection's session, with `first_`, still fits jemalloc's 768-byte size.
  std::unique_ptr<http::request_parser<http::string_body>> parser_;
  WireResponse out_;
  courtyard::http::BodyStream stream_;  // of the response being written, while it has pieces to come
  bool stream_close_after_ = false;
  std::string remote_ip_;
  unsigned version_ = 11;
  Phase phase_ = Phase::Idle;
  bool timer_pending_ = false;
  bool timed_out_ = false;
  bool joined_ = false;
  bool first_request_ = true;
  bool keep_alive_ = true;
  bool head_request_ = false;
  bool stop_requested_ = false;
  bool linger_after_write_ = false;
};

}  // namespace courtyard::gateway::net
