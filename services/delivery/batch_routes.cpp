// Group-buy batches: a courier's round of one building (claim, pick up at the merchant, then
// each household's stop against its proof code), the merchant's view of its batches and the
// resident's view of the batch they are in, each with its progress.
#include "services/delivery/api.hpp"
#include "services/delivery/codes.hpp"
#include "services/delivery/routes.hpp"

#include <string>

namespace courtyard::delivery {

using http::Access;
using http::Request;
using http::Response;

namespace {

constexpr char const* kBatchStatuses = "must be one of pending, claimed, picked_up, completed, cancelled";

struct WrongProofCode : ApiError {
  WrongProofCode()
      : ApiError(422, "wrong-proof-code", "Wrong proof code", "the proof code does not match this household") {
    errors_.push_back({"proof_code", "does not match"});
  }
};

// The batch a courier or manager may see: managers any, couriers delivery batches that are
// unclaimed or theirs; 404 otherwise.
repo::Batch visible_batch(db::Tx& tx, Context const& ctx, std::int64_t id) {
  auto b = repo::find_batch(tx, ctx.community_id, id);
  if (!b) throw NotFound("delivery batch");
  if (ctx.is_manager()) return *b;
  bool visible = b->kind == "delivery" &&
                 (b->courier_id == ctx.principal.account_id ||
                  (b->courier_id == 0 && b->status == BatchStatus::Pending));
  if (!visible) throw NotFound("delivery batch");
  return *b;
}

Response list_batches(Request const& req, Context& ctx) {
  auto page = req.page();
  auto status = status_filter(req, parse_batch_status, kBatchStatuses);
  std::int64_t courier = ctx.is_manager() ? 0 : ctx.principal.account_id;
  return ctx.tx([&](db::Tx& tx) {
    auto rows = repo::list_batches(tx, ctx.community_id, 0, status, courier, page);
    return Response::json(json::page_of_rows(rows, page, batch_json));
  });
}

Response get_batch(Request const& req, Context& ctx) {
  std::int64_t id = req.id("id");
  return ctx.tx([&](db::Tx& tx) {
    auto b = visible_batch(tx, ctx, id);
    return Response::json(batch_detail_json(b, repo::stops_of(tx, b.id)));
  });
}

// claim (pending, unassigned -> claimed by me) and pick up (claimed by me -> picked_up).
Response move_batch(Request const& req, Context& ctx, BatchStatus from, BatchStatus to, char const* topic) {
  std::int64_t id = req.id("id");
  std::int64_t me = ctx.principal.account_id;
  return ctx.tx([&](db::Tx& tx) {
    auto b = repo::find_batch(tx, ctx.community_id, id);
    if (!b || (b->kind != "delivery" && !ctx.is_manager())) throw NotFound("delivery batch");
    if (b->kind != "delivery") throw Conflict("delivery-state", "a pickup point has no courier");
    bool claiming = from == BatchStatus::Pending;
    if (!claiming && b->courier_id != me) {
      if (b->courier_id != 0) throw Forbidden("this batch is assigned to another courier");
      throw Conflict("delivery-state", "claim the batch first");
    }
    if (claiming && b->courier_id != 0 && b->courier_id != me) throw Conflict("delivery-state", "the batch is claimed");
    if (b->status != from)
      throw Conflict("delivery-state", "cannot do this to a batch that is " + std::string(to_string(b->status)));
    std::int64_t expected = claiming ? 0 : me;
    if (repo::batch_transition(tx, ctx.community_id, id, from, expected, to, me) != 1)
      throw Conflict("delivery-state", "the batch changed meanwhile; reload it");
    auto after = repo::find_batch(tx, ctx.community_id, id);
    tx.publish(topic, ctx.community_id, batch_event(*after));
    return Response::json(batch_detail_json(*after, repo::stops_of(tx, id)));
  });
}

Response claim_batch(Request const& req, Context& ctx) {
  return move_batch(req, ctx, BatchStatus::Pending, BatchStatus::Claimed, "delivery.batch_claimed");
}

Response pick_up_batch(Request const& req, Context& ctx) {
  return move_batch(req, ctx, BatchStatus::Claimed, BatchStatus::PickedUp, "delivery.batch_picked_up");
}

// One household: the assigned courier of a picked-up batch, with that household's proof
// code. The order completes through delivery.delivered (shops); the last stop completes the
// batch (delivery.batch_completed). The code is recorded as used, so a signed twin synced
// later from an offline device is refused as a replay.
Response deliver_stop(Request const& req, Context& ctx) {
  std::int64_t id = req.id("id");
  std::int64_t sid = req.id("sid");
  auto body = req.json();
  std::string proof = json::str(body, "proof_code", 1, 32);
  std::int64_t me = ctx.principal.account_id;
  return ctx.tx([&](db::Tx& tx) {
    auto b = repo::find_batch(tx, ctx.community_id, id);
    if (!b || b->kind != "delivery") throw NotFound("delivery batch");
    if (b->courier_id != me) {
      if (b->courier_id != 0) throw Forbidden("this batch is assigned to another courier");
      throw Conflict("delivery-state", "claim and pick up the batch first");
    }
    if (b->status != BatchStatus::PickedUp)
      throw Conflict("delivery-state", "the batch is " + std::string(to_string(b->status)) + ", not picked up");
    auto s = repo::find_stop(tx, id, sid);
    if (!s) throw NotFound("stop");
    if (s->status != StopStatus::Pending)
      throw Conflict("delivery-state", "this stop is " + std::string(to_string(s->status)) + " already");
    if (!codes_match(s->proof_code, proof)) throw WrongProofCode();
    if (repo::finish_stop(tx, sid, StopStatus::Done, me) != 1)
      throw Conflict("delivery-state", "the stop changed meanwhile; reload it");
    repo::CodeUse use;
    use.community_id = ctx.community_id;
    use.kind = std::string(codes::to_string(codes::Kind::DeliveryStop));
    use.object_id = sid;
    use.used_at = use.synced_at = tx.now_ms();
    use.device_id = "online";
    use.synced_by = me;
    repo::insert_use(tx, use);
    auto after = repo::count_stop(tx, id, StopStatus::Done);
    tx.publish("delivery.delivered", ctx.community_id,
               bj::object{{"community_id", ctx.community_id},
                          {"delivery_id", 0},
                          {"batch_id", id},
                          {"stop_id", sid},
                          {"order_id", s->order_id},
                          {"resident_id", s->resident_id},
                          {"courier_id", me},
                          {"merchant_id", b->merchant_id},
                          {"unit_id", s->unit_id},
                          {"status", "delivered"}});
    if (after.status == BatchStatus::Completed)
      tx.publish("delivery.batch_completed", ctx.community_id, batch_event(after));
    return Response::json(batch_detail_json(after, repo::stops_of(tx, id)));
  });
}

// The merchant's batches with their progress (?status=).
Response merchant_batches(Request const& req, Context& ctx) {
  std::int64_t mid = req.id("mid");
  auto page = req.page();
  auto status = status_filter(req, parse_batch_status, kBatchStatuses);
  return ctx.tx([&](db::Tx& tx) {
    require_own_merchant(tx, ctx, mid);
    auto rows = repo::list_batches(tx, ctx.community_id, mid, status, 0, page);
    return Response::json(json::page_of_rows(rows, page, batch_json));
  });
}

Response merchant_batch(Request const& req, Context& ctx) {
  std::int64_t mid = req.id("mid");
  std::int64_t id = req.id("id");
  return ctx.tx([&](db::Tx& tx) {
    require_own_merchant(tx, ctx, mid);
    auto b = repo::find_batch(tx, ctx.community_id, id);
    if (!b || b->merchant_id != mid) throw NotFound("delivery batch");
    return Response::json(batch_detail_json(*b, repo::stops_of(tx, id)));
  });
}

// The resident's stops, each with its batch's progress and the household's proof code.
Response my_batches(Request const& req, Context& ctx) {
  auto page = req.page();
  return ctx.tx([&](db::Tx& tx) {
    auto rows = repo::stops_of_resident(tx, ctx.principal.account_id, page);
    return Response::json(json::page_of_rows(rows, page, [&](repo::Stop const& s) {
      auto b = repo::find_batch_any(tx, s.batch_id);
      auto o = b ? batch_json(*b) : bj::object{};
      o["my_stop"] = stop_json(s, true);
      return o;
    }));
  });
}

// A fresh signed token of the household's proof code (to show as a QR code).
Response my_stop_token(Request const& req, Context& ctx) {
  std::int64_t sid = req.id("id");
  return ctx.tx([&](db::Tx& tx) {
    auto s = repo::find_stop_by_id(tx, sid);
    if (!s || s->resident_id != ctx.principal.account_id) throw NotFound("stop");
    if (s->status != StopStatus::Pending) throw Conflict("delivery-state", "this stop is done");
    auto signed_code = sign_code(tx, s->community_id, codes::to_string(codes::Kind::DeliveryStop), s->id, INT64_MAX);
    return Response::json(signed_code_json(codes::to_string(codes::Kind::DeliveryStop), s->id, signed_code));
  });
}

// A fresh signed token of a delivery task's proof code, for its resident.
Response my_task_token(Request const& req, Context& ctx) {
  std::int64_t id = req.id("id");
  return ctx.tx([&](db::Tx& tx) {
    auto t = repo::find_any(tx, id);
    if (!t || t->resident_id != ctx.principal.account_id) throw NotFound("delivery");
    if (t->status == Status::Delivered || t->status == Status::Failed || t->status == Status::Cancelled)
      throw Conflict("delivery-state", "this delivery is " + std::string(to_string(t->status)));
    auto signed_code = sign_code(tx, t->community_id, codes::to_string(codes::Kind::Delivery), t->id, INT64_MAX);
    return Response::json(signed_code_json(codes::to_string(codes::Kind::Delivery), t->id, signed_code));
  });
}

}  // namespace

void add_batch_routes(http::Router& r) {
  auto const courier_or_manager = Access::any_of(Role::Courier | Role::Manager);
  r.get("/v1/communities/{cid}/delivery-batches", courier_or_manager, list_batches);
  r.get("/v1/communities/{cid}/delivery-batches/{id}", courier_or_manager, get_batch);
  r.post("/v1/communities/{cid}/delivery-batches/{id}/claim", Access::courier(), claim_batch);
  r.post("/v1/communities/{cid}/delivery-batches/{id}/pick-up", Access::courier(), pick_up_batch);
  r.post("/v1/communities/{cid}/delivery-batches/{id}/stops/{sid}/deliver", Access::courier(), deliver_stop);
  r.get("/v1/communities/{cid}/merchants/{mid}/delivery-batches", Access::merchant("orders:read"), merchant_batches);
  r.get("/v1/communities/{cid}/merchants/{mid}/delivery-batches/{id}", Access::merchant("orders:read"),
        merchant_batch);
  r.get("/v1/me/delivery-batches", Access::authenticated(), my_batches);
  r.post("/v1/me/delivery-stops/{id}/code-token", Access::authenticated(), my_stop_token);
  r.post("/v1/me/deliveries/{id}/code-token", Access::authenticated(), my_task_token);
}

}  // namespace courtyard::delivery
