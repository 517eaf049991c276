#pragma once
// Prepared SELECTs kept per SQLite connection (issue #11: "statements are re-parsed on every
// call"). SOCI prepares a statement on every call; on SQLite that is sqlite3_prepare_v2 each
// time, 14% of the CPU of a page of orders. A cached statement is prepared once per pooled
// connection and run again with new values.
//
// A cached statement is run with SQLite's own calls (bind, step, reset) and its rows are read
// as db::Row straight from the statement, each value by its own storage class, so a SELECT of
// expressions (COUNT, SUM, COALESCE) is kept too. Anything the cache cannot bind runs the
// usual way through SOCI.
//
// A cache belongs to one pooled session and is used only by the thread holding its lease
// (no locking). Database clears it before the session is closed or reconnected.
#include "db/row.hpp"

#include <soci/soci.h>

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

namespace courtyard::db {

// One value of a call: its placeholder's name (empty: bound by position) and the value.
struct Param {
  std::string_view name;
  std::variant<long long, std::string, double> value;
};

class StatementCache {
 public:
  static constexpr std::size_t kCapacity = 256;  // statements per connection; more: start over

  explicit StatementCache(soci::session& s);
  ~StatementCache();
  StatementCache(StatementCache const&) = delete;
  StatementCache& operator=(StatementCache const&) = delete;

  // Runs `sql` with `params`, calling on_row(row) for each row while it returns true. False
  // when the statement is not one the cache keeps: nothing ran, the caller runs it itself.
  bool run(std::string const& sql, std::vector<Param> const& params, RowFn on_row);

  void clear();
  std::size_t size() const { return entries_.size(); }
  // Counters for tests and the bench: statements run from the cache, prepared into it, and
  // run the usual way because the cache does not keep them.
  std::size_t hits() const { return hits_; }
  std::size_t prepared() const { return prepared_; }
  std::size_t passed() const { return passed_; }

 private:
  struct Entry;
  Entry* entry_for(std::string const& key, std::string const& sql, std::vector<Param> const& params);

  soci::session& s_;
  std::unordered_map<std::string, std::unique_ptr<Entry>> entries_;
  std::unordered_set<std::string> refused_;  // keys of statements not kept (not a SELECT)
  int depth_ = 0;                            // statements whose rows are being read
  std::size_t hits_ = 0, prepared_ = 0, passed_ = 0;
};

}  // namespace courtyard::db
