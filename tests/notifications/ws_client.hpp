#pragma once
// A small Beast WebSocket + HTTP client for the tests, with timeouts on every read.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace courtyard::test::ws {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

class Client {
 public:
  // Connects and performs the handshake; returns the HTTP status (101 when upgraded).
  int connect(unsigned short port, std::string const& target, std::string const& bearer = "",
              int receive_buffer = 0) {
    auto& sock = beast::get_lowest_layer(ws_).socket();
    sock.open(tcp::v4());
    if (receive_buffer > 0) sock.set_option(asio::socket_base::receive_buffer_size(receive_buffer));
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(5));
    beast::get_lowest_layer(ws_).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    if (!bearer.empty())
      ws_.set_option(websocket::stream_base::decorator(
          [bearer](websocket::request_type& req) { req.set(http::field::authorization, "Bearer " + bearer); }));
    websocket::response_type res;
    beast::error_code ec;
    ws_.handshake(res, "127.0.0.1:" + std::to_string(port), target, ec);
    beast::get_lowest_layer(ws_).expires_never();
    response_body_ = res.body();
    return res.result_int();
  }

  // The next message within `timeout`; nullopt on timeout or when the socket closed (see closed()).
  std::optional<std::string> read(std::chrono::milliseconds timeout) {
    if (closed_) return std::nullopt;
    if (!reading_) {
      reading_ = true;
      done_.reset();
      ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) {
        reading_ = false;
        done_ = ec;
      });
    }
    ioc_.restart();
    ioc_.run_for(timeout);
    if (!done_) return std::nullopt;
    auto ec = *done_;
    done_.reset();
    if (ec) {
      closed_ = true;
      error_ = ec;
      return std::nullopt;
    }
    std::string s = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    return s;
  }

  // The next notification message, parsed.
  std::optional<boost::json::object> next_notification(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      auto m = read(left);
      if (!m) return std::nullopt;
      auto v = boost::json::parse(*m).as_object();
      if (v.at("type") == "notification") return v;
    }
    return std::nullopt;
  }

  void send(std::string const& text) { ws_.write(asio::buffer(text)); }
  bool closed() const { return closed_; }
  beast::error_code error() const { return error_; }
  websocket::close_reason reason() const { return ws_.reason(); }
  std::string const& response_body() const { return response_body_; }
  void close() {
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().close(ec);
  }

 private:
  asio::io_context ioc_;
  websocket::stream<beast::tcp_stream> ws_{ioc_};
  beast::flat_buffer buffer_;
  bool reading_ = false;
  bool closed_ = false;
  std::optional<beast::error_code> done_;
  beast::error_code error_;
  std::string response_body_;
};

// One HTTP/1.1 request over a fresh connection.
inline std::pair<int, std::string> http_request(unsigned short port, http::verb method, std::string const& target,
                                                std::string const& token, std::string const& body = "") {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(std::chrono::seconds(10));
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
  }
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(stream, buf, res);
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  return {res.result_int(), res.body()};
}

}  // namespace courtyard::test::ws
