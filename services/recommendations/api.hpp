#pragma once
// What other parts of Courtyard may call from recommendations: the account's part of the
// resident's data export and of account erasure (members orchestrates both).
#include "db/tx.hpp"

#include <boost/json/object.hpp>

#include <cstdint>

namespace courtyard::recommendations {

// The account's recommendation profile in each community: the products it bought that count
// as evidence (with their merchant and the building they were bought from).
boost::json::object export_account(db::Tx& tx, std::int64_t account_id);
// Erasure: takes the account's evidence out of every community's counters and deletes its
// profile, as an opt-out does. Returns what it changed, for the erasure receipt.
boost::json::object erase_account(db::Tx& tx, std::int64_t account_id);

}  // namespace courtyard::recommendations
