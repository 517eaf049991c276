// Reactions to the shops service's order events.
#include "services/delivery/routes.hpp"

#include <spdlog/spdlog.h>

namespace courtyard::delivery {

namespace {

std::optional<std::int64_t> int_field(bj::object const& o, std::string_view key) {
  auto const* v = o.if_contains(key);
  if (!v || !v->is_int64()) return v && v->is_uint64() ? std::optional<std::int64_t>(v->as_uint64()) : std::nullopt;
  return v->as_int64();
}

}  // namespace

// An order ready for delivery becomes a task (once per order: UNIQUE(order_id)).
void on_order_ready(events::Event const& e, db::Tx& tx) {
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
  tx.publish("delivery.created", t.community_id, task_event(t));
}

// A cancelled order (refunded by shops) must not be delivered any more.
void on_order_cancelled(events::Event const& e, db::Tx& tx) {
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
}

}  // namespace courtyard::delivery
