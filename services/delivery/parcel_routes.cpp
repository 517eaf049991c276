// Parcels: logged by managers for a unit, seen by that unit's residents (with the pick-up
// code) and by managers, handed over against the code.
#include "services/delivery/routes.hpp"
#include "services/identity/api.hpp"

#include <string>

namespace courtyard::delivery {

using http::Access;
using http::Request;
using http::Response;

namespace {

Response log_parcel(Request const& req, Context& ctx) {
  auto body = req.json();
  std::int64_t unit = json::integer(body, "unit_id");
  std::string carrier = json::str(body, "carrier", 1, 64);
  std::string tracking = json::str(body, "tracking_no", 1, 128);
  std::int64_t cid = ctx.community_id;
  return ctx.tx([&](db::Tx& tx) {
    if (unit <= 0 || identity::unit_community(tx, unit) != cid) throw Invalid("unit_id", "is not a unit of this community");
    auto parcel = repo::insert_parcel(tx, cid, unit, carrier, tracking, ctx.principal.account_id);
    auto residents = identity::residents_of_unit(tx, unit);
    tx.publish("parcel.logged", cid,
               bj::object{{"community_id", cid},
                          {"parcel_id", parcel.id},
                          {"unit_id", unit},
                          {"account_ids", ids_json(residents)},
                          {"carrier", carrier},
                          {"tracking_no", tracking},
                          {"pickup_code", parcel.pickup_code}});
    return Response::created(parcel_json(parcel, false), ctx.path("/parcels/" + std::to_string(parcel.id)));
  });
}

// Managers see every parcel of the community; residents those of their units.
Response list_parcels(Request const& req, Context& ctx) {
  auto page = req.page();
  auto status = status_filter(req, parse_parcel_status, "must be waiting or picked_up");
  std::optional<std::vector<std::int64_t>> units;
  if (!ctx.is_manager()) units = ctx.my_units();
  return ctx.tx([&](db::Tx& tx) {
    auto rows = repo::list_parcels(tx, ctx.community_id, status, units, page);
    return Response::json(
        json::page_of_rows(rows, page, [&](repo::Parcel const& p) { return parcel_json(p, ctx.lives_in(p.unit_id)); }));
  });
}

Response get_parcel(Request const& req, Context& ctx) {
  std::int64_t id = req.id("id");
  bool manager = ctx.is_manager();
  return ctx.tx([&](db::Tx& tx) {
    auto p = repo::find_parcel(tx, ctx.community_id, id);
    bool mine = p && ctx.lives_in(p->unit_id);
    if (!p || (!manager && !mine)) throw NotFound("parcel");
    return Response::json(parcel_json(*p, mine));
  });
}

Response pick_up_parcel(Request const& req, Context& ctx) {
  auto body = req.json();
  std::string code = normalise_code(json::str(body, "code", 1, 32));
  std::int64_t cid = ctx.community_id;
  return ctx.tx([&](db::Tx& tx) {
    auto p = repo::find_parcel_by_code(tx, cid, code);
    if (!p) throw NotFound("parcel with this code");
    if (repo::pick_up_parcel(tx, cid, p->id, ctx.principal.account_id) != 1)
      throw Conflict("already-picked-up", "this parcel was already picked up");
    p->status = ParcelStatus::PickedUp;
    p->picked_up_by = ctx.principal.account_id;
    p->picked_up_at = tx.now_ms();
    tx.publish("parcel.picked_up", cid,
               bj::object{{"community_id", cid},
                          {"parcel_id", p->id},
                          {"unit_id", p->unit_id},
                          {"account_ids", ids_json(identity::residents_of_unit(tx, p->unit_id))},
                          {"picked_up_by", ctx.principal.account_id}});
    return Response::json(parcel_json(*p, false));
  });
}

}  // namespace

void add_parcel_routes(http::Router& r) {
  auto const resident_or_manager = Access::any_of(Role::Resident | Role::Manager);
  r.post("/v1/communities/{cid}/parcels", Access::manager(), log_parcel);
  r.get("/v1/communities/{cid}/parcels", resident_or_manager, list_parcels);
  r.get("/v1/communities/{cid}/parcels/{id}", resident_or_manager, get_parcel);
  r.post("/v1/communities/{cid}/parcels/pick-up", Access::manager(), pick_up_parcel);
}

}  // namespace courtyard::delivery
