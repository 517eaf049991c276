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

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace courtyard::db {

// Prepared SELECTs kept per MariaDB connection (issue #11: "statements are re-parsed on
// every call"). Only the services' named query constants read in a read unit come here
// (db::all/one/each on a Tx of TxMode::Read, whose text is the same on every call); a
// db::Query's text varies with its filters and IN lists and keeps the text protocol, and so
// do the reads of write transactions (no gain measured there: tests/bench/RESULTS.md,
// "Prepared reads on MariaDB"). A text is prepared the second time it is seen on a
// connection (one more round trip, once), then run with COM_STMT_EXECUTE: the server no
// longer parses it (a product read: 23 instead of 34 µs of mariadbd's CPU, bench of
// 2026-12-07). Values are bound by type (integers, text); every column is read back as the
// text protocol gives it (integers and reals written out exactly), so rows read the same
// through db::Row either way.
//
// At most kCapacity statements per connection (72 connections x 128 stay under MariaDB's
// default max_prepared_stmt_count of 16,382); when it is full, or the server refuses one
// more, the text is run the usual way. A cache belongs to one pooled session and is used by
// the thread holding its lease (no locking); Database clears it when the session reconnects.
class MysqlStatements {
 public:
  static constexpr std::size_t kCapacity = 128;

  MysqlStatements();
  ~MysqlStatements();
  MysqlStatements(MysqlStatements const&) = delete;
  MysqlStatements& operator=(MysqlStatements const&) = delete;

  // Runs `sql` prepared, calling on_row(row) for each row while it returns true. False when it
  // did not run it (not prepared yet, not a SELECT, a value it cannot bind): the caller runs
  // it as text. Server errors are thrown as the text protocol throws them.
  bool run(soci::session& s, std::string const& sql, std::vector<Param> const& params, RowFn on_row);

  void clear();
  std::size_t size() const { return entries_.size(); }
  std::size_t hits() const { return hits_; }
  std::size_t prepared() const { return prepared_; }

 private:
  struct Entry;
  void drop(std::string const& sql);
  void* conn_ = nullptr;  // the MYSQL connection the statements belong to
  std::unordered_map<std::string, std::unique_ptr<Entry>> entries_;
  std::unordered_map<std::string, int> seen_;  // texts seen once, not prepared yet
  bool refused_ = false;  // the server's statement limit was reached: prepare no more
  std::size_t hits_ = 0, prepared_ = 0;
};

// Runs `sql` with `params`, calling on_row(row) for each row while it returns true; false
// when it did not run it (the caller runs it through SOCI). Only with COURTYARD_WITH_MYSQL.
// With `prepared` (a named query constant in a read unit), the statement may run from it.
bool mysql_rows(soci::session& s, std::string const& sql, std::vector<Param> const& params, RowFn on_row,
                MysqlStatements* prepared = nullptr);

// Runs a statement that returns no rows (INSERT, UPDATE, DELETE) the same way and returns
// the rows it affected (mysql_affected_rows, as SOCI's get_affected_rows); nullopt when it did
// not run it. A checkout batch's multi-row INSERTs bind a thousand values: SOCI formats
// each into a holder and splices them in again on every execution (a tenth of the server's
// CPU in a flash sale).
std::optional<long long> mysql_exec(soci::session& s, std::string const& sql, std::vector<Param> const& params);

}  // namespace courtyard::db
