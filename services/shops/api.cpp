// The shops functions other services call (api.hpp) that are not a job's body.
#include "services/shops/api.hpp"

#include "services/shops/repository.hpp"

namespace courtyard::shops {

std::optional<std::int64_t> merchant_owner(db::Tx& tx, std::int64_t cid, std::int64_t mid) {
  auto m = repo::find_merchant(tx, cid, mid);
  if (!m) return std::nullopt;
  return m->owner_id;
}

std::optional<CompletedOrder> completed_order(db::Tx& tx, std::int64_t cid, std::int64_t oid) {
  auto o = repo::find_order(tx, cid, oid);
  if (!o || o->status != "completed" || !o->completed_at) return std::nullopt;
  auto m = repo::find_merchant(tx, cid, o->merchant_id);
  CompletedOrder c;
  c.order_id = o->id;
  c.merchant_id = o->merchant_id;
  c.category = m ? m->category : "";
  c.total_cents = o->total_cents;
  c.points_cents = repo::order_points(tx, cid, oid).points_cents;
  c.completed_at = *o->completed_at;
  return c;
}

std::optional<std::string> merchant_category(db::Tx& tx, std::int64_t cid, std::int64_t mid) {
  auto m = repo::find_merchant(tx, cid, mid);
  if (!m) return std::nullopt;
  return m->category;
}

}  // namespace courtyard::shops
