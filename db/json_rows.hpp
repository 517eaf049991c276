#pragma once
// Rows as JSON objects (column name -> value; NULL -> null), for the resident's
// data export: each service names the rows that belong to an account with one
// query whose only placeholder is `:a`, bound to the account id.
#include "db/tx.hpp"

#include <boost/json/array.hpp>

#include <cstdint>
#include <string>

namespace courtyard::db {

boost::json::array json_rows(Tx& tx, std::string const& query, std::int64_t account_id);

// True when the service's schema is in this database (it is enabled on some
// instance).
bool has_schema(Tx& tx, std::string const& service);

}  // namespace courtyard::db
