// Reactions to other services' events.
#include "services/shops/routes.hpp"

namespace courtyard::shops {

// delivery.delivered: a delivery order completes. A redelivered event finds the order
// completed already and changes nothing.
void on_delivery_delivered(events::Event const& e, db::Tx& tx) {
  if (!e.payload.is_object()) return;
  auto const& p = e.payload.as_object();
  auto it = p.find("order_id");
  if (it == p.end() || !it->value().is_int64()) return;
  std::int64_t oid = it->value().as_int64();
  auto o = repo::find_order(tx, e.community_id, oid);
  if (!o || o->fulfilment != "delivery") return;
  auto from = logic::parse_order_status(o->status);
  if (!from ||
      !logic::transition(*from, logic::OrderVerb::Deliver, logic::Actor::System, logic::Fulfilment::Delivery))
    return;
  if (!repo::set_order_status(tx, e.community_id, oid, o->status, "completed")) return;
  auto done = repo::find_order(tx, e.community_id, oid);
  tx.publish("order.completed", e.community_id, order_event(*done));
}

}  // namespace courtyard::shops
