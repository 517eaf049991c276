// Reactions to the shops service's order and group-buy events.
#include "services/delivery/codes.hpp"
#include "services/delivery/routes.hpp"
#include "services/identity/api.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

namespace courtyard::delivery {

using json::int_field;

namespace {

// The task an order event describes, not yet written: nullopt when a courier does not carry
// the order (fulfilment other than "delivery") or the event lacks its ids.
std::optional<repo::Task> task_of_order(events::Event const& e, db::Tx& tx) {
  auto const& p = e.payload.as_object();
  auto const* f = p.if_contains("fulfilment");
  if (!f || !f->is_string() || f->as_string() != "delivery") return std::nullopt;
  repo::Task t;
  t.community_id = e.community_id ? e.community_id : int_field(p, "community_id").value_or(0);
  t.order_id = int_field(p, "order_id").value_or(0);
  t.merchant_id = int_field(p, "merchant_id").value_or(0);
  t.resident_id = int_field(p, "buyer_id").value_or(0);
  t.unit_id = int_field(p, "unit_id").value_or(0);
  t.total_cents = int_field(p, "total_cents").value_or(0);
  if (t.order_id <= 0 || t.community_id <= 0 || t.resident_id <= 0) {
    spdlog::warn("{} event {} lacks order_id/community_id/buyer_id; no delivery task", e.topic, e.id);
    return std::nullopt;
  }
  t.proof_code = new_code();
  t.source_event_id = e.id;
  t.created_at = t.updated_at = tx.now_ms();
  return t;
}

}  // namespace

// An order ready for delivery becomes a task (once per order: UNIQUE(order_id)).
void on_order_ready(events::Event const& e, db::Tx& tx) {
  if (!e.payload.is_object()) return;
  auto t = task_of_order(e, tx);
  if (!t) return;
  // A group buy's order travels in its building's batch, not as a task of its own.
  if (repo::find_stop_by_order(tx, t->order_id)) return;
  if (auto slot = repo::booked_slot_of_order(tx, t->order_id)) {
    t->slot_id = slot->id;
    t->slot_starts_at = slot->starts_at;
    t->slot_ends_at = slot->ends_at;
  }
  t->status = Status::Pending;
  t->id = repo::insert_task_once(tx, *t);
  if (t->id == 0) return;  // a redelivered event: the task exists
  repo::add_history(tx, *t, std::nullopt, Status::Pending, 0, std::string("order ready for delivery"));
  tx.publish("delivery.created", t->community_id, task_event(*t));
}

namespace {

// order.ready and order.cancelled are two queues, and the dispatcher does not order one
// queue's deliveries after another's: a ready delivery order the merchant cancels at once can
// have its cancellation delivered first, when there is no task to cancel. The task is then
// written cancelled, so the late order.ready finds the order's task (one per order) and adds
// none: no courier is sent for a cancelled order.
void cancelled_before_ready(events::Event const& e, db::Tx& tx) {
  auto const* prev = e.payload.as_object().if_contains("previous_status");
  if (!prev || !prev->is_string() || prev->as_string() != "ready") return;
  auto t = task_of_order(e, tx);
  if (!t) return;
  t->status = Status::Cancelled;
  t->id = repo::insert_task_once(tx, *t);
  if (t->id == 0) return;
  repo::add_history(tx, *t, std::nullopt, Status::Cancelled, 0, std::string("order cancelled before its delivery"));
}

}  // namespace

// A cancelled order (refunded by shops) must not be delivered any more; its slot place and
// its batch stop are given up (each once, so a redelivered event changes nothing).
void on_order_cancelled(events::Event const& e, db::Tx& tx) {
  if (!e.payload.is_object()) return;
  auto order = int_field(e.payload.as_object(), "order_id");
  if (!order) return;
  repo::release_booking(tx, *order);
  auto stop = repo::find_stop_by_order(tx, *order);
  if (stop && stop->community_id == e.community_id &&
      repo::finish_stop(tx, stop->id, StopStatus::Cancelled, 0) == 1) {
    auto b = repo::count_stop(tx, stop->batch_id, StopStatus::Cancelled);
    if (b.status == BatchStatus::Completed) tx.publish("delivery.batch_completed", b.community_id, batch_event(b));
  }
  auto t = repo::find_by_order(tx, *order);
  if (!t) {
    if (!stop) cancelled_before_ready(e, tx);  // a group buy's order has its batch stop instead
    return;
  }
  if (t->community_id != e.community_id || !allowed(Verb::Cancel, t->status)) return;
  Status from = t->status;
  if (repo::transition(tx, t->community_id, t->id, from, t->courier_id, Status::Cancelled, t->courier_id,
                       std::nullopt) != 1)
    return;
  t->status = Status::Cancelled;
  repo::add_history(tx, *t, from, Status::Cancelled, 0, std::string("order cancelled"));
}

namespace {

struct GroupOrder {
  std::int64_t order_id = 0, buyer_id = 0, unit_id = 0;
  std::string fulfilment;
};

std::vector<GroupOrder> group_orders(bj::object const& p) {
  std::vector<GroupOrder> out;
  auto const* orders = p.if_contains("orders");
  if (!orders || !orders->is_array()) return out;
  for (auto const& v : orders->as_array()) {
    if (!v.is_object()) continue;
    auto const& o = v.as_object();
    GroupOrder g;
    g.order_id = int_field(o, "order_id").value_or(0);
    g.buyer_id = int_field(o, "buyer_id").value_or(0);
    g.unit_id = int_field(o, "unit_id").value_or(0);
    auto const* f = o.if_contains("fulfilment");
    g.fulfilment = f && f->is_string() ? std::string(f->as_string()) : "pickup";
    if (g.order_id > 0 && g.buyer_id > 0) out.push_back(g);
  }
  return out;
}

// One batch and its stops, in round order; nothing when the group buy has it already.
void make_batch(db::Tx& tx, events::Event const& e, std::int64_t cid, std::int64_t merchant, std::int64_t gid,
                std::string const& kind, std::int64_t building_id, std::string const& building_name,
                std::vector<std::pair<StopPlace, GroupOrder>> stops) {
  std::sort(stops.begin(), stops.end(), [](auto const& a, auto const& b) { return stop_before(a.first, b.first); });
  repo::Batch b;
  b.community_id = cid;
  b.merchant_id = merchant;
  b.group_buy_id = gid;
  b.kind = kind;
  b.building_id = building_id;
  b.building_name = building_name;
  b.stops_total = static_cast<std::int64_t>(stops.size());
  b.source_event_id = e.id;
  b.id = repo::insert_batch_once(tx, b);
  if (b.id == 0) return;  // a redelivered event: the batch exists
  std::int64_t seq = 0;
  for (auto const& [place, order] : stops) {
    repo::Stop s;
    s.community_id = cid;
    s.batch_id = b.id;
    s.order_id = order.order_id;
    s.resident_id = order.buyer_id;
    s.unit_id = order.unit_id;
    s.unit_number = place.unit_number;
    s.floor = place.floor;
    s.seq = ++seq;
    // Pickup orders show shops' redemption code at the counter; this one is for couriers.
    s.proof_code = new_code();
    repo::insert_stop(tx, s);
  }
  auto stored = repo::find_batch(tx, cid, b.id);
  tx.publish("delivery.batch_created", cid, batch_event(*stored));
}

}  // namespace

// A group buy that reached its threshold: its delivery orders become one batch per building
// (stops by floor, then unit), its pickup orders one pickup point at the merchant.
void on_group_buy_closed(events::Event const& e, db::Tx& tx) {
  if (!e.payload.is_object()) return;
  auto const& p = e.payload.as_object();
  auto const* reached = p.if_contains("reached");
  if (!reached || !reached->is_bool() || !reached->as_bool()) return;
  std::int64_t cid = e.community_id ? e.community_id : int_field(p, "community_id").value_or(0);
  std::int64_t gid = int_field(p, "group_buy_id").value_or(0);
  std::int64_t merchant = int_field(p, "merchant_id").value_or(0);
  if (cid <= 0 || gid <= 0) return;
  std::map<std::int64_t, std::pair<std::string, std::vector<std::pair<StopPlace, GroupOrder>>>> buildings;
  std::vector<std::pair<StopPlace, GroupOrder>> pickups;
  for (auto const& o : group_orders(p)) {
    auto where = o.unit_id > 0 ? identity::unit_address(tx, cid, o.unit_id) : std::nullopt;
    StopPlace place;
    place.order_id = o.order_id;
    if (where) {
      place.building = where->building_name;
      place.unit_number = where->unit_number;
      place.floor = floor_of(where->unit_number);
    }
    if (o.fulfilment == "delivery" && where) {
      auto& slot = buildings[where->building_id];
      slot.first = where->building_name;
      slot.second.emplace_back(place, o);
    } else {
      pickups.emplace_back(place, o);
    }
  }
  for (auto& [building_id, b] : buildings)
    make_batch(tx, e, cid, merchant, gid, "delivery", building_id, b.first, std::move(b.second));
  if (!pickups.empty()) make_batch(tx, e, cid, merchant, gid, "pickup", 0, "", std::move(pickups));
}

// The merchant redeemed a pickup order (its short code typed in): the code is used, so its
// signed twin synced later from an offline device is a replay; a group buy's pickup stop is done.
void on_order_completed(events::Event const& e, db::Tx& tx) {
  if (!e.payload.is_object()) return;
  auto const& p = e.payload.as_object();
  auto order = int_field(p, "order_id");
  if (!order) return;
  auto const* f = p.if_contains("fulfilment");
  if (f && f->is_string() && f->as_string() == "pickup" && e.community_id > 0) {
    repo::CodeUse use;
    use.community_id = e.community_id;
    use.kind = std::string(codes::to_string(codes::Kind::Redemption));
    use.object_id = *order;
    use.used_at = use.synced_at = e.created_at > 0 ? e.created_at : tx.now_ms();
    use.device_id = "online";
    repo::insert_use(tx, use);  // a use synced before wins; nothing to undo here
  }
  auto stop = repo::find_stop_by_order(tx, *order);
  if (!stop || stop->community_id != e.community_id) return;
  auto b = repo::find_batch(tx, stop->community_id, stop->batch_id);
  if (!b || b->kind != "pickup") return;  // a delivery stop is done by its courier
  if (repo::finish_stop(tx, stop->id, StopStatus::Done, 0) != 1) return;
  auto after = repo::count_stop(tx, stop->batch_id, StopStatus::Done);
  if (after.status == BatchStatus::Completed) tx.publish("delivery.batch_completed", after.community_id, batch_event(after));
}

}  // namespace courtyard::delivery
