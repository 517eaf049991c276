#pragma once
// What other parts of Courtyard may call from shops.
#include "db/database.hpp"
#include "db/outbox.hpp"
#include "db/tx.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace courtyard::shops {

// The "shops.close_group_buys" job body: settles every open group buy whose closes_at has
// passed. Each is claimed with a conditional update (open -> closing) in the transaction
// that settles it, so concurrent closers (two instances, a lease that expired mid-run)
// process each group buy exactly once. Returns how many this call closed.
int close_due_group_buys(db::Database& db, events::Bus& bus, std::int64_t now_ms);

// The account that owns the merchant `mid` of community `cid` (nullopt when there is no such
// merchant): webhooks lets the owner, not the merchant's staff, manage its endpoints.
std::optional<std::int64_t> merchant_owner(db::Tx& tx, std::int64_t cid, std::int64_t mid);
// What settlement needs of a completed order (nullopt unless the order exists in the
// community and is completed): its merchant and the merchant's category (commission), the
// order's total and the part of it paid with points (reimbursed by the community).
struct CompletedOrder {
  std::int64_t order_id = 0, merchant_id = 0;
  std::string category;
  std::int64_t total_cents = 0, points_cents = 0, completed_at = 0;
};
std::optional<CompletedOrder> completed_order(db::Tx& tx, std::int64_t cid, std::int64_t oid);
// The merchant's category, nullopt when the community has no such merchant.
std::optional<std::string> merchant_category(db::Tx& tx, std::int64_t cid, std::int64_t mid);

// The account's rows in this service, for the resident's data export (export.cpp).
boost::json::object export_account(db::Tx& tx, std::int64_t account_id);

}  // namespace courtyard::shops
