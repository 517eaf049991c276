#pragma once
// The community's time zone, read from the system's IANA database (TZif files under
// /usr/share/zoneinfo): the C++20 time-zone library is not in this toolchain's libstdc++, and
// localtime_r would need the process-wide TZ variable.
#include "services/settlement/logic.hpp"

#include <string>

namespace courtyard::settlement::tz {

// The zone's offset function for logic::week_of. An unknown zone, or a name that is not a
// plain zone path, is UTC. Files are read once per process and kept.
logic::OffsetAt offsets(std::string const& zone);

}  // namespace courtyard::settlement::tz
