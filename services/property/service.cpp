#include "services/property/service.hpp"

#include "services/property/routes.hpp"

#include <chrono>

namespace courtyard::property {

void PropertyService::routes(http::Router& r) {
  add_billing_routes(r);
  add_ticket_routes(r);
  add_announcement_routes(r);
  add_visitor_pass_routes(r);
  add_amenity_routes(r);
  add_suggestion_routes(r);
  add_ticket_sla_routes(r);
}

void PropertyService::jobs(jobs::Scheduler& s) {
  s.every("property.mark_overdue", std::chrono::hours(24), mark_overdue_bills);
}

}  // namespace courtyard::property
