#pragma once
// A community's time zone: UTC offsets from the system's IANA database (TZif files under
// /usr/share/zoneinfo), read once per zone and cached. GCC 12's <chrono> has no tzdb, so
// this reads the compiled transitions itself; a zone it cannot read is UTC.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace courtyard::analytics {

class TimeZone {
 public:
  // The zone by name; UTC when unknown or unreadable. Thread-safe, cached.
  static std::shared_ptr<TimeZone const> named(std::string const& name);
  static std::shared_ptr<TimeZone const> utc();

  // Offset from UTC (ms) in effect at the UTC instant.
  std::int64_t offset_at(std::int64_t utc_ms) const;
  // The local day (days since 1970-01-01 in local time) of a UTC instant.
  std::int64_t local_day(std::int64_t utc_ms) const;
  // The UTC instant at which the local day starts (local midnight).
  std::int64_t day_start(std::int64_t local_day) const;

  // Parses a TZif file's contents (exposed for tests).
  static std::shared_ptr<TimeZone const> from_tzif(std::string const& bytes);

 private:
  std::vector<std::int64_t> at_;      // transition instants, seconds, ascending
  std::vector<std::int32_t> offset_;  // offset (s) from each transition on
  std::int32_t initial_ = 0;          // before the first transition
};

}  // namespace courtyard::analytics
