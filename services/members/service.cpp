#include "services/members/service.hpp"

#include "services/members/api.hpp"
#include "services/members/routes.hpp"
#include "services/notifications/api.hpp"

namespace courtyard::members {

// Notifications asks members about the marketing consent before it stores a marketing row.
MembersService::MembersService(Env& env) : env_(env) { notifications::set_consent_lookup(&has_consent); }

void MembersService::routes(http::Router& r) {
  add_program_routes(r);
  add_membership_routes(r);
  add_segment_routes(r);
  add_campaign_routes(r);
  add_erasure_routes(r);
}

void MembersService::subscribe(events::Bus& bus) {
  bus.subscribe("members.bill_paid", "bill.paid", on_bill_paid);
  bus.subscribe("members.order_completed", "order.completed", on_order_completed);
  bus.subscribe("members.event_checked_in", "event.checked_in", on_event_checked_in);
  bus.subscribe("members.review_posted", "review.posted", on_review_posted);
  bus.subscribe("members.suggestion_adopted", "suggestion.adopted", on_suggestion_adopted);
  bus.subscribe("members.facts_resident", "resident.approved", on_resident_facts);
  bus.subscribe("members.facts_order", "order.completed", on_order_facts);
  bus.subscribe("members.facts_bill_overdue", "bill.overdue", on_bill_overdue_facts);
  bus.subscribe("members.facts_bill_paid", "bill.paid", on_bill_paid_facts);
  bus.subscribe("members.facts_club_joined", "club.joined", on_club_joined_facts);
  bus.subscribe("members.refund_completed", "refund.completed", on_refund_completed);
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
