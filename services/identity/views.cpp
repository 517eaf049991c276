// The JSON shapes of identity's resources.
#include "services/identity/logic.hpp"
#include "services/identity/routes.hpp"

namespace courtyard::identity {

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
    if (m.role == Role::Merchant) {
      o["merchant_id"] = m.merchant_id;
      o["merchant_role"] = m.staff ? "staff" : "owner";
    }
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
          {"created_at", json::rfc3339(k.created_at)},
          {"expires_at", json::time_or_null(k.expires_at)},
          {"last_used_at", json::time_or_null(k.last_used_at)}};
}

bj::object merchant_account_json(std::int64_t community_id, std::int64_t merchant_id, repo::StaffMember const& s) {
  return {{"account_id", s.account_id},
          {"community_id", community_id},
          {"merchant_id", merchant_id},
          {"role", s.role},
          {"email", s.email},
          {"display_name", s.display_name},
          {"since", json::rfc3339(s.since)}};
}

}  // namespace courtyard::identity
