// Endpoints: register (the secret is shown once), list, read, change, delete, rotate the
// secret (both signatures are sent during the overlap), and queue a test event.
#include "services/webhooks/routes.hpp"

#include "http/random.hpp"
#include "services/webhooks/signature.hpp"

namespace courtyard::webhooks {

namespace {

constexpr std::int64_t kMaxEndpointsPerOwner = 20;

Response create_endpoint(Request const& req, Context& ctx, logic::Audience a, Options const& o) {
  auto body = req.json();
  auto url = checked_url(json::str(body, "url", 1, logic::kMaxUrlChars), o.allow_loopback);
  auto types = checked_event_types(body, a);
  auto description = json::opt_str(body, "description", logic::kMaxDescriptionChars).value_or("");
  std::string secret = new_secret();
  return ctx.tx([&](db::Tx& tx) {
    auto owner = owner_of(req, ctx, tx, a);
    if (repo::count_endpoints(tx, owner) >= kMaxEndpointsPerOwner)
      throw Conflict("too-many-endpoints", "at most 20 endpoints; delete one first");
    repo::Endpoint e;
    e.community_id = owner.community_id;
    e.merchant_id = owner.merchant_id;
    e.url = url;
    e.description = description;
    e.event_types = types;
    e.secret = o.box.seal(secret);
    e.created_by = ctx.principal.account_id;
    e.id = repo::insert_endpoint(tx, e);
    auto out = endpoint_json(endpoint_or_404(tx, owner, e.id), tx.now_ms());
    out["secret"] = secret;
    return Response::created(out, endpoint_path(ctx, owner, e.id));
  });
}

Response list_endpoints(Request const& req, Context& ctx, logic::Audience a) {
  auto page = req.page();
  return ctx.tx([&](db::Tx& tx) {
    auto owner = owner_of(req, ctx, tx, a);
    auto now = tx.now_ms();
    return Response::json(json::page_of_rows(repo::list_endpoints(tx, owner, page), page,
                                             [now](repo::Endpoint const& e) { return endpoint_json(e, now); }));
  });
}

Response get_endpoint(Request const& req, Context& ctx, logic::Audience a) {
  auto id = req.id("wid");
  return ctx.tx([&](db::Tx& tx) {
    auto owner = owner_of(req, ctx, tx, a);
    return Response::json(endpoint_json(endpoint_or_404(tx, owner, id), tx.now_ms()));
  });
}

Response update_endpoint(Request const& req, Context& ctx, logic::Audience a, Options const& o) {
  auto id = req.id("wid");
  auto body = req.json();
  auto url = json::opt_str(body, "url", logic::kMaxUrlChars);
  if (url) checked_url(*url, o.allow_loopback);
  std::optional<std::vector<std::string>> types;
  if (body.contains("event_types")) types = checked_event_types(body, a);
  auto description = json::opt_str(body, "description", logic::kMaxDescriptionChars);
  auto enabled = json::opt_boolean(body, "enabled");
  return ctx.tx([&](db::Tx& tx) {
    auto owner = owner_of(req, ctx, tx, a);
    auto e = endpoint_or_404(tx, owner, id);
    if (url) e.url = *url;
    if (types) e.event_types = *types;
    if (description) e.description = *description;
    if (enabled && *enabled != e.enabled) {
      e.enabled = *enabled;
      e.disabled_reason = *enabled ? std::nullopt : std::optional<std::string>("manual");
    }
    repo::update_endpoint(tx, e);
    return Response::json(endpoint_json(endpoint_or_404(tx, owner, id), tx.now_ms()));
  });
}

Response delete_endpoint(Request const& req, Context& ctx, logic::Audience a) {
  auto id = req.id("wid");
  ctx.tx([&](db::Tx& tx) {
    auto owner = owner_of(req, ctx, tx, a);
    if (!repo::delete_endpoint(tx, owner, id)) throw NotFound("webhook endpoint");
  });
  return Response::no_content();
}

Response rotate_secret(Request const& req, Context& ctx, logic::Audience a, Options const& o) {
  auto id = req.id("wid");
  std::int64_t overlap_s = logic::kDefaultOverlapS;
  if (!req.body.empty()) {
    auto body = req.json();
    if (auto v = json::opt_integer(body, "overlap_seconds")) {
      if (*v < 0 || *v > logic::kMaxOverlapS)
        throw Invalid("overlap_seconds", "must be between 0 and " + std::to_string(logic::kMaxOverlapS));
      overlap_s = *v;
    }
  }
  std::string secret = new_secret();
  return ctx.tx([&](db::Tx& tx) {
    auto owner = owner_of(req, ctx, tx, a);
    auto e = endpoint_or_404(tx, owner, id);
    repo::rotate_secret(tx, e.id, o.box.seal(secret), e.secret, tx.now_ms() + overlap_s * 1000);
    auto out = endpoint_json(endpoint_or_404(tx, owner, id), tx.now_ms());
    out["secret"] = secret;
    return Response::json(out);
  });
}

Response send_test_event(Request const& req, Context& ctx, logic::Audience a) {
  auto id = req.id("wid");
  return ctx.tx([&](db::Tx& tx) {
    auto owner = owner_of(req, ctx, tx, a);
    auto e = endpoint_or_404(tx, owner, id);
    require_enabled(e);
    bj::object data{{"community_id", e.community_id},
                    {"merchant_id", e.merchant_id > 0 ? bj::value(e.merchant_id) : nullptr},
                    {"endpoint_id", e.id},
                    {"message", "a test event from Courtyard"}};
    repo::Delivery d;
    d.community_id = e.community_id;
    d.endpoint_id = e.id;
    d.seq = 0;  // ahead of the queue: it says whether the endpoint answers now
    d.message_id = "msg_test_" + http::random_hex(12);
    d.event_type = std::string(logic::kTestTopic);
    d.payload = envelope(logic::kTestTopic, tx.now_ms(), data);
    auto did = repo::insert_manual_delivery(tx, d);
    auto saved = repo::find_delivery(tx, e.community_id, e.id, did);
    Response r = Response::json(delivery_json(*saved), 202);
    r.headers.emplace_back("Location", endpoint_path(ctx, owner, e.id) + "/deliveries/" + std::to_string(did));
    return r;
  });
}

}  // namespace

void add_endpoint_routes(http::Router& r, Options const& o) {
  for (auto const& s : {merchant_scope(), community_scope()}) {
    auto a = s.audience;
    auto one = s.base + "/{wid}";
    r.post(s.base, s.access, [a, o](Request const& q, Context& c) { return create_endpoint(q, c, a, o); });
    r.get(s.base, s.access, [a](Request const& q, Context& c) { return list_endpoints(q, c, a); });
    r.get(one, s.access, [a](Request const& q, Context& c) { return get_endpoint(q, c, a); });
    r.patch(one, s.access, [a, o](Request const& q, Context& c) { return update_endpoint(q, c, a, o); });
    r.del(one, s.access, [a](Request const& q, Context& c) { return delete_endpoint(q, c, a); });
    r.post(one + "/rotate-secret", s.access,
           [a, o](Request const& q, Context& c) { return rotate_secret(q, c, a, o); });
    r.post(one + "/test", s.access, [a](Request const& q, Context& c) { return send_test_event(q, c, a); });
  }
}

}  // namespace courtyard::webhooks
