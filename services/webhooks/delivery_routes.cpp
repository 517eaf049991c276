// The delivery log of an endpoint (deliveries, each with its attempts) and manual replay.
#include "services/webhooks/routes.hpp"

namespace courtyard::webhooks {

namespace {

std::string status_filter(Request const& req) {
  auto v = req.query_param("status");
  if (!v || v->empty()) return "";
  for (std::string_view s : {"pending", "succeeded", "failed"})
    if (*v == s) return std::string(s);
  throw Invalid("status", "must be one of pending, succeeded, failed");
}

repo::Delivery delivery_or_404(db::Tx& tx, repo::Endpoint const& e, std::int64_t did) {
  auto d = repo::find_delivery(tx, e.community_id, e.id, did);
  if (!d) throw NotFound("delivery");
  return *d;
}

Response list_deliveries(Request const& req, Context& ctx, logic::Audience a) {
  auto id = req.id("wid");
  auto page = req.page();
  auto status = status_filter(req);
  return ctx.tx([&](db::Tx& tx) {
    auto e = endpoint_or_404(tx, owner_of(req, ctx, tx, a), id);
    return Response::json(
        json::page_of_rows(repo::list_deliveries(tx, e.community_id, e.id, status, page), page, delivery_json));
  });
}

Response get_delivery(Request const& req, Context& ctx, logic::Audience a) {
  auto id = req.id("wid");
  auto did = req.id("did");
  return ctx.tx([&](db::Tx& tx) {
    auto e = endpoint_or_404(tx, owner_of(req, ctx, tx, a), id);
    auto d = delivery_or_404(tx, e, did);
    auto out = delivery_json(d);
    boost::system::error_code ec;
    auto payload = bj::parse(d.payload, ec);
    out["payload"] = ec ? bj::value(d.payload) : payload;
    bj::array attempts;
    for (auto const& at : repo::attempts_of(tx, d.id)) attempts.push_back(attempt_json(at));
    out["attempt_log"] = std::move(attempts);
    return Response::json(out);
  });
}

// A finished delivery is queued again as a new delivery with the same webhook-id (receivers
// that already have it can tell), ahead of the endpoint's queue like a test event.
Response replay_delivery(Request const& req, Context& ctx, logic::Audience a) {
  auto id = req.id("wid");
  auto did = req.id("did");
  return ctx.tx([&](db::Tx& tx) {
    auto owner = owner_of(req, ctx, tx, a);
    auto e = endpoint_or_404(tx, owner, id);
    auto d = delivery_or_404(tx, e, did);
    if (d.status == "pending") throw Conflict("delivery-pending", "the delivery is still queued; it will be sent");
    require_enabled(e);
    repo::Delivery copy;
    copy.community_id = e.community_id;
    copy.endpoint_id = e.id;
    copy.seq = 0;
    copy.message_id = d.message_id;
    copy.event_type = d.event_type;
    copy.payload = d.payload;
    copy.replay_of = d.id;
    auto new_id = repo::insert_manual_delivery(tx, copy);
    Response r = Response::json(delivery_json(delivery_or_404(tx, e, new_id)), 202);
    r.headers.emplace_back("Location", endpoint_path(ctx, owner, e.id) + "/deliveries/" + std::to_string(new_id));
    return r;
  });
}

}  // namespace

void add_delivery_routes(http::Router& r, Options const&) {
  for (auto const& s : {merchant_scope(), community_scope()}) {
    auto a = s.audience;
    auto base = s.base + "/{wid}/deliveries";
    r.get(base, s.access, [a](Request const& q, Context& c) { return list_deliveries(q, c, a); });
    r.get(base + "/{did}", s.access, [a](Request const& q, Context& c) { return get_delivery(q, c, a); });
    r.post(base + "/{did}/replay", s.access, [a](Request const& q, Context& c) { return replay_delivery(q, c, a); });
  }
}

}  // namespace courtyard::webhooks
