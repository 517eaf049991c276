#pragma once
// Reading soci::row columns portably. Column types differ by backend (COUNT/SUM are
// BIGINT on SQLite but DECIMAL -> double on MySQL; INT columns are dt_integer), so
// read numbers through these instead of row.get<long long>().
#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <string>

namespace courtyard::db {

std::optional<std::int64_t> opt_int(soci::row const& r, std::size_t i);
std::int64_t as_int(soci::row const& r, std::size_t i);  // NULL -> 0
std::optional<std::string> opt_text(soci::row const& r, std::size_t i);
std::string as_text(soci::row const& r, std::size_t i);  // NULL -> ""
std::optional<double> opt_double(soci::row const& r, std::size_t i);

}  // namespace courtyard::db
