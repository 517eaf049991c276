#include "services/analytics/service.hpp"

#include "services/analytics/routes.hpp"

namespace courtyard::analytics {

void AnalyticsService::routes(http::Router& r) {
  add_merchant_report_routes(r);
  add_stock_routes(r);
  add_manager_routes(r);
}

void AnalyticsService::subscribe(events::Bus& bus) {
  bus.subscribe_batch("analytics.order_placed", "order.placed", on_orders, kOrderBatch);
  bus.subscribe_batch("analytics.order_cancelled", "order.cancelled", on_orders, kOrderBatch);
  bus.subscribe("analytics.review_posted", "review.posted", on_review_posted);
  bus.subscribe("analytics.groupbuy_closed", "groupbuy.closed", on_group_buy_closed);
  bus.subscribe("analytics.refund_completed", "refund.completed", on_refund_completed);
  for (auto const* topic : {"bill.issued", "bill.paid", "bill.overdue", "ticket.resolved", "ticket.closed",
                            "event.checked_in", "event.rsvp", "post.published"})
    bus.subscribe(std::string("analytics.") + topic, topic, on_community_event);
  for (auto const* topic :
       {"ticket.opened", "ticket.first_response", "ticket.resolved", "ticket.closed", "ticket.reopened"})
    bus.subscribe(std::string("analytics.sla.") + topic, topic, on_ticket_step);
}

}  // namespace courtyard::analytics
