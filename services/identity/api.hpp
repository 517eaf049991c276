#pragma once
// What other services and the gateway may call from identity.
#include "db/tx.hpp"
#include "http/principal.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <vector>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace courtyard::identity {

// Bearer credential (session token, or ck_ merchant API key) -> Principal with its
// memberships; nullopt when unknown, revoked or expired. The gateway's Authenticator.
std::optional<Principal> authenticate(db::Database& db, std::string_view credential);

// Grants a community role (idempotent). Shops calls it when a manager approves a merchant
// (role Merchant with merchant_id); identity uses it for residents and staff.
void grant_role(db::Tx& tx, std::int64_t account_id, std::int64_t community_id, Role role,
                std::int64_t unit_id = 0, std::int64_t merchant_id = 0);

// True when the account holds any role in the community.
bool is_member(db::Tx& tx, std::int64_t account_id, std::int64_t community_id);

// True when the community exists.
bool community_exists(db::Tx& tx, std::int64_t community_id);
// The community's IANA time zone name ("UTC" when the community is unknown): settlement
// periods follow the community's calendar.
std::string community_timezone(db::Tx& tx, std::int64_t community_id);
// The unit's community (0 when unknown) — to check a unit belongs to {cid}.
std::int64_t unit_community(db::Tx& tx, std::int64_t unit_id);
// Accounts holding a role in the community (e.g. couriers for auto-assignment, managers to notify).
std::vector<std::int64_t> accounts_with_role(db::Tx& tx, std::int64_t community_id, Role role);
// Accounts acting for a merchant of the community (owner and staff); empty when the merchant
// is not an approved merchant of that community.
std::vector<std::int64_t> accounts_acting_for(db::Tx& tx, std::int64_t community_id, std::int64_t merchant_id);
// Residents of a unit (for parcel notifications) and of a building (0 = whole community).
std::vector<std::int64_t> residents_of_unit(db::Tx& tx, std::int64_t unit_id);
std::vector<std::int64_t> residents_of_community(db::Tx& tx, std::int64_t community_id, std::int64_t building_id = 0);
// The same residents a page at a time, for audiences too large to hold at once: distinct
// account ids greater than `after_account`, ascending, at most `limit`.
std::vector<std::int64_t> residents_page(db::Tx& tx, std::int64_t community_id, std::int64_t building_id,
                                         std::int64_t after_account, std::int64_t limit);
// How many distinct residents the community (building 0) or the building has.
std::int64_t count_residents(db::Tx& tx, std::int64_t community_id, std::int64_t building_id = 0);

// Creates the first platform admin when no admin exists (COURTYARD_ADMIN_EMAIL /
// COURTYARD_ADMIN_PASSWORD at start). Returns true when it created one.
bool bootstrap_admin(db::Database& db, std::string const& email, std::string const& password,
                     std::string const& password_hash_level);

// Units with at least one approved resident, with their building (property billing).
struct OccupiedUnit {
  std::int64_t unit_id = 0;
  std::int64_t building_id = 0;
};
std::vector<OccupiedUnit> occupied_units(db::Tx& tx, std::int64_t community_id);
bool building_in_community(db::Tx& tx, std::int64_t community_id, std::int64_t building_id);
// The unit's building when the unit is in the community, else 0.
std::int64_t unit_building(db::Tx& tx, std::int64_t community_id, std::int64_t unit_id);
// Where a unit is (delivery orders a courier's round by building and floor).
struct UnitAddress {
  std::int64_t unit_id = 0;
  std::int64_t building_id = 0;
  std::string building_name;
  std::string unit_number;
};
// nullopt when the unit is not in the community.
std::optional<UnitAddress> unit_address(db::Tx& tx, std::int64_t community_id, std::int64_t unit_id);

struct AccountInfo {
  std::int64_t id = 0;
  std::string email;
  std::string display_name;
};
std::optional<AccountInfo> account(db::Tx& tx, std::int64_t account_id);

// ---- account erasure (erase.cpp; members orchestrates POST /v1/me/erasure)

enum class AccountState { Missing, Active, Erased };
// Locks the account row for the rest of the transaction (two erasures of one account queue)
// and tells whether it exists and whether it was erased already.
AccountState lock_for_erasure(db::Tx& tx, std::int64_t account_id);
// Checks the account's password (Argon2id through the hash gate, outside any transaction).
// False when it does not match or the account is unknown or erased.
bool password_matches(db::Database& db, std::int64_t account_id, std::string_view password);
// What stops the account from being erased now, as (code, detail): a platform admin must be
// demoted first (an installation must keep one).
std::vector<std::pair<std::string, std::string>> erasure_blockers(db::Tx& tx, std::int64_t account_id);
// The communities the account holds any role in (read before erase_account removes them).
std::vector<std::int64_t> communities_of(db::Tx& tx, std::int64_t account_id);
// Pseudonymises the account: email "erased-<id>@erased.invalid", display name "Former
// resident", the password hash replaced by one nothing verifies, erased_at set; sessions
// revoked, API keys it created revoked, its roles and open residency applications removed,
// its login counters deleted. The row and its id stay (orders, bills, ledgers refer to it).
boost::json::object erase_account(db::Tx& tx, std::int64_t account_id);
// The display name every erased account shows.
inline constexpr std::string_view kFormerResident = "Former resident";
// A neighbour as others see them next to a review or a post (trust badges): verified when
// the account holds an approved residency in the community (the Resident role), resident
// since the earliest such grant, and that unit's building name. No name, email or unit.
struct Residency {
  bool verified = false;
  std::int64_t since_ms = 0;
  std::string building;
};
// The residencies of these accounts in the community; an account with none is absent.
std::map<std::int64_t, Residency> residencies(db::Tx& tx, std::int64_t community_id,
                                              std::vector<std::int64_t> const& account_ids);
// How long someone has lived here, as a band: "new resident" (under 6 months),
// "resident 6+ months", "resident 1+ year", "resident 2+ years", "resident 5+ years".
std::string tenure_band(std::int64_t since_ms, std::int64_t now_ms);
// The trust badge shown next to a neighbour's review or post instead of who they are:
// {"verified_resident", "tenure_band", "building", "label": "resident 2+ years, Block B"};
// without a residency {"verified_resident": false, ..., "label": "neighbour"}.
boost::json::object trust_badge(std::optional<Residency> const& r, std::int64_t now_ms);
// Whole years of residency at now_ms (0 for under a year).
std::int64_t tenure_years(std::int64_t since_ms, std::int64_t now_ms);

}  // namespace courtyard::identity
