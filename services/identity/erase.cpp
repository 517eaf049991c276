// The identity part of account erasure (POST /v1/me/erasure, served by members). Like
// export.cpp, it names the rows that belong to an account as query constants next to the
// schema, so a new table with personal fields gets its erasure line in the same change.
#include "db/database.hpp"
#include "db/query.hpp"
#include "http/principal_cache.hpp"
#include "services/identity/api.hpp"
#include "services/identity/credentials.hpp"
#include "services/identity/repository.hpp"

#include <boost/json.hpp>

namespace courtyard::identity {

using soci::use;

namespace {
constexpr char const* kLockAccount = "SELECT COALESCE(erased_at, 0) FROM accounts WHERE id = :a";
constexpr char const* kAccountExists = "SELECT COUNT(*) FROM accounts WHERE id = :a";
constexpr char const* kPasswordHash = "SELECT password_hash FROM accounts WHERE id = :a AND erased_at IS NULL";
constexpr char const* kIsAdmin = "SELECT COUNT(*) FROM accounts WHERE id = :a AND is_admin = 1";
constexpr char const* kCommunitiesOf =
    "SELECT DISTINCT community_id FROM memberships WHERE account_id = :a ORDER BY community_id";
constexpr char const* kOldEmail = "SELECT email FROM accounts WHERE id = :a";
constexpr char const* kPseudonymise =
    "UPDATE accounts SET email = :e, display_name = :n, password_hash = '!erased', is_admin = 0, erased_at = :t "
    "WHERE id = :a AND erased_at IS NULL";
constexpr char const* kDeleteLoginAttempts = "DELETE FROM login_attempts WHERE email = :e";
constexpr char const* kDeleteMemberships = "DELETE FROM memberships WHERE account_id = :a";
constexpr char const* kDeleteOpenApplications =
    "DELETE FROM residency_applications WHERE account_id = :a AND pending = 1";
constexpr char const* kRevokeKeys = "UPDATE api_keys SET revoked_at = :t WHERE created_by = :a AND revoked_at IS NULL";
}  // namespace

AccountState lock_for_erasure(db::Tx& tx, std::int64_t account_id) {
  if (db::scalar(tx, kAccountExists, use(account_id, "a")) == 0) return AccountState::Missing;
  auto erased = db::scalar(tx, std::string(kLockAccount) + std::string(db::for_update(tx.backend())),
                           use(account_id, "a"));
  return erased > 0 ? AccountState::Erased : AccountState::Active;
}

bool password_matches(db::Database& db, std::int64_t account_id, std::string_view password) {
  auto hash = db::read(db, [&](soci::session& s) {
    auto h = db::one(s, kPasswordHash, [](db::Row const& r) { return db::Cols(r).opt_text(); }, use(account_id, "a"));
    return h ? *h : std::nullopt;  // no row, or a NULL hash
  });
  HashPermit permit;
  if (!hash) {
    verify_dummy_password(password, PasswordCost::Interactive);
    return false;
  }
  return verify_password(*hash, password);
}

std::vector<std::pair<std::string, std::string>> erasure_blockers(db::Tx& tx, std::int64_t account_id) {
  std::vector<std::pair<std::string, std::string>> out;
  if (db::scalar(tx, kIsAdmin, use(account_id, "a")) > 0)
    out.emplace_back("platform-admin", "a platform admin cannot be erased; another admin must take over first");
  return out;
}

std::vector<std::int64_t> communities_of(db::Tx& tx, std::int64_t account_id) {
  return db::all(tx, kCommunitiesOf, db::first_integer, use(account_id, "a"));
}

boost::json::object erase_account(db::Tx& tx, std::int64_t account_id) {
  auto text = db::first_text;
  std::string old_email = db::one(tx, kOldEmail, text, use(account_id, "a")).value_or("");
  std::string email = "erased-" + std::to_string(account_id) + "@erased.invalid";
  std::string name(kFormerResident);
  std::int64_t now = tx.now_ms();
  auto pseudonymised = tx.exec(kPseudonymise, use(email, "e"), use(name, "n"), use(now, "t"), use(account_id, "a"));
  auto counters = tx.exec(kDeleteLoginAttempts, use(old_email, "e"));
  repo::revoke_sessions_of(tx, account_id);
  auto roles = tx.exec(kDeleteMemberships, use(account_id, "a"));
  auto applications = tx.exec(kDeleteOpenApplications, use(account_id, "a"));
  auto keys = tx.exec(kRevokeKeys, use(now, "t"), use(account_id, "a"));
  principals::changed(tx, account_id);
  return boost::json::object{{"account_pseudonymised", pseudonymised == 1},
                             {"roles_removed", roles},
                             {"open_applications_removed", applications},
                             {"api_keys_revoked", keys},
                             {"login_counters_removed", counters}};
}

}  // namespace courtyard::identity
