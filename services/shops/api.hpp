#pragma once
// What other parts of Courtyard may call from shops.
#include "db/database.hpp"
#include "db/outbox.hpp"
#include "db/tx.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
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
// ---- campaigns (members): per-member coupons, their use, and spend per category

// The terms of a campaign's coupon, issued once per member of its segment.
struct MemberCoupon {
  std::int64_t community_id = 0, merchant_id = 0, account_id = 0, campaign_id = 0;
  std::string code;  // 3..32 of A-Z 0-9 - _
  std::optional<std::int64_t> percent_off, amount_off_cents;
  std::int64_t min_spend_cents = 0, expires_at = 0;
};
// {field, why} when the terms are not a valid coupon (shops' own coupon rules).
std::optional<std::pair<std::string, std::string>> member_coupon_problem(MemberCoupon const& c, std::int64_t now_ms);
// Issues a single-use coupon of the merchant that only `account_id` may redeem at checkout
// (any other buyer is told it is not a coupon of this merchant). Returns its id.
std::int64_t issue_member_coupon(db::Tx& tx, MemberCoupon const& c);
// Orders of the community (not cancelled) that used a coupon of the campaign.
struct CouponUse {
  std::int64_t orders = 0, revenue_cents = 0;
};
CouponUse campaign_coupon_use(db::Tx& tx, std::int64_t cid, std::int64_t campaign_id);
// The coupon a campaign issued to one account (nullopt when it issued none), with the
// order of the community that used it (not cancelled), if any: members shows it in the
// member's own membership.
struct AccountCoupon {
  std::int64_t merchant_id = 0;
  std::string code;
  std::optional<std::int64_t> percent_off, amount_off_cents;
  std::int64_t min_spend_cents = 0, expires_at = 0, redemptions = 0;
  std::optional<std::int64_t> order_id;
};
std::optional<AccountCoupon> campaign_coupon_of(db::Tx& tx, std::int64_t cid, std::int64_t campaign_id,
                                                std::int64_t account_id);
// The completed order's spend per product category (its lines, before any discount);
// empty when the order is not one of the community's.
std::vector<std::pair<std::string, std::int64_t>> order_category_cents(db::Tx& tx, std::int64_t cid,
                                                                       std::int64_t order_id);
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
// The accounts that joined the wish (notifications tells them of its answer), ascending
// after `after`, at most `limit`: a page of an audience of any size.
std::vector<std::int64_t> wish_joiners(db::Tx& tx, std::int64_t cid, std::int64_t wish_id, std::int64_t after,
                                       std::int64_t limit);
// Account erasure (erase.cpp; members orchestrates POST /v1/me/erasure): reviews stay (order, rating,
// text) with the author shown as a former resident; orders, items and their sums stay.
// Open orders, open group-buy places and a merchant the account owns block erasure.
// Returns what it changed, for the erasure receipt.
boost::json::object erase_account(db::Tx& tx, std::int64_t account_id);
// What stops the account from being erased now, as (code, detail); empty = nothing.
std::vector<std::pair<std::string, std::string>> erasure_blockers(db::Tx& tx, std::int64_t account_id);

// ---- the facts analytics builds its rollups from (services/analytics), read on its
// events and by its backfill. Only what a report needs; no names of buyers.
struct OrderFacts {
  struct Line {
    std::int64_t product_id = 0;
    std::string category;
    std::int64_t quantity = 0, line_cents = 0;
  };
  std::int64_t id = 0, community_id = 0, merchant_id = 0, buyer_id = 0, created_at = 0;
  std::string status;
  std::int64_t subtotal_cents = 0, discount_cents = 0, total_cents = 0;
  std::int64_t coupon_id = 0, group_buy_id = 0;  // 0 = none
  std::int64_t campaign_id = 0;                  // the campaign that issued the coupon; 0 = none
  std::vector<Line> lines;
};
std::optional<OrderFacts> order_facts(db::Tx& tx, std::int64_t cid, std::int64_t order_id);
// The community's orders with id > after_id, ascending, at most limit (backfill).
std::vector<OrderFacts> order_facts_after(db::Tx& tx, std::int64_t cid, std::int64_t after_id, std::int64_t limit);
// The orders of `ids` that are the community's, in id order (a subscriber's batch).
std::vector<OrderFacts> order_facts_in(db::Tx& tx, std::int64_t cid, std::vector<std::int64_t> const& ids);
// The facts an order.placed / order.cancelled payload carries (EVENTS.md), without a read;
// nullopt when it does not carry them all: an event stored before they were added, an order
// published without its items, or one with a coupon (its campaign is not in the payload).
// Read those with order_facts_in.
std::optional<OrderFacts> order_facts_of_event(std::int64_t cid, boost::json::value const& payload);
struct ReviewFacts {
  std::int64_t id = 0, merchant_id = 0, order_id = 0, rating = 0, created_at = 0;
};
std::vector<ReviewFacts> review_facts_after(db::Tx& tx, std::int64_t cid, std::int64_t after_id, std::int64_t limit);
struct GroupBuyFacts {
  std::int64_t id = 0, merchant_id = 0, participants = 0, closed_at = 0;
  std::string outcome;
};
std::optional<GroupBuyFacts> closed_group_buy(db::Tx& tx, std::int64_t cid, std::int64_t group_buy_id);
std::vector<GroupBuyFacts> closed_group_buys_after(db::Tx& tx, std::int64_t cid, std::int64_t after_id,
                                                   std::int64_t limit);
// One product's stock ledger around a period [from, to): its stock now, the sum of its
// movements in the period per reason, and the sum of those at or after `to`. Read in one
// statement (one snapshot on both backends), so opening and closing derived from the
// stock reconcile exactly with the movements (products.stock = sum of its movements).
struct StockPeriod {
  std::int64_t product_id = 0;
  std::string name, category;
  bool active = true;
  std::int64_t stock_now = 0, after_period = 0;
  std::vector<std::pair<std::string, std::int64_t>> in_period;  // reason -> sum of deltas
};
// The merchant's products in id order; with a limit, at most that many with ids above
// after_id (one page of a streamed report; each page is its own snapshot).
std::vector<StockPeriod> stock_period(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::int64_t from_ms,
                                      std::int64_t to_ms, std::int64_t after_id = 0, std::int64_t limit = 0);
struct ProductStock {
  std::int64_t id = 0, merchant_id = 0, stock = 0;
  std::string name;
};
std::optional<ProductStock> product_stock(db::Tx& tx, std::int64_t cid, std::int64_t product_id);
// The merchant's active products, by id.
std::vector<ProductStock> active_products(db::Tx& tx, std::int64_t cid, std::int64_t mid);
// Sold units per product of the merchant in [from, to) from the ledger (sales net of cancels).
std::vector<std::pair<std::int64_t, std::int64_t>> units_sold(db::Tx& tx, std::int64_t cid, std::int64_t mid,
                                                              std::int64_t from_ms, std::int64_t to_ms);
// The community's merchants (any status): id -> name.
std::vector<std::pair<std::int64_t, std::string>> merchant_names(db::Tx& tx, std::int64_t cid);

}  // namespace courtyard::shops
