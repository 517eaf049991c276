#pragma once
// The community's time zone as settlement's offset function, over the shared reader of the
// system's zone files (http/time_zone.hpp).
#include "services/settlement/logic.hpp"

#include <string>

namespace courtyard::settlement::tz {

// The zone's offset function for logic::week_of. An unknown zone, or a name that is not a
// plain zone path, is UTC.
logic::OffsetAt offsets(std::string const& zone);

}  // namespace courtyard::settlement::tz
