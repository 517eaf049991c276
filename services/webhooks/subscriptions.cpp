// The outbox subscriber: events become deliveries (never sent from here).
#include "services/webhooks/routes.hpp"

namespace courtyard::webhooks {

void fan_out(events::Event const& e, db::Tx& tx) {
  std::int64_t merchant = 0;
  if (e.payload.is_object())
    if (auto const* m = e.payload.as_object().if_contains("merchant_id"); m && m->is_int64()) merchant = m->as_int64();
  auto endpoints = repo::candidates_for_event(tx, e.community_id, merchant);
  if (endpoints.empty()) return;
  std::string body = envelope(e.topic, e.created_at, e.payload);
  for (auto const& ep : endpoints) {
    auto audience = ep.merchant_id > 0 ? logic::Audience::Merchant : logic::Audience::Community;
    if (!logic::concerns(audience, ep.merchant_id, e.topic, merchant)) continue;
    if (!logic::matches_any(ep.event_types, e.topic)) continue;
    repo::Delivery d;
    d.community_id = e.community_id;
    d.endpoint_id = ep.id;
    d.event_id = e.id;
    d.seq = e.id;
    d.message_id = "msg_" + std::to_string(e.id);
    d.event_type = e.topic;
    d.payload = body;
    repo::insert_delivery(tx, d);
  }
}

}  // namespace courtyard::webhooks
