#include "services/delivery/service.hpp"

#include "http/context.hpp"
#include "http/errors.hpp"
#include "http/json.hpp"
#include "services/delivery/logic.hpp"
#include "services/delivery/repository.hpp"
#include "services/identity/api.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

namespace courtyard::delivery {

namespace bj = boost::json;
using http::Access;
using http::Request;
using http::Response;

namespace {

constexpr int kAssignBatch = 200;

std::optional<Status> status_filter(Request const& req) {
  auto s = req.query_param("status");
  if (!s || s->empty()) return std::nullopt;
  auto st = parse_status(*s);
  if (!st) throw Invalid("status", "must be one of pending, claimed, picked_up, delivered, failed, cancelled");
  return st;
}

bj::value id_or_null(std::int64_t id) { return id > 0 ? bj::value(id) : bj::value(nullptr); }

bj::object task_json(repo::Task const& t) {
  return bj::object{{"id", t.id},
                    {"community_id", t.community_id},
                    {"order_id", t.order_id},
                    {"merchant_id", t.merchant_id},
                    {"resident_id", t.resident_id},
                    {"unit_id", id_or_null(t.unit_id)},
                    {"courier_id", id_or_null(t.courier_id)},
                    {"status", to_string(t.status)},
                    {"total_cents", t.total_cents},
                    {"failure_reason", t.failure_reason ? bj::value(*t.failure_reason) : bj::value(nullptr)},
                    {"created_at", json::rfc3339(t.created_at)},
                    {"updated_at", json::rfc3339(t.updated_at)}};
}

bj::array history_json(std::vector<repo::HistoryEntry> const& h) {
  bj::array out;
  for (auto const& e : h)
    out.push_back(bj::object{{"from", e.from ? bj::value(to_string(*e.from)) : bj::value(nullptr)},
                             {"to", to_string(e.to)},
                             {"actor_id", id_or_null(e.actor_id)},
                             {"at", json::rfc3339(e.at)},
                             {"note", e.note ? bj::value(*e.note) : bj::value(nullptr)}});
  return out;
}

// The task with its history; the proof code only for the resident it belongs to.
bj::object detail_json(db::Tx& tx, repo::Task const& t, bool for_resident) {
  auto o = task_json(t);
  o["history"] = history_json(repo::history(tx, t.id));
  if (for_resident) o["proof_code"] = t.proof_code;
  return o;
}

void publish(db::Tx& tx, std::string const& topic, repo::Task const& t, bj::object extra = {}) {
  bj::object p{{"community_id", t.community_id}, {"delivery_id", t.id},         {"order_id", t.order_id},
               {"resident_id", t.resident_id},   {"courier_id", t.courier_id},  {"status", to_string(t.status)},
               {"merchant_id", t.merchant_id},   {"unit_id", t.unit_id}};
  for (auto& [k, v] : extra) p[k] = v;
  tx.publish(topic, t.community_id, p);
}

std::string_view topic_of(Verb v) {
  switch (v) {
    case Verb::Claim: return "delivery.claimed";
    case Verb::PickUp: return "delivery.picked_up";
    case Verb::Deliver: return "delivery.delivered";
    case Verb::Fail: return "delivery.failed";
    case Verb::Cancel: return "";
  }
  return "";
}

std::string_view verb_name(Verb v) {
  switch (v) {
    case Verb::Claim: return "claim";
    case Verb::PickUp: return "pick up";
    case Verb::Deliver: return "deliver";
    case Verb::Fail: return "fail";
    case Verb::Cancel: return "cancel";
  }
  return "?";
}

struct WrongProofCode : ApiError {
  WrongProofCode()
      : ApiError(422, "wrong-proof-code", "Wrong proof code", "the proof code does not match this delivery") {
    errors_.push_back({"proof_code", "does not match"});
  }
};

// One courier/manager verb on a task: decide who may, then a conditional update on the
// state read (so a concurrent change makes this a 409, never a double move).
Response move(Request const& req, Context& ctx, Verb v) {
  std::int64_t cid = ctx.community_id;
  std::int64_t id = req.id("id");
  std::optional<std::string> reason, proof;
  if (v == Verb::Fail || v == Verb::Deliver) {
    auto body = req.json();
    if (v == Verb::Fail) reason = json::str(body, "reason", 1, 500);
    if (v == Verb::Deliver) proof = json::str(body, "proof_code", 1, 32);
  }
  auto const& p = ctx.principal;
  Actor who{p.account_id, p.admin || p.has(Role::Courier, cid), p.admin || p.has(Role::Manager, cid)};
  return ctx.tx([&](db::Tx& tx) {
    auto task = repo::find(tx, cid, id);
    if (!task) throw NotFound("delivery");
    switch (decide(v, task->status, task->courier_id, who)) {
      case Decision::Forbidden: throw Forbidden("this delivery is assigned to another courier");
      case Decision::Conflict:
        throw Conflict("delivery-state", "cannot " + std::string(verb_name(v)) + " a delivery that is " +
                                             std::string(to_string(task->status)) +
                                             (task->courier_id == 0 && v != Verb::Claim ? " and unclaimed" : ""));
      case Decision::Ok: break;
    }
    if (v == Verb::Deliver && !codes_match(task->proof_code, *proof)) throw WrongProofCode();
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
    publish(tx, std::string(topic_of(v)), *task, std::move(extra));
    return Response::json(detail_json(tx, *task, false));
  });
}

// Visible to a courier: unassigned pending tasks and their own.
bool courier_may_see(repo::Task const& t, std::int64_t me) {
  return t.courier_id == me || (t.courier_id == 0 && t.status == Status::Pending);
}

bj::object parcel_json(repo::Parcel const& p, bool with_code) {
  bj::object o{{"id", p.id},
               {"community_id", p.community_id},
               {"unit_id", p.unit_id},
               {"carrier", p.carrier},
               {"tracking_no", p.tracking_no},
               {"status", to_string(p.status)},
               {"created_at", json::rfc3339(p.created_at)},
               {"picked_up_at", json::time_or_null(p.picked_up_at)}};
  if (with_code) o["pickup_code"] = p.pickup_code;
  return o;
}

// Units the principal lives in within the community.
std::vector<std::int64_t> my_units(Principal const& p, std::int64_t cid) {
  std::vector<std::int64_t> out;
  for (auto const& m : p.memberships)
    if (m.community_id == cid && m.role == Role::Resident && m.unit_id > 0) out.push_back(m.unit_id);
  return out;
}

bool is_my_unit(Principal const& p, std::int64_t cid, std::int64_t unit) {
  auto units = my_units(p, cid);
  return std::find(units.begin(), units.end(), unit) != units.end();
}

bj::array ids_json(std::vector<std::int64_t> const& ids) {
  bj::array a;
  for (auto id : ids) a.push_back(id);
  return a;
}

std::optional<std::int64_t> int_field(bj::object const& o, std::string_view key) {
  auto const* v = o.if_contains(key);
  if (!v || !v->is_int64()) return v && v->is_uint64() ? std::optional<std::int64_t>(v->as_uint64()) : std::nullopt;
  return v->as_int64();
}

}  // namespace

void DeliveryService::routes(http::Router& r) {
  auto const courier_or_manager = Access::any_of(Role::Courier | Role::Manager);

  r.get("/v1/communities/{cid}/deliveries", courier_or_manager, [](Request const& req, Context& ctx) {
    auto page = req.page();
    repo::ListFilter f;
    f.community_id = ctx.community_id;
    f.status = status_filter(req);
    bool manager = ctx.principal.admin || ctx.principal.has(Role::Manager, ctx.community_id);
    f.visible_to_courier = manager ? 0 : ctx.principal.account_id;
    f.before_id = page.after.value_or(0);
    f.limit = page.limit + 1;
    return ctx.tx([&](db::Tx& tx) {
      return Response::json(json::page_of_rows(repo::list(tx, f), page, task_json));
    });
  });

  r.get("/v1/communities/{cid}/deliveries/{id}", courier_or_manager, [](Request const& req, Context& ctx) {
    std::int64_t id = req.id("id");
    bool manager = ctx.principal.admin || ctx.principal.has(Role::Manager, ctx.community_id);
    return ctx.tx([&](db::Tx& tx) {
      auto t = repo::find(tx, ctx.community_id, id);
      if (!t || (!manager && !courier_may_see(*t, ctx.principal.account_id))) throw NotFound("delivery");
      return Response::json(detail_json(tx, *t, false));
    });
  });

  r.post("/v1/communities/{cid}/deliveries/{id}/claim", Access::courier(),
         [](Request const& req, Context& ctx) { return move(req, ctx, Verb::Claim); });
  r.post("/v1/communities/{cid}/deliveries/{id}/pick-up", Access::courier(),
         [](Request const& req, Context& ctx) { return move(req, ctx, Verb::PickUp); });
  r.post("/v1/communities/{cid}/deliveries/{id}/deliver", Access::courier(),
         [](Request const& req, Context& ctx) { return move(req, ctx, Verb::Deliver); });
  r.post("/v1/communities/{cid}/deliveries/{id}/fail", courier_or_manager,
         [](Request const& req, Context& ctx) { return move(req, ctx, Verb::Fail); });

  r.get("/v1/me/deliveries", Access::authenticated(), [](Request const& req, Context& ctx) {
    auto page = req.page();
    repo::ListFilter f;
    f.resident_id = ctx.principal.account_id;
    f.status = status_filter(req);
    f.before_id = page.after.value_or(0);
    f.limit = page.limit + 1;
    return ctx.tx([&](db::Tx& tx) {
      return Response::json(json::page_of_rows(repo::list(tx, f), page, [](repo::Task const& t) {
        auto o = task_json(t);
        o["proof_code"] = t.proof_code;
        return o;
      }));
    });
  });

  r.get("/v1/me/deliveries/{id}", Access::authenticated(), [](Request const& req, Context& ctx) {
    std::int64_t id = req.id("id");
    return ctx.tx([&](db::Tx& tx) {
      auto t = repo::find_any(tx, id);
      if (!t || t->resident_id != ctx.principal.account_id) throw NotFound("delivery");
      return Response::json(detail_json(tx, *t, true));
    });
  });

  // ---- parcels
  r.post("/v1/communities/{cid}/parcels", Access::manager(), [](Request const& req, Context& ctx) {
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
      return Response::created(parcel_json(parcel, false),
                               "/v1/communities/" + std::to_string(cid) + "/parcels/" + std::to_string(parcel.id));
    });
  });

  r.get("/v1/communities/{cid}/parcels", Access::any_of(Role::Resident | Role::Manager),
        [](Request const& req, Context& ctx) {
          auto page = req.page();
          repo::ParcelFilter f;
          f.community_id = ctx.community_id;
          if (auto s = req.query_param("status"); s && !s->empty()) {
            f.status = parse_parcel_status(*s);
            if (!f.status) throw Invalid("status", "must be waiting or picked_up");
          }
          bool manager = ctx.principal.admin || ctx.principal.has(Role::Manager, ctx.community_id);
          if (!manager) f.unit_ids = my_units(ctx.principal, ctx.community_id);
          f.before_id = page.after.value_or(0);
          f.limit = page.limit + 1;
          return ctx.tx([&](db::Tx& tx) {
            auto rows = repo::list_parcels(tx, f);
            bj::array items;
            std::optional<std::int64_t> next;
            for (auto const& p : rows) {
              if (static_cast<std::int64_t>(items.size()) == page.limit) {
                next = items.back().as_object().at("id").as_int64();
                break;
              }
              items.push_back(parcel_json(p, is_my_unit(ctx.principal, ctx.community_id, p.unit_id)));
            }
            return Response::json(json::page_result(std::move(items), next));
          });
        });

  r.get("/v1/communities/{cid}/parcels/{id}", Access::any_of(Role::Resident | Role::Manager),
        [](Request const& req, Context& ctx) {
          std::int64_t id = req.id("id");
          bool manager = ctx.principal.admin || ctx.principal.has(Role::Manager, ctx.community_id);
          return ctx.tx([&](db::Tx& tx) {
            auto p = repo::find_parcel(tx, ctx.community_id, id);
            bool mine = p && is_my_unit(ctx.principal, ctx.community_id, p->unit_id);
            if (!p || (!manager && !mine)) throw NotFound("parcel");
            return Response::json(parcel_json(*p, mine));
          });
        });

  r.post("/v1/communities/{cid}/parcels/pick-up", Access::manager(), [](Request const& req, Context& ctx) {
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
  });
}

void DeliveryService::subscribe(events::Bus& bus) {
  // An order ready for delivery becomes a task (once per order: UNIQUE(order_id)).
  bus.subscribe("delivery.from_order", "order.ready", [](events::Event const& e, db::Tx& tx) {
    if (!e.payload.is_object()) return;
    auto const& p = e.payload.as_object();
    auto const* f = p.if_contains("fulfilment");
    if (!f || !f->is_string() || f->as_string() != "delivery") return;
    repo::Task t;
    t.community_id = e.community_id ? e.community_id : int_field(p, "community_id").value_or(0);
    t.order_id = int_field(p, "order_id").value_or(0);
    t.merchant_id = int_field(p, "merchant_id").value_or(0);
    t.resident_id = int_field(p, "buyer_id").value_or(0);
    t.unit_id = int_field(p, "unit_id").value_or(0);
    t.total_cents = int_field(p, "total_cents").value_or(0);
    if (t.order_id <= 0 || t.community_id <= 0 || t.resident_id <= 0) {
      spdlog::warn("order.ready event {} lacks order_id/community_id/buyer_id; no delivery task", e.id);
      return;
    }
    t.status = Status::Pending;
    t.proof_code = new_code();
    t.source_event_id = e.id;
    t.created_at = t.updated_at = tx.now_ms();
    t.id = repo::insert_task_once(tx, t);
    if (t.id == 0) return;  // a redelivered event: the task exists
    repo::add_history(tx, t, std::nullopt, Status::Pending, 0, std::string("order ready for delivery"));
    publish(tx, "delivery.created", t);
  });

  // A cancelled order (refunded by shops) must not be delivered any more.
  bus.subscribe("delivery.order_cancelled", "order.cancelled", [](events::Event const& e, db::Tx& tx) {
    if (!e.payload.is_object()) return;
    auto order = int_field(e.payload.as_object(), "order_id");
    if (!order) return;
    auto t = repo::find_by_order(tx, *order);
    if (!t || t->community_id != e.community_id || !allowed(Verb::Cancel, t->status)) return;
    Status from = t->status;
    if (repo::transition(tx, t->community_id, t->id, from, t->courier_id, Status::Cancelled, t->courier_id,
                         std::nullopt) != 1)
      return;
    t->status = Status::Cancelled;
    repo::add_history(tx, *t, from, Status::Cancelled, 0, std::string("order cancelled"));
  });
}

DeliveryService::DeliveryService(Env& env)
    : auto_assign_delay_ms_(env.settings.integer("delivery.auto-assign-delay", 0, 7 * 24 * 3600) * 1000) {}

std::vector<settings::Key> DeliveryService::settings_keys() {
  return {settings::Key::integer("delivery.auto-assign-delay", 300, 0, 7 * 24 * 3600,
                                 "seconds before an unclaimed delivery is auto-assigned", "delivery-auto-assign-delay")};
}

void DeliveryService::jobs(jobs::Scheduler& s) {
  auto delay_ms = auto_assign_delay_ms_;
  s.every("delivery.auto_assign", std::chrono::seconds(15), [delay_ms](jobs::JobContext& jc) {
    auto due = repo::due_for_assignment(jc.db, jc.now_ms - delay_ms, kAssignBatch);
    for (auto const& [id, cid] : due) {
      try {
        db::transact(jc.db, &jc.bus, [&](db::Tx& tx) {
          auto couriers = identity::accounts_with_role(tx, cid, Role::Courier);
          auto pick = least_loaded(couriers, repo::active_by_courier(tx, cid));
          if (!pick) return;  // nobody to give it to: stays pending
          // Conditional on still being unassigned, so a courier's claim or another instance's
          // run in between wins and this one changes nothing.
          if (repo::transition(tx, cid, id, Status::Pending, 0, Status::Claimed, *pick, std::nullopt) != 1) return;
          auto t = repo::find(tx, cid, id);
          if (!t) return;
          repo::add_history(tx, *t, Status::Pending, Status::Claimed, 0,
                            "auto-assigned to courier " + std::to_string(*pick));
          publish(tx, "delivery.claimed", *t, bj::object{{"auto_assigned", true}});
        });
      } catch (std::exception const& ex) {
        spdlog::warn("delivery.auto_assign: task {}: {}", id, ex.what());
      }
    }
  });
}

}  // namespace courtyard::delivery
