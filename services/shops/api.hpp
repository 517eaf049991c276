#pragma once
// What other parts of Courtyard may call from shops.
#include "db/database.hpp"
#include "db/outbox.hpp"
#include "db/tx.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace courtyard::shops {

// The "shops.close_group_buys" job body: settles every open group buy whose closes_at has
// passed. Each is claimed with a conditional update (open -> closing) in the transaction
// that settles it, so concurrent closers (two instances, a lease that expired mid-run)
// process each group buy exactly once. Returns how many this call closed.
int close_due_group_buys(db::Database& db, events::Bus& bus, std::int64_t now_ms);

// The account that owns the merchant `mid` of community `cid` (nullopt when there is no such
// merchant): webhooks lets the owner, not the merchant's staff, manage its endpoints.
std::optional<std::int64_t> merchant_owner(db::Tx& tx, std::int64_t cid, std::int64_t mid);
// An order placed with a neighbour's referral code (nullopt when none): members reads it when
// the order completes to credit the referrer.
struct OrderReferral {
  std::int64_t order_id = 0, merchant_id = 0, buyer_id = 0, referrer_id = 0;
};
std::optional<OrderReferral> order_referral(db::Tx& tx, std::int64_t cid, std::int64_t oid);

// For recommendations: the distinct products of an order, and product summaries.
std::vector<std::int64_t> order_product_ids(db::Tx& tx, std::int64_t cid, std::int64_t oid);
struct ProductSummary {
  std::int64_t id = 0, merchant_id = 0;
  std::string name, category;
  std::int64_t price_cents = 0, created_at = 0;
};
// Of `ids`, the products a resident of the community can buy now (active, approved merchant),
// in the order of `ids`.
std::vector<ProductSummary> products_for_sale(db::Tx& tx, std::int64_t cid, std::vector<std::int64_t> const& ids);
// The newest products for sale of these merchants created at or after `since_ms`.
std::vector<ProductSummary> new_products(db::Tx& tx, std::int64_t cid, std::vector<std::int64_t> const& merchant_ids,
                                         std::int64_t since_ms, std::int64_t limit);

// The account's rows in this service, for the resident's data export (export.cpp).
boost::json::object export_account(db::Tx& tx, std::int64_t account_id);

}  // namespace courtyard::shops
