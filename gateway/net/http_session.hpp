#pragma once
// One HTTP/1.1 connection. All of its work runs on its own strand; every completion handler
// holds a shared_ptr to the session, so the session lives exactly as long as an operation
// is pending on it.
//
// Reading a request has two deadlines: waiting for its first byte is bounded by the
// keep-alive idle timeout, and from that byte the whole request (headers and body) must
// arrive within the read timeout, which is set once and never extended, so a client
// trickling bytes (slowloris) is cut off. The first request of a connection gets the read
// timeout from accept.
#include "gateway/net/message.hpp"
#include "gateway/net/shared_state.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace courtyard::gateway::net {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // `socket`'s executor must be a strand of its own.
  HttpSession(boost::asio::ip::tcp::socket&& socket, SharedState& state);
  ~HttpSession();
  HttpSession(HttpSession const&) = delete;
  HttpSession& operator=(HttpSession const&) = delete;

  void run();
  // Graceful stop, from any thread: an idle connection is closed now; one with a request in
  // progress is closed after its response is written.
  void shutdown();

 private:
  enum class Phase : std::uint8_t { Idle, Reading, Handling, Writing, Closing, Upgraded };

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
  // Answers a request that was not (or not fully) read, then closes.
  void reply_and_close(int status, std::string_view slug, std::string_view title, std::string_view detail);
  void close();
  // Half-closes, then drains what the client is still sending for a short while, so the
  // kernel does not reset the connection before the client has read our answer.
  void linger();
  void on_linger(beast::error_code ec, std::size_t n);

  Config const& config() const { return state_.config(); }

  SharedState& state_;
  boost::asio::any_io_executor strand_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<BeastResponse> response_;
  std::string remote_ip_;
  unsigned version_ = 11;
  Phase phase_ = Phase::Idle;
  bool joined_ = false;
  bool first_request_ = true;
  bool keep_alive_ = true;
  bool head_request_ = false;
  bool stop_requested_ = false;
  bool linger_after_write_ = false;
};

}  // namespace courtyard::gateway::net
