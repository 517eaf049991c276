// The notifications part of the resident's data export (GET /v1/me/export,
// served by members): the rows that belong to the account, as stored.
#include "db/json_rows.hpp"
#include "services/notifications/api.hpp"

#include <boost/json.hpp>

namespace courtyard::notifications {

boost::json::object export_account(db::Tx& tx, std::int64_t account_id) {
  return db::json_sections(tx, account_id, {
      {"notifications", "SELECT * FROM notifications WHERE account_id = :a ORDER BY id"},
      {"notification_preferences", "SELECT * FROM notification_preferences WHERE account_id = :a ORDER BY category"},
  });
}

}  // namespace courtyard::notifications
