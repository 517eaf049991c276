// The notifications part of the resident's data export (GET /v1/me/export,
// served by members): the rows that belong to the account, as stored.
#include "db/json_rows.hpp"
#include "services/notifications/api.hpp"

#include <boost/json.hpp>

namespace courtyard::notifications {

namespace {
constexpr char const* kExportNotifications = "SELECT * FROM notifications WHERE account_id = :a ORDER BY id";
constexpr char const* kExportPreferences =
    "SELECT * FROM notification_preferences WHERE account_id = :a ORDER BY category";
}  // namespace

boost::json::object export_account(db::Tx& tx, std::int64_t account_id) {
  return boost::json::object{{"notifications", db::json_rows(tx, kExportNotifications, account_id)},
                             {"notification_preferences", db::json_rows(tx, kExportPreferences, account_id)}};
}

}  // namespace courtyard::notifications
