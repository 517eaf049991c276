#include "tests/e2e/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/parse.hpp>

#include <cctype>
#include <limits>
#include <optional>
#include <stdexcept>

namespace courtyard::e2e {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string HttpResponse::header(std::string_view lower_name) const {
  for (auto const& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

boost::json::value HttpResponse::json() const { return boost::json::parse(body); }

std::string raw_request(std::string_view method, std::string_view target, std::string_view body,
                        HeaderList const& headers) {
  std::string out;
  out.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  bool has_type = false;
  for (auto const& [name, value] : headers) {
    out.append(name).append(": ").append(value).append("\r\n");
    if (beast::iequals(name, "content-type")) has_type = true;
  }
  if (!body.empty()) {
    if (!has_type) out.append("Content-Type: application/json\r\n");
    out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  out.append("\r\n").append(body);
  return out;
}

HttpConnection::HttpConnection(unsigned short port) : socket_(ioc_) {
  socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  socket_.set_option(tcp::no_delay(true));
}

template <class Start>
beast::error_code HttpConnection::run(Start&& start, std::chrono::milliseconds timeout) {
  std::optional<beast::error_code> result;
  start([&](beast::error_code ec, std::size_t) { result = ec; });
  ioc_.restart();
  ioc_.run_for(timeout);
  if (result) return *result;
  beast::error_code ignored;
  socket_.cancel(ignored);
  ioc_.restart();
  ioc_.run();
  return asio::error::timed_out;
}

beast::error_code HttpConnection::try_send(std::string_view bytes) {
  return run([&](auto handler) { asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()), handler); },
             std::chrono::seconds(15));
}

void HttpConnection::send(std::string_view bytes) {
  if (auto ec = try_send(bytes)) throw std::runtime_error("send failed: " + ec.message());
}

HttpResponse HttpConnection::read(std::chrono::milliseconds timeout) {
  http::response_parser<http::string_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  auto ec = run([&](auto handler) { http::async_read(socket_, buffer_, parser, handler); }, timeout);
  if (ec) throw std::runtime_error("reading the response failed: " + ec.message());
  auto& msg = parser.get();
  HttpResponse r;
  r.status = msg.result_int();
  r.keep_alive = msg.keep_alive();
  for (auto const& f : msg) {
    std::string name(f.name_string());
    for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
    r.headers.emplace_back(std::move(name), std::string(f.value()));
  }
  r.body = std::move(msg.body());
  return r;
}

bool HttpConnection::closed_within(std::chrono::milliseconds timeout) {
  auto const deadline = std::chrono::steady_clock::now() + timeout;
  char scratch[4096];
  for (;;) {
    auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    auto ec = run([&](auto handler) { socket_.async_read_some(asio::buffer(scratch), handler); }, left);
    if (ec == asio::error::timed_out) return false;
    if (ec) return true;  // EOF or reset
  }
}

HttpResponse HttpConnection::request(std::string_view method, std::string_view target, std::string_view body,
                                     HeaderList const& headers) {
  send(raw_request(method, target, body, headers));
  return read();
}

HttpResponse fetch(unsigned short port, std::string_view method, std::string_view target, std::string_view body,
                   HeaderList const& headers) {
  HttpConnection c(port);
  return c.request(method, target, body, headers);
}

}  // namespace courtyard::e2e
