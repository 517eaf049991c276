#pragma once
// Rows as JSON objects (column name -> value; NULL -> null), for the resident's
// data export: each service names the rows that belong to an account with one
// query whose only placeholder is `:a`, bound to the account id.
#include "db/tx.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>

namespace courtyard::db {

boost::json::array json_rows(Tx& tx, std::string const& query, std::int64_t account_id);

// A service's part of the export: one section per (name, query), each json_rows of its query.
//   return db::json_sections(tx, account_id, {
//       {"orders", "SELECT * FROM orders WHERE buyer_id = :a ORDER BY id"}, ...});
boost::json::object json_sections(Tx& tx, std::int64_t account_id,
                                  std::initializer_list<std::pair<char const*, char const*>> sections);

// True when the service's schema is in this database (it is enabled on some
// instance).
bool has_schema(Tx& tx, std::string const& service);

}  // namespace courtyard::db
