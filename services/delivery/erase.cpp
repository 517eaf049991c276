// The delivery part of account erasure (POST /v1/me/erasure, served by members). Tasks and
// parcels name the account by id only and stay (the order and the unit refer to them); a
// courier still holding deliveries cannot be erased until they are handed back or finished.
#include "db/query.hpp"
#include "services/delivery/api.hpp"

#include <boost/json.hpp>

namespace courtyard::delivery {

using soci::use;

namespace {
constexpr char const* kHeldDeliveries =
    "SELECT COUNT(*) FROM delivery_tasks WHERE courier_id = :a AND status IN ('claimed', 'picked_up')";
}  // namespace

std::vector<std::pair<std::string, std::string>> erasure_blockers(db::Tx& tx, std::int64_t account_id) {
  std::vector<std::pair<std::string, std::string>> out;
  if (auto n = db::scalar(tx, kHeldDeliveries, use(account_id, "a")))
    out.emplace_back("deliveries-in-progress",
                     std::to_string(n) + " delivery(ies) you took as a courier are not finished");
  return out;
}

boost::json::object erase_account(db::Tx&, std::int64_t) {
  return boost::json::object{{"rows_changed", 0}, {"note", "tasks and parcels name the account by id only"}};
}

}  // namespace courtyard::delivery
