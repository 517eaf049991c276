// Request reading and resource rendering shared by the identity handlers.
#include "services/identity/logic.hpp"
#include "services/identity/routes.hpp"

namespace courtyard::identity {

namespace bj = boost::json;

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

void Fields::check(std::string field, std::optional<std::string> problem) {
  if (problem) errors_.push_back({std::move(field), std::move(*problem)});
}

void Fields::done() const {
  if (!errors_.empty()) throw Invalid(errors_);
}

bj::object account_json(repo::Account const& a) {
  return {{"id", a.id},
          {"email", a.email},
          {"display_name", a.display_name},
          {"admin", a.admin},
          {"created_at", json::rfc3339(a.created_at)}};
}

bj::array roles_json(std::vector<Membership> const& memberships) {
  bj::array out;
  for (auto const& m : memberships) {
    bj::object o{{"community_id", m.community_id}, {"role", role_name(m.role)}};
    if (m.role == Role::Resident) o["unit_id"] = m.unit_id;
    if (m.role == Role::Merchant) o["merchant_id"] = m.merchant_id;
    out.push_back(std::move(o));
  }
  return out;
}

bj::object community_json(repo::Community const& c) {
  return {{"id", c.id},
          {"name", c.name},
          {"address", c.address},
          {"timezone", c.timezone},
          {"created_at", json::rfc3339(c.created_at)}};
}

bj::object building_json(repo::Building const& b) {
  return {
      {"id", b.id}, {"community_id", b.community_id}, {"name", b.name}, {"created_at", json::rfc3339(b.created_at)}};
}

bj::object unit_json(repo::Unit const& u) {
  return {{"id", u.id},
          {"community_id", u.community_id},
          {"building_id", u.building_id},
          {"number", u.number},
          {"created_at", json::rfc3339(u.created_at)}};
}

bj::object application_json(repo::Application const& a) {
  return {{"id", a.id},
          {"community_id", a.community_id},
          {"unit_id", a.unit_id},
          {"status", a.status},
          {"applicant", {{"id", a.account_id}, {"email", a.applicant_email}, {"display_name", a.applicant_name}}},
          {"created_at", json::rfc3339(a.created_at)},
          {"decided_at", json::time_or_null(a.decided_at ? std::optional<std::int64_t>(a.decided_at) : std::nullopt)}};
}

bj::object staff_json(std::int64_t community_id, repo::StaffMember const& s) {
  return {{"community_id", community_id},   {"account_id", s.account_id},     {"role", s.role}, {"email", s.email},
          {"display_name", s.display_name}, {"since", json::rfc3339(s.since)}};
}

bj::object api_key_json(repo::ApiKey const& k) {
  bj::array scopes;
  for (auto const& s : k.scopes) scopes.emplace_back(s);
  return {{"id", k.id},
          {"community_id", k.community_id},
          {"merchant_id", k.merchant_id},
          {"name", k.name},
          {"prefix", k.prefix},
          {"scopes", std::move(scopes)},
          {"created_at", json::rfc3339(k.created_at)}};
}

}  // namespace courtyard::identity
