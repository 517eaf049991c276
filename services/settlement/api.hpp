#pragma once
// What other parts of Courtyard may call from settlement.
#include "db/database.hpp"
#include "db/outbox.hpp"

#include <cstdint>

namespace courtyard::settlement {

// The "settlement.close_periods" job body: closes every open settlement period (any
// community) that ended by `now_ms`, one period per transaction; a community whose revenue
// account cannot reimburse the points is logged and tried again on the next run. Returns how
// many periods this call closed.
int close_due_periods(db::Database& db, events::Bus& bus, std::int64_t now_ms);

}  // namespace courtyard::settlement
