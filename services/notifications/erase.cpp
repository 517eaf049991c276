// The notifications part of account erasure (POST /v1/me/erasure, served by members): the
// account's rows and preferences are deleted (nothing else refers to them).
#include "services/notifications/api.hpp"
#include "services/notifications/repository.hpp"

#include <boost/json.hpp>

namespace courtyard::notifications {

boost::json::object erase_account(db::Tx& tx, std::int64_t account_id) {
  return boost::json::object{{"rows_deleted", repo::delete_account_rows(tx, account_id)}};
}

}  // namespace courtyard::notifications
