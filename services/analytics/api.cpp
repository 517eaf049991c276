#include "services/analytics/api.hpp"

#include "services/analytics/routes.hpp"

namespace courtyard::analytics {

std::int64_t backfill_community(db::Database& db, events::Bus& bus, std::int64_t community_id) {
  return backfill(db, bus, community_id).orders;
}

}  // namespace courtyard::analytics
