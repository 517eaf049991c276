#pragma once
// A community's time zone: UTC offsets from the system's IANA database (TZif files under
// /usr/share/zoneinfo, RFC 8536), read once per zone and cached for the process. GCC 12's
// <chrono> has no tzdb and localtime_r would need the process-wide TZ variable, so this reads
// the compiled transitions itself. A zone it cannot read (unknown, malformed, or a name that is
// not a plain zone path) is UTC. Analytics buckets days with it, settlement weeks.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace courtyard::http {

class TimeZone {
 public:
  // The zone by name; UTC when unknown or unreadable. Thread-safe, cached.
  static std::shared_ptr<TimeZone const> named(std::string const& name);
  static std::shared_ptr<TimeZone const> utc();
  // Parses a TZif file's contents (exposed for tests); UTC when malformed.
  static std::shared_ptr<TimeZone const> from_tzif(std::string const& bytes);

  // Offset from UTC (ms) in effect at the UTC instant.
  std::int64_t offset_at(std::int64_t utc_ms) const;
  // The local day (days since 1970-01-01 in local time) of a UTC instant.
  std::int64_t local_day(std::int64_t utc_ms) const;
  // The UTC instant at which the local day starts (local midnight, or the first instant of
  // the day when a transition skips midnight).
  std::int64_t day_start(std::int64_t local_day) const;

 private:
  std::vector<std::int64_t> at_;      // transition instants, seconds, ascending
  std::vector<std::int32_t> offset_;  // offset (s) from each transition on
  std::int32_t initial_ = 0;          // before the first transition: time type 0 (RFC 8536)
};

}  // namespace courtyard::http
