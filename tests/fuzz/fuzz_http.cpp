// Harness: raw bytes -> Beast's HTTP/1.1 request parser configured as the server configures it
// (gateway/net/http_session.cpp: header and body limits from Config) -> net::to_request ->
// Router::match on the real route table -> the Request helpers (header, query, page, id,
// json) -> App::handle (the whole middleware chain, on SQLite) -> net::serialize.
// A request carrying the header `x-fuzz-admin` is sent with the platform admin's token, so
// the fuzzer reaches handlers behind authentication.
// Oracles: sanitizers; no 500; errors are problem+json without internals; the serialized
// head never carries CR/LF injected through a handler header.
#include "fuzz_common.hpp"

#include "gateway/net/message.hpp"
#include "http/errors.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstdint>
#include <cstring>

namespace beast = boost::beast;
using namespace courtyard;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::world();
  return 0;
}

namespace {

void exercise_helpers(http::Request& req, http::Router::Match const& m) {
  (void)req.header("content-type");
  (void)req.header("authorization");
  (void)req.query_param("limit");
  try {
    (void)req.query_int("community_id", 0);
  } catch (ApiError const&) {
  }
  try {
    auto p = req.page();
    if (p.limit < 1 || p.limit > 200) fuzz::fail("page() accepted limit " + std::to_string(p.limit));
  } catch (ApiError const&) {
  }
  req.params = m.params;
  for (auto const& [name, value] : m.params) {
    try {
      auto id = req.id(name);
      if (id <= 0) fuzz::fail("id() returned a non-positive id");
    } catch (ApiError const&) {
    }
  }
  try {
    (void)req.json();
  } catch (ApiError const&) {
  }
  req.params.clear();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  auto& w = fuzz::world();
  auto const& config = w.app->config();

  beast::http::request_parser<beast::http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(config.header_limit));
  parser.body_limit(config.body_limit);
  beast::error_code ec;
  std::size_t used = 0;
  // Feed in two pieces (the server reads in chunks) to exercise the parser's resumption.
  std::size_t const split = size > 1 ? data[0] % size : size;
  for (std::size_t end : {split, size}) {
    while (used < end && !ec) {
      auto n = parser.put(boost::asio::buffer(data + used, end - used), ec);
      if (ec == beast::http::error::need_more) {
        ec = {};
        if (n == 0) break;
      }
      used += n;
      if (parser.is_done()) break;
    }
    if (ec || parser.is_done()) break;
  }
  if (!ec && !parser.is_done() && parser.is_header_done()) parser.put_eof(ec);
  if (ec || !parser.is_done()) return 0;  // the server answers 400/413/431 or waits

  auto msg = parser.release();
  bool const admin = msg.find("x-fuzz-admin") != msg.end();
  auto req = gateway::net::to_request(std::move(msg), "127.0.0.1");
  if (!req) return 0;  // 400: the target is not a valid URI

  auto m = w.app->router().match(req->method, req->path);
  if (m.route && !m.path_known) fuzz::fail("a matched route with an unknown path");
  if (m.route && m.params.size() > m.route->segments.size()) fuzz::fail("more params than segments");
  exercise_helpers(*req, m);
  (void)w.app->is_inline(req->method, req->path);

  // Signing the admin out would change the harness's state for every later input.
  if (admin && req->path.find("logout") == std::string::npos) {
    std::erase_if(req->headers, [](auto const& h) { return h.first == "authorization"; });
    req->headers.emplace_back("authorization", "Bearer " + w.admin_token);
  }
  std::string const what = req->method + " " + req->target;
  http::Response r = w.app->handle(*req);
  fuzz::check_response(r, what, std::string_view(reinterpret_cast<char const*>(data), size));

  auto wire = gateway::net::serialize(std::move(r), 11, true, req->method == "HEAD");
  auto const head_end = wire.head.find("\r\n\r\n");
  if (head_end == std::string::npos || head_end + 4 != wire.head.size()) fuzz::fail("malformed response head");
  for (std::size_t i = 0; i < head_end; ++i) {
    if (wire.head[i] == '\n' && (i == 0 || wire.head[i - 1] != '\r')) fuzz::fail("bare LF in response head");
    if (wire.head[i] == '\0') fuzz::fail("NUL in response head");
  }
  return 0;
}
