// The delivery part of the resident's data export (GET /v1/me/export, served by
// members): the rows that belong to the account, as stored.
#include "db/json_rows.hpp"
#include "services/delivery/api.hpp"

#include <boost/json.hpp>

namespace courtyard::delivery {

boost::json::object export_account(db::Tx& tx, std::int64_t account_id) {
  return db::json_sections(tx, account_id, {
      {"deliveries", "SELECT * FROM delivery_tasks WHERE resident_id = :a ORDER BY id"},
      {"parcels_picked_up", "SELECT * FROM parcels WHERE picked_up_by = :a ORDER BY id"},
      {"delivery_slot_bookings", "SELECT * FROM delivery_slot_bookings WHERE buyer_id = :a ORDER BY id"},
      {"delivery_batch_stops", "SELECT * FROM delivery_batch_stops WHERE resident_id = :a ORDER BY id"},
  });
}

}  // namespace courtyard::delivery
