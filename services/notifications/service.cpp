#include "services/notifications/service.hpp"

#include "http/context.hpp"
#include "http/errors.hpp"
#include "http/json.hpp"
#include "services/notifications/logic.hpp"
#include "services/notifications/repository.hpp"

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

struct UpgradeRequired : ApiError {
  UpgradeRequired()
      : ApiError(426, "upgrade-required", "Upgrade required",
                 "this endpoint speaks WebSocket only: send Connection: Upgrade, Upgrade: websocket") {
    headers.emplace_back("Upgrade", "websocket");
  }
};

}  // namespace

void NotificationsService::routes(http::Router& r) {
  r.get("/v1/me/notifications", Access::authenticated(), [](Request const& req, Context& ctx) {
    auto page = req.page();
    repo::ListFilter f;
    f.account_id = ctx.principal.account_id;
    f.unread_only = flag(req, "unread");
    f.community_id = req.query_int("community_id", 0);
    if (f.community_id < 0) throw Invalid("community_id", "must be a community id");
    f.before_id = page.after.value_or(0);
    f.limit = page.limit + 1;
    return ctx.tx([&](db::Tx& tx) {
      auto rows = repo::list(tx, f);
      bj::array items;
      std::optional<std::int64_t> next;
      for (auto& o : rows) {
        if (static_cast<std::int64_t>(items.size()) == page.limit) {
          next = items.back().as_object().at("id").as_int64();
          break;
        }
        items.push_back(std::move(o));
      }
      auto out = json::page_result(std::move(items), next);
      out["unread_count"] = repo::unread_count(tx, ctx.principal.account_id);
      return Response::json(out);
    });
  });

  r.post("/v1/me/notifications/{id}/read", Access::authenticated(), [](Request const& req, Context& ctx) {
    std::int64_t id = req.id("id");
    return ctx.tx([&](db::Tx& tx) {
      repo::mark_read(tx, ctx.principal.account_id, id);  // already read: stays as it was
      auto n = repo::find(tx, ctx.principal.account_id, id);
      if (!n) throw NotFound("notification");
      return Response::json(*n);
    });
  });

  r.post("/v1/me/notifications/read-all", Access::authenticated(), [](Request const& req, Context& ctx) {
    std::int64_t cid = req.query_int("community_id", 0);
    if (cid < 0) throw Invalid("community_id", "must be a community id");
    return ctx.tx([&](db::Tx& tx) {
      auto n = repo::mark_all_read(tx, ctx.principal.account_id, cid);
      return Response::json(bj::object{{"updated", n}, {"unread_count", repo::unread_count(tx, ctx.principal.account_id)}});
    });
  });

  // The WebSocket lives here in the route table (for the OpenAPI document and the access
  // walk), but an upgrade request never reaches the router: the gateway's HTTP session hands
  // it to gateway/net/notifier, which checks the token itself before upgrading.
  r.get("/v1/ws", Access::authenticated(), [](Request const&, Context&) -> Response { throw UpgradeRequired(); });
}

void NotificationsService::subscribe(events::Bus& bus) {
  for (auto const& topic : topics()) {
    bus.subscribe("notifications." + topic, topic, [](events::Event const& e, db::Tx& tx) {
      if (!e.payload.is_object()) return;
      auto draft = render(e.topic, e.payload.as_object());
      if (!draft) return;
      std::int64_t cid = e.community_id;
      if (cid == 0)
        if (auto const* c = e.payload.as_object().if_contains("community_id"); c && c->is_int64()) cid = c->as_int64();
      std::string data = bj::serialize(draft->data);
      // One row per (event, account): a redelivered event inserts nothing new.
      std::string key = "event:" + std::to_string(e.id);
      std::vector<repo::Row> rows;
      rows.reserve(draft->recipients.size());
      for (auto account : draft->recipients)
        rows.push_back({account, cid, draft->type, draft->title, draft->body, data, key});
      repo::insert_many(tx, rows);
    });
  }
}

}  // namespace courtyard::notifications
