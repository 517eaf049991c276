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
  };
}

}  // namespace courtyard::shops
