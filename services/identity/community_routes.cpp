// Communities, buildings, units, residency applications and staff. Every lookup is scoped
// to {cid}: another community's building, unit or application is simply not found.
#include "services/identity/logic.hpp"
#include "services/identity/routes.hpp"

#include <algorithm>

namespace courtyard::identity {

namespace {

// Admins pass every access rule, so a {cid} that does not exist reaches the handler.
void require_community(soci::session& s, std::int64_t cid) {
  if (!repo::community_exists(s, cid)) throw NotFound("community");
}

repo::Building require_building(soci::session& s, std::int64_t cid, std::int64_t bid) {
  auto b = repo::building(s, cid, bid);
  if (!b) throw NotFound("building");
  return *b;
}

// ---- communities

Response create_community(Request const& req, Context& ctx) {
  Fields f(req);
  auto name = f.text("name", kMaxCommunityNameChars);
  auto address = f.text("address", kMaxAddressChars);
  auto timezone = f.string("timezone");
  if (timezone) f.check("timezone", timezone_problem(*timezone));
  f.done();
  auto community = ctx.tx([&](db::Tx& tx) {
    auto id = repo::insert_community(tx, *name, *address, *timezone);
    return *repo::community(tx.sql(), id);
  });
  // POST /v1/communities has no {cid} of its own: the new community's path is spelled out.
  return Response::created(community_json(community), "/v1/communities/" + std::to_string(community.id));
}

Response list_communities(Request const& req, Context& ctx) {
  auto page = req.page();
  auto rows = db::read(ctx.db, [&](soci::session& s) {
    return ctx.principal.admin ? repo::communities(s, page) : repo::communities_of(s, ctx.principal.account_id, page);
  });
  return Response::json(json::page_of_rows(rows, page, community_json));
}

Response get_community(Request const& req, Context& ctx) {
  auto c = db::read(ctx.db, [&](soci::session& s) { return repo::community(s, req.id("cid")); });
  if (!c) throw NotFound("community");
  return Response::json(community_json(*c));
}

// ---- buildings and units

Response create_building(Request const& req, Context& ctx) {
  auto cid = req.id("cid");
  Fields f(req);
  auto name = f.text("name", kMaxBuildingNameChars);
  f.done();
  auto building = unique_or_conflict("a building with this name already exists", [&] {
    return ctx.tx([&](db::Tx& tx) {
      require_community(tx.sql(), cid);
      auto id = repo::insert_building(tx, cid, *name);
      return *repo::building(tx.sql(), cid, id);
    });
  });
  return Response::created(building_json(building), ctx.path("/buildings/" + std::to_string(building.id)));
}

Response list_buildings(Request const& req, Context& ctx) {
  auto cid = req.id("cid");
  auto page = req.page();
  auto rows = db::read(ctx.db, [&](soci::session& s) {
    require_community(s, cid);
    return repo::buildings(s, cid, page);
  });
  return Response::json(json::page_of_rows(rows, page, building_json));
}

Response get_building(Request const& req, Context& ctx) {
  auto b = db::read(ctx.db, [&](soci::session& s) { return require_building(s, req.id("cid"), req.id("bid")); });
  return Response::json(building_json(b));
}

Response create_unit(Request const& req, Context& ctx) {
  auto cid = req.id("cid");
  auto bid = req.id("bid");
  Fields f(req);
  auto number = f.text("number", kMaxUnitNumberChars);
  f.done();
  auto unit = unique_or_conflict("this building already has a unit with this number", [&] {
    return ctx.tx([&](db::Tx& tx) {
      require_building(tx.sql(), cid, bid);
      auto id = repo::insert_unit(tx, cid, bid, *number);
      return *repo::unit(tx.sql(), cid, id);
    });
  });
  return Response::created(
      unit_json(unit), ctx.path("/buildings/" + std::to_string(bid) + "/units/" + std::to_string(unit.id)));
}

Response list_units(Request const& req, Context& ctx) {
  auto cid = req.id("cid");
  auto bid = req.id("bid");
  auto page = req.page();
  auto rows = db::read(ctx.db, [&](soci::session& s) {
    require_building(s, cid, bid);
    return repo::units(s, cid, bid, page);
  });
  return Response::json(json::page_of_rows(rows, page, unit_json));
}

Response get_unit(Request const& req, Context& ctx) {
  auto cid = req.id("cid");
  auto bid = req.id("bid");
  auto u = db::read(ctx.db, [&](soci::session& s) { return repo::unit(s, cid, req.id("uid")); });
  if (!u || u->building_id != bid) throw NotFound("unit");
  return Response::json(unit_json(*u));
}

// ---- residency applications

// Anyone signed in may apply, so the answer must not tell a stranger which communities and
// units exist: a missing community, a missing unit and a unit of another community are the
// same 404. The caps (one open application per community, `max_pending_applications` in
// all) are checked first, so a capped account learns nothing from probing, and under a lock
// on the account row, so concurrent applications cannot pass them.
Response apply(Settings const& settings, Request const& req, Context& ctx) {
  auto cid = req.id("cid");
  Fields f(req);
  auto unit_id = f.id("unit_id");
  f.done();
  auto account_id = ctx.principal.account_id;
  auto application = unique_or_conflict("you already have a pending application in this community", [&] {
    return ctx.tx([&](db::Tx& tx) {
      repo::lock_account(tx, account_id);
      auto open = repo::pending_application_communities(tx.sql(), account_id);
      if (std::find(open.begin(), open.end(), cid) != open.end())
        throw Conflict("duplicate", "you already have a pending application in this community");
      if (open.size() >= static_cast<std::size_t>(settings.max_pending_applications))
        throw Conflict("too-many-applications", "you have " + std::to_string(open.size()) +
                                                    " pending residency applications; wait until one is decided");
      if (!repo::unit(tx.sql(), cid, *unit_id)) throw NotFound("unit");
      if (repo::has_role(tx.sql(), account_id, cid, Role::Resident, *unit_id))
        throw Conflict("already-resident", "you are already a resident of this unit");
      auto id = repo::insert_application(tx, cid, account_id, *unit_id);
      tx.publish(
          "resident.applied", cid,
          bj::object{{"community_id", cid}, {"account_id", account_id}, {"unit_id", *unit_id}, {"application_id", id}});
      return *repo::application(tx.sql(), cid, id);
    });
  });
  return Response::created(application_json(application),
                           ctx.path("/residency-applications/" + std::to_string(application.id)));
}

Response list_applications(Request const& req, Context& ctx) {
  auto cid = req.id("cid");
  auto page = req.page();
  std::optional<std::string> status;
  if (auto s = req.query_param("status"); s && !s->empty()) {
    if (!parse_status(*s)) throw Invalid("status", "must be pending, approved or rejected");
    status = std::string(*s);
  }
  auto rows = db::read(ctx.db, [&](soci::session& s) {
    require_community(s, cid);
    return repo::applications(s, cid, status, page);
  });
  return Response::json(json::page_of_rows(rows, page, application_json));
}

// The applicant sees their own application; managers see every one in their community.
Response get_application(Request const& req, Context& ctx) {
  auto cid = req.id("cid");
  auto a = db::read(ctx.db, [&](soci::session& s) { return repo::application(s, cid, req.id("id")); });
  if (!a || !(ctx.is_manager() || a->account_id == ctx.principal.account_id))
    throw NotFound("residency application");
  return Response::json(application_json(*a));
}

Response decide_application(Request const& req, Context& ctx, ApplicationStatus to) {
  auto cid = req.id("cid");
  auto id = req.id("id");
  auto application = ctx.tx([&](db::Tx& tx) {
    if (!repo::decide(tx, cid, id, std::string(status_name(to)), ctx.principal.account_id)) {
      if (!repo::application(tx.sql(), cid, id)) throw NotFound("residency application");
      throw Conflict("invalid-state", "the application is no longer pending");
    }
    auto a = *repo::application(tx.sql(), cid, id);
    bj::object event{
        {"community_id", cid}, {"account_id", a.account_id}, {"unit_id", a.unit_id}, {"application_id", id}};
    if (to == ApplicationStatus::Approved) {
      repo::grant(tx, a.account_id, cid, Role::Resident, a.unit_id, 0);
      tx.publish("resident.approved", cid, event);
    } else {
      tx.publish("resident.rejected", cid, event);
    }
    return a;
  });
  return Response::json(application_json(application));
}

Response approve_application(Request const& req, Context& ctx) {
  return decide_application(req, ctx, ApplicationStatus::Approved);
}

Response reject_application(Request const& req, Context& ctx) {
  return decide_application(req, ctx, ApplicationStatus::Rejected);
}

// ---- staff

Response add_staff(Request const& req, Context& ctx) {
  auto cid = req.id("cid");
  Fields f(req);
  auto account_id = f.id("account_id");
  auto role_text = f.string("role");
  std::optional<Role> role;
  if (role_text) {
    role = staff_role(*role_text);
    if (!role) f.check("role", "must be manager or courier");
  }
  f.done();
  auto [created, member] = ctx.tx([&](db::Tx& tx) {
    require_community(tx.sql(), cid);
    if (!repo::account_by_id(tx.sql(), *account_id)) throw NotFound("account");
    bool is_new = repo::grant(tx, *account_id, cid, *role, 0, 0);
    return std::pair(is_new, *repo::staff_member(tx.sql(), cid, *account_id, *role));
  });
  auto body = staff_json(cid, member);
  if (!created) return Response::json(body);
  return Response::created(body, ctx.path("/staff"));
}

Response list_staff(Request const& req, Context& ctx) {
  auto cid = req.id("cid");
  auto page = req.page();
  auto rows = db::read(ctx.db, [&](soci::session& s) {
    require_community(s, cid);
    return repo::staff(s, cid, page);
  });
  return Response::json(
      json::page_of_rows(rows, page, [cid](repo::StaffMember const& m) { return staff_json(cid, m); }));
}

}  // namespace

void add_community_routes(http::Router& r, Settings const& settings) {
  r.post("/v1/communities", Access::admin(), create_community);
  r.get("/v1/communities", Access::authenticated(), list_communities);
  r.get("/v1/communities/{cid}", Access::member(), get_community);

  r.post("/v1/communities/{cid}/buildings", Access::manager(), create_building);
  r.get("/v1/communities/{cid}/buildings", Access::member(), list_buildings);
  r.get("/v1/communities/{cid}/buildings/{bid}", Access::member(), get_building);
  r.post("/v1/communities/{cid}/buildings/{bid}/units", Access::manager(), create_unit);
  r.get("/v1/communities/{cid}/buildings/{bid}/units", Access::member(), list_units);
  r.get("/v1/communities/{cid}/buildings/{bid}/units/{uid}", Access::member(), get_unit);

  // Anyone signed in may apply to live in a community; the handler checks it exists.
  r.post("/v1/communities/{cid}/residency-applications", Access::authenticated(),
         [settings](Request const& req, Context& ctx) { return apply(settings, req, ctx); });
  r.get("/v1/communities/{cid}/residency-applications", Access::manager(), list_applications);
  r.get("/v1/communities/{cid}/residency-applications/{id}", Access::authenticated(), get_application);
  r.post("/v1/communities/{cid}/residency-applications/{id}/approve", Access::manager(), approve_application);
  r.post("/v1/communities/{cid}/residency-applications/{id}/reject", Access::manager(), reject_application);

  r.post("/v1/communities/{cid}/staff", Access::manager(), add_staff);
  r.get("/v1/communities/{cid}/staff", Access::manager(), list_staff);
}

}  // namespace courtyard::identity
