#pragma once
// SELECTs on MariaDB read without SOCI's dynamic row (issue #11, goal 1). SOCI's MySQL
// backend writes the values into the statement's text on the client and then converts every
// value of every row into a typed holder, parsing numbers with an istringstream: a fifth of
// the server's CPU on a page of products. This does the same substitution (the same
// placeholder rule, strings escaped by the connection) and hands each row of the text
// protocol to the row function as a db::Row, numbers parsed with from_chars.
//
// It takes integer and text values by name (`:name`); anything else (doubles, positional
// values, a placeholder without a value) is left to SOCI. Errors are thrown as SOCI's
// mysql_soci_error with the server's error number, so retry, conflict and lost-connection
// rules see what they saw before.
#include "db/row.hpp"
#include "db/statement_cache.hpp"

#include <soci/soci.h>

#include <optional>
#include <string>
#include <vector>

namespace courtyard::db {

// Runs `sql` with `params`, calling on_row(row) for each row while it returns true; false
// when it did not run it (the caller runs it through SOCI). Only with COURTYARD_WITH_MYSQL.
bool mysql_rows(soci::session& s, std::string const& sql, std::vector<Param> const& params, RowFn on_row);

// Runs a statement that returns no rows (INSERT, UPDATE, DELETE) the same way and returns
// the rows it affected (mysql_affected_rows, as SOCI's get_affected_rows); nullopt when it did
// not run it. A checkout batch's multi-row INSERTs bind a thousand values: SOCI formats
// each into a holder and splices them in again on every execution (a tenth of the server's
// CPU in a flash sale).
std::optional<long long> mysql_exec(soci::session& s, std::string const& sql, std::vector<Param> const& params);

}  // namespace courtyard::db
