#pragma once
// What other parts of Courtyard may call from property.
#include "db/tx.hpp"

#include <boost/json/object.hpp>

#include <cstdint>

namespace courtyard::property {

// The account's rows in this service, for the resident's data export (export.cpp).
boost::json::object export_account(db::Tx& tx, std::int64_t account_id);

}  // namespace courtyard::property
