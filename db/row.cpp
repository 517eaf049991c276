#include "db/row.hpp"

#include <cmath>

namespace courtyard::db {

std::optional<std::int64_t> opt_int(soci::row const& r, std::size_t i) {
  if (r.get_indicator(i) == soci::i_null) return std::nullopt;
  switch (r.get_properties(i).get_data_type()) {
    case soci::dt_integer: return r.get<int>(i);
    case soci::dt_long_long: return r.get<long long>(i);
    case soci::dt_unsigned_long_long: return static_cast<std::int64_t>(r.get<unsigned long long>(i));
    case soci::dt_double: return static_cast<std::int64_t>(std::llround(r.get<double>(i)));
    case soci::dt_string: return std::stoll(r.get<std::string>(i));
    default: throw std::runtime_error("column " + std::to_string(i) + " is not a number");
  }
}

std::int64_t as_int(soci::row const& r, std::size_t i) { return opt_int(r, i).value_or(0); }

std::optional<std::string> opt_text(soci::row const& r, std::size_t i) {
  if (r.get_indicator(i) == soci::i_null) return std::nullopt;
  switch (r.get_properties(i).get_data_type()) {
    case soci::dt_string:
    case soci::dt_blob:
    case soci::dt_xml: return r.get<std::string>(i);
    default: return std::to_string(as_int(r, i));
  }
}

std::string as_text(soci::row const& r, std::size_t i) { return opt_text(r, i).value_or(""); }

std::optional<double> opt_double(soci::row const& r, std::size_t i) {
  if (r.get_indicator(i) == soci::i_null) return std::nullopt;
  if (r.get_properties(i).get_data_type() == soci::dt_double) return r.get<double>(i);
  return static_cast<double>(as_int(r, i));
}

}  // namespace courtyard::db
