#pragma once
// What other parts of Courtyard may call from delivery.
#include "db/tx.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <vector>
#include <utility>
#include <string>

namespace courtyard::delivery {

// The account's rows in this service, for the resident's data export (export.cpp).
boost::json::object export_account(db::Tx& tx, std::int64_t account_id);
// Account erasure (erase.cpp; members orchestrates POST /v1/me/erasure): delivery tasks and parcels
// name the account by id only; nothing changes. Deliveries the account (as a courier) holds
// block erasure.
// Returns what it changed, for the erasure receipt.
boost::json::object erase_account(db::Tx& tx, std::int64_t account_id);
// What stops the account from being erased now, as (code, detail); empty = nothing.
std::vector<std::pair<std::string, std::string>> erasure_blockers(db::Tx& tx, std::int64_t account_id);

}  // namespace courtyard::delivery
