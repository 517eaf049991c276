#pragma once
// What other parts of Courtyard may call from analytics.
#include "db/database.hpp"
#include "db/outbox.hpp"

#include <cstdint>

namespace courtyard::analytics {

// Rebuilds the community's shop rollups from shops' rows (the backfill behind
// POST /v1/communities/{cid}/analytics/backfill); returns the orders counted.
std::int64_t backfill_community(db::Database& db, events::Bus& bus, std::int64_t community_id);

}  // namespace courtyard::analytics
