// The property part of the resident's data export (GET /v1/me/export, served by
// members): the rows that belong to the account, as stored.
#include "db/json_rows.hpp"
#include "services/property/api.hpp"

#include <boost/json.hpp>

namespace courtyard::property {

namespace {
constexpr char const* kExportBillsPaid = "SELECT * FROM property_bills WHERE paid_by = :a ORDER BY id";
constexpr char const* kExportTickets = "SELECT * FROM property_tickets WHERE opened_by = :a ORDER BY id";
constexpr char const* kExportVisitorPasses = "SELECT * FROM property_visitor_passes WHERE created_by = :a ORDER BY id";
constexpr char const* kExportBookings = "SELECT * FROM property_bookings WHERE account_id = :a ORDER BY id";
constexpr char const* kExportSuggestions = "SELECT * FROM property_suggestions WHERE author_id = :a ORDER BY id";
constexpr char const* kExportSuggestionVotes =
    "SELECT * FROM property_suggestion_votes WHERE account_id = :a ORDER BY id";
constexpr char const* kExportAnnouncementReads =
    "SELECT * FROM property_announcement_reads WHERE account_id = :a ORDER BY "
    "id";
}  // namespace

boost::json::object export_account(db::Tx& tx, std::int64_t account_id) {
  return boost::json::object{{"bills_paid", db::json_rows(tx, kExportBillsPaid, account_id)},
                             {"tickets", db::json_rows(tx, kExportTickets, account_id)},
                             {"visitor_passes", db::json_rows(tx, kExportVisitorPasses, account_id)},
                             {"bookings", db::json_rows(tx, kExportBookings, account_id)},
                             {"suggestions", db::json_rows(tx, kExportSuggestions, account_id)},
                             {"suggestion_votes", db::json_rows(tx, kExportSuggestionVotes, account_id)},
                             {"announcement_reads", db::json_rows(tx, kExportAnnouncementReads, account_id)}};
}

}  // namespace courtyard::property
