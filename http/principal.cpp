#include "http/principal.hpp"

#include "http/names.hpp"
#include "http/scopes.hpp"

#include <algorithm>

namespace courtyard {

namespace {
constexpr auto kRole = http::names<Role>({{Role::Resident, "resident"},
                                          {Role::Manager, "manager"},
                                          {Role::Merchant, "merchant"},
                                          {Role::Courier, "courier"}});
static_assert(kRole.distinct());
}  // namespace

std::string_view role_name(Role r) { return kRole.name(r); }
std::optional<Role> parse_role(std::string_view s) { return kRole.parse(s); }

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
