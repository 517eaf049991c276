// The delivery part of the resident's data export (GET /v1/me/export, served by
// members): the rows that belong to the account, as stored.
#include "db/json_rows.hpp"
#include "services/delivery/api.hpp"

#include <boost/json.hpp>

namespace courtyard::delivery {

namespace {
constexpr char const* kExportDeliveries = "SELECT * FROM delivery_tasks WHERE resident_id = :a ORDER BY id";
constexpr char const* kExportParcelsPickedUp = "SELECT * FROM parcels WHERE picked_up_by = :a ORDER BY id";
constexpr char const* kExportSlotBookings =
    "SELECT * FROM delivery_slot_bookings WHERE buyer_id = :a ORDER BY id";
constexpr char const* kExportBatchStops = "SELECT * FROM delivery_batch_stops WHERE resident_id = :a ORDER BY id";
}  // namespace

boost::json::object export_account(db::Tx& tx, std::int64_t account_id) {
  return boost::json::object{{"deliveries", db::json_rows(tx, kExportDeliveries, account_id)},
                             {"parcels_picked_up", db::json_rows(tx, kExportParcelsPickedUp, account_id)},
                             {"delivery_slot_bookings", db::json_rows(tx, kExportSlotBookings, account_id)},
                             {"delivery_batch_stops", db::json_rows(tx, kExportBatchStops, account_id)}};
}

}  // namespace courtyard::delivery
