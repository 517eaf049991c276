// The shops part of the resident's data export (GET /v1/me/export, served by
// members): the rows that belong to the account, as stored.
#include "db/json_rows.hpp"
#include "services/shops/api.hpp"

#include <boost/json.hpp>

namespace courtyard::shops {

namespace {
constexpr char const* kExportOrders = "SELECT * FROM orders WHERE buyer_id = :a ORDER BY id";
constexpr char const* kExportOrderItems =
    "SELECT i.* FROM order_items i JOIN orders o ON o.id = i.order_id WHERE "
    "o.buyer_id = :a ORDER BY i.id";
constexpr char const* kExportReviews = "SELECT * FROM reviews WHERE buyer_id = :a ORDER BY id";
constexpr char const* kExportGroupBuyParticipations =
    "SELECT * FROM group_buy_participants WHERE account_id = :a ORDER BY id";
constexpr char const* kExportMerchantsOwned = "SELECT * FROM merchants WHERE owner_id = :a ORDER BY id";
constexpr char const* kExportWishes = "SELECT * FROM wishes WHERE author_id = :a ORDER BY id";
constexpr char const* kExportWishJoins = "SELECT * FROM wish_joiners WHERE account_id = :a ORDER BY id";
}  // namespace

boost::json::object export_account(db::Tx& tx, std::int64_t account_id) {
  return boost::json::object{{"orders", db::json_rows(tx, kExportOrders, account_id)},
                             {"order_items", db::json_rows(tx, kExportOrderItems, account_id)},
                             {"reviews", db::json_rows(tx, kExportReviews, account_id)},
                             {"group_buy_participations", db::json_rows(tx, kExportGroupBuyParticipations, account_id)},
                             {"merchants_owned", db::json_rows(tx, kExportMerchantsOwned, account_id)},
                             {"wishes", db::json_rows(tx, kExportWishes, account_id)},
                             {"wish_joins", db::json_rows(tx, kExportWishJoins, account_id)}};
}

}  // namespace courtyard::shops
