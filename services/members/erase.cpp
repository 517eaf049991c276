// Account erasure across every service (POST /v1/me/erasure, and the platform admin's
// POST /v1/admin/accounts/{account_id}/erasure), and members' own part of it. Like the
// export, it calls each service's api.hpp (erasure_blockers, then erase_account) in one
// transaction: the account is erased everywhere or nowhere.
#include "db/json_rows.hpp"
#include "db/query.hpp"
#include "services/clubs/api.hpp"
#include "services/delivery/api.hpp"
#include "services/identity/api.hpp"
#include "services/members/api.hpp"
#include "services/members/routes.hpp"
#include "services/notifications/api.hpp"
#include "services/property/api.hpp"
#include "services/recommendations/api.hpp"
#include "services/shops/api.hpp"
#include "services/wallet/api.hpp"

namespace courtyard::members {

using soci::use;

namespace {

constexpr char const* kDeleteConsents = "DELETE FROM members_consents WHERE account_id = :a";

struct ErasureBlocked : ApiError {
  explicit ErasureBlocked(std::vector<std::pair<std::string, std::string>> const& blockers)
      : ApiError(409, "erasure-blocked", "Conflict", summary(blockers)) {
    for (auto const& [code, detail] : blockers) errors_.push_back({code, detail});
  }
  static std::string summary(std::vector<std::pair<std::string, std::string>> const& blockers) {
    std::string s = "the account cannot be erased yet: ";
    for (std::size_t i = 0; i < blockers.size(); ++i) s += (i ? "; " : "") + blockers[i].second;
    return s;
  }
};

struct AlreadyErased : ApiError {
  AlreadyErased() : ApiError(410, "account-erased", "Gone", "this account was erased") {}
};

}  // namespace

boost::json::object erase_account(db::Tx& tx, std::int64_t account_id) {
  // Consents and the member facts (building, spend, clubs, tags) go; the points ledger stays,
  // balanced, under the same id.
  auto consents = tx.exec(kDeleteConsents, use(account_id, "a"));
  return boost::json::object{{"consents", consents}, {"facts", repo::erase_facts(tx, account_id)}};
}

bj::object erase_everywhere(db::Tx& tx, std::int64_t account_id) {
  switch (identity::lock_for_erasure(tx, account_id)) {
    case identity::AccountState::Missing: throw NotFound("account");
    case identity::AccountState::Erased: throw AlreadyErased();
    case identity::AccountState::Active: break;
  }
  using Blockers = std::vector<std::pair<std::string, std::string>> (*)(db::Tx&, std::int64_t);
  std::pair<char const*, Blockers> const checks[] = {
      {"identity", &identity::erasure_blockers},
      {"wallet", &wallet::erasure_blockers},
      {"shops", &shops::erasure_blockers},
      {"delivery", &delivery::erasure_blockers},
  };
  std::vector<std::pair<std::string, std::string>> blockers;
  for (auto const& [service, check] : checks)
    if (db::has_schema(tx, service))
      for (auto& b : check(tx, account_id)) blockers.push_back(std::move(b));
  if (!blockers.empty()) throw ErasureBlocked(blockers);

  auto communities = identity::communities_of(tx, account_id);
  using Eraser = bj::object (*)(db::Tx&, std::int64_t);
  // Identity last: it revokes the sessions once everything else is done.
  std::pair<char const*, Eraser> const sections[] = {
      {"wallet", &wallet::erase_account},     {"property", &property::erase_account},
      {"shops", &shops::erase_account},       {"clubs", &clubs::erase_account},
      {"delivery", &delivery::erase_account}, {"notifications", &notifications::erase_account},
      {"members", &members::erase_account},   {"recommendations", &recommendations::erase_account},
      {"identity", &identity::erase_account},
  };
  bj::object changed;
  for (auto const& [service, eraser] : sections)
    changed[service] = db::has_schema(tx, service) ? eraser(tx, account_id) : bj::object{{"enabled", false}};
  std::int64_t now = tx.now_ms();
  // One event per community the account belonged to (subscribers are per community), or one
  // with community 0 for an account that held no role.
  if (communities.empty()) communities.push_back(0);
  for (auto cid : communities)
    tx.publish("account.erased", cid, bj::object{{"community_id", cid}, {"account_id", account_id},
                                                 {"erased_at_ms", now}});
  return bj::object{{"account_id", account_id}, {"erased_at", json::rfc3339(now)}, {"changed", std::move(changed)}};
}

}  // namespace courtyard::members
