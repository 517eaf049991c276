#pragma once
// What other parts of Courtyard may call from clubs.
#include "db/tx.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <vector>
#include <utility>
#include <string>

namespace courtyard::clubs {

// The account's rows in this service, for the resident's data export (export.cpp).
boost::json::object export_account(db::Tx& tx, std::int64_t account_id);
// Account erasure (erase.cpp; members orchestrates POST /v1/me/erasure): posts and comments stay with
// the author shown as a former resident; the reasons of the account's reports become
// "[erased]"; memberships, RSVPs and likes stay (counts and seats stay right).
// Returns what it changed, for the erasure receipt.
boost::json::object erase_account(db::Tx& tx, std::int64_t account_id);

}  // namespace courtyard::clubs
