// The wallet part of account erasure (POST /v1/me/erasure, served by members). Accounts and
// entries name the account by id only, so nothing is rewritten and the ledger keeps
// balancing; a positive balance is the resident's money and blocks the erasure.
#include "db/query.hpp"
#include "services/wallet/api.hpp"

#include <boost/json.hpp>

namespace courtyard::wallet {

using soci::use;

namespace {
constexpr char const* kResidentBalance =
    "SELECT COALESCE(SUM(balance_cents), 0) FROM wallet_accounts WHERE owner_kind = 'resident' AND owner_id = :a";
}  // namespace

std::vector<std::pair<std::string, std::string>> erasure_blockers(db::Tx& tx, std::int64_t account_id) {
  std::vector<std::pair<std::string, std::string>> out;
  if (auto cents = db::scalar(tx, kResidentBalance, use(account_id, "a")); cents > 0)
    out.emplace_back("wallet-not-empty", "the wallet still holds " + std::to_string(cents) +
                                             " cents; spend it or have the manager pay it out first");
  return out;
}

boost::json::object erase_account(db::Tx&, std::int64_t) {
  return boost::json::object{{"rows_changed", 0}, {"note", "no personal fields; the ledger is kept as it is"}};
}

}  // namespace courtyard::wallet
