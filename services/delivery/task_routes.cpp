// Delivery tasks: the community's list and detail (managers all, couriers what they may
// see), the courier verbs claim / pick up / deliver / fail, and the resident's own deliveries.
#include "services/delivery/routes.hpp"

#include <string>

namespace courtyard::delivery {

using http::Access;
using http::Request;
using http::Response;

namespace {

constexpr char const* kStatuses = "must be one of pending, claimed, picked_up, delivered, failed, cancelled";

struct WrongProofCode : ApiError {
  WrongProofCode()
      : ApiError(422, "wrong-proof-code", "Wrong proof code", "the proof code does not match this delivery") {
    errors_.push_back({"proof_code", "does not match"});
  }
};

// The task with its history, as the API answers it.
Response detail(db::Tx& tx, repo::Task const& t, bool for_resident) {
  return Response::json(task_detail_json(t, repo::history(tx, t.id), for_resident));
}

// 403 or 409 unless `who` may apply `v` to the task now.
void require_allowed(Verb v, repo::Task const& task, Actor const& who) {
  switch (decide(v, task.status, task.courier_id, who)) {
    case Decision::Forbidden: throw Forbidden("this delivery is assigned to another courier");
    case Decision::Conflict:
      throw Conflict("delivery-state", "cannot " + std::string(to_string(v)) + " a delivery that is " +
                                           std::string(to_string(task.status)) +
                                           (task.courier_id == 0 && v != Verb::Claim ? " and unclaimed" : ""));
    case Decision::Ok: break;
  }
}

// A failed attempt: re-dispatched (back to pending, no courier, attempt + 1) while attempts
// remain, else failed for good. Conditional on the state, courier and attempt read, so two
// couriers/managers failing the same task at once move it once (the other gets 409).
// delivery.failed says which (`final`); a final one makes shops cancel and refund the order.
Response fail_attempt(db::Tx& tx, repo::Task task, std::int64_t actor, std::string const& reason,
                      std::int64_t max_attempts) {
  Status from = task.status;
  auto out = after_failure(task.attempt, max_attempts);
  bool moved = out.final ? repo::transition_on_attempt(tx, task.community_id, task.id, from, task.courier_id,
                                                       task.attempt, Status::Failed, reason) == 1
                         : repo::redispatch(tx, task.community_id, task.id, from, task.courier_id, task.attempt,
                                            reason) == 1;
  if (!moved) throw Conflict("delivery-state", "the delivery changed meanwhile; reload it");
  std::int64_t failed_courier = task.courier_id;
  std::int64_t failed_attempt = task.attempt;
  task.failure_reason = reason;
  task.updated_at = tx.now_ms();
  repo::add_history(tx, task, from, Status::Failed, actor, reason);
  if (!out.final) {
    task.status = Status::Pending;
    task.courier_id = 0;
    task.attempt = out.next_attempt;
    repo::add_history(tx, task, Status::Failed, Status::Pending, 0,
                      "re-dispatched: attempt " + std::to_string(task.attempt) + " of " +
                          std::to_string(max_attempts));
  } else {
    task.status = Status::Failed;
  }
  bj::object extra{{"reason", reason},
                   {"final", out.final},
                   {"attempt", failed_attempt},
                   {"max_attempts", max_attempts},
                   {"failed_courier_id", failed_courier}};
  tx.publish(std::string(topic_of(Verb::Fail)), task.community_id, task_event(task, extra));
  return detail(tx, task, false);
}

// One courier/manager verb on a task: decide who may, then a conditional update on the
// state read (so a concurrent change makes this a 409, never a double move).
Response move(Request const& req, Context& ctx, Verb v, std::int64_t max_attempts) {
  std::int64_t cid = ctx.community_id;
  std::int64_t id = req.id("id");
  std::optional<std::string> reason, proof;
  if (v == Verb::Fail || v == Verb::Deliver) {
    auto body = req.json();
    if (v == Verb::Fail) reason = json::str(body, "reason", 1, 500);
    if (v == Verb::Deliver) proof = json::str(body, "proof_code", 1, 32);
  }
  auto const& p = ctx.principal;
  Actor who{p.account_id, p.admin || p.has(Role::Courier, cid), ctx.is_manager()};
  return ctx.tx([&](db::Tx& tx) {
    auto task = repo::find(tx, cid, id);
    if (!task) throw NotFound("delivery");
    require_allowed(v, *task, who);
    if (v == Verb::Deliver && !codes_match(task->proof_code, *proof)) throw WrongProofCode();
    if (v == Verb::Fail) return fail_attempt(tx, *task, p.account_id, *reason, max_attempts);
    Status from = task->status;
    std::int64_t courier = v == Verb::Claim ? p.account_id : task->courier_id;
    if (repo::transition(tx, cid, id, from, task->courier_id, target(v), courier, reason) != 1)
      throw Conflict("delivery-state", "the delivery changed meanwhile; reload it");
    task->status = target(v);
    task->courier_id = courier;
    task->updated_at = tx.now_ms();
    if (reason) task->failure_reason = reason;
    repo::add_history(tx, *task, from, task->status, p.account_id, reason);
    bj::object extra;
    if (v == Verb::Claim) extra["auto_assigned"] = false;
    if (reason) extra["reason"] = *reason;
    tx.publish(std::string(topic_of(v)), task->community_id, task_event(*task, extra));
    return detail(tx, *task, false);
  });
}

// ?slot_id= (a slot's tasks: a courier's round) and ?late=true (slot ended, not delivered).
std::pair<std::int64_t, std::int64_t> slot_filters(Request const& req) {
  std::int64_t slot = 0, late_at = 0;
  if (auto s = req.query_param("slot_id"); s && !s->empty()) {
    for (char ch : *s) {
      if (ch < '0' || ch > '9' || slot > 1'000'000'000'000LL) throw Invalid("slot_id", "must be a slot id");
      slot = slot * 10 + (ch - '0');
    }
    if (slot == 0) throw Invalid("slot_id", "must be a slot id");
  }
  if (auto l = req.query_param("late"); l && !l->empty()) {
    if (*l == "true") late_at = db::now_ms();
    else if (*l != "false") throw Invalid("late", "must be true or false");
  }
  return {slot, late_at};
}

Response list_community_tasks(Request const& req, Context& ctx) {
  auto page = req.page();
  auto status = status_filter(req, parse_status, kStatuses);
  auto [slot, late_at] = slot_filters(req);
  std::int64_t visible_to_courier = ctx.is_manager() ? 0 : ctx.principal.account_id;
  return ctx.tx([&](db::Tx& tx) {
    auto rows = repo::list_for_community(tx, ctx.community_id, status, visible_to_courier, page, slot, late_at);
    return Response::json(json::page_of_rows(rows, page, task_json));
  });
}

Response get_community_task(Request const& req, Context& ctx) {
  std::int64_t id = req.id("id");
  bool manager = ctx.is_manager();
  return ctx.tx([&](db::Tx& tx) {
    auto t = repo::find(tx, ctx.community_id, id);
    if (!t || (!manager && !courier_may_see(t->status, t->courier_id, ctx.principal.account_id)))
      throw NotFound("delivery");
    return detail(tx, *t, false);
  });
}

Response list_my_tasks(Request const& req, Context& ctx) {
  auto page = req.page();
  auto status = status_filter(req, parse_status, kStatuses);
  return ctx.tx([&](db::Tx& tx) {
    auto rows = repo::list_for_resident(tx, ctx.principal.account_id, status, page);
    return Response::json(json::page_of_rows(rows, page, resident_task_json));
  });
}

Response get_my_task(Request const& req, Context& ctx) {
  std::int64_t id = req.id("id");
  return ctx.tx([&](db::Tx& tx) {
    auto t = repo::find_any(tx, id);
    if (!t || t->resident_id != ctx.principal.account_id) throw NotFound("delivery");
    return detail(tx, *t, true);
  });
}

Response claim(Request const& req, Context& ctx) { return move(req, ctx, Verb::Claim, 0); }
Response pick_up(Request const& req, Context& ctx) { return move(req, ctx, Verb::PickUp, 0); }
Response deliver(Request const& req, Context& ctx) { return move(req, ctx, Verb::Deliver, 0); }

}  // namespace

void add_task_routes(http::Router& r, std::int64_t max_attempts) {
  auto fail = [max_attempts](Request const& req, Context& ctx) { return move(req, ctx, Verb::Fail, max_attempts); };
  auto const courier_or_manager = Access::any_of(Role::Courier | Role::Manager);
  r.get("/v1/communities/{cid}/deliveries", courier_or_manager, list_community_tasks);
  r.get("/v1/communities/{cid}/deliveries/{id}", courier_or_manager, get_community_task);
  r.post("/v1/communities/{cid}/deliveries/{id}/claim", Access::courier(), claim);
  r.post("/v1/communities/{cid}/deliveries/{id}/pick-up", Access::courier(), pick_up);
  r.post("/v1/communities/{cid}/deliveries/{id}/deliver", Access::courier(), deliver);
  r.post("/v1/communities/{cid}/deliveries/{id}/fail", courier_or_manager, fail);
  r.get("/v1/me/deliveries", Access::authenticated(), list_my_tasks);
  r.get("/v1/me/deliveries/{id}", Access::authenticated(), get_my_task);
}

}  // namespace courtyard::delivery
