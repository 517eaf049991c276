#include "services/clubs/service.hpp"

#include "services/clubs/routes.hpp"

namespace courtyard::clubs {

void ClubsService::routes(http::Router& r) {
  add_club_routes(r);
  add_event_routes(r);
  add_post_routes(r);
}

void ClubsService::jobs(jobs::Scheduler& s) {
  s.every("clubs.event_reminders", std::chrono::minutes(1),
          [](jobs::JobContext& jc) { send_event_reminders(jc.db, jc.bus, jc.now_ms); });
}

}  // namespace courtyard::clubs
