#pragma once
// One result row, read by column index. One of:
//   - a soci::row (rowsets: statements the fast paths below do not take);
//   - the current row of a prepared SQLite statement (the statement cache,
//     db/statement_cache.hpp), read with sqlite3_column_* directly;
//   - a row of MySQL's text protocol (db/mysql_rows.hpp): each value as the server sent it.
// SOCI's dynamic row converts every value into a typed holder first (on MySQL by parsing it
// with an istringstream), a tenth to a fifth of the CPU of a list read.
//
// Numbers are read portably: COUNT/SUM are BIGINT on SQLite but DECIMAL -> double on MySQL;
// INT columns are int; SOCI types an SQLite expression column as text. Read them through
// these (or db::Cols) rather than soci::row::get<long long>().
#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>

namespace sqlite_api {
struct sqlite3_stmt;
}

namespace courtyard::db {

class Row {
 public:
  enum class Kind { Null, Integer, Real, Text, Other };

  // A row as text: values[i] (nullptr for NULL) of lengths[i] bytes, of the column's kind.
  struct Text {
    char const* const* values = nullptr;
    unsigned long const* lengths = nullptr;
    Kind const* kinds = nullptr;
    std::string const* names = nullptr;
    std::size_t count = 0;
  };

  Row(soci::row const& r) : soci_(&r) {}  // NOLINT: implicit, rowsets hand soci rows
  explicit Row(sqlite_api::sqlite3_stmt* stmt) : stmt_(stmt) {}
  explicit Row(Text const* text) : text_(text) {}

  std::size_t size() const;
  std::string name(std::size_t i) const;
  Kind kind(std::size_t i) const;
  bool null(std::size_t i) const { return kind(i) == Kind::Null; }

  std::optional<std::int64_t> opt_int(std::size_t i) const;  // a real is rounded; text is parsed
  std::optional<std::string> opt_text(std::size_t i) const;  // a number is written out
  std::optional<double> opt_real(std::size_t i) const;       // text is parsed

 private:
  soci::row const* soci_ = nullptr;
  sqlite_api::sqlite3_stmt* stmt_ = nullptr;
  Text const* text_ = nullptr;
};

// A row function handed across a non-template call (the statement cache, mysql_rows):
// calls fn(row), which returns whether to read on. Refers to fn; keep it alive meanwhile.
class RowFn {
 public:
  template <class F>
    requires(!std::is_same_v<std::remove_cv_t<F>, RowFn>)
  RowFn(F& fn)  // NOLINT: implicit, callers pass their lambda
      : fn_(const_cast<void*>(static_cast<void const*>(&fn))),
        call_([](void* f, Row const& r) -> bool { return (*static_cast<F*>(f))(r); }) {}
  bool operator()(Row const& r) const { return call_(fn_, r); }

 private:
  void* fn_;
  bool (*call_)(void*, Row const&);
};

// Shorthands for tests and one-off reads.
inline std::optional<std::int64_t> opt_int(Row const& r, std::size_t i) { return r.opt_int(i); }
inline std::int64_t as_int(Row const& r, std::size_t i) { return r.opt_int(i).value_or(0); }  // NULL -> 0
inline std::optional<std::string> opt_text(Row const& r, std::size_t i) { return r.opt_text(i); }
inline std::string as_text(Row const& r, std::size_t i) { return r.opt_text(i).value_or(""); }  // NULL -> ""
inline std::optional<double> opt_double(Row const& r, std::size_t i) { return r.opt_real(i); }

}  // namespace courtyard::db
