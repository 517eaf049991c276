// Reactions to shops' events: every money fact about a merchant becomes a posting of the
// period it happened in (or the next open one), exactly once per source.
#include "db/database.hpp"
#include "services/settlement/routes.hpp"
#include "services/shops/api.hpp"
#include "services/wallet/api.hpp"

namespace courtyard::settlement {

namespace {

using json::int_field;

repo::Posting posting(std::int64_t cid, std::int64_t mid, std::int64_t period, logic::Kind kind, std::string source,
                      std::int64_t amount, std::int64_t at) {
  repo::Posting p;
  p.community_id = cid;
  p.merchant_id = mid;
  p.period_id = period;
  p.kind = logic::to_string(kind);
  p.source = std::move(source);
  p.amount_cents = amount;
  p.occurred_at = at;
  return p;
}

}  // namespace

// The order's money (what buyers paid into the merchant's wallet), the points part the
// community reimburses at the close, and the commission, moved now from the sub-account the
// order paid into to the community's revenue account. A redelivered event finds the order
// posting and changes nothing; a concurrent one trips the unique key and rolls back.
void on_order_completed(events::Event const& e, db::Tx& tx) {
  if (!e.payload.is_object()) return;
  auto oid = int_field(e.payload.as_object(), "order_id");
  if (!oid) return;
  std::int64_t cid = e.community_id;
  std::string source = "order:" + std::to_string(*oid);
  if (repo::posting_exists(tx, cid, std::string(logic::to_string(logic::Kind::Order)), source)) return;
  auto o = shops::completed_order(tx, cid, *oid);
  if (!o) return;
  std::int64_t period = open_period_for(tx, cid, o->completed_at);

  auto order = posting(cid, o->merchant_id, period, logic::Kind::Order, source, o->total_cents - o->points_cents,
                       o->completed_at);
  order.order_id = o->order_id;
  repo::insert_posting(tx, order);
  if (o->points_cents != 0) {
    auto points = posting(cid, o->merchant_id, period, logic::Kind::Points, source, o->points_cents, o->completed_at);
    points.order_id = o->order_id;
    repo::insert_posting(tx, points);
  }
  std::int64_t rate = repo::rate_for(tx, cid, o->category).value_or(0);
  if (std::int64_t commission = logic::commission_cents(o->total_cents, rate); commission > 0) {
    auto c = posting(cid, o->merchant_id, period, logic::Kind::Commission, source, -commission, o->completed_at);
    c.order_id = o->order_id;
    c.wallet_txn = wallet::transfer(tx, cid, wallet::merchant_for_order(o->merchant_id, o->order_id),
                                    wallet::community(), commission, "commission", source);
    repo::insert_posting(tx, c);
  }
}

// A refund of a completed order: its money (moved by shops already) and the points share the
// community no longer reimburses. A failed delivery's refund is recorded as `cancelled`: its
// order never completed, so it was never in gross and nets to nothing.
void on_refund_completed(events::Event const& e, db::Tx& tx) {
  if (!e.payload.is_object()) return;
  auto const& p = e.payload.as_object();
  auto rid = int_field(p, "refund_id");
  auto mid = int_field(p, "merchant_id");
  if (!rid || !mid) return;
  std::int64_t cid = e.community_id;
  std::int64_t amount = int_field(p, "amount_cents").value_or(0);
  std::int64_t points_cents = int_field(p, "points_cents").value_or(0);
  std::int64_t at = int_field(p, "completed_at").value_or(0);
  if (at <= 0) at = e.created_at;
  auto const* src = p.if_contains("source");
  bool failed_delivery = src && src->is_string() && src->as_string() == "delivery_failed";
  auto kind = failed_delivery ? logic::Kind::Cancelled : logic::Kind::Refund;
  std::string source = "refund:" + std::to_string(*rid);
  if (repo::posting_exists(tx, cid, std::string(logic::to_string(kind)), source)) return;
  std::int64_t period = open_period_for(tx, cid, at);

  auto refund = posting(cid, *mid, period, kind, source, failed_delivery ? amount : -amount, at);
  refund.order_id = int_field(p, "order_id");
  refund.refund_id = *rid;
  repo::insert_posting(tx, refund);
  if (!failed_delivery && points_cents != 0) {
    auto points = posting(cid, *mid, period, logic::Kind::Points, source, -points_cents, at);
    points.order_id = refund.order_id;
    points.refund_id = *rid;
    repo::insert_posting(tx, points);
  }
}

}  // namespace courtyard::settlement
