#pragma once
// A small blocking HTTP/1.1 client for end-to-end tests: raw bytes out, Beast-parsed
// responses in, every wait bounded by a timeout.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace courtyard::e2e {

using namespace std::chrono_literals;
using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  int status = 0;
  std::string body;
  HeaderList headers;  // names lower-case
  bool keep_alive = false;

  std::string header(std::string_view lower_name) const;  // "" when absent
  boost::json::value json() const;                         // throws when the body is not JSON
};

// "METHOD target HTTP/1.1" with Host, Content-Length (when there is a body) and, for a
// body, Content-Type: application/json unless given.
std::string raw_request(std::string_view method, std::string_view target, std::string_view body = {},
                        HeaderList const& headers = {});

class HttpConnection {
 public:
  explicit HttpConnection(unsigned short port);

  // Writes all bytes; throws on failure.
  void send(std::string_view bytes);
  // Writes all bytes; the error instead of throwing (the server may have closed).
  boost::beast::error_code try_send(std::string_view bytes);
  // Reads one response; throws on timeout, close or a malformed response.
  HttpResponse read(std::chrono::milliseconds timeout = 15s);
  // True when the server closes the connection within `timeout` (bytes it sends are skipped).
  bool closed_within(std::chrono::milliseconds timeout);

  HttpResponse request(std::string_view method, std::string_view target, std::string_view body = {},
                       HeaderList const& headers = {});

 private:
  template <class Start>
  boost::beast::error_code run(Start&& start, std::chrono::milliseconds timeout);

  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

// One request on a fresh connection.
HttpResponse fetch(unsigned short port, std::string_view method, std::string_view target, std::string_view body = {},
                   HeaderList const& headers = {});

}  // namespace courtyard::e2e
