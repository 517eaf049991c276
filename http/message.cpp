#include "http/message.hpp"

#include "http/errors.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <strings.h>

namespace courtyard::http {

std::optional<std::string_view> Request::header(std::string_view lower_name) const {
  for (auto const& [k, v] : headers)
    if (k == lower_name) return std::string_view(v);
  return std::nullopt;
}

std::optional<std::string_view> Request::query_param(std::string_view name) const {
  for (auto const& [k, v] : query)
    if (k == name) return std::string_view(v);
  return std::nullopt;
}

std::string_view Request::param(std::string_view name) const {
  for (auto const& [k, v] : params)
    if (k == name) return v;
  throw NotFound();
}

std::int64_t Request::id(std::string_view name) const {
  auto s = param(name);
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0) throw NotFound();
  return v;
}

std::int64_t Request::query_int(std::string_view name, std::int64_t fallback) const {
  auto s = query_param(name);
  if (!s) return fallback;
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (ec != std::errc() || p != s->data() + s->size()) throw Invalid(std::string(name), "must be an integer");
  return v;
}

json::Page Request::page() const {
  json::Page p;
  p.limit = query_int("limit", 50);
  if (p.limit < 1 || p.limit > 200) throw Invalid("limit", "must be between 1 and 200");
  if (auto c = query_param("cursor"); c && !c->empty()) {
    p.after = json::decode_cursor(*c);
    if (!p.after) throw Invalid("cursor", "is not a cursor this API returned");
  }
  return p;
}

boost::json::object Request::json() const {
  if (body.empty()) throw BadRequest("a JSON object body is required", "malformed-json");
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec) throw BadRequest("the body is not valid JSON: " + ec.message(), "malformed-json");
  if (!v.is_object()) throw BadRequest("the body must be a JSON object", "malformed-json");
  return std::move(v.as_object());
}

Response Response::json(boost::json::value const& v, int status) {
  Response r;
  r.status = status;
  r.body = boost::json::serialize(v);
  return r;
}

Response Response::json_text(std::string text, int status) {
  Response r;
  r.status = status;
  r.body = std::move(text);
  return r;
}

Response Response::created(boost::json::value const& v, std::string location) {
  Response r = json(v, 201);
  r.headers.emplace_back("Location", std::move(location));
  return r;
}

Response Response::no_content() {
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

Response Response::text(std::string body, std::string content_type) {
  Response r;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return r;
}

Response Response::streamed(BodyStream next, std::string content_type) {
  Response r;
  r.stream = std::move(next);
  r.content_type = std::move(content_type);
  return r;
}

void drain(Response& r) {
  if (!r.stream) return;
  BodyStream next = std::move(r.stream);
  r.stream = nullptr;
  while (next(r.body)) {
  }
}

std::optional<std::string_view> Response::header(std::string_view name) const {
  for (auto const& [k, v] : headers)
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) return std::string_view(v);
  return std::nullopt;
}

}  // namespace courtyard::http
