// The caller's notifications: the list (with the unread count), marking one or all read, and
// the /v1/ws route that only answers 426 (the gateway serves the upgrade itself).
#include "http/context.hpp"
#include "http/errors.hpp"
#include "http/json.hpp"
#include "services/notifications/routes.hpp"

#include <boost/json.hpp>

namespace courtyard::notifications {

namespace bj = boost::json;
using http::Access;
using http::Request;
using http::Response;

namespace {

bool flag(Request const& req, std::string_view name) {
  auto v = req.query_param(name);
  if (!v || v->empty() || *v == "false" || *v == "0") return false;
  if (*v == "true" || *v == "1") return true;
  throw Invalid(std::string(name), "must be true or false");
}

// The optional ?community_id= filter; 0 = every community.
std::int64_t community_filter(Request const& req) {
  std::int64_t cid = req.query_int("community_id", 0);
  if (cid < 0) throw Invalid("community_id", "must be a community id");
  return cid;
}

struct UpgradeRequired : ApiError {
  UpgradeRequired()
      : ApiError(426, "upgrade-required", "Upgrade required",
                 "this endpoint speaks WebSocket only: send Connection: Upgrade, Upgrade: websocket") {
    headers.emplace_back("Upgrade", "websocket");
  }
};

Response list_notifications(Request const& req, Context& ctx) {
  auto page = req.page();
  bool unread_only = flag(req, "unread");
  std::int64_t cid = community_filter(req);
  std::int64_t me = ctx.principal.account_id;
  return ctx.tx([&](db::Tx& tx) {
    auto out = json::page_of_rows(repo::list(tx, me, unread_only, cid, page), page, notification_json);
    out["unread_count"] = repo::unread_count(tx, me);
    return Response::json(out);
  });
}

Response mark_one_read(Request const& req, Context& ctx) {
  std::int64_t id = req.id("id");
  return ctx.tx([&](db::Tx& tx) {
    repo::mark_read(tx, ctx.principal.account_id, id);  // already read: stays as it was
    auto n = repo::find(tx, ctx.principal.account_id, id);
    if (!n) throw NotFound("notification");
    return Response::json(notification_json(*n));
  });
}

Response mark_all_read(Request const& req, Context& ctx) {
  std::int64_t cid = community_filter(req);
  return ctx.tx([&](db::Tx& tx) {
    auto n = repo::mark_all_read(tx, ctx.principal.account_id, cid);
    return Response::json(bj::object{{"updated", n}, {"unread_count", repo::unread_count(tx, ctx.principal.account_id)}});
  });
}

Response websocket_only(Request const&, Context&) { throw UpgradeRequired(); }

}  // namespace

void add_notification_routes(http::Router& r) {
  r.get("/v1/me/notifications", Access::authenticated(), list_notifications);
  r.post("/v1/me/notifications/{id}/read", Access::authenticated(), mark_one_read);
  r.post("/v1/me/notifications/read-all", Access::authenticated(), mark_all_read);
  // The WebSocket lives here in the route table (for the OpenAPI document and the access
  // walk), but an upgrade request never reaches the router: the gateway's HTTP session hands
  // it to gateway/net/notifier, which checks the token itself before upgrading.
  r.get("/v1/ws", Access::authenticated(), websocket_only);
}

}  // namespace courtyard::notifications
