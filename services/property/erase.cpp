// The property part of account erasure (POST /v1/me/erasure, served by members): the free
// text the resident wrote for the manager and the names of their visitors are replaced;
// bills, payments, bookings, suggestions and votes stay as they are (ids only, or text
// written for the whole community).
#include "db/query.hpp"
#include "services/property/api.hpp"

#include <boost/json.hpp>

namespace courtyard::property {

using soci::use;

namespace {
constexpr char const* kEraseTickets =
    "UPDATE property_tickets SET description = '[erased]', "
    "rating_comment = CASE WHEN rating_comment IS NULL THEN NULL ELSE '[erased]' END WHERE opened_by = :a";
constexpr char const* kEraseTicketNotes =
    "UPDATE property_ticket_history SET note = '[erased]' WHERE actor_id = :a AND note IS NOT NULL";
constexpr char const* kEraseVisitorNames =
    "UPDATE property_visitor_passes SET visitor_name = '[erased]' WHERE created_by = :a";
}  // namespace

boost::json::object erase_account(db::Tx& tx, std::int64_t account_id) {
  return boost::json::object{{"tickets", tx.exec(kEraseTickets, use(account_id, "a"))},
                             {"ticket_notes", tx.exec(kEraseTicketNotes, use(account_id, "a"))},
                             {"visitor_passes", tx.exec(kEraseVisitorNames, use(account_id, "a"))}};
}

}  // namespace courtyard::property
