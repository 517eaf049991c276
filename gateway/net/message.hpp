#pragma once
// Translation between Beast messages and the framework-free http::Request/Response.
#include "http/message.hpp"
#include "gateway/net/shared_state.hpp"

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace courtyard::gateway::net {

using BeastResponse = http::response<http::string_body>;

// Method, raw target, percent-decoded path, decoded query pairs ('+' is a space),
// lower-case header names, body. nullopt when the target is not a valid request-target.
std::optional<Request> to_request(BeastRequest&& msg, std::string remote_ip);

// Server: courtyard, Date, Content-Length, keep-alive as given. For a HEAD request the body
// is dropped but Content-Length still describes it.
BeastResponse to_beast(Response&& r, unsigned version, bool keep_alive, bool head_request);

// The same response as wire bytes, written directly by the HTTP session (cheaper than
// Beast's serializer on the hot path). The body is kept apart so it is never copied.
// Handler headers that the server owns (Content-Length, Connection, Date, Server,
// Transfer-Encoding) or that contain CR/LF/NUL are dropped.
// A streamed response (Response::stream) gets Transfer-Encoding: chunked and no
// Content-Length; its producer moves to `stream` (dropped for HEAD). HTTP/1.0 has no chunked
// coding: the caller drains such a response first (http::drain).
struct WireResponse {
  std::string head;  // status line and header fields, ending in an empty line
  std::string body;
  courtyard::http::BodyStream stream;
};
WireResponse serialize(Response&& r, unsigned version, bool keep_alive, bool head_request);

// IMF-fixdate of the current second ("Sun, 06 Nov 1994 08:49:37 GMT"), cached per thread.
std::string_view http_date();

// The client's X-Request-Id when it is a sane token, otherwise a fresh random id.
std::string request_id_for(std::optional<std::string_view> client_id);
std::string request_id_for(http::fields const& fields);
std::string new_request_id();

// A problem+json response produced by the network layer itself (limits, overload).
Response net_problem(int status, std::string_view slug, std::string_view title, std::string_view detail,
                     std::string const& request_id);

}  // namespace courtyard::gateway::net
