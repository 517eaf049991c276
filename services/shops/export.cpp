// The shops part of the resident's data export (GET /v1/me/export, served by
// members): the rows that belong to the account, as stored.
#include "db/json_rows.hpp"
#include "services/shops/api.hpp"

#include <boost/json.hpp>

namespace courtyard::shops {

boost::json::object export_account(db::Tx& tx, std::int64_t account_id) {
  return db::json_sections(tx, account_id, {
      {"orders", "SELECT * FROM orders WHERE buyer_id = :a ORDER BY id"},
      {"order_items",
       "SELECT i.* FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.buyer_id = :a ORDER BY "
       "i.id"},
      {"reviews", "SELECT * FROM reviews WHERE buyer_id = :a ORDER BY id"},
      {"group_buy_participations", "SELECT * FROM group_buy_participants WHERE account_id = :a ORDER BY id"},
      {"merchants_owned", "SELECT * FROM merchants WHERE owner_id = :a ORDER BY id"},
      {"wishes", "SELECT * FROM wishes WHERE author_id = :a ORDER BY id"},
      {"wish_joins", "SELECT * FROM wish_joiners WHERE account_id = :a ORDER BY id"},
  });
}

}  // namespace courtyard::shops
