#include "services/settlement/tz.hpp"

#include "http/time_zone.hpp"

namespace courtyard::settlement::tz {

logic::OffsetAt offsets(std::string const& zone) {
  auto z = http::TimeZone::named(zone);
  return [z](std::int64_t utc_ms) -> std::int64_t { return z->offset_at(utc_ms) / 1000; };
}

}  // namespace courtyard::settlement::tz
