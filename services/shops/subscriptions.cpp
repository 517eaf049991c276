// Reactions to other services' events.
#include "services/shops/routes.hpp"

namespace courtyard::shops {

namespace {

// The delivery order a delivery.* event names (payload order_id), if it is one.
std::optional<repo::Order> delivery_order(events::Event const& e, db::Tx& tx) {
  auto order_id = json::int_field(e.payload.as_object(), "order_id");
  if (!order_id) return std::nullopt;
  auto o = repo::find_order(tx, e.community_id, *order_id);
  if (!o || o->fulfilment != "delivery") return std::nullopt;
  return o;
}

}  // namespace

// delivery.delivered: a delivery order completes. A redelivered event finds the order
// completed already and changes nothing.
void on_delivery_delivered(events::Event const& e, db::Tx& tx) {
  if (!e.payload.is_object()) return;
  auto const& p = e.payload.as_object();
  auto o = delivery_order(e, tx);
  if (!o) return;
  std::int64_t oid = o->id;
  auto from = logic::parse_order_status(o->status);
  // A group buy's order delivered in its building's batch (delivery.delivered with batch_id)
  // completes from placed or accepted too: the batch stands in for the merchant's ready step.
  bool batched = p.contains("batch_id") && o->group_buy_id.value_or(0) > 0;
  if (from && batched && (*from == logic::OrderStatus::Placed || *from == logic::OrderStatus::Accepted))
    from = logic::OrderStatus::Ready;
  if (!from ||
      !logic::transition(*from, logic::OrderVerb::Deliver, logic::Actor::System, logic::Fulfilment::Delivery))
    return;
  if (!repo::set_order_status(tx, e.community_id, oid, o->status, "completed")) return;
  auto done = repo::find_order(tx, e.community_id, oid);
  tx.publish("order.completed", e.community_id, order_event(*done));
}

// delivery.failed, final: the delivery service gave up (every attempt failed). The order is
// cancelled as the system and the buyer gets the money and the points back; a re-dispatched failure
// (final: false) leaves the order ready. The conditional update on the order's state makes a
// redelivered or concurrently delivered event change nothing the second time.
void on_delivery_failed(events::Event const& e, db::Tx& tx) {
  if (!e.payload.is_object()) return;
  auto const& p = e.payload.as_object();
  auto const* fin = p.if_contains("final");
  if (!fin || !fin->is_bool() || !fin->as_bool()) return;
  auto o = delivery_order(e, tx);
  if (!o) return;
  std::int64_t oid = o->id;
  auto from = logic::parse_order_status(o->status);
  if (!from ||
      !logic::transition(*from, logic::OrderVerb::Cancel, logic::Actor::System, logic::Fulfilment::Delivery))
    return;  // completed, cancelled already (by the merchant, or this event before): nothing to do
  if (!repo::set_order_status(tx, e.community_id, oid, o->status, "cancelled")) return;
  std::int64_t refunded = undo_order(tx, *o, 0);
  record_failed_delivery_refund(tx, *o, refunded);
  auto done = repo::find_order(tx, e.community_id, oid);
  auto event = order_event(*done);
  event["reason"] = "delivery_failed";
  event["refunded_cents"] = refunded;
  event["refunded_points"] = o->points_spent;
  event["previous_status"] = o->status;
  if (auto const* d = p.if_contains("delivery_id")) event["delivery_id"] = *d;
  tx.publish("order.cancelled", e.community_id, event);

  // The merchant hears of it too: its owner (EVENTS.md, order.delivery_failed).
  auto m = repo::find_merchant(tx, e.community_id, o->merchant_id);
  auto notice = order_event(*done);
  notice["merchant_owner_id"] = m ? m->owner_id : 0;
  notice["refunded_cents"] = refunded;
  notice["refunded_points"] = o->points_spent;
  for (auto key : {"delivery_id", "reason", "attempt"})
    if (auto const* v = p.if_contains(key)) notice[key] = *v;
  tx.publish("order.delivery_failed", e.community_id, notice);
}

}  // namespace courtyard::shops
