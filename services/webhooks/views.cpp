// The JSON shapes of endpoints, deliveries and attempts. A secret is never part of them: the
// create and rotate answers add it once.
#include "services/webhooks/routes.hpp"

namespace courtyard::webhooks {

namespace {
bj::value opt_int(std::optional<std::int64_t> v) { return v ? bj::value(*v) : bj::value(nullptr); }
bj::value opt_text(std::optional<std::string> const& v) { return v ? bj::value(*v) : bj::value(nullptr); }
}  // namespace

bj::object endpoint_json(repo::Endpoint const& e, std::int64_t now_ms) {
  bj::array types;
  for (auto const& t : e.event_types) types.emplace_back(t);
  bool overlap = e.previous_secret && e.previous_until > now_ms;
  return bj::object{{"id", e.id},
                    {"community_id", e.community_id},
                    {"merchant_id", e.merchant_id > 0 ? bj::value(e.merchant_id) : bj::value(nullptr)},
                    {"url", e.url},
                    {"description", e.description},
                    {"event_types", std::move(types)},
                    {"enabled", e.enabled},
                    {"disabled_reason", opt_text(e.disabled_reason)},
                    {"previous_secret_expires_at", overlap ? bj::value(json::rfc3339(e.previous_until)) : nullptr},
                    {"created_at", json::rfc3339(e.created_at)},
                    {"updated_at", json::rfc3339(e.updated_at)}};
}

bj::object delivery_json(repo::Delivery const& d) {
  return bj::object{{"id", d.id},
                    {"endpoint_id", d.endpoint_id},
                    {"webhook_id", d.message_id},
                    {"event_id", opt_int(d.event_id)},
                    {"event_type", d.event_type},
                    {"status", d.status},
                    {"attempts", d.attempts},
                    {"next_attempt_at", d.status == "pending" ? bj::value(json::rfc3339(d.next_attempt_at)) : nullptr},
                    {"last_status", opt_int(d.last_status)},
                    {"last_error", opt_text(d.last_error)},
                    {"replay_of", opt_int(d.replay_of)},
                    {"created_at", json::rfc3339(d.created_at)},
                    {"completed_at", json::time_or_null(d.completed_at)}};
}

bj::object attempt_json(repo::Attempt const& a) {
  return bj::object{{"attempt", a.attempt},
                    {"started_at", json::rfc3339(a.started_at)},
                    {"latency_ms", a.latency_ms},
                    {"http_status", opt_int(a.http_status)},
                    {"error", opt_text(a.error)},
                    {"response_snippet", a.response_snippet},
                    {"outcome", a.outcome}};
}

}  // namespace courtyard::webhooks
