// The property part of the resident's data export (GET /v1/me/export, served by
// members): the rows that belong to the account, as stored.
#include "db/json_rows.hpp"
#include "services/property/api.hpp"

#include <boost/json.hpp>

namespace courtyard::property {

boost::json::object export_account(db::Tx& tx, std::int64_t account_id) {
  return db::json_sections(tx, account_id, {
      {"bills_paid", "SELECT * FROM property_bills WHERE paid_by = :a ORDER BY id"},
      {"tickets", "SELECT * FROM property_tickets WHERE opened_by = :a ORDER BY id"},
      {"visitor_passes", "SELECT * FROM property_visitor_passes WHERE created_by = :a ORDER BY id"},
      {"bookings", "SELECT * FROM property_bookings WHERE account_id = :a ORDER BY id"},
      {"suggestions", "SELECT * FROM property_suggestions WHERE author_id = :a ORDER BY id"},
      {"suggestion_votes", "SELECT * FROM property_suggestion_votes WHERE account_id = :a ORDER BY id"},
      {"announcement_reads", "SELECT * FROM property_announcement_reads WHERE account_id = :a ORDER BY id"},
  });
}

}  // namespace courtyard::property
