// What the webhooks handlers, the subscription and the sender share.
#include "services/webhooks/routes.hpp"

#include "services/shops/api.hpp"
#include "services/webhooks/url_guard.hpp"

#include <sodium.h>

#include <algorithm>

namespace courtyard::webhooks {

Scope merchant_scope() {
  return {logic::Audience::Merchant, "/v1/communities/{cid}/merchants/{mid}/webhooks", Access::merchant("webhooks")};
}

Scope community_scope() { return {logic::Audience::Community, "/v1/communities/{cid}/webhooks", Access::manager()}; }

repo::Owner owner_of(Request const& req, Context& ctx, db::Tx& tx, logic::Audience a) {
  if (a == logic::Audience::Community) return {ctx.community_id, 0};
  std::int64_t mid = req.id("mid");
  auto owner = shops::merchant_owner(tx, ctx.community_id, mid);
  if (!owner) throw NotFound("merchant");
  bool key = ctx.principal.kind == Principal::Kind::ApiKey && ctx.acts_for(mid);
  if (!ctx.principal.admin && !key && ctx.principal.account_id != *owner)
    throw Forbidden("only the merchant's owner (or its API key with the webhooks scope) manages its webhooks");
  return {ctx.community_id, mid};
}

repo::Endpoint endpoint_or_404(db::Tx& tx, repo::Owner const& o, std::int64_t id) {
  auto e = repo::find_endpoint(tx, o, id);
  if (!e) throw NotFound("webhook endpoint");
  return *e;
}

std::string checked_url(std::string const& url, bool allow_loopback) {
  auto c = guard::check_url(url, allow_loopback);
  if (!c.target) throw Invalid("url", c.problem);
  return url;
}

std::vector<std::string> checked_event_types(bj::object const& body, logic::Audience a) {
  auto const& arr = json::array(body, "event_types");
  std::vector<FieldError> problems;
  std::vector<std::string> out;
  if (arr.empty()) problems.push_back({"event_types", "must list at least one event type"});
  if (arr.size() > logic::kMaxEventTypes) problems.push_back({"event_types", "must list at most 50 event types"});
  for (std::size_t i = 0; i < arr.size() && i < logic::kMaxEventTypes; ++i) {
    std::string field = "event_types[" + std::to_string(i) + "]";
    if (!arr[i].is_string()) throw BadRequest(field + " must be a string");
    std::string t(arr[i].as_string());
    auto why = logic::pattern_problem(a, t);
    if (!why.empty()) problems.push_back({field, why});
    else if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
  }
  if (!problems.empty()) throw Invalid(std::move(problems));
  return out;
}

std::string endpoint_path(Context const& ctx, repo::Owner const& o, std::int64_t id) {
  std::string base = o.merchant_id > 0 ? "/merchants/" + std::to_string(o.merchant_id) : "";
  return ctx.path(base + "/webhooks/" + std::to_string(id));
}

void require_enabled(repo::Endpoint const& e) {
  if (!e.enabled)
    throw Conflict("endpoint-disabled", "the endpoint is disabled (" + e.disabled_reason.value_or("manual") +
                                            "); enable it first");
}

std::string envelope(std::string_view type, std::int64_t at_ms, bj::value const& data) {
  return bj::serialize(bj::object{{"type", type}, {"timestamp", json::rfc3339(at_ms)}, {"data", data}});
}

}  // namespace courtyard::webhooks
