#include "services/identity/repository.hpp"

#include "db/database.hpp"
#include "services/identity/logic.hpp"

#include <sstream>

namespace courtyard::identity::repo {

using soci::into;
using soci::use;

namespace {

constexpr char kAccountColumns[] = "a.id, a.email, a.display_name, a.password_hash, a.is_admin, a.created_at";

struct AccountRow {
  long long id = 0;
  std::string email, display_name, password_hash;
  int admin = 0;
  long long created_at = 0;

  Account get() const { return {id, email, display_name, password_hash, admin != 0, created_at}; }
};

// Adds a row's into() bindings to a statement being built: `into_row(s << query, row), use(x)`.
template <class Statement>
decltype(auto) into_row(Statement&& st, AccountRow& r) {
  return (st, into(r.id), into(r.email), into(r.display_name), into(r.password_hash), into(r.admin),
          into(r.created_at));
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

long long after(json::Page const& p) { return p.after.value_or(0); }
long long fetch_limit(json::Page const& p) { return p.limit + 1; }

}  // namespace

// ---- accounts

std::optional<Account> account_by_email(soci::session& s, std::string const& email) {
  AccountRow r;
  into_row(s << std::string("SELECT ") + kAccountColumns + " FROM accounts a WHERE a.email = :email", r), use(email);
  if (!s.got_data()) return std::nullopt;
  return r.get();
}

std::optional<Account> account_by_id(soci::session& s, std::int64_t id) {
  AccountRow r;
  into_row(s << std::string("SELECT ") + kAccountColumns + " FROM accounts a WHERE a.id = :id", r), use(id);
  if (!s.got_data()) return std::nullopt;
  return r.get();
}

bool any_admin(soci::session& s) {
  long long id = 0;
  s << "SELECT id FROM accounts WHERE is_admin = 1 LIMIT 1", into(id);
  return s.got_data();
}

std::int64_t insert_account(db::Tx& tx, std::string const& email, std::string const& display_name,
                            std::string const& password_hash, bool admin) {
  int is_admin = admin ? 1 : 0;
  long long now = tx.now_ms();
  return tx.insert("accounts",
                   "INSERT INTO accounts (email, display_name, password_hash, is_admin, created_at) "
                   "VALUES (:email, :name, :hash, :admin, :now)",
                   use(email), use(display_name), use(password_hash), use(is_admin), use(now));
}

void set_password(db::Tx& tx, std::int64_t account_id, std::string const& password_hash) {
  tx.exec("UPDATE accounts SET password_hash = :hash WHERE id = :id", use(password_hash), use(account_id));
}

void make_admin(db::Tx& tx, std::int64_t account_id) {
  tx.exec("UPDATE accounts SET is_admin = 1 WHERE id = :id", use(account_id));
}

// ---- sessions

void insert_session(db::Tx& tx, std::string const& token_hash, std::int64_t account_id, std::int64_t expires_at) {
  long long now = tx.now_ms();
  tx.exec("INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES (:hash, :account, :now, :exp)",
          use(token_hash), use(account_id), use(now), use(expires_at));
}

bool revoke_session(db::Tx& tx, std::string const& token_hash) {
  long long now = tx.now_ms();
  return tx.exec("UPDATE sessions SET revoked_at = :now WHERE token_hash = :hash AND revoked_at IS NULL", use(now),
                 use(token_hash)) > 0;
}

void revoke_sessions_of(db::Tx& tx, std::int64_t account_id) {
  long long now = tx.now_ms();
  tx.exec("UPDATE sessions SET revoked_at = :now WHERE account_id = :account AND revoked_at IS NULL", use(now),
          use(account_id));
}

std::optional<Account> session_account(soci::session& s, std::string const& token_hash, std::int64_t now) {
  AccountRow r;
  into_row(s << std::string("SELECT ") + kAccountColumns +
                    " FROM sessions t JOIN accounts a ON a.id = t.account_id"
                    " WHERE t.token_hash = :hash AND t.revoked_at IS NULL AND t.expires_at > :now",
           r),
      use(token_hash), use(now);
  if (!s.got_data()) return std::nullopt;
  return r.get();
}

std::vector<Membership> memberships_of(soci::session& s, std::int64_t account_id) {
  long long community_id = 0, unit_id = 0, merchant_id = 0;
  std::string role;
  soci::statement st = (s.prepare << "SELECT community_id, role, unit_id, merchant_id FROM memberships"
                                     " WHERE account_id = :account ORDER BY community_id, id",
                        into(community_id), into(role), into(unit_id), into(merchant_id), use(account_id));
  st.execute();
  std::vector<Membership> out;
  while (st.fetch()) {
    if (auto r = parse_role(role)) out.push_back({community_id, *r, unit_id, merchant_id});
  }
  return out;
}

// ---- login failures

std::vector<std::int64_t> recent_failures(soci::session& s, std::string const& email, std::int64_t since, int limit) {
  long long at = 0;
  long long n = limit;
  soci::statement st = (s.prepare << "SELECT failed_at FROM login_failures WHERE email = :email AND failed_at > :since"
                                     " ORDER BY failed_at DESC LIMIT :n",
                        into(at), use(email), use(since), use(n));
  st.execute();
  std::vector<std::int64_t> out;
  while (st.fetch()) out.push_back(at);
  return out;
}

void record_failure(db::Tx& tx, std::string const& email) {
  long long now = tx.now_ms();
  tx.exec("INSERT INTO login_failures (email, failed_at) VALUES (:email, :now)", use(email), use(now));
}

void clear_failures(db::Tx& tx, std::string const& email) {
  tx.exec("DELETE FROM login_failures WHERE email = :email", use(email));
}

long long prune(db::Tx& tx, std::int64_t failures_before, std::int64_t sessions_before) {
  long long n = tx.exec("DELETE FROM login_failures WHERE failed_at < :before", use(failures_before));
  n += tx.exec("DELETE FROM sessions WHERE expires_at < :before", use(sessions_before));
  n += tx.exec("DELETE FROM sessions WHERE revoked_at < :before", use(sessions_before));
  return n;
}

// ---- communities

std::int64_t insert_community(db::Tx& tx, std::string const& name, std::string const& address,
                              std::string const& timezone) {
  long long now = tx.now_ms();
  return tx.insert("communities",
                   "INSERT INTO communities (name, address, timezone, created_at) VALUES (:name, :address, :tz, :now)",
                   use(name), use(address), use(timezone), use(now));
}

std::optional<Community> community(soci::session& s, std::int64_t id) {
  Community c;
  long long cid = 0, created = 0;
  s << "SELECT id, name, address, timezone, created_at FROM communities WHERE id = :id", into(cid), into(c.name),
      into(c.address), into(c.timezone), into(created), use(id);
  if (!s.got_data()) return std::nullopt;
  c.id = cid;
  c.created_at = created;
  return c;
}

bool community_exists(soci::session& s, std::int64_t id) {
  long long found = 0;
  s << "SELECT id FROM communities WHERE id = :id", into(found), use(id);
  return s.got_data();
}

namespace {

std::vector<Community> fetch_communities(soci::statement& st, Community& row, long long& id, long long& created) {
  st.execute();
  std::vector<Community> out;
  while (st.fetch()) {
    row.id = id;
    row.created_at = created;
    out.push_back(row);
  }
  return out;
}

}  // namespace

std::vector<Community> communities(soci::session& s, json::Page const& page) {
  Community row;
  long long id = 0, created = 0, from = after(page), n = fetch_limit(page);
  soci::statement st =
      (s.prepare << "SELECT id, name, address, timezone, created_at FROM communities"
                    " WHERE id > :after ORDER BY id LIMIT :n",
       into(id), into(row.name), into(row.address), into(row.timezone), into(created), use(from), use(n));
  return fetch_communities(st, row, id, created);
}

std::vector<Community> communities_of(soci::session& s, std::int64_t account_id, json::Page const& page) {
  Community row;
  long long id = 0, created = 0, from = after(page), n = fetch_limit(page);
  soci::statement st = (s.prepare << "SELECT c.id, c.name, c.address, c.timezone, c.created_at FROM communities c"
                                     " WHERE c.id > :after AND c.id IN (SELECT m.community_id FROM memberships m WHERE "
                                     "m.account_id = :account)"
                                     " ORDER BY c.id LIMIT :n",
                        into(id), into(row.name), into(row.address), into(row.timezone), into(created), use(from),
                        use(account_id), use(n));
  return fetch_communities(st, row, id, created);
}

// ---- buildings and units

std::int64_t insert_building(db::Tx& tx, std::int64_t community_id, std::string const& name) {
  long long now = tx.now_ms();
  return tx.insert("buildings", "INSERT INTO buildings (community_id, name, created_at) VALUES (:cid, :name, :now)",
                   use(community_id), use(name), use(now));
}

std::optional<Building> building(soci::session& s, std::int64_t community_id, std::int64_t building_id) {
  Building b;
  long long id = 0, created = 0;
  s << "SELECT id, name, created_at FROM buildings WHERE id = :id AND community_id = :cid", into(id), into(b.name),
      into(created), use(building_id), use(community_id);
  if (!s.got_data()) return std::nullopt;
  b.id = id;
  b.community_id = community_id;
  b.created_at = created;
  return b;
}

std::vector<Building> buildings(soci::session& s, std::int64_t community_id, json::Page const& page) {
  Building row;
  row.community_id = community_id;
  long long id = 0, created = 0, from = after(page), n = fetch_limit(page);
  soci::statement st = (s.prepare << "SELECT id, name, created_at FROM buildings"
                                     " WHERE community_id = :cid AND id > :after ORDER BY id LIMIT :n",
                        into(id), into(row.name), into(created), use(community_id), use(from), use(n));
  st.execute();
  std::vector<Building> out;
  while (st.fetch()) {
    row.id = id;
    row.created_at = created;
    out.push_back(row);
  }
  return out;
}

std::int64_t insert_unit(db::Tx& tx, std::int64_t community_id, std::int64_t building_id, std::string const& number) {
  long long now = tx.now_ms();
  return tx.insert("units",
                   "INSERT INTO units (community_id, building_id, unit_number, created_at)"
                   " VALUES (:cid, :bid, :number, :now)",
                   use(community_id), use(building_id), use(number), use(now));
}

std::optional<Unit> unit(soci::session& s, std::int64_t community_id, std::int64_t unit_id) {
  Unit u;
  long long id = 0, building_id = 0, created = 0;
  s << "SELECT id, building_id, unit_number, created_at FROM units WHERE id = :id AND community_id = :cid", into(id),
      into(building_id), into(u.number), into(created), use(unit_id), use(community_id);
  if (!s.got_data()) return std::nullopt;
  u.id = id;
  u.community_id = community_id;
  u.building_id = building_id;
  u.created_at = created;
  return u;
}

std::vector<Unit> units(soci::session& s, std::int64_t community_id, std::int64_t building_id, json::Page const& page) {
  Unit row;
  row.community_id = community_id;
  row.building_id = building_id;
  long long id = 0, created = 0, from = after(page), n = fetch_limit(page);
  soci::statement st =
      (s.prepare << "SELECT id, unit_number, created_at FROM units"
                    " WHERE community_id = :cid AND building_id = :bid AND id > :after ORDER BY id LIMIT :n",
       into(id), into(row.number), into(created), use(community_id), use(building_id), use(from), use(n));
  st.execute();
  std::vector<Unit> out;
  while (st.fetch()) {
    row.id = id;
    row.created_at = created;
    out.push_back(row);
  }
  return out;
}

std::int64_t unit_community(soci::session& s, std::int64_t unit_id) {
  long long cid = 0;
  s << "SELECT community_id FROM units WHERE id = :id", into(cid), use(unit_id);
  return s.got_data() ? cid : 0;
}

// ---- memberships

bool grant(db::Tx& tx, std::int64_t account_id, std::int64_t community_id, Role role, std::int64_t unit_id,
           std::int64_t merchant_id) {
  std::string r = role_text(role);
  long long now = tx.now_ms();
  return tx.exec(std::string(db::insert_ignore(tx.backend())) +
                     " INTO memberships (account_id, community_id, role, unit_id, merchant_id, created_at)"
                     " VALUES (:account, :cid, :role, :unit, :merchant, :now)",
                 use(account_id), use(community_id), use(r), use(unit_id), use(merchant_id), use(now)) > 0;
}

bool is_member(soci::session& s, std::int64_t account_id, std::int64_t community_id) {
  long long id = 0;
  s << "SELECT id FROM memberships WHERE account_id = :account AND community_id = :cid LIMIT 1", into(id),
      use(account_id), use(community_id);
  return s.got_data();
}

bool has_role(soci::session& s, std::int64_t account_id, std::int64_t community_id, Role role, std::int64_t unit_id) {
  std::string r = role_text(role);
  long long id = 0;
  s << "SELECT id FROM memberships WHERE account_id = :account AND community_id = :cid AND role = :role"
       " AND unit_id = :unit LIMIT 1",
      into(id), use(account_id), use(community_id), use(r), use(unit_id);
  return s.got_data();
}

namespace {

std::vector<std::int64_t> fetch_ids(soci::statement& st, long long& id) {
  st.execute();
  std::vector<std::int64_t> out;
  while (st.fetch()) out.push_back(id);
  return out;
}

}  // namespace

std::vector<std::int64_t> accounts_with_role(soci::session& s, std::int64_t community_id, Role role) {
  std::string r = role_text(role);
  long long id = 0;
  soci::statement st = (s.prepare << "SELECT DISTINCT account_id FROM memberships"
                                     " WHERE community_id = :cid AND role = :role ORDER BY account_id",
                        into(id), use(community_id), use(r));
  return fetch_ids(st, id);
}

std::vector<std::int64_t> residents_of_unit(soci::session& s, std::int64_t unit_id) {
  std::string r = role_text(Role::Resident);
  long long id = 0;
  soci::statement st = (s.prepare << "SELECT DISTINCT account_id FROM memberships"
                                     " WHERE unit_id = :unit AND role = :role ORDER BY account_id",
                        into(id), use(unit_id), use(r));
  return fetch_ids(st, id);
}

std::vector<std::int64_t> residents_of_community(soci::session& s, std::int64_t community_id,
                                                 std::int64_t building_id) {
  std::string r = role_text(Role::Resident);
  long long id = 0;
  if (building_id == 0) {
    soci::statement st = (s.prepare << "SELECT DISTINCT account_id FROM memberships"
                                       " WHERE community_id = :cid AND role = :role ORDER BY account_id",
                          into(id), use(community_id), use(r));
    return fetch_ids(st, id);
  }
  soci::statement st = (s.prepare << "SELECT DISTINCT m.account_id FROM memberships m"
                                     " JOIN units u ON u.id = m.unit_id AND u.community_id = m.community_id"
                                     " WHERE m.community_id = :cid AND m.role = :role AND u.building_id = :bid"
                                     " ORDER BY m.account_id",
                        into(id), use(community_id), use(r), use(building_id));
  return fetch_ids(st, id);
}

bool merchant_known(soci::session& s, std::int64_t community_id, std::int64_t merchant_id) {
  std::string r = role_text(Role::Merchant);
  long long id = 0;
  s << "SELECT id FROM memberships WHERE community_id = :cid AND role = :role AND merchant_id = :mid LIMIT 1", into(id),
      use(community_id), use(r), use(merchant_id);
  return s.got_data();
}

namespace {

constexpr char kStaffSelect[] =
    "SELECT m.id, m.account_id, m.role, a.email, a.display_name, m.created_at"
    " FROM memberships m JOIN accounts a ON a.id = m.account_id ";

struct StaffRow {
  long long membership_id = 0, account_id = 0, since = 0;
  std::string role, email, display_name;
  StaffMember get() const { return {membership_id, account_id, role, email, display_name, since}; }
};

template <class Statement>
decltype(auto) into_row(Statement&& st, StaffRow& r) {
  return (st, into(r.membership_id), into(r.account_id), into(r.role), into(r.email), into(r.display_name),
          into(r.since));
}

}  // namespace

std::optional<StaffMember> staff_member(soci::session& s, std::int64_t community_id, std::int64_t account_id,
                                        Role role) {
  std::string r = role_text(role);
  StaffRow row;
  into_row(
      s << std::string(kStaffSelect) + "WHERE m.community_id = :cid AND m.account_id = :account AND m.role = :role",
      row),
      use(community_id), use(account_id), use(r);
  if (!s.got_data()) return std::nullopt;
  return row.get();
}

std::vector<StaffMember> staff(soci::session& s, std::int64_t community_id, json::Page const& page) {
  std::string manager = role_text(Role::Manager), courier = role_text(Role::Courier);
  StaffRow row;
  long long from = after(page), n = fetch_limit(page);
  soci::statement st =
      (into_row(s.prepare << std::string(kStaffSelect) +
                                 "WHERE m.community_id = :cid AND m.role IN (:manager, :courier) AND m.id > :after"
                                 " ORDER BY m.id LIMIT :n",
                row),
       use(community_id), use(manager), use(courier), use(from), use(n));
  st.execute();
  std::vector<StaffMember> out;
  while (st.fetch()) out.push_back(row.get());
  return out;
}

// ---- residency applications

namespace {

constexpr char kApplicationSelect[] =
    "SELECT r.id, r.community_id, r.account_id, r.unit_id, r.status, r.created_at, COALESCE(r.decided_at, 0),"
    " a.email, a.display_name FROM residency_applications r JOIN accounts a ON a.id = r.account_id ";

struct ApplicationRow {
  long long id = 0, community_id = 0, account_id = 0, unit_id = 0, created_at = 0, decided_at = 0;
  std::string status, email, name;
  Application get() const {
    return {id, community_id, account_id, unit_id, status, created_at, decided_at, email, name};
  }
};

template <class Statement>
decltype(auto) into_row(Statement&& st, ApplicationRow& r) {
  return (st, into(r.id), into(r.community_id), into(r.account_id), into(r.unit_id), into(r.status), into(r.created_at),
          into(r.decided_at), into(r.email), into(r.name));
}

std::vector<Application> fetch_applications(soci::statement& st, ApplicationRow& row) {
  st.execute();
  std::vector<Application> out;
  while (st.fetch()) out.push_back(row.get());
  return out;
}

}  // namespace

std::int64_t insert_application(db::Tx& tx, std::int64_t community_id, std::int64_t account_id, std::int64_t unit_id) {
  std::string pending(status_name(ApplicationStatus::Pending));
  long long now = tx.now_ms();
  return tx.insert("residency_applications",
                   "INSERT INTO residency_applications (community_id, account_id, unit_id, status, pending, created_at)"
                   " VALUES (:cid, :account, :unit, :status, 1, :now)",
                   use(community_id), use(account_id), use(unit_id), use(pending), use(now));
}

std::optional<Application> application(soci::session& s, std::int64_t community_id, std::int64_t id) {
  ApplicationRow row;
  into_row(s << std::string(kApplicationSelect) + "WHERE r.id = :id AND r.community_id = :cid", row), use(id),
      use(community_id);
  if (!s.got_data()) return std::nullopt;
  return row.get();
}

std::vector<Application> applications(soci::session& s, std::int64_t community_id,
                                      std::optional<std::string> const& status, json::Page const& page) {
  ApplicationRow row;
  long long from = after(page), n = fetch_limit(page);
  if (status) {
    soci::statement st =
        (into_row(s.prepare << std::string(kApplicationSelect) +
                                   "WHERE r.community_id = :cid AND r.status = :status AND r.id > :after"
                                   " ORDER BY r.id LIMIT :n",
                  row),
         use(community_id), use(*status), use(from), use(n));
    return fetch_applications(st, row);
  }
  soci::statement st =
      (into_row(s.prepare << std::string(kApplicationSelect) +
                                 "WHERE r.community_id = :cid AND r.id > :after ORDER BY r.id LIMIT :n",
                row),
       use(community_id), use(from), use(n));
  return fetch_applications(st, row);
}

std::vector<Application> applications_of(soci::session& s, std::int64_t account_id, json::Page const& page) {
  ApplicationRow row;
  long long from = after(page), n = fetch_limit(page);
  soci::statement st =
      (into_row(s.prepare << std::string(kApplicationSelect) +
                                 "WHERE r.account_id = :account AND r.id > :after ORDER BY r.id LIMIT :n",
                row),
       use(account_id), use(from), use(n));
  return fetch_applications(st, row);
}

bool decide(db::Tx& tx, std::int64_t community_id, std::int64_t id, std::string const& status,
            std::int64_t decided_by) {
  std::string pending(status_name(ApplicationStatus::Pending));
  long long now = tx.now_ms();
  return tx.exec(
             "UPDATE residency_applications SET status = :status, pending = NULL, decided_at = :now,"
             " decided_by = :by WHERE id = :id AND community_id = :cid AND status = :pending",
             use(status), use(now), use(decided_by), use(id), use(community_id), use(pending)) == 1;
}

// ---- API keys

std::int64_t insert_api_key(db::Tx& tx, ApiKey const& key, std::string const& key_hash) {
  std::string scopes = join_scopes(key.scopes);
  long long now = tx.now_ms();
  return tx.insert("api_keys",
                   "INSERT INTO api_keys (community_id, merchant_id, name, prefix, key_hash, scopes, created_by,"
                   " created_at) VALUES (:cid, :mid, :name, :prefix, :hash, :scopes, :by, :now)",
                   use(key.community_id), use(key.merchant_id), use(key.name), use(key.prefix), use(key_hash),
                   use(scopes), use(key.created_by), use(now));
}

namespace {

constexpr char kApiKeySelect[] =
    "SELECT id, community_id, merchant_id, name, prefix, scopes, created_by, created_at FROM api_keys ";

struct ApiKeyRow {
  long long id = 0, community_id = 0, merchant_id = 0, created_by = 0, created_at = 0;
  std::string name, prefix, scopes;
  ApiKey get() const {
    return {id, community_id, merchant_id, name, prefix, split_scopes(scopes), created_by, created_at};
  }
};

template <class Statement>
decltype(auto) into_row(Statement&& st, ApiKeyRow& r) {
  return (st, into(r.id), into(r.community_id), into(r.merchant_id), into(r.name), into(r.prefix), into(r.scopes),
          into(r.created_by), into(r.created_at));
}

}  // namespace

std::vector<ApiKey> api_keys(soci::session& s, std::int64_t community_id, std::int64_t merchant_id,
                             json::Page const& page) {
  ApiKeyRow row;
  long long from = after(page), n = fetch_limit(page);
  soci::statement st =
      (into_row(s.prepare << std::string(kApiKeySelect) +
                                 "WHERE community_id = :cid AND merchant_id = :mid AND revoked_at IS NULL"
                                 " AND id > :after ORDER BY id LIMIT :n",
                row),
       use(community_id), use(merchant_id), use(from), use(n));
  st.execute();
  std::vector<ApiKey> out;
  while (st.fetch()) out.push_back(row.get());
  return out;
}

bool revoke_api_key(db::Tx& tx, std::int64_t community_id, std::int64_t merchant_id, std::int64_t key_id) {
  long long now = tx.now_ms();
  return tx.exec(
             "UPDATE api_keys SET revoked_at = :now"
             " WHERE id = :id AND community_id = :cid AND merchant_id = :mid AND revoked_at IS NULL",
             use(now), use(key_id), use(community_id), use(merchant_id)) == 1;
}

std::optional<ApiKey> live_api_key(soci::session& s, std::string const& key_hash) {
  ApiKeyRow row;
  into_row(s << std::string(kApiKeySelect) + "WHERE key_hash = :hash AND revoked_at IS NULL", row), use(key_hash);
  if (!s.got_data()) return std::nullopt;
  return row.get();
}

}  // namespace courtyard::identity::repo
