// The outbox subscriber: events become deliveries (never sent from here).
#include "services/webhooks/routes.hpp"

#include <map>
#include <utility>

namespace courtyard::webhooks {

namespace {

std::int64_t merchant_of(events::Event const& e) { return json::int_field(e.payload, "merchant_id").value_or(0); }

}  // namespace

void fan_out(events::Event const& e, db::Tx& tx) { fan_out_all({e}, tx); }

void fan_out_all(std::vector<events::Event> const& batch, db::Tx& tx) {
  // The endpoints read once per (community, merchant) of the batch, not once per event: a
  // flash sale's order.placed events all share one.
  std::map<std::pair<std::int64_t, std::int64_t>, std::vector<repo::Endpoint>> candidates;
  for (auto const& e : batch) {
    std::int64_t merchant = merchant_of(e);
    auto [it, fresh] = candidates.try_emplace({e.community_id, merchant});
    if (fresh) it->second = repo::candidates_for_event(tx, e.community_id, merchant);
    auto const& endpoints = it->second;
    if (endpoints.empty()) continue;
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
}

}  // namespace courtyard::webhooks
