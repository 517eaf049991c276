// The shops part of account erasure (POST /v1/me/erasure, served by members). Orders, their
// items and sums stay (the merchant's books and the wallet's ledger refer to them); reviews
// stay with the author shown as a former resident. What is still moving blocks the erasure:
// an open order, a place in an open group buy, a merchant the account owns.
#include "db/query.hpp"
#include "services/shops/api.hpp"

#include <boost/json.hpp>

namespace courtyard::shops {

using soci::use;

namespace {
constexpr char const* kOpenOrders =
    "SELECT COUNT(*) FROM orders WHERE buyer_id = :a AND status IN ('placed', 'accepted', 'ready')";
constexpr char const* kOpenGroupBuys =
    "SELECT COUNT(*) FROM group_buy_participants p JOIN group_buys g ON g.id = p.group_buy_id "
    "WHERE p.account_id = :a AND g.status IN ('open', 'closing')";
constexpr char const* kOwnedMerchants =
    "SELECT COUNT(*) FROM merchants WHERE owner_id = :a AND status IN ('pending', 'approved', 'suspended')";
constexpr char const* kEraseReviews = "UPDATE reviews SET author_erased = 1 WHERE buyer_id = :a";
}  // namespace

std::vector<std::pair<std::string, std::string>> erasure_blockers(db::Tx& tx, std::int64_t account_id) {
  std::vector<std::pair<std::string, std::string>> out;
  if (auto n = db::scalar(tx, kOpenOrders, use(account_id, "a")))
    out.emplace_back("open-orders", std::to_string(n) + " order(s) are still open; wait until they complete or "
                                                        "cancel them");
  if (auto n = db::scalar(tx, kOpenGroupBuys, use(account_id, "a")))
    out.emplace_back("open-group-buys", std::to_string(n) + " group buy(s) you joined have not closed yet");
  if (auto n = db::scalar(tx, kOwnedMerchants, use(account_id, "a")))
    out.emplace_back("merchant-owner", "you own " + std::to_string(n) +
                                           " merchant(s) or application(s); the shop must be closed or handed over first");
  return out;
}

boost::json::object erase_account(db::Tx& tx, std::int64_t account_id) {
  return boost::json::object{{"reviews", tx.exec(kEraseReviews, use(account_id, "a"))}};
}

}  // namespace courtyard::shops
