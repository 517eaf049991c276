#pragma once
// Identity storage: all of identity's SQL (SOCI, bound parameters only). Reads take a plain
// session so they run under db::read as well as inside a Tx (tx.sql()). Every query over
// community data is filtered by community_id. List queries return up to page.fetch() rows,
// ascending by id after the cursor, so the caller can tell whether another page follows.
#include "db/tx.hpp"
#include "http/json.hpp"
#include "http/principal.hpp"
#include "services/identity/api.hpp"
#include "services/identity/logic.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace courtyard::identity::repo {

struct Account {
  std::int64_t id = 0;
  std::string email;
  std::string display_name;
  std::string password_hash;
  bool admin = false;
  std::int64_t created_at = 0;
};

std::optional<Account> account_by_email(soci::session& s, std::string const& email);
std::optional<Account> account_by_id(soci::session& s, std::int64_t id);
bool any_admin(soci::session& s);
std::int64_t insert_account(db::Tx& tx, std::string const& email, std::string const& display_name,
                            std::string const& password_hash, bool admin);
void set_password(db::Tx& tx, std::int64_t account_id, std::string const& password_hash);
void make_admin(db::Tx& tx, std::int64_t account_id);

// Sessions: stored as the token's digest. Revoking one, making an account admin and granting a
// role tell every principal cache (principals::changed) in the same transaction.
void insert_session(db::Tx& tx, std::string const& token_hash, std::int64_t account_id, std::int64_t expires_at);
bool revoke_session(db::Tx& tx, std::int64_t account_id, std::string const& token_hash);
void revoke_sessions_of(db::Tx& tx, std::int64_t account_id);
// The live (unrevoked, unexpired) session's principal: account, expiry and memberships, in one
// statement.
std::optional<Principal> session_principal(soci::session& s, std::string const& token_hash, std::int64_t now);

// Login-attempt counters per (normalised email, client address); client "" is the email's
// counter over every address.
struct AttemptRow {
  std::int64_t id = 0;
  std::int64_t version = 0;
  AttemptCounter counter;
};
std::optional<AttemptRow> attempt_counter(soci::session& s, std::string const& email, std::string const& client);
// Creates the (empty) counter unless it exists.
void ensure_attempt_counter(db::Tx& tx, std::string const& email, std::string const& client);
// Stores `next` when the row is still at `version`; false when someone else changed it first.
bool swap_attempt_counter(db::Tx& tx, std::int64_t id, std::int64_t version, AttemptCounter const& next);
// Drops attempt counters whose window started before `failures_before` (and whose delay is
// over) and sessions expired or revoked before `sessions_before`; returns rows removed.
long long prune(db::Tx& tx, std::int64_t failures_before, std::int64_t sessions_before);

struct Community {
  std::int64_t id = 0;
  std::string name;
  std::string address;
  std::string timezone;
  std::int64_t created_at = 0;
};
std::int64_t insert_community(db::Tx& tx, std::string const& name, std::string const& address,
                              std::string const& timezone);
std::optional<Community> community(soci::session& s, std::int64_t id);
bool community_exists(soci::session& s, std::int64_t id);
std::vector<Community> communities(soci::session& s, json::Page const& page);
std::vector<Community> communities_of(soci::session& s, std::int64_t account_id, json::Page const& page);

struct Building {
  std::int64_t id = 0;
  std::int64_t community_id = 0;
  std::string name;
  std::int64_t created_at = 0;
};
std::int64_t insert_building(db::Tx& tx, std::int64_t community_id, std::string const& name);
std::optional<Building> building(soci::session& s, std::int64_t community_id, std::int64_t building_id);
std::vector<Building> buildings(soci::session& s, std::int64_t community_id, json::Page const& page);

struct Unit {
  std::int64_t id = 0;
  std::int64_t community_id = 0;
  std::int64_t building_id = 0;
  std::string number;
  std::int64_t created_at = 0;
};
std::int64_t insert_unit(db::Tx& tx, std::int64_t community_id, std::int64_t building_id, std::string const& number);
std::optional<Unit> unit(soci::session& s, std::int64_t community_id, std::int64_t unit_id);
std::vector<Unit> units(soci::session& s, std::int64_t community_id, std::int64_t building_id, json::Page const& page);
// Cross-tenant by design: tells which community a unit belongs to (0 when unknown).
std::int64_t unit_community(soci::session& s, std::int64_t unit_id);
// The unit's building when the unit is in the community, else 0.
std::int64_t unit_building(soci::session& s, std::int64_t community_id, std::int64_t unit_id);
std::optional<UnitAddress> unit_address(soci::session& s, std::int64_t community_id, std::int64_t unit_id);
// {account, earliest resident grant, its building's name} for the accounts among `ids`.
struct ResidencyRow {
  std::int64_t account_id = 0, since_ms = 0;
  std::string building;
};
std::vector<ResidencyRow> residencies(soci::session& s, std::int64_t community_id, std::vector<std::int64_t> const& ids);
bool building_in_community(soci::session& s, std::int64_t community_id, std::int64_t building_id);
// Units with at least one resident, with their building, by unit id.
std::vector<OccupiedUnit> occupied_units(soci::session& s, std::int64_t community_id);

// Memberships (roles). Returns true when the grant is new.
bool grant(db::Tx& tx, std::int64_t account_id, std::int64_t community_id, Role role, std::int64_t unit_id,
           std::int64_t merchant_id);
bool is_member(soci::session& s, std::int64_t account_id, std::int64_t community_id);
bool has_role(soci::session& s, std::int64_t account_id, std::int64_t community_id, Role role, std::int64_t unit_id);
std::vector<std::int64_t> accounts_with_role(soci::session& s, std::int64_t community_id, Role role);
std::vector<std::int64_t> accounts_acting_for(soci::session& s, std::int64_t community_id, std::int64_t merchant_id);
std::vector<std::int64_t> residents_of_unit(soci::session& s, std::int64_t unit_id);
std::vector<std::int64_t> residents_of_community(soci::session& s, std::int64_t community_id, std::int64_t building_id);
std::vector<std::int64_t> residents_page(soci::session& s, std::int64_t community_id, std::int64_t building_id,
                                         std::int64_t after_account, std::int64_t limit);
std::int64_t count_residents(soci::session& s, std::int64_t community_id, std::int64_t building_id);
bool merchant_known(soci::session& s, std::int64_t community_id, std::int64_t merchant_id);

struct StaffMember {
  std::int64_t id = 0;  // the membership row
  std::int64_t account_id = 0;
  std::string role;
  std::string email;
  std::string display_name;
  std::int64_t since = 0;
};
std::optional<StaffMember> staff_member(soci::session& s, std::int64_t community_id, std::int64_t account_id,
                                        Role role);
std::vector<StaffMember> staff(soci::session& s, std::int64_t community_id, json::Page const& page);
// A merchant's accounts: its owner(s) (role "owner") and staff (role "staff"), by membership id.
std::vector<StaffMember> merchant_accounts(soci::session& s, std::int64_t community_id, std::int64_t merchant_id,
                                           json::Page const& page);
// Adds a staff account to the merchant; false when the account already acts for it.
bool grant_merchant_staff(db::Tx& tx, std::int64_t account_id, std::int64_t community_id, std::int64_t merchant_id);
// Removes a staff account (never the owner); false when it is not staff of the merchant.
bool remove_merchant_staff(db::Tx& tx, std::int64_t account_id, std::int64_t community_id, std::int64_t merchant_id);

struct Application {
  std::int64_t id = 0;
  std::int64_t community_id = 0;
  std::int64_t account_id = 0;
  std::int64_t unit_id = 0;
  std::string status;
  std::int64_t created_at = 0;
  std::int64_t decided_at = 0;  // 0 while pending
  std::string applicant_email;
  std::string applicant_name;
};
// Throws the storage's unique violation when the account already has an open application
// for the unit.
std::int64_t insert_application(db::Tx& tx, std::int64_t community_id, std::int64_t account_id, std::int64_t unit_id);
std::optional<Application> application(soci::session& s, std::int64_t community_id, std::int64_t id);
// Takes the account row's write lock for the rest of the transaction (SQLite's write
// transactions are serial anyway): the account's checks and writes become one step.
void lock_account(db::Tx& tx, std::int64_t account_id);
// The communities the account has a pending application in (one entry per application).
std::vector<std::int64_t> pending_application_communities(soci::session& s, std::int64_t account_id);
std::vector<Application> applications(soci::session& s, std::int64_t community_id,
                                      std::optional<std::string> const& status, json::Page const& page);
std::vector<Application> applications_of(soci::session& s, std::int64_t account_id, json::Page const& page);
// Moves a pending application to `status`; false when it is not (or no longer) pending.
bool decide(db::Tx& tx, std::int64_t community_id, std::int64_t id, std::string const& status, std::int64_t decided_by);

struct ApiKey {
  std::int64_t id = 0;
  std::int64_t community_id = 0;
  std::int64_t merchant_id = 0;
  std::string name;
  std::string prefix;
  std::vector<std::string> scopes;
  std::int64_t created_by = 0;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> expires_at;    // none: never expires
  std::optional<std::int64_t> last_used_at;  // none: never used; updated at most once a minute
};
// Also creates the key's usage row.
std::int64_t insert_api_key(db::Tx& tx, ApiKey const& key, std::string const& key_hash);
std::vector<ApiKey> api_keys(soci::session& s, std::int64_t community_id, std::int64_t merchant_id,
                             json::Page const& page);
bool revoke_api_key(db::Tx& tx, std::int64_t community_id, std::int64_t merchant_id, std::int64_t key_id);
// Unrevoked and unexpired at `now`.
std::optional<ApiKey> live_api_key(soci::session& s, std::string const& key_hash, std::int64_t now);
// Records a use at `now` unless one at or after `stale_before` is already recorded; true when written.
bool touch_api_key(db::Tx& tx, std::int64_t key_id, std::int64_t now, std::int64_t stale_before);

}  // namespace courtyard::identity::repo
