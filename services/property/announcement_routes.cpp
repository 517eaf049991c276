// Announcements to the whole community or one building, with read receipts.
#include "db/tx.hpp"
#include "http/errors.hpp"
#include "services/identity/api.hpp"
#include "services/property/routes.hpp"

#include <algorithm>
#include <set>

namespace courtyard::property {

using http::Access;
using http::Request;
using http::Response;

namespace {

// The buildings the caller lives in (their resident units' buildings).
std::vector<std::int64_t> my_buildings(db::Tx& tx, Context const& ctx) {
  std::set<std::int64_t> out;
  for (auto u : ctx.my_units())
    if (auto b = repo::unit_building(tx, ctx.community_id, u)) out.insert(b);
  return {out.begin(), out.end()};
}

// The announcement when the caller may see it: managers all, residents the community-wide
// ones and those for their buildings.
repo::Announcement visible_announcement(db::Tx& tx, Context const& ctx, std::int64_t id) {
  auto a = found(repo::announcement(tx, ctx.community_id, id, ctx.principal.account_id), "announcement");
  if (a.building_id == 0 || ctx.is_manager()) return a;
  auto mine = my_buildings(tx, ctx);
  if (std::find(mine.begin(), mine.end(), a.building_id) == mine.end()) throw NotFound("announcement");
  return a;
}

Response publish_announcement(Request const& req, Context& ctx) {
  auto body = req.json();
  repo::Announcement a;
  a.community_id = ctx.community_id;
  a.title = json::str(body, "title", 1, kMaxTitle);
  a.body = json::str(body, "body", 1, kMaxBody);
  a.building_id = json::opt_integer(body, "building_id").value_or(0);
  if (a.building_id < 0) throw Invalid("building_id", "must be a positive id");
  a.created_by = ctx.principal.account_id;
  return ctx.tx([&](db::Tx& tx) {
    if (a.building_id && !repo::building_in_community(tx, a.community_id, a.building_id))
      throw Invalid("building_id", "is not a building of this community");
    a.audience_count = identity::count_residents(tx, a.community_id, a.building_id);
    a.created_at = tx.now_ms();
    a.id = repo::insert_announcement(tx, a);
    // A reference to the audience, never the list of its members: a community of tens of
    // thousands would not fit an event row. Subscribers look the residents up themselves.
    tx.publish("announcement.published", a.community_id,
               bj::object{{"community_id", a.community_id},
                          {"announcement_id", a.id},
                          {"building_id", a.building_id},
                          {"title", a.title},
                          {"audience", "residents"}});
    return Response::created(announcement_view(a, true), ctx.path("/announcements/" + std::to_string(a.id)));
  });
}

Response list_announcements(Request const& req, Context& ctx) {
  auto page = req.page();
  bool manager = ctx.is_manager();
  return ctx.tx([&](db::Tx& tx) {
    std::optional<std::vector<std::int64_t>> buildings;
    if (!manager) buildings = my_buildings(tx, ctx);
    auto rows = repo::announcements(tx, ctx.community_id, buildings, ctx.principal.account_id, page);
    return Response::json(
        json::page_of_rows(rows, page, [&](repo::Announcement const& a) { return announcement_view(a, manager); }));
  });
}

Response get_announcement(Request const& req, Context& ctx) {
  auto id = req.id("id");
  return ctx.tx([&](db::Tx& tx) {
    return Response::json(announcement_view(visible_announcement(tx, ctx, id), ctx.is_manager()));
  });
}

// Read receipts: one per account (unique key); repeating the call changes nothing.
Response mark_read(Request const& req, Context& ctx) {
  auto id = req.id("id");
  return ctx.tx([&](db::Tx& tx) {
    visible_announcement(tx, ctx, id);
    repo::mark_read(tx, ctx.community_id, id, ctx.principal.account_id, tx.now_ms());
    return Response::json(announcement_view(visible_announcement(tx, ctx, id), ctx.is_manager()));
  });
}

}  // namespace

void add_announcement_routes(http::Router& r) {
  r.post("/v1/communities/{cid}/announcements", Access::manager(), publish_announcement);
  r.get("/v1/communities/{cid}/announcements", resident_or_manager(), list_announcements);
  r.get("/v1/communities/{cid}/announcements/{id}", resident_or_manager(), get_announcement);
  r.post("/v1/communities/{cid}/announcements/{id}/read", Access::resident(), mark_read);
}

}  // namespace courtyard::property
