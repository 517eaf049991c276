#include "services/identity/repository.hpp"

#include "db/database.hpp"
#include "db/query.hpp"
#include "http/principal_cache.hpp"
#include "services/identity/logic.hpp"

#include <sstream>

namespace courtyard::identity::repo {

using soci::use;

namespace {

// Identity's reads run on a plain pooled session under db::read, outside a transaction
// (authentication runs on every request and must not take SQLite's write lock); callers
// holding a Tx pass tx.sql(). db::all and db::one take either.
using db::all;
using db::one;


// True when the query returns a row.
template <class... Uses>
bool found(soci::session& s, std::string const& query, Uses&&... uses) {
  return one(s, query, db::first_integer, std::forward<Uses>(uses)...).has_value();
}

std::string join_scopes(std::vector<std::string> const& scopes) {
  std::string out;
  for (auto const& s : scopes) out += (out.empty() ? "" : " ") + s;
  return out;
}

std::vector<std::string> split_scopes(std::string const& joined) {
  std::vector<std::string> out;
  std::istringstream in(joined);
  for (std::string s; in >> s;) out.push_back(s);
  return out;
}

std::string role_text(Role r) { return std::string(role_name(r)); }

}  // namespace

// ---- accounts

#define COURTYARD_ACCOUNT_COLUMNS "SELECT a.id, a.email, a.display_name, a.password_hash, a.is_admin, a.created_at"

constexpr char const* kAccountByEmail = COURTYARD_ACCOUNT_COLUMNS " FROM accounts a WHERE a.email = :email";
constexpr char const* kAccountById = COURTYARD_ACCOUNT_COLUMNS " FROM accounts a WHERE a.id = :id";

#undef COURTYARD_ACCOUNT_COLUMNS

namespace {

constexpr auto account_from =
    db::fields(&Account::id, &Account::email, &Account::display_name, &Account::password_hash,
               &Account::admin, &Account::created_at);

}  // namespace

std::optional<Account> account_by_email(soci::session& s, std::string const& email) {
  return one(s, kAccountByEmail, account_from, use(email));
}

std::optional<Account> account_by_id(soci::session& s, std::int64_t id) {
  return one(s, kAccountById, account_from, use(id));
}

constexpr char const* kAnyAdmin = "SELECT id FROM accounts WHERE is_admin = 1 LIMIT 1";

bool any_admin(soci::session& s) { return found(s, kAnyAdmin); }

constexpr char const* kInsertAccount =
    "INSERT INTO accounts (email, display_name, password_hash, is_admin, created_at) "
    "VALUES (:email, :name, :hash, :admin, :now)";

std::int64_t insert_account(db::Tx& tx, std::string const& email, std::string const& display_name,
                            std::string const& password_hash, bool admin) {
  int is_admin = admin ? 1 : 0;
  long long now = tx.now_ms();
  return tx.insert("accounts", kInsertAccount, use(email), use(display_name), use(password_hash), use(is_admin),
                   use(now));
}

constexpr char const* kSetPassword = "UPDATE accounts SET password_hash = :hash WHERE id = :id";

void set_password(db::Tx& tx, std::int64_t account_id, std::string const& password_hash) {
  tx.exec(kSetPassword, use(password_hash), use(account_id));
}

constexpr char const* kMakeAdmin = "UPDATE accounts SET is_admin = 1 WHERE id = :id";

void make_admin(db::Tx& tx, std::int64_t account_id) {
  tx.exec(kMakeAdmin, use(account_id));
  principals::changed(tx, account_id);
}

// ---- sessions

constexpr char const* kInsertSession =
    "INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES (:hash, :account, :now, :exp)";

void insert_session(db::Tx& tx, std::string const& token_hash, std::int64_t account_id, std::int64_t expires_at) {
  long long now = tx.now_ms();
  tx.exec(kInsertSession, use(token_hash), use(account_id), use(now), use(expires_at));
}

constexpr char const* kRevokeSession =
    "UPDATE sessions SET revoked_at = :now WHERE token_hash = :hash AND revoked_at IS NULL";

bool revoke_session(db::Tx& tx, std::int64_t account_id, std::string const& token_hash) {
  long long now = tx.now_ms();
  bool revoked = tx.exec(kRevokeSession, use(now), use(token_hash)) > 0;
  if (revoked) principals::changed(tx, account_id);
  return revoked;
}

constexpr char const* kRevokeSessionsOf =
    "UPDATE sessions SET revoked_at = :now WHERE account_id = :account AND revoked_at IS NULL";

void revoke_sessions_of(db::Tx& tx, std::int64_t account_id) {
  long long now = tx.now_ms();
  if (tx.exec(kRevokeSessionsOf, use(now), use(account_id)) > 0) principals::changed(tx, account_id);
}

// The hot path of an authenticated request that misses the principal cache: the session, its
// account and the account's memberships in one statement (one row per membership, or one row
// with NULL membership columns), bound into typed variables (soci::into) rather than read
// through dynamic soci::row values. The password hash is not read.
constexpr char const* kSessionPrincipal =
    "SELECT a.id, a.email, a.display_name, a.is_admin, a.created_at, t.expires_at,"
    " m.community_id, m.role, m.unit_id, m.merchant_id, m.staff"
    " FROM sessions t JOIN accounts a ON a.id = t.account_id"
    " LEFT JOIN memberships m ON m.account_id = a.id"
    " WHERE t.token_hash = :hash AND t.revoked_at IS NULL AND t.expires_at > :now"
    " ORDER BY m.community_id, m.id";

std::optional<Principal> session_principal(soci::session& s, std::string const& token_hash, std::int64_t now) {
  long long id = 0, created_at = 0, expires_at = 0, community_id = 0, unit_id = 0, merchant_id = 0;
  int admin = 0;
  std::string email, display_name, role;
  int staff = 0;
  soci::indicator community_ind = soci::i_ok, role_ind = soci::i_ok, unit_ind = soci::i_ok,
                  merchant_ind = soci::i_ok, staff_ind = soci::i_ok;
  long long at = now;
  soci::statement st = (s.prepare << kSessionPrincipal, soci::into(id), soci::into(email), soci::into(display_name),
                        soci::into(admin), soci::into(created_at), soci::into(expires_at),
                        soci::into(community_id, community_ind), soci::into(role, role_ind),
                        soci::into(unit_id, unit_ind), soci::into(merchant_id, merchant_ind),
                        soci::into(staff, staff_ind), use(token_hash), use(at));
  st.execute();
  std::optional<Principal> p;
  while (st.fetch()) {
    if (!p) {
      p.emplace();
      p->kind = Principal::Kind::Session;
      p->account_id = id;
      p->email = email;
      p->display_name = display_name;
      p->admin = admin != 0;
      p->created_at = created_at;
      p->expires_at = expires_at;
      p->token_hash = token_hash;
    }
    if (community_ind != soci::i_ok || role_ind != soci::i_ok) continue;  // no memberships
    auto r = parse_role(role);
    if (!r) continue;  // unknown roles skipped
    p->memberships.push_back({community_id, *r, unit_ind == soci::i_ok ? unit_id : 0,
                              merchant_ind == soci::i_ok ? merchant_id : 0, staff_ind == soci::i_ok && staff != 0});
  }
  return p;
}

// ---- login attempts

constexpr char const* kAttemptCounter =
    "SELECT id, version, attempts, window_start, blocked_until FROM login_attempts"
    " WHERE email = :email AND client = :client";

std::optional<AttemptRow> attempt_counter(soci::session& s, std::string const& email, std::string const& client) {
  return one(
      s, kAttemptCounter,
      [](db::Row const& r) {
        db::Cols c(r);
        AttemptRow a;
        c.into(a.id, a.version, a.counter.attempts, a.counter.window_start, a.counter.blocked_until);
        return a;
      },
      use(email), use(client));
}

// Prefixed by the backend's INSERT IGNORE.
constexpr char const* kEnsureAttemptCounter =
    " INTO login_attempts (email, client, attempts, window_start, blocked_until, version)"
    " VALUES (:email, :client, 0, 0, 0, 0)";

void ensure_attempt_counter(db::Tx& tx, std::string const& email, std::string const& client) {
  tx.exec(std::string(db::insert_ignore(tx.backend())) + kEnsureAttemptCounter, use(email), use(client));
}

constexpr char const* kSwapAttemptCounter =
    "UPDATE login_attempts SET attempts = :attempts, window_start = :start, blocked_until = :until,"
    " version = :next WHERE id = :id AND version = :version";

bool swap_attempt_counter(db::Tx& tx, std::int64_t id, std::int64_t version, AttemptCounter const& next) {
  long long attempts = next.attempts, start = next.window_start, until = next.blocked_until, v = version,
            nv = version + 1;
  return tx.exec(kSwapAttemptCounter, use(attempts), use(start), use(until), use(nv), use(id), use(v)) == 1;
}

constexpr char const* kPruneFailures =
    "DELETE FROM login_attempts WHERE window_start < :before AND blocked_until < :now";
constexpr char const* kPruneExpiredSessions = "DELETE FROM sessions WHERE expires_at < :before";
constexpr char const* kPruneRevokedSessions = "DELETE FROM sessions WHERE revoked_at < :before";

long long prune(db::Tx& tx, std::int64_t failures_before, std::int64_t sessions_before) {
  long long n = tx.exec(kPruneFailures, use(failures_before), use(sessions_before));
  n += tx.exec(kPruneExpiredSessions, use(sessions_before));
  n += tx.exec(kPruneRevokedSessions, use(sessions_before));
  return n;
}

// ---- communities

constexpr char const* kInsertCommunity =
    "INSERT INTO communities (name, address, timezone, created_at) VALUES (:name, :address, :tz, :now)";

std::int64_t insert_community(db::Tx& tx, std::string const& name, std::string const& address,
                              std::string const& timezone) {
  long long now = tx.now_ms();
  return tx.insert("communities", kInsertCommunity, use(name), use(address), use(timezone), use(now));
}

constexpr char const* kCommunity = "SELECT id, name, address, timezone, created_at FROM communities WHERE id = :id";
constexpr char const* kCommunities =
    "SELECT id, name, address, timezone, created_at FROM communities"
    " WHERE id > :after ORDER BY id LIMIT :n";
constexpr char const* kCommunitiesOf =
    "SELECT c.id, c.name, c.address, c.timezone, c.created_at FROM communities c"
    " WHERE c.id > :after AND c.id IN (SELECT m.community_id FROM memberships m WHERE "
    "m.account_id = :account)"
    " ORDER BY c.id LIMIT :n";

namespace {

constexpr auto community_from =
    db::fields(&Community::id, &Community::name, &Community::address, &Community::timezone,
               &Community::created_at);

}  // namespace

std::optional<Community> community(soci::session& s, std::int64_t id) {
  return one(s, kCommunity, community_from, use(id));
}

constexpr char const* kCommunityExists = "SELECT id FROM communities WHERE id = :id";

bool community_exists(soci::session& s, std::int64_t id) { return found(s, kCommunityExists, use(id)); }

std::vector<Community> communities(soci::session& s, json::Page const& page) {
  return all(s, kCommunities, community_from, use(page.above()), use(page.fetch()));
}

std::vector<Community> communities_of(soci::session& s, std::int64_t account_id, json::Page const& page) {
  return all(s, kCommunitiesOf, community_from, use(page.above()), use(account_id), use(page.fetch()));
}

// ---- buildings and units

constexpr char const* kInsertBuilding =
    "INSERT INTO buildings (community_id, name, created_at) VALUES (:cid, :name, :now)";

std::int64_t insert_building(db::Tx& tx, std::int64_t community_id, std::string const& name) {
  long long now = tx.now_ms();
  return tx.insert("buildings", kInsertBuilding, use(community_id), use(name), use(now));
}

constexpr char const* kBuilding =
    "SELECT id, name, created_at FROM buildings WHERE id = :id AND community_id = :cid";
constexpr char const* kBuildings =
    "SELECT id, name, created_at FROM buildings"
    " WHERE community_id = :cid AND id > :after ORDER BY id LIMIT :n";

namespace {

// Rows of one community's buildings: id, name, created_at.
auto building_in(std::int64_t community_id) {
  return [community_id](db::Row const& r) {
    db::Cols c(r);
    Building b;
    b.id = c.integer();
    b.community_id = community_id;
    c.into(b.name, b.created_at);
    return b;
  };
}

}  // namespace

std::optional<Building> building(soci::session& s, std::int64_t community_id, std::int64_t building_id) {
  return one(s, kBuilding, building_in(community_id), use(building_id), use(community_id));
}

std::vector<Building> buildings(soci::session& s, std::int64_t community_id, json::Page const& page) {
  return all(s, kBuildings, building_in(community_id), use(community_id), use(page.above()), use(page.fetch()));
}

constexpr char const* kBuildingInCommunity = "SELECT id FROM buildings WHERE id = :b AND community_id = :c";

bool building_in_community(soci::session& s, std::int64_t community_id, std::int64_t building_id) {
  return found(s, kBuildingInCommunity, use(building_id), use(community_id));
}

constexpr char const* kInsertUnit =
    "INSERT INTO units (community_id, building_id, unit_number, created_at)"
    " VALUES (:cid, :bid, :number, :now)";

std::int64_t insert_unit(db::Tx& tx, std::int64_t community_id, std::int64_t building_id, std::string const& number) {
  long long now = tx.now_ms();
  return tx.insert("units", kInsertUnit, use(community_id), use(building_id), use(number), use(now));
}

constexpr char const* kUnit =
    "SELECT id, building_id, unit_number, created_at FROM units WHERE id = :id AND community_id = :cid";

std::optional<Unit> unit(soci::session& s, std::int64_t community_id, std::int64_t unit_id) {
  return one(
      s, kUnit,
      [community_id](db::Row const& r) {
        db::Cols c(r);
        Unit u;
        u.id = c.integer();
        u.community_id = community_id;
        c.into(u.building_id, u.number, u.created_at);
        return u;
      },
      use(unit_id), use(community_id));
}

constexpr char const* kUnits =
    "SELECT id, unit_number, created_at FROM units"
    " WHERE community_id = :cid AND building_id = :bid AND id > :after ORDER BY id LIMIT :n";

std::vector<Unit> units(soci::session& s, std::int64_t community_id, std::int64_t building_id, json::Page const& page) {
  return all(
      s, kUnits,
      [community_id, building_id](db::Row const& r) {
        db::Cols c(r);
        Unit u;
        u.id = c.integer();
        u.community_id = community_id;
        u.building_id = building_id;
        c.into(u.number, u.created_at);
        return u;
      },
      use(community_id), use(building_id), use(page.above()), use(page.fetch()));
}

constexpr char const* kUnitCommunity = "SELECT community_id FROM units WHERE id = :id";

std::int64_t unit_community(soci::session& s, std::int64_t unit_id) {
  return one(s, kUnitCommunity, db::first_integer, use(unit_id)).value_or(0);
}

constexpr char const* kUnitBuilding = "SELECT building_id FROM units WHERE id = :u AND community_id = :c";

std::int64_t unit_building(soci::session& s, std::int64_t community_id, std::int64_t unit_id) {
  return one(s, kUnitBuilding, db::first_integer, use(unit_id), use(community_id)).value_or(0);
}

constexpr char const* kUnitAddress =
    "SELECT u.id, u.building_id, b.name, u.unit_number FROM units u JOIN buildings b ON b.id = u.building_id "
    "WHERE u.id = :u AND u.community_id = :c";

std::optional<UnitAddress> unit_address(soci::session& s, std::int64_t community_id, std::int64_t unit_id) {
  return one(
      s, kUnitAddress,
      db::fields(&UnitAddress::unit_id, &UnitAddress::building_id, &UnitAddress::building_name,
                 &UnitAddress::unit_number),
      use(unit_id), use(community_id));
}

// The earliest resident grant first, so the building is the one of the first unit.
constexpr char const* kResidencies =
    "SELECT m.account_id, m.created_at, b.name FROM memberships m JOIN units u ON u.id = m.unit_id "
    "JOIN buildings b ON b.id = u.building_id WHERE m.community_id = ";

std::vector<ResidencyRow> residencies(soci::session& s, std::int64_t community_id, std::vector<std::int64_t> const& ids) {
  if (ids.empty()) return {};
  db::Query q(kResidencies);
  q.value(community_id).sql(" AND m.role = ").value(role_text(Role::Resident)).sql(" AND m.account_id IN (");
  q.values(ids).sql(") ORDER BY m.account_id, m.created_at, m.id");
  return q.all(s, db::fields(&ResidencyRow::account_id, &ResidencyRow::since_ms, &ResidencyRow::building));
}

constexpr char const* kOccupiedUnits =
    "SELECT u.id, u.building_id FROM units u WHERE u.community_id = :c AND EXISTS ("
    "SELECT 1 FROM memberships m WHERE m.unit_id = u.id AND m.community_id = :c2 "
    "AND m.role = :r) ORDER BY u.id";

std::vector<OccupiedUnit> occupied_units(soci::session& s, std::int64_t community_id) {
  std::string resident = role_text(Role::Resident);
  return all(
      s, kOccupiedUnits,
      db::fields(&OccupiedUnit::unit_id, &OccupiedUnit::building_id),
      use(community_id, "c"), use(community_id, "c2"), use(resident, "r"));
}

// ---- memberships

// Prefixed by the backend's INSERT IGNORE.
constexpr char const* kGrant =
    " INTO memberships (account_id, community_id, role, unit_id, merchant_id, created_at)"
    " VALUES (:account, :cid, :role, :unit, :merchant, :now)";

bool grant(db::Tx& tx, std::int64_t account_id, std::int64_t community_id, Role role, std::int64_t unit_id,
           std::int64_t merchant_id) {
  std::string r = role_text(role);
  long long now = tx.now_ms();
  bool granted = tx.exec(std::string(db::insert_ignore(tx.backend())) + kGrant, use(account_id), use(community_id),
                         use(r), use(unit_id), use(merchant_id), use(now)) > 0;
  if (granted) principals::changed(tx, account_id);
  return granted;
}

constexpr char const* kIsMember =
    "SELECT id FROM memberships WHERE account_id = :account AND community_id = :cid LIMIT 1";

bool is_member(soci::session& s, std::int64_t account_id, std::int64_t community_id) {
  return found(s, kIsMember, use(account_id), use(community_id));
}

constexpr char const* kHasRole =
    "SELECT id FROM memberships WHERE account_id = :account AND community_id = :cid AND role = :role"
    " AND unit_id = :unit LIMIT 1";

bool has_role(soci::session& s, std::int64_t account_id, std::int64_t community_id, Role role, std::int64_t unit_id) {
  std::string r = role_text(role);
  return found(s, kHasRole, use(account_id), use(community_id), use(r), use(unit_id));
}

constexpr char const* kAccountsWithRole =
    "SELECT DISTINCT account_id FROM memberships"
    " WHERE community_id = :cid AND role = :role ORDER BY account_id";

std::vector<std::int64_t> accounts_with_role(soci::session& s, std::int64_t community_id, Role role) {
  std::string r = role_text(role);
  return all(s, kAccountsWithRole, db::first_integer, use(community_id), use(r));
}

constexpr char const* kAccountsActingFor =
    "SELECT DISTINCT account_id FROM memberships"
    " WHERE community_id = :cid AND role = 'merchant' AND merchant_id = :mid ORDER BY account_id";

std::vector<std::int64_t> accounts_acting_for(soci::session& s, std::int64_t community_id, std::int64_t merchant_id) {
  return all(s, kAccountsActingFor, db::first_integer, use(community_id), use(merchant_id));
}

constexpr char const* kResidentsOfUnit =
    "SELECT DISTINCT account_id FROM memberships"
    " WHERE unit_id = :unit AND role = :role ORDER BY account_id";

std::vector<std::int64_t> residents_of_unit(soci::session& s, std::int64_t unit_id) {
  std::string r = role_text(Role::Resident);
  return all(s, kResidentsOfUnit, db::first_integer, use(unit_id), use(r));
}

constexpr char const* kResidentsOfBuilding =
    "SELECT DISTINCT m.account_id FROM memberships m"
    " JOIN units u ON u.id = m.unit_id AND u.community_id = m.community_id"
    " WHERE m.community_id = :cid AND m.role = :role AND u.building_id = :bid"
    " ORDER BY m.account_id";

std::vector<std::int64_t> residents_of_community(soci::session& s, std::int64_t community_id,
                                                 std::int64_t building_id) {
  std::string r = role_text(Role::Resident);
  // The whole community: every account with the resident role there.
  if (building_id == 0) return all(s, kAccountsWithRole, db::first_integer, use(community_id), use(r));
  return all(s, kResidentsOfBuilding, db::first_integer, use(community_id), use(r), use(building_id));
}

// building 0 = every resident of the community.
constexpr char const* kResidentsPage =
    "SELECT DISTINCT m.account_id FROM memberships m"
    " WHERE m.community_id = :cid AND m.role = :role AND m.account_id > :after AND (:bid = 0 OR EXISTS ("
    "SELECT 1 FROM units u WHERE u.id = m.unit_id AND u.community_id = m.community_id AND u.building_id = :bid2))"
    " ORDER BY m.account_id LIMIT :n";
constexpr char const* kCountResidents =
    "SELECT COUNT(DISTINCT m.account_id) FROM memberships m"
    " WHERE m.community_id = :cid AND m.role = :role AND (:bid = 0 OR EXISTS ("
    "SELECT 1 FROM units u WHERE u.id = m.unit_id AND u.community_id = m.community_id AND u.building_id = :bid2))";

std::vector<std::int64_t> residents_page(soci::session& s, std::int64_t community_id, std::int64_t building_id,
                                         std::int64_t after_account, std::int64_t limit) {
  std::string r = role_text(Role::Resident);
  return all(s, kResidentsPage, db::first_integer, use(community_id, "cid"), use(r, "role"), use(after_account, "after"),
             use(building_id, "bid"), use(building_id, "bid2"), use(limit, "n"));
}

std::int64_t count_residents(soci::session& s, std::int64_t community_id, std::int64_t building_id) {
  std::string r = role_text(Role::Resident);
  return one(s, kCountResidents, db::first_integer, use(community_id, "cid"), use(r, "role"), use(building_id, "bid"),
             use(building_id, "bid2"))
      .value_or(0);
}

constexpr char const* kMerchantKnown =
    "SELECT id FROM memberships WHERE community_id = :cid AND role = :role AND merchant_id = :mid LIMIT 1";

bool merchant_known(soci::session& s, std::int64_t community_id, std::int64_t merchant_id) {
  std::string r = role_text(Role::Merchant);
  return found(s, kMerchantKnown, use(community_id), use(r), use(merchant_id));
}

// ---- a merchant's accounts (owner and staff)

constexpr char const* kGrantMerchantStaff =
    " INTO memberships (account_id, community_id, role, unit_id, merchant_id, staff, created_at)"
    " VALUES (:account, :cid, :role, 0, :mid, 1, :now)";

bool grant_merchant_staff(db::Tx& tx, std::int64_t account_id, std::int64_t community_id, std::int64_t merchant_id) {
  std::string r = role_text(Role::Merchant);
  long long now = tx.now_ms();
  bool granted = tx.exec(std::string(db::insert_ignore(tx.backend())) + kGrantMerchantStaff, use(account_id),
                         use(community_id), use(r), use(merchant_id), use(now)) > 0;
  if (granted) principals::changed(tx, account_id);  // cached principals see the new role
  return granted;
}

constexpr char const* kRemoveMerchantStaff =
    "DELETE FROM memberships WHERE account_id = :account AND community_id = :cid AND role = :role"
    " AND merchant_id = :mid AND staff = 1";

bool remove_merchant_staff(db::Tx& tx, std::int64_t account_id, std::int64_t community_id, std::int64_t merchant_id) {
  std::string r = role_text(Role::Merchant);
  bool removed = tx.exec(kRemoveMerchantStaff, use(account_id), use(community_id), use(r), use(merchant_id)) > 0;
  if (removed) principals::changed(tx, account_id);  // a removed staff account loses the console at once
  return removed;
}

constexpr char const* kMerchantAccounts =
    "SELECT m.id, m.account_id, CASE WHEN m.staff = 1 THEN 'staff' ELSE 'owner' END, a.email, a.display_name,"
    " m.created_at FROM memberships m JOIN accounts a ON a.id = m.account_id"
    " WHERE m.community_id = :cid AND m.role = :role AND m.merchant_id = :mid AND m.id > :after"
    " ORDER BY m.id LIMIT :n";

// ---- staff

#define COURTYARD_STAFF_SELECT                                           \
  "SELECT m.id, m.account_id, m.role, a.email, a.display_name, m.created_at" \
  " FROM memberships m JOIN accounts a ON a.id = m.account_id "

constexpr char const* kStaffMember =
    COURTYARD_STAFF_SELECT "WHERE m.community_id = :cid AND m.account_id = :account AND m.role = :role";
constexpr char const* kStaff = COURTYARD_STAFF_SELECT
    "WHERE m.community_id = :cid AND m.role IN (:manager, :courier) AND m.id > :after"
    " ORDER BY m.id LIMIT :n";

#undef COURTYARD_STAFF_SELECT

namespace {

constexpr auto staff_from =
    db::fields(&StaffMember::id, &StaffMember::account_id, &StaffMember::role, &StaffMember::email,
               &StaffMember::display_name, &StaffMember::since);

}  // namespace

std::optional<StaffMember> staff_member(soci::session& s, std::int64_t community_id, std::int64_t account_id,
                                        Role role) {
  std::string r = role_text(role);
  return one(s, kStaffMember, staff_from, use(community_id), use(account_id), use(r));
}

std::vector<StaffMember> merchant_accounts(soci::session& s, std::int64_t community_id, std::int64_t merchant_id,
                                           json::Page const& page) {
  std::string r = role_text(Role::Merchant);
  return all(s, kMerchantAccounts, staff_from, use(community_id), use(r), use(merchant_id), use(page.above()),
             use(page.fetch()));
}

std::vector<StaffMember> staff(soci::session& s, std::int64_t community_id, json::Page const& page) {
  std::string manager = role_text(Role::Manager), courier = role_text(Role::Courier);
  return all(s, kStaff, staff_from, use(community_id), use(manager), use(courier), use(page.above()),
             use(page.fetch()));
}

// ---- residency applications

#define COURTYARD_APPLICATION_SELECT                                                                       \
  "SELECT r.id, r.community_id, r.account_id, r.unit_id, r.status, r.created_at, COALESCE(r.decided_at, 0)," \
  " a.email, a.display_name FROM residency_applications r JOIN accounts a ON a.id = r.account_id "

constexpr char const* kApplication = COURTYARD_APPLICATION_SELECT "WHERE r.id = :id AND r.community_id = :cid";
constexpr char const* kApplications = COURTYARD_APPLICATION_SELECT
    "WHERE r.community_id = :cid AND r.id > :after ORDER BY r.id LIMIT :n";
constexpr char const* kApplicationsWithStatus = COURTYARD_APPLICATION_SELECT
    "WHERE r.community_id = :cid AND r.status = :status AND r.id > :after"
    " ORDER BY r.id LIMIT :n";
constexpr char const* kApplicationsOf = COURTYARD_APPLICATION_SELECT
    "WHERE r.account_id = :account AND r.id > :after ORDER BY r.id LIMIT :n";

#undef COURTYARD_APPLICATION_SELECT

namespace {

constexpr auto application_from =
    db::fields(&Application::id, &Application::community_id, &Application::account_id, &Application::unit_id,
               &Application::status, &Application::created_at, &Application::decided_at,
               &Application::applicant_email, &Application::applicant_name);

}  // namespace

constexpr char const* kInsertApplication =
    "INSERT INTO residency_applications (community_id, account_id, unit_id, status, pending, created_at)"
    " VALUES (:cid, :account, :unit, :status, 1, :now)";

std::int64_t insert_application(db::Tx& tx, std::int64_t community_id, std::int64_t account_id, std::int64_t unit_id) {
  std::string pending(status_name(ApplicationStatus::Pending));
  long long now = tx.now_ms();
  return tx.insert("residency_applications", kInsertApplication, use(community_id), use(account_id), use(unit_id),
                   use(pending), use(now));
}

std::optional<Application> application(soci::session& s, std::int64_t community_id, std::int64_t id) {
  return one(s, kApplication, application_from, use(id), use(community_id));
}

constexpr char const* kLockAccount = "UPDATE accounts SET is_admin = is_admin WHERE id = :id";

void lock_account(db::Tx& tx, std::int64_t account_id) { tx.exec(kLockAccount, use(account_id)); }

constexpr char const* kPendingApplicationCommunities =
    "SELECT community_id FROM residency_applications WHERE account_id = :account AND pending = 1";

std::vector<std::int64_t> pending_application_communities(soci::session& s, std::int64_t account_id) {
  return all(s, kPendingApplicationCommunities, db::first_integer, use(account_id));
}

std::vector<Application> applications(soci::session& s, std::int64_t community_id,
                                      std::optional<std::string> const& status, json::Page const& page) {
  if (status)
    return all(s, kApplicationsWithStatus, application_from, use(community_id), use(*status), use(page.above()),
               use(page.fetch()));
  return all(s, kApplications, application_from, use(community_id), use(page.above()), use(page.fetch()));
}

std::vector<Application> applications_of(soci::session& s, std::int64_t account_id, json::Page const& page) {
  return all(s, kApplicationsOf, application_from, use(account_id), use(page.above()), use(page.fetch()));
}

constexpr char const* kDecide =
    "UPDATE residency_applications SET status = :status, pending = NULL, decided_at = :now,"
    " decided_by = :by WHERE id = :id AND community_id = :cid AND status = :pending";

bool decide(db::Tx& tx, std::int64_t community_id, std::int64_t id, std::string const& status,
            std::int64_t decided_by) {
  std::string pending(status_name(ApplicationStatus::Pending));
  long long now = tx.now_ms();
  return tx.exec(kDecide, use(status), use(now), use(decided_by), use(id), use(community_id), use(pending)) == 1;
}

// ---- API keys

constexpr char const* kInsertApiKey =
    "INSERT INTO api_keys (community_id, merchant_id, name, prefix, key_hash, scopes, created_by,"
    " created_at, expires_at) VALUES (:cid, :mid, :name, :prefix, :hash, :scopes, :by, :now, :expires)";
constexpr char const* kInsertApiKeyUsage = "INSERT INTO api_key_usage (key_id, last_used_at) VALUES (:id, NULL)";

std::int64_t insert_api_key(db::Tx& tx, ApiKey const& key, std::string const& key_hash) {
  std::string scopes = join_scopes(key.scopes);
  long long now = tx.now_ms();
  long long expires = key.expires_at.value_or(0);
  soci::indicator expires_ind = key.expires_at ? soci::i_ok : soci::i_null;
  auto id = tx.insert("api_keys", kInsertApiKey, use(key.community_id), use(key.merchant_id), use(key.name),
                      use(key.prefix), use(key_hash), use(scopes), use(key.created_by), use(now),
                      use(expires, expires_ind));
  tx.exec(kInsertApiKeyUsage, use(id));
  return id;
}

#define COURTYARD_API_KEY_SELECT                                                                              \
  "SELECT k.id, k.community_id, k.merchant_id, k.name, k.prefix, k.scopes, k.created_by, k.created_at,"       \
  " k.expires_at, u.last_used_at FROM api_keys k LEFT JOIN api_key_usage u ON u.key_id = k.id "

constexpr char const* kApiKeys = COURTYARD_API_KEY_SELECT
    "WHERE k.community_id = :cid AND k.merchant_id = :mid AND k.revoked_at IS NULL"
    " AND k.id > :after ORDER BY k.id LIMIT :n";
constexpr char const* kLiveApiKey = COURTYARD_API_KEY_SELECT
    "WHERE k.key_hash = :hash AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > :now)";

#undef COURTYARD_API_KEY_SELECT

namespace {

ApiKey api_key_from(db::Row const& r) {
  db::Cols c(r);
  ApiKey k;
  c.into(k.id, k.community_id, k.merchant_id, k.name, k.prefix);
  k.scopes = split_scopes(c.text());
  c.into(k.created_by, k.created_at, k.expires_at, k.last_used_at);
  return k;
}

}  // namespace

std::vector<ApiKey> api_keys(soci::session& s, std::int64_t community_id, std::int64_t merchant_id,
                             json::Page const& page) {
  return all(s, kApiKeys, api_key_from, use(community_id), use(merchant_id), use(page.above()), use(page.fetch()));
}

constexpr char const* kRevokeApiKey =
    "UPDATE api_keys SET revoked_at = :now"
    " WHERE id = :id AND community_id = :cid AND merchant_id = :mid AND revoked_at IS NULL";

bool revoke_api_key(db::Tx& tx, std::int64_t community_id, std::int64_t merchant_id, std::int64_t key_id) {
  long long now = tx.now_ms();
  return tx.exec(kRevokeApiKey, use(now), use(key_id), use(community_id), use(merchant_id)) == 1;
}

std::optional<ApiKey> live_api_key(soci::session& s, std::string const& key_hash, std::int64_t now) {
  long long at = now;
  return one(s, kLiveApiKey, api_key_from, use(key_hash), use(at));
}

// Conditional, so instances that see the same stale time write it once between them.
constexpr char const* kTouchApiKey =
    "UPDATE api_key_usage SET last_used_at = :now"
    " WHERE key_id = :id AND (last_used_at IS NULL OR last_used_at <= :stale)";

bool touch_api_key(db::Tx& tx, std::int64_t key_id, std::int64_t now, std::int64_t stale_before) {
  long long at = now, stale = stale_before;
  return tx.exec(kTouchApiKey, use(at), use(key_id), use(stale)) == 1;
}

}  // namespace courtyard::identity::repo
