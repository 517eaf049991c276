#include "http/principal.hpp"

#include "http/scopes.hpp"

#include <algorithm>

namespace courtyard {

std::string_view role_name(Role r) {
  switch (r) {
    case Role::Resident: return "resident";
    case Role::Manager: return "manager";
    case Role::Merchant: return "merchant";
    case Role::Courier: return "courier";
  }
  return "unknown";
}

std::optional<Role> parse_role(std::string_view s) {
  if (s == "resident") return Role::Resident;
  if (s == "manager") return Role::Manager;
  if (s == "merchant") return Role::Merchant;
  if (s == "courier") return Role::Courier;
  return std::nullopt;
}

bool Principal::in_community(std::int64_t cid) const {
  return std::any_of(memberships.begin(), memberships.end(), [&](auto const& m) { return m.community_id == cid; });
}

bool Principal::has(Role r, std::int64_t cid) const { return has_any(unsigned(r), cid); }

bool Principal::has_any(unsigned mask, std::int64_t cid) const {
  return std::any_of(memberships.begin(), memberships.end(),
                     [&](auto const& m) { return m.community_id == cid && (unsigned(m.role) & mask) != 0; });
}

bool Principal::acts_for_merchant(std::int64_t cid, std::int64_t merchant_id) const {
  return std::any_of(memberships.begin(), memberships.end(), [&](auto const& m) {
    return m.community_id == cid && m.role == Role::Merchant && m.merchant_id == merchant_id;
  });
}

bool Principal::merchant_allows(std::int64_t cid, std::int64_t merchant_id, std::string_view scope) const {
  return std::any_of(memberships.begin(), memberships.end(), [&](auto const& m) {
    return m.community_id == cid && m.role == Role::Merchant && (merchant_id == 0 || m.merchant_id == merchant_id) &&
           (!m.staff || http::scopes::staff_route_ok(scope, merchant_id != 0));
  });
}

std::int64_t Principal::unit_in(std::int64_t cid) const {
  for (auto const& m : memberships)
    if (m.community_id == cid && m.role == Role::Resident && m.unit_id) return m.unit_id;
  return 0;
}

bool Principal::has_scope(std::string_view scope) const {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

}  // namespace courtyard
