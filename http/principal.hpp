#pragma once
// Who is calling: resolved by the auth middleware from a bearer session token
// or a merchant API key (ck_...). Roles are per community.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace courtyard {

enum class Role : unsigned { Resident = 1, Manager = 2, Merchant = 4, Courier = 8 };
constexpr unsigned operator|(Role a, Role b) { return unsigned(a) | unsigned(b); }
constexpr unsigned operator|(unsigned a, Role b) { return a | unsigned(b); }
std::string_view role_name(Role r);
std::optional<Role> parse_role(std::string_view s);

struct Membership {
  std::int64_t community_id = 0;
  Role role = Role::Resident;
  std::int64_t unit_id = 0;      // residents
  std::int64_t merchant_id = 0;  // merchants (owner/staff of one merchant)
  bool staff = false;            // merchants: a staff account, not the owner (http/scopes.hpp)
};

struct Principal {
  enum class Kind { Anonymous, Session, ApiKey };
  Kind kind = Kind::Anonymous;
  std::int64_t account_id = 0;
  std::string display_name;
  std::string email;
  bool admin = false;
  std::vector<Membership> memberships;
  std::vector<std::string> scopes;  // API keys only
  std::string token_hash;            // sessions: for logout
  std::int64_t expires_at = 0;       // sessions: when it ends (epoch ms)
  std::int64_t created_at = 0;       // sessions: when the account was registered (epoch ms)

  bool authenticated() const { return kind != Kind::Anonymous; }
  bool in_community(std::int64_t cid) const;
  bool has(Role r, std::int64_t cid) const;
  bool has_any(unsigned role_mask, std::int64_t cid) const;
  // Merchant ids this principal may act for in the community.
  bool acts_for_merchant(std::int64_t cid, std::int64_t merchant_id) const;
  // Whether its merchant role in the community admits a route needing `scope` ("" = none) for
  // `merchant_id` (0 = any merchant it acts for there): an owner (or an API key, whose scopes
  // are checked on their own) always; a staff account only for the staff scopes and the
  // community's scope-less routes outside any merchant (http::scopes::staff_route_ok).
  bool merchant_allows(std::int64_t cid, std::int64_t merchant_id, std::string_view scope) const;
  // The unit a resident lives in within the community (first one), 0 when none.
  std::int64_t unit_in(std::int64_t cid) const;
  bool has_scope(std::string_view scope) const;
};

}  // namespace courtyard
