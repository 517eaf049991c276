#include "services/shops/service.hpp"

namespace courtyard::shops {

// No foreign keys (as identity): references are checked by the service, within the
// community. Every row carries community_id; stock_movements is the purchase-sale-stock
// ledger (products.stock always equals the sum of its product's movements).
std::vector<db::Migration> ShopsService::migrations() const {
  return {
      {1, "merchants, catalogue, stock ledger, orders, coupons, reviews, group buys", R"SQL(
CREATE TABLE merchants (
  id {pk},
  community_id BIGINT NOT NULL,
  owner_id BIGINT NOT NULL,
  name VARCHAR(100) NOT NULL,
  category VARCHAR(50) NOT NULL,
  status VARCHAR(16) NOT NULL,
  rating_sum BIGINT NOT NULL DEFAULT 0,
  rating_count BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  approved_at BIGINT NULL,
  approved_by BIGINT NULL
){engine};
CREATE INDEX merchants_community ON merchants (community_id, status, id);

CREATE TABLE products (
  id {pk},
  community_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  name VARCHAR(100) NOT NULL,
  category VARCHAR(50) NOT NULL,
  price_cents BIGINT NOT NULL,
  stock BIGINT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
){engine};
CREATE INDEX products_merchant ON products (community_id, merchant_id, id);

CREATE TABLE stock_movements (
  id {pk},
  community_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  product_id BIGINT NOT NULL,
  delta BIGINT NOT NULL,
  reason VARCHAR(16) NOT NULL,
  order_id BIGINT NULL,
  actor BIGINT NOT NULL,
  stock_after BIGINT NOT NULL,
  at BIGINT NOT NULL
){engine};
CREATE INDEX stock_movements_product ON stock_movements (product_id, id);

CREATE TABLE orders (
  id {pk},
  community_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  buyer_id BIGINT NOT NULL,
  unit_id BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  fulfilment VARCHAR(16) NOT NULL,
  subtotal_cents BIGINT NOT NULL,
  discount_cents BIGINT NOT NULL,
  total_cents BIGINT NOT NULL,
  coupon_id BIGINT NULL,
  coupon_code VARCHAR(32) NULL,
  redemption_code VARCHAR(16) NULL,
  group_buy_id BIGINT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  accepted_at BIGINT NULL,
  ready_at BIGINT NULL,
  completed_at BIGINT NULL,
  cancelled_at BIGINT NULL,
  cancelled_by BIGINT NULL
){engine};
CREATE INDEX orders_merchant ON orders (community_id, merchant_id, status, id);
CREATE INDEX orders_buyer ON orders (buyer_id, id);
CREATE UNIQUE INDEX orders_redemption ON orders (redemption_code);

CREATE TABLE order_items (
  id {pk},
  community_id BIGINT NOT NULL,
  order_id BIGINT NOT NULL,
  product_id BIGINT NOT NULL,
  name VARCHAR(100) NOT NULL,
  category VARCHAR(50) NOT NULL,
  unit_price_cents BIGINT NOT NULL,
  quantity BIGINT NOT NULL,
  line_cents BIGINT NOT NULL
){engine};
CREATE INDEX order_items_order ON order_items (order_id);

CREATE TABLE coupons (
  id {pk},
  community_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  code VARCHAR(32) NOT NULL,
  percent_off BIGINT NULL,
  amount_off_cents BIGINT NULL,
  min_spend_cents BIGINT NOT NULL,
  max_redemptions BIGINT NOT NULL,
  redemptions BIGINT NOT NULL DEFAULT 0,
  expires_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL
){engine};
CREATE UNIQUE INDEX coupons_code ON coupons (merchant_id, code);

CREATE TABLE reviews (
  id {pk},
  community_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  order_id BIGINT NOT NULL,
  buyer_id BIGINT NOT NULL,
  rating INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL
){engine};
CREATE UNIQUE INDEX reviews_order ON reviews (order_id);
CREATE INDEX reviews_merchant ON reviews (community_id, merchant_id, id);

CREATE TABLE group_buys (
  id {pk},
  community_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  product_id BIGINT NOT NULL,
  unit_price_cents BIGINT NOT NULL,
  min_participants BIGINT NOT NULL,
  participants BIGINT NOT NULL DEFAULT 0,
  quantity BIGINT NOT NULL DEFAULT 0,
  closes_at BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  outcome VARCHAR(32) NULL,
  created_by BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  closed_at BIGINT NULL
){engine};
CREATE INDEX group_buys_due ON group_buys (status, closes_at);
CREATE INDEX group_buys_community ON group_buys (community_id, status, id);

CREATE TABLE group_buy_participants (
  id {pk},
  community_id BIGINT NOT NULL,
  group_buy_id BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  unit_id BIGINT NOT NULL,
  quantity BIGINT NOT NULL,
  amount_cents BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  order_id BIGINT NULL,
  created_at BIGINT NOT NULL
){engine};
CREATE UNIQUE INDEX group_buy_participants_one ON group_buy_participants (group_buy_id, account_id);
)SQL"},
      // Onboarding from outside: an application carries its business details; a manager
      // approves, rejects (with a reason) or suspends and reinstates. `pending` is 1 while the
      // application is open and NULL once decided, so the unique index allows one open
      // application per account and community (NULLs never collide); of several older open
      // applications of one account only the newest keeps the flag. merchant_settings holds the
      // community's choice to take applications from accounts that do not live there.
      {2, "merchant applications with business details, decisions, merchant settings", R"SQL(
ALTER TABLE merchants ADD COLUMN description TEXT NULL;
ALTER TABLE merchants ADD COLUMN contact_email VARCHAR(254) NULL;
ALTER TABLE merchants ADD COLUMN contact_phone VARCHAR(32) NULL;
ALTER TABLE merchants ADD COLUMN opening_hours TEXT NULL;
ALTER TABLE merchants ADD COLUMN service_area TEXT NULL;
ALTER TABLE merchants ADD COLUMN fulfilment VARCHAR(16) NOT NULL DEFAULT 'pickup delivery';
ALTER TABLE merchants ADD COLUMN pending INTEGER NULL;
ALTER TABLE merchants ADD COLUMN decided_at BIGINT NULL;
ALTER TABLE merchants ADD COLUMN decided_by BIGINT NULL;
ALTER TABLE merchants ADD COLUMN decision_reason VARCHAR(500) NULL;
UPDATE merchants SET pending = 1 WHERE id IN (SELECT newest FROM (SELECT MAX(id) AS newest FROM merchants WHERE status = 'pending' GROUP BY community_id, owner_id) open_applications);
CREATE UNIQUE INDEX merchants_one_pending ON merchants (community_id, owner_id, pending);
CREATE INDEX merchants_owner ON merchants (owner_id, id);
CREATE TABLE merchant_settings (
  community_id BIGINT NOT NULL PRIMARY KEY,
  applications_open INTEGER NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL,
  updated_by BIGINT NOT NULL
){engine};
)SQL"},
      // An order may be paid partly with points (members). total_cents stays the order's
      // price after discounts; points_cents is the part of it paid with points_spent points,
      // so the buyer's wallet is charged total_cents - points_cents. Settlement reimburses
      // points_cents to the merchant; a refund returns money and points in proportion.
      {3, "orders paid partly with points", R"SQL(
ALTER TABLE orders ADD COLUMN points_spent BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN points_cents BIGINT NOT NULL DEFAULT 0;
)SQL"},
      // A campaign's coupon (members, issue 12) is single-use and only its account may
      // redeem it; campaign_id lets members report the campaign's redemptions and revenue.
      {30, "coupons for one account, issued by a campaign", R"SQL(
ALTER TABLE coupons ADD COLUMN account_id BIGINT NULL;
ALTER TABLE coupons ADD COLUMN campaign_id BIGINT NULL;
CREATE INDEX coupons_campaign ON coupons (campaign_id);
)SQL"},
      // The buyer's loyalty tier discount (members tiers' discount_pct), applied after the
      // coupon: tier_discount_cents is part of discount_cents, kept apart so the order shows it.
      {10, "orders record the buyer's tier discount", R"SQL(
ALTER TABLE orders ADD COLUMN tier_discount_pct INT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN tier_discount_cents BIGINT NOT NULL DEFAULT 0;
)SQL"},
      // Product search (search_text.hpp): one row per (active product, token) with the token's
      // weight, the product's category and merchant, written in the transaction that creates
      // or changes the product; the covering index answers a query without reading products.
      // product_search_state says which tokenizer version indexed a product (the
      // shops.index_products job indexes products it has not seen). product_searches is the
      // query log for demand analysis: what was searched, never who searched.
      {50, "product search index and query log", R"SQL(
CREATE TABLE product_search_tokens (
  id {pk},
  community_id BIGINT NOT NULL,
  token VARCHAR(64) NOT NULL,
  category VARCHAR(50) NOT NULL,
  merchant_id BIGINT NOT NULL,
  product_id BIGINT NOT NULL,
  weight INTEGER NOT NULL
){engine};
CREATE INDEX product_search_tokens_lookup ON product_search_tokens (community_id, token, product_id, category, merchant_id, weight);
CREATE INDEX product_search_tokens_product ON product_search_tokens (product_id);
CREATE TABLE product_search_state (
  product_id BIGINT NOT NULL PRIMARY KEY,
  community_id BIGINT NOT NULL,
  version INTEGER NOT NULL
){engine};
CREATE TABLE product_searches (
  id {pk},
  community_id BIGINT NOT NULL,
  query VARCHAR(200) NOT NULL,
  category VARCHAR(50) NOT NULL,
  top_category VARCHAR(50) NOT NULL,
  results BIGINT NOT NULL,
  full_matches BIGINT NOT NULL,
  at BIGINT NOT NULL
){engine};
CREATE INDEX product_searches_community ON product_searches (community_id, at);
)SQL"},
      // C2B wishes: a resident's wish, joined once per resident (the unique key decides under
      // concurrency, `joiners` moves in the same transaction), answered by a merchant of the
      // category with a group buy.
      {51, "wishes and their joiners", R"SQL(
CREATE TABLE wishes (
  id {pk},
  community_id BIGINT NOT NULL,
  author_id BIGINT NOT NULL,
  title VARCHAR(200) NOT NULL,
  category VARCHAR(50) NOT NULL,
  details TEXT NULL,
  status VARCHAR(16) NOT NULL,
  joiners BIGINT NOT NULL DEFAULT 0,
  merchant_id BIGINT NULL,
  group_buy_id BIGINT NULL,
  answered_at BIGINT NULL,
  created_at BIGINT NOT NULL
){engine};
CREATE INDEX wishes_community ON wishes (community_id, status, id);
CREATE INDEX wishes_category ON wishes (community_id, category, id);
CREATE TABLE wish_joiners (
  id {pk},
  community_id BIGINT NOT NULL,
  wish_id BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  created_at BIGINT NOT NULL
){engine};
CREATE UNIQUE INDEX wish_joiners_one ON wish_joiners (wish_id, account_id);
)SQL"},
      // After-sales refunds (refund_routes.cpp). order_items.refunded_quantity only grows, by
      // a conditional update that never passes the line's quantity: the one guard against
      // refunding an item twice, however many requests race. A refund row is the record of
      // every refund of an order, a failed delivery's included (source 'delivery_failed'), so
      // statements see them all; refund_items says which goods and whether they come back.
      {20, "after-sales refunds: requests, items, disputes, the refund window", R"SQL(
ALTER TABLE order_items ADD COLUMN refunded_quantity BIGINT NOT NULL DEFAULT 0;
CREATE TABLE refunds (
  id {pk},
  community_id BIGINT NOT NULL,
  order_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  buyer_id BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  source VARCHAR(16) NOT NULL,
  reason VARCHAR(1000) NOT NULL,
  goods_cents BIGINT NOT NULL,
  amount_cents BIGINT NOT NULL DEFAULT 0,
  points BIGINT NOT NULL DEFAULT 0,
  points_cents BIGINT NOT NULL DEFAULT 0,
  decision_reason VARCHAR(1000) NULL,
  decided_by BIGINT NULL,
  decided_at BIGINT NULL,
  dispute_reason VARCHAR(1000) NULL,
  disputed_at BIGINT NULL,
  arbitration_reason VARCHAR(1000) NULL,
  arbitrated_by BIGINT NULL,
  arbitrated_at BIGINT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  completed_at BIGINT NULL
){engine};
CREATE INDEX refunds_order ON refunds (order_id, id);
CREATE INDEX refunds_merchant ON refunds (community_id, merchant_id, status, id);
CREATE INDEX refunds_community ON refunds (community_id, status, id);
CREATE TABLE refund_items (
  id {pk},
  community_id BIGINT NOT NULL,
  refund_id BIGINT NOT NULL,
  product_id BIGINT NOT NULL,
  quantity BIGINT NOT NULL,
  returned INTEGER NOT NULL,
  line_cents BIGINT NOT NULL
){engine};
CREATE INDEX refund_items_refund ON refund_items (refund_id);
CREATE TABLE refund_settings (
  community_id BIGINT NOT NULL PRIMARY KEY,
  window_days BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by BIGINT NOT NULL
){engine};
)SQL"},
      // Group buy -> batched delivery (issue 14): each participant picks up or has it delivered.
      {70, "group-buy participants choose their fulfilment", R"SQL(
ALTER TABLE group_buy_participants ADD COLUMN fulfilment VARCHAR(16) NOT NULL DEFAULT 'pickup';
)SQL"},
      // Account erasure: a review stays (its order, rating and text), its author shows as a
      // former resident.
      {80, "reviews by erased accounts", R"SQL(
ALTER TABLE reviews ADD COLUMN author_erased INTEGER NOT NULL DEFAULT 0;
)SQL"},
      // The purchase-sale-stock report (analytics) sums a merchant's movements of a period
      // per product: by product and time, not by product and id.
      {60, "stock movements by product and time", R"SQL(
CREATE INDEX stock_movements_product_at ON stock_movements (product_id, at);
)SQL"},
      // Trust between neighbours. A review keeps the weight it was posted with (thousandths:
      // verified purchase x the reviewer's tenure, logic::review_weight) and the merchant the
      // weighted sums its rating is read from; reviews from before weigh 1000 each. A resident
      // has one referral code per community; an order placed with one remembers its referrer
      // (one row per order), which members reads when the order completes.
      {40, "review weights, weighted merchant ratings, referral codes, order referrals", R"SQL(
ALTER TABLE reviews ADD COLUMN weight BIGINT NOT NULL DEFAULT 1000;
ALTER TABLE merchants ADD COLUMN rating_weighted_sum BIGINT NOT NULL DEFAULT 0;
ALTER TABLE merchants ADD COLUMN rating_weight BIGINT NOT NULL DEFAULT 0;
UPDATE merchants SET rating_weighted_sum = rating_sum * 1000, rating_weight = rating_count * 1000;
CREATE TABLE referral_codes (
  id {pk},
  community_id BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  code VARCHAR(16) NOT NULL,
  created_at BIGINT NOT NULL
){engine};
CREATE UNIQUE INDEX referral_codes_owner ON referral_codes (community_id, account_id);
CREATE UNIQUE INDEX referral_codes_code ON referral_codes (code);
CREATE TABLE order_referrals (
  order_id BIGINT NOT NULL PRIMARY KEY,
  community_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  buyer_id BIGINT NOT NULL,
  referrer_id BIGINT NOT NULL,
  code VARCHAR(16) NOT NULL,
  created_at BIGINT NOT NULL
){engine};
CREATE INDEX order_referrals_referrer ON order_referrals (community_id, referrer_id, order_id);
CREATE INDEX products_new ON products (community_id, merchant_id, created_at);
)SQL"},
      // The purchase-sale-stock report reads every movement of a merchant's products since
      // the period's start; with reason and delta in the index it never reads the rows.
      {110, "stock movements by product and time, covering", R"SQL(
CREATE INDEX stock_movements_product_cover ON stock_movements (product_id, at, reason, delta);
)SQL"},
      // The analytics backfill pages through a community's orders and reviews by id
      // (order_facts_after, review_facts_after). Without these SQLite answered each page from
      // (community, merchant, status, id), sorting the whole community's orders per page:
      // quadratic in the orders (a 1,000,000-order backfill ran at ~350 orders/s).
      {111, "orders and reviews by community and id", R"SQL(
CREATE INDEX orders_community ON orders (community_id, id);
CREATE INDEX reviews_community ON reviews (community_id, id);
)SQL"},
      // stock_movements_product_cover (110) begins with (product_id, at): this one only cost
      // every movement (one an order) another index entry.
      {112, "drop the stock movements index the covering one begins with", R"SQL(
DROP INDEX stock_movements_product_at ON stock_movements;
)SQL"},
  };
}

}  // namespace courtyard::shops
