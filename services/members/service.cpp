#include "services/members/service.hpp"

#include "services/members/api.hpp"
#include "services/members/routes.hpp"

namespace courtyard::members {

void MembersService::routes(http::Router& r) {
  add_program_routes(r);
  add_membership_routes(r);
}

void MembersService::subscribe(events::Bus& bus) {
  bus.subscribe("members.bill_paid", "bill.paid", on_bill_paid);
  bus.subscribe("members.order_completed", "order.completed", on_order_completed);
  bus.subscribe("members.event_checked_in", "event.checked_in", on_event_checked_in);
  bus.subscribe("members.review_posted", "review.posted", on_review_posted);
  bus.subscribe("members.suggestion_adopted", "suggestion.adopted", on_suggestion_adopted);
  bus.subscribe("members.referral", "order.completed", on_referral_order_completed);
}

void MembersService::jobs(jobs::Scheduler& s) {
  constexpr auto kDaily = std::chrono::hours(24);
  s.every("members.expire_points", kDaily, [](jobs::JobContext& c) { expire_due_points(c.db, c.bus, c.now_ms); });
  s.every("members.announce_expiring_points", kDaily,
          [](jobs::JobContext& c) { announce_expiring_points(c.db, c.bus, c.now_ms); });
  s.every("members.review_tiers", kDaily, [](jobs::JobContext& c) { review_tiers(c.db, c.bus, c.now_ms); });
}

}  // namespace courtyard::members
