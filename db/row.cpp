#include "db/row.hpp"

#include <soci/sqlite3/soci-sqlite3.h>

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace courtyard::db {

namespace {

Row::Kind kind_of(soci::data_type t) {
  switch (t) {
    case soci::dt_integer:
    case soci::dt_long_long:
    case soci::dt_unsigned_long_long: return Row::Kind::Integer;
    case soci::dt_double: return Row::Kind::Real;
    case soci::dt_string:
    case soci::dt_blob:
    case soci::dt_xml: return Row::Kind::Text;
    default: return Row::Kind::Other;
  }
}

std::runtime_error not_a_number(std::size_t i) {
  return std::runtime_error("column " + std::to_string(i) + " is not a number");
}

// Value i of a text row when all of it is an integer of type T.
template <class T>
std::optional<T> whole(Row::Text const& t, std::size_t i) {
  char const* v = t.values[i];
  T n{};
  auto r = std::from_chars(v, v + t.lengths[i], n);
  if (r.ec != std::errc() || r.ptr != v + t.lengths[i]) return std::nullopt;
  return n;
}

}  // namespace

std::size_t Row::size() const {
  if (soci_) return soci_->size();
  if (text_) return text_->count;
  return static_cast<std::size_t>(sqlite_api::sqlite3_column_count(stmt_));
}

std::string Row::name(std::size_t i) const {
  if (soci_) return soci_->get_properties(i).get_name();
  if (text_) return text_->names[i];
  char const* n = sqlite_api::sqlite3_column_name(stmt_, static_cast<int>(i));
  return n ? n : "";
}

Row::Kind Row::kind(std::size_t i) const {
  if (soci_) {
    if (soci_->get_indicator(i) == soci::i_null) return Kind::Null;
    return kind_of(soci_->get_properties(i).get_data_type());
  }
  if (text_) return text_->values[i] ? text_->kinds[i] : Kind::Null;
  switch (sqlite_api::sqlite3_column_type(stmt_, static_cast<int>(i))) {
    case SQLITE_INTEGER: return Kind::Integer;
    case SQLITE_FLOAT: return Kind::Real;
    case SQLITE_TEXT:
    case SQLITE_BLOB: return Kind::Text;
    case SQLITE_NULL: return Kind::Null;
    default: return Kind::Other;
  }
}

std::optional<std::int64_t> Row::opt_int(std::size_t i) const {
  int const c = static_cast<int>(i);
  switch (kind(i)) {
    case Kind::Null: return std::nullopt;
    case Kind::Integer:
      if (stmt_) return sqlite_api::sqlite3_column_int64(stmt_, c);
      if (text_) {
        if (auto n = whole<std::int64_t>(*text_, i)) return n;
        if (auto u = whole<std::uint64_t>(*text_, i)) return static_cast<std::int64_t>(*u);  // BIGINT UNSIGNED, as SOCI casts it
        throw not_a_number(i);
      }
      switch (soci_->get_properties(i).get_data_type()) {
        case soci::dt_integer: return soci_->get<int>(i);
        case soci::dt_unsigned_long_long: return static_cast<std::int64_t>(soci_->get<unsigned long long>(i));
        default: return soci_->get<long long>(i);
      }
    case Kind::Real:
      if (text_) {  // a DECIMAL without a fraction (SUM of integers on MariaDB): exact
        if (auto n = whole<std::int64_t>(*text_, i)) return n;
      }
      return static_cast<std::int64_t>(std::llround(*opt_real(i)));
    case Kind::Text: return std::stoll(*opt_text(i));
    default: throw not_a_number(i);
  }
}

std::optional<std::string> Row::opt_text(std::size_t i) const {
  switch (kind(i)) {
    case Kind::Null: return std::nullopt;
    case Kind::Text:
      if (stmt_) {
        int const c = static_cast<int>(i);
        auto const* p = reinterpret_cast<char const*>(sqlite_api::sqlite3_column_text(stmt_, c));
        return std::string(p ? p : "", static_cast<std::size_t>(sqlite_api::sqlite3_column_bytes(stmt_, c)));
      }
      if (text_) return std::string(text_->values[i], text_->lengths[i]);
      return soci_->get<std::string>(i);
    default: return std::to_string(*opt_int(i));
  }
}

std::optional<double> Row::opt_real(std::size_t i) const {
  switch (kind(i)) {
    case Kind::Null: return std::nullopt;
    case Kind::Real:
      if (stmt_) return sqlite_api::sqlite3_column_double(stmt_, static_cast<int>(i));
      if (text_) {
        double d = 0;
        std::from_chars(text_->values[i], text_->values[i] + text_->lengths[i], d);
        return d;
      }
      return soci_->get<double>(i);
    // SOCI types an SQLite expression column (SUM, AVG, a CASE) by stepping the statement
    // once before its values are bound: it usually finds no row and says string. The text
    // holds the real number ("293.75"); read as an integer it would lose its fraction.
    case Kind::Text: return std::stod(*opt_text(i));
    default: return static_cast<double>(*opt_int(i));
  }
}

}  // namespace courtyard::db
