#pragma once
// Framework-free request/response types. Handlers see only these (no Beast),
// so services compile without the network layer and tests call them in-process.
#include "http/json.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace courtyard::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;   // "GET", "POST", ...
  std::string target;   // raw target, e.g. "/v1/x?limit=5"
  std::string path;     // percent-decoded path without the query
  std::vector<std::pair<std::string, std::string>> query;   // decoded
  Headers headers;      // names lower-case
  std::string body;
  std::string remote_ip;
  std::string request_id;
  std::vector<std::pair<std::string, std::string>> params;  // path params, set by the router

  std::optional<std::string_view> header(std::string_view lower_name) const;
  std::optional<std::string_view> query_param(std::string_view name) const;
  // Path parameter as text; throws NotFound when absent.
  std::string_view param(std::string_view name) const;
  // Path parameter as a positive id; anything else is 404 (an unknown resource).
  std::int64_t id(std::string_view name) const;
  // Query parameter as an integer; 422 on garbage. Returns fallback when absent.
  std::int64_t query_int(std::string_view name, std::int64_t fallback) const;
  // `limit` (1-200, default 50) and `cursor` of a list request; 422 on bad values.
  json::Page page() const;
  // Parses the body as a JSON object; 400 when malformed or not an object.
  boost::json::object json() const;
};

// A body produced after the handler has returned, piece by piece, for answers too large to
// build whole (a long CSV). Each call appends the next piece to `out` (which may already hold
// earlier pieces: size a piece by what the call appends) and returns false once nothing
// follows. The network layer calls it on a worker thread, never on an I/O thread, and
// sends each piece as one chunk (HTTP/1.1 chunked transfer coding) before asking for the next,
// so a slow client holds back the producer instead of filling memory. The handler's
// transaction has ended by then: a producer that reads the database opens its own short
// transactions. A throw ends the connection without the final chunk, so the client sees a
// truncated answer, never a complete-looking wrong one.
using BodyStream = std::function<bool(std::string& out)>;

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  Headers headers;
  BodyStream stream;  // when set, the body (body is then empty)

  static Response json(boost::json::value const& v, int status = 200);
  // A body already written as JSON text (http/json_out.hpp).
  static Response json_text(std::string text, int status = 200);
  // 201 with a Location header.
  static Response created(boost::json::value const& v, std::string location);
  static Response no_content();
  static Response text(std::string body, std::string content_type = "text/plain; charset=utf-8");
  static Response streamed(BodyStream next, std::string content_type);
  std::optional<std::string_view> header(std::string_view name) const;  // case-insensitive
};

// Runs a streamed response's producer to the end into `body` (HTTP/1.0 clients, in-process
// callers). No-op for a response that is not streamed.
void drain(Response& r);

}  // namespace courtyard::http
