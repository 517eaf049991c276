// Reading request bodies field by field, collecting every problem for one 422.
#include "services/identity/logic.hpp"
#include "services/identity/routes.hpp"

namespace courtyard::identity {

Fields::Fields(http::Request const& req) : body_(req.json()) {}

bj::value const* Fields::required(std::string_view key) {
  auto const* v = body_.if_contains(key);
  if (!v || v->is_null()) {
    errors_.push_back({std::string(key), "is required"});
    return nullptr;
  }
  return v;
}

std::optional<std::string> Fields::string(std::string_view key) {
  auto const* v = required(key);
  if (!v) return std::nullopt;
  if (!v->is_string()) throw BadRequest("field '" + std::string(key) + "' must be a string");
  std::string s(v->get_string());
  if (s.empty()) {
    errors_.push_back({std::string(key), "is required"});
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> Fields::text(std::string_view key, std::size_t max_chars) {
  auto s = string(key);
  if (!s) return std::nullopt;
  std::string t = trim(*s);
  if (auto why = text_problem(t, max_chars)) {
    errors_.push_back({std::string(key), *why});
    return std::nullopt;
  }
  return t;
}

std::optional<std::int64_t> Fields::id(std::string_view key) {
  auto const* v = required(key);
  if (!v) return std::nullopt;
  if (!v->is_int64() && !v->is_uint64()) throw BadRequest("field '" + std::string(key) + "' must be an integer");
  if (!v->is_int64() || v->get_int64() <= 0) {
    errors_.push_back({std::string(key), "must be a positive id"});
    return std::nullopt;
  }
  return v->get_int64();
}

std::optional<std::vector<std::string>> Fields::strings(std::string_view key) {
  auto const* v = required(key);
  if (!v) return std::nullopt;
  if (!v->is_array()) throw BadRequest("field '" + std::string(key) + "' must be an array of strings");
  std::vector<std::string> out;
  for (auto const& item : v->get_array()) {
    if (!item.is_string()) throw BadRequest("field '" + std::string(key) + "' must be an array of strings");
    out.emplace_back(item.get_string());
  }
  return out;
}

std::optional<std::int64_t> Fields::opt_time(std::string_view key) {
  auto const* v = body_.if_contains(key);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_string()) throw BadRequest("field '" + std::string(key) + "' must be an RFC 3339 timestamp string");
  auto t = json::parse_rfc3339(v->get_string());
  if (!t) errors_.push_back({std::string(key), "must be an RFC 3339 timestamp"});
  return t;
}

void Fields::check(std::string field, std::optional<std::string> problem) {
  if (problem) errors_.push_back({std::move(field), std::move(*problem)});
}

void Fields::done() const {
  if (!errors_.empty()) throw Invalid(errors_);
}

}  // namespace courtyard::identity
