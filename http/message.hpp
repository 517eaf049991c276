#pragma once
// Framework-free request/response types. Handlers see only these (no Beast),
// so services compile without the network layer and tests call them in-process.
#include "http/json.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
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

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  Headers headers;

  static Response json(boost::json::value const& v, int status = 200);
  // 201 with a Location header.
  static Response created(boost::json::value const& v, std::string location);
  static Response no_content();
  static Response text(std::string body, std::string content_type = "text/plain; charset=utf-8");
  std::optional<std::string_view> header(std::string_view name) const;  // case-insensitive
};

}  // namespace courtyard::http
