#pragma once
// Internal to the webhooks service: route registration, and what the handlers, the
// subscription and the sender share (the endpoint's owner, look-ups that answer 404, views).
#include "http/context.hpp"
#include "http/errors.hpp"
#include "http/json.hpp"
#include "http/router.hpp"
#include "services/webhooks/api.hpp"
#include "services/webhooks/logic.hpp"
#include "services/webhooks/repository.hpp"

#include <boost/json.hpp>

#include <string>

namespace courtyard::webhooks {

namespace bj = boost::json;
using http::Access;
using http::Request;
using http::Response;

// Each set of routes exists twice: under /v1/communities/{cid}/merchants/{mid}/webhooks for a
// merchant's owner (or an API key of the merchant with the "webhooks" scope; the merchant's
// staff are refused), and under /v1/communities/{cid}/webhooks for the community's managers.
void add_endpoint_routes(http::Router& r, Options const& o);  // endpoints, secret rotation, test events
void add_delivery_routes(http::Router& r, Options const& o);  // the delivery log and replay

// The outbox subscriber: an event becomes one delivery per enabled endpoint it concerns and
// matches, in the event's own transaction; a redelivered event adds nothing (UNIQUE endpoint,
// event).
void fan_out(events::Event const& e, db::Tx& tx);
// The same for a batch of the outbox (subscribe_batch): the endpoints read once per
// community and merchant.
void fan_out_all(std::vector<events::Event> const& batch, db::Tx& tx);
inline constexpr int kFanOutBatch = 100;  // deliveries per fan_out_all call

// ---- shared by the handlers (routes.cpp)

struct Scope {
  logic::Audience audience;
  std::string base;  // the collection's pattern
  Access access;
};
Scope merchant_scope();
Scope community_scope();

// Whose endpoints the request addresses. A merchant's: the caller must be its owner, a platform
// admin, or an API key of it (the gateway checked the key's merchant and scope): 403 for its
// staff, 404 when the merchant is not one of {cid}'s. A community's: the managers (the route's
// rule). Call inside the request's transaction, so a refusal commits nothing.
repo::Owner owner_of(Request const& req, Context& ctx, db::Tx& tx, logic::Audience a);
repo::Endpoint endpoint_or_404(db::Tx& tx, repo::Owner const& o, std::int64_t id);
// The endpoint's URL and event types from a body; 422 listing every problem.
std::string checked_url(std::string const& url, bool allow_loopback);
std::vector<std::string> checked_event_types(bj::object const& body, logic::Audience a);

// The Location of an endpoint of this owner.
std::string endpoint_path(Context const& ctx, repo::Owner const& o, std::int64_t id);
// 409 /problems/endpoint-disabled unless enabled (test events and replays wait for nothing).
void require_enabled(repo::Endpoint const& e);

// The Standard Webhooks body: {"type", "timestamp", "data"}.
std::string envelope(std::string_view type, std::int64_t at_ms, bj::value const& data);

// ---- views (views.cpp)
bj::object endpoint_json(repo::Endpoint const& e, std::int64_t now_ms);
bj::object delivery_json(repo::Delivery const& d);
bj::object attempt_json(repo::Attempt const& a);

}  // namespace courtyard::webhooks
