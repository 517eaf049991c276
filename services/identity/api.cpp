#include "services/identity/api.hpp"

#include "services/identity/credentials.hpp"
#include "services/identity/logic.hpp"
#include "services/identity/repository.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

namespace courtyard::identity {

namespace {

constexpr std::size_t kMaxCredentialLength = 256;
constexpr std::int64_t kKeyUseResolutionMs = 60'000;  // "last used" is kept to the minute

Principal api_key_principal(repo::ApiKey const& key) {
  Principal p;
  p.kind = Principal::Kind::ApiKey;
  // The key acts for its merchant only: the creating account's own roles do not carry over.
  p.account_id = key.created_by;
  p.display_name = key.name;
  p.memberships.push_back({key.community_id, Role::Merchant, 0, key.merchant_id});
  p.scopes = key.scopes;
  return p;
}

// Records the key's use when the last recorded one is a minute old or more: one small write
// per key per minute, not one per request. Losing it (a busy database) costs nothing but the
// freshness of "last used", so it never fails the request.
void note_key_use(db::Database& db, repo::ApiKey const& key, std::int64_t now) {
  if (key.last_used_at && now - *key.last_used_at < kKeyUseResolutionMs) return;
  try {
    db::transact(db, nullptr, [&](db::Tx& tx) { repo::touch_api_key(tx, key.id, now, now - kKeyUseResolutionMs); });
  } catch (std::exception const& e) {
    spdlog::debug("api key {}: last use not recorded: {}", key.id, e.what());
  }
}

}  // namespace

std::optional<Principal> authenticate(db::Database& db, std::string_view credential) {
  if (credential.empty() || credential.size() > kMaxCredentialLength) return std::nullopt;
  std::string digest = token_digest(credential);
  bool is_api_key = credential.substr(0, kApiKeyPrefix.size()) == kApiKeyPrefix;
  if (is_api_key) {
    std::int64_t now = db::now_ms();
    auto key = db::read(db, [&](soci::session& s) -> std::optional<repo::ApiKey> {
      auto key = repo::live_api_key(s, digest, now);
      // A key stops working once nobody holds the merchant role any more.
      if (!key || !repo::merchant_known(s, key->community_id, key->merchant_id)) return std::nullopt;
      return key;
    });
    if (!key) return std::nullopt;
    note_key_use(db, *key, now);
    return api_key_principal(*key);
  }
  return db::read(db, [&](soci::session& s) -> std::optional<Principal> {
    return repo::session_principal(s, digest, db::now_ms());
  });
}

void grant_role(db::Tx& tx, std::int64_t account_id, std::int64_t community_id, Role role, std::int64_t unit_id,
                std::int64_t merchant_id) {
  repo::grant(tx, account_id, community_id, role, unit_id, merchant_id);
}

bool is_member(db::Tx& tx, std::int64_t account_id, std::int64_t community_id) {
  return repo::is_member(tx.sql(), account_id, community_id);
}

bool community_exists(db::Tx& tx, std::int64_t community_id) { return repo::community_exists(tx.sql(), community_id); }

std::string community_timezone(db::Tx& tx, std::int64_t community_id) {
  auto c = repo::community(tx.sql(), community_id);
  return c ? c->timezone : "UTC";
}

std::int64_t unit_community(db::Tx& tx, std::int64_t unit_id) { return repo::unit_community(tx.sql(), unit_id); }

std::vector<std::int64_t> accounts_with_role(db::Tx& tx, std::int64_t community_id, Role role) {
  return repo::accounts_with_role(tx.sql(), community_id, role);
}

std::vector<std::int64_t> accounts_acting_for(db::Tx& tx, std::int64_t community_id, std::int64_t merchant_id) {
  return repo::accounts_acting_for(tx.sql(), community_id, merchant_id);
}

std::vector<std::int64_t> residents_of_unit(db::Tx& tx, std::int64_t unit_id) {
  return repo::residents_of_unit(tx.sql(), unit_id);
}

std::vector<std::int64_t> residents_of_community(db::Tx& tx, std::int64_t community_id, std::int64_t building_id) {
  return repo::residents_of_community(tx.sql(), community_id, building_id);
}

std::vector<std::int64_t> residents_page(db::Tx& tx, std::int64_t community_id, std::int64_t building_id,
                                         std::int64_t after_account, std::int64_t limit) {
  return repo::residents_page(tx.sql(), community_id, building_id, after_account, limit);
}

std::int64_t count_residents(db::Tx& tx, std::int64_t community_id, std::int64_t building_id) {
  return repo::count_residents(tx.sql(), community_id, building_id);
}

bool bootstrap_admin(db::Database& db, std::string const& email, std::string const& password,
                     std::string const& password_hash_level) {
  auto cost = parse_password_cost(password_hash_level);
  if (!cost) throw std::invalid_argument("password_hash must be interactive, moderate or min");
  std::string normalized = normalize_email(email);
  if (auto why = email_problem(normalized)) throw std::invalid_argument("admin email " + *why);
  if (auto why = password_problem(password)) throw std::invalid_argument("admin password " + *why);

  if (db::read(db, [](soci::session& s) { return repo::any_admin(s); })) return false;
  std::string hash = hash_password(password, *cost);
  // Instances starting together may race to insert the same email: the loser sees the
  // unique violation and goes round once more, finding the admin (or the account) in place.
  for (int attempt = 0;; ++attempt) {
    try {
      return db::transact(db, nullptr, [&](db::Tx& tx) {
        if (repo::any_admin(tx.sql())) return false;
        // An account registered under the admin email before the first start must not keep
        // a password of someone else's choosing.
        if (auto existing = repo::account_by_email(tx.sql(), normalized)) {
          repo::set_password(tx, existing->id, hash);
          repo::make_admin(tx, existing->id);
          repo::revoke_sessions_of(tx, existing->id);
        } else {
          repo::insert_account(tx, normalized, "Administrator", hash, true);
        }
        return true;
      });
    } catch (std::exception const& e) {
      if (attempt > 0 || !db::is_unique_violation(e)) throw;
    }
  }
}

std::optional<AccountInfo> account(db::Tx& tx, std::int64_t account_id) {
  auto a = repo::account_by_id(tx.sql(), account_id);
  if (!a) return std::nullopt;
  return AccountInfo{a->id, a->email, a->display_name};
}

std::vector<OccupiedUnit> occupied_units(db::Tx& tx, std::int64_t cid) { return repo::occupied_units(tx.sql(), cid); }

bool building_in_community(db::Tx& tx, std::int64_t cid, std::int64_t building_id) {
  return repo::building_in_community(tx.sql(), cid, building_id);
}

std::int64_t unit_building(db::Tx& tx, std::int64_t cid, std::int64_t unit_id) {
  return repo::unit_building(tx.sql(), cid, unit_id);
}

std::optional<UnitAddress> unit_address(db::Tx& tx, std::int64_t cid, std::int64_t unit_id) {
  return repo::unit_address(tx.sql(), cid, unit_id);
}

std::map<std::int64_t, Residency> residencies(db::Tx& tx, std::int64_t cid, std::vector<std::int64_t> const& ids) {
  std::map<std::int64_t, Residency> out;
  for (auto const& r : repo::residencies(tx.sql(), cid, ids))
    if (!out.count(r.account_id)) out[r.account_id] = Residency{true, r.since_ms, r.building};
  return out;
}

boost::json::object trust_badge(std::optional<Residency> const& r, std::int64_t now_ms) {
  if (!r || !r->verified)
    return boost::json::object{
        {"verified_resident", false}, {"tenure_band", nullptr}, {"building", nullptr}, {"label", "neighbour"}};
  auto band = tenure_band(r->since_ms, now_ms);
  return boost::json::object{
      {"verified_resident", true}, {"tenure_band", band}, {"building", r->building}, {"label", band + ", " + r->building}};
}

std::int64_t tenure_years(std::int64_t since_ms, std::int64_t now_ms) {
  constexpr std::int64_t kYearMs = 365LL * 86'400'000;
  return now_ms > since_ms ? (now_ms - since_ms) / kYearMs : 0;
}

std::string tenure_band(std::int64_t since_ms, std::int64_t now_ms) {
  constexpr std::int64_t kHalfYearMs = 182LL * 86'400'000;
  auto years = tenure_years(since_ms, now_ms);
  if (years >= 5) return "resident 5+ years";
  if (years >= 2) return "resident 2+ years";
  if (years >= 1) return "resident 1+ year";
  if (now_ms - since_ms >= kHalfYearMs) return "resident 6+ months";
  return "new resident";
}

}  // namespace courtyard::identity
