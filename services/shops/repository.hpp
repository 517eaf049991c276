#pragma once
// SOCI access for the shops tables. Bound parameters only; every tenant query filters by
// community_id. Stock, coupon redemptions, group-buy slots and order states change with
// conditional updates whose affected-row count is the answer.
#include "db/tx.hpp"
#include "http/json.hpp"
#include "services/shops/api.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace courtyard::shops::repo {

// List functions take a json::Page: rows with id < page.after (newest first), at most
// page.fetch() of them, for json::page_of_rows to tell whether another page follows.

struct Merchant {
  std::int64_t id = 0, community_id = 0, owner_id = 0;
  std::string name, category, status;
  std::int64_t rating_sum = 0, rating_count = 0, created_at = 0;
  std::optional<std::int64_t> approved_at;
  // The application's business details (onboarding.hpp: Application).
  std::string description;
  std::optional<std::string> contact_email, contact_phone;
  std::string opening_hours;     // canonical JSON, "" = not stated
  std::string service_area;      // JSON array of building ids, "" = the whole community
  std::string fulfilment;        // "pickup delivery", "pickup" or "delivery"
  std::optional<std::string> decision_reason;  // of a rejection or suspension
  std::optional<std::int64_t> decided_at;
  // Trust-weighted rating sums (logic::review_weight): sum(weight x rating), sum(weight).
  std::int64_t rating_weighted_sum = 0, rating_weight = 0;
};

struct Product {
  std::int64_t id = 0, community_id = 0, merchant_id = 0;
  std::string name, category;
  std::int64_t price_cents = 0, stock = 0;
  bool active = true;
  std::int64_t created_at = 0, updated_at = 0;
};

struct Movement {
  std::int64_t id = 0, community_id = 0, merchant_id = 0, product_id = 0, delta = 0;
  std::string reason;
  std::optional<std::int64_t> order_id;
  std::int64_t actor = 0, stock_after = 0, at = 0;
};

struct OrderItem {
  std::int64_t product_id = 0;
  std::string name, category;
  std::int64_t unit_price_cents = 0, quantity = 0, line_cents = 0;
};

struct Order {
  std::int64_t id = 0, community_id = 0, merchant_id = 0, buyer_id = 0, unit_id = 0;
  std::string status, fulfilment;
  std::int64_t subtotal_cents = 0, discount_cents = 0, total_cents = 0;
  // Paid with points (migration 3): points_cents of total_cents, with points_spent points;
  // the wallet paid total_cents - points_cents.
  std::int64_t points_spent = 0, points_cents = 0;
  // The buyer's tier discount (migration 10): part of discount_cents.
  std::int64_t tier_discount_pct = 0, tier_discount_cents = 0;
  std::optional<std::int64_t> coupon_id;
  std::optional<std::string> coupon_code, redemption_code;
  std::optional<std::int64_t> group_buy_id;
  std::int64_t created_at = 0, updated_at = 0;
  std::optional<std::int64_t> accepted_at, ready_at, completed_at, cancelled_at, cancelled_by;
  std::vector<OrderItem> items;
};

struct Coupon {
  std::int64_t id = 0, community_id = 0, merchant_id = 0;
  std::string code;
  std::optional<std::int64_t> percent_off, amount_off_cents;
  std::int64_t min_spend_cents = 0, max_redemptions = 0, redemptions = 0, expires_at = 0, created_at = 0;
};

struct Review {
  std::int64_t id = 0, community_id = 0, merchant_id = 0, order_id = 0, buyer_id = 0, rating = 0;
  std::string body;
  std::int64_t created_at = 0;
  bool author_erased = false;  // the buyer erased their account: shown as a former resident
  std::int64_t weight = 1000;  // logic::review_weight, fixed when posted
};

struct GroupBuy {
  std::int64_t id = 0, community_id = 0, merchant_id = 0, product_id = 0, unit_price_cents = 0;
  std::int64_t min_participants = 0, participants = 0, quantity = 0, closes_at = 0;
  std::string status;
  std::optional<std::string> outcome;
  std::int64_t created_by = 0, created_at = 0;
  std::optional<std::int64_t> closed_at;
};

struct Participant {
  std::int64_t id = 0, community_id = 0, group_buy_id = 0, account_id = 0, unit_id = 0, quantity = 0, amount_cents = 0;
  std::string status;
  std::optional<std::int64_t> order_id;
  std::int64_t created_at = 0;
  std::string fulfilment = "pickup";  // how the order it becomes is fulfilled
};

// ---- merchants
// A pending application (m's community, owner and details). Throws the storage's unique
// violation when the owner already has a pending application in the community.
std::int64_t insert_merchant(db::Tx& tx, Merchant const& m);
std::optional<Merchant> find_merchant(db::Tx& tx, std::int64_t cid, std::int64_t mid);
// pending -> approved; false when the merchant is not pending (or unknown).
bool approve_merchant(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::int64_t by);
// status/category empty = any.
std::vector<Merchant> list_merchants(db::Tx& tx, std::int64_t cid, std::string const& status,
                                     std::string const& category, json::Page const& page);
// One more review of `rating` with `weight` (thousandths) in the merchant's sums.
void add_rating(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::int64_t rating, std::int64_t weight);
// A manager's decision: status from -> to with its reason (none clears it); false when the
// merchant is no longer in `from`.
bool decide_merchant(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::string const& from, std::string const& to,
                     std::optional<std::string> const& reason, std::int64_t by);
// The account's applications and merchants in every community (newest first).
std::vector<Merchant> merchants_of_owner(db::Tx& tx, std::int64_t owner_id, json::Page const& page);
// The community's merchant settings: whether accounts from outside may apply (nullopt when
// never set: closed).
std::optional<bool> applications_open(db::Tx& tx, std::int64_t cid);
void set_applications_open(db::Tx& tx, std::int64_t cid, bool open, std::int64_t by);

// ---- catalogue and the stock ledger
std::int64_t insert_product(db::Tx& tx, Product const& p);
std::optional<Product> find_product(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::int64_t pid);
// The merchant's products among `pids` (those that exist), in id order.
std::vector<Product> find_products(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::vector<std::int64_t> const& pids);
struct CatalogueProduct {
  std::string merchant_status;
  std::optional<Product> product;
};
// The merchant of the community with the product, if the merchant sells it; nullopt when the
// community has no such merchant.
std::optional<CatalogueProduct> find_catalogue_product(db::Tx& tx, std::int64_t cid, std::int64_t mid,
                                                       std::int64_t pid);
struct CatalogueProducts {
  std::string merchant_status;
  std::vector<Product> products;  // LIMIT page.fetch(), newest first
};
// The merchant of the community with a page of its products; nullopt when the community has no
// such merchant.
std::optional<CatalogueProducts> list_catalogue_products(db::Tx& tx, std::int64_t cid, std::int64_t mid,
                                                         std::string const& category, bool include_inactive,
                                                         json::Page const& page);
void update_product(db::Tx& tx, Product const& p);
// stock = stock + delta unless that would go below zero; false when refused.
bool change_stock(db::Tx& tx, std::int64_t cid, std::int64_t pid, std::int64_t delta);
std::int64_t stock_of(db::Tx& tx, std::int64_t pid);
// Appends a movement (stock_after read from the product row just changed, in the same statement).
std::int64_t insert_movement(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::int64_t pid, std::int64_t delta,
                             std::string const& reason, std::optional<std::int64_t> order_id, std::int64_t actor);
std::vector<Movement> list_movements(db::Tx& tx, std::int64_t cid, std::int64_t pid, json::Page const& page);
std::int64_t movement_sum(db::Tx& tx, std::int64_t cid, std::int64_t pid);

// ---- orders
std::int64_t insert_order(db::Tx& tx, Order const& o);  // with its items
// Many orders and their items in two statements (the rows insert_order writes); sets each
// order's id. Checkout batches (checkout_batch.cpp).
void insert_orders(db::Tx& tx, std::vector<Order>& orders);
// Many stock movements in one statement, each with its own stock_after (the caller knows the
// running stock: it holds the product rows).
void insert_movements(db::Tx& tx, std::vector<Movement> const& movements);
// Records what points paid of the order (checkout, after the points were debited).
void set_order_points(db::Tx& tx, std::int64_t cid, std::int64_t oid, std::int64_t points, std::int64_t cents);
std::optional<Order> find_order(db::Tx& tx, std::int64_t cid, std::int64_t oid);
std::optional<Order> find_order_by_code(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::string const& code);
// status from -> to, stamping the matching *_at column; false when the order is no longer in `from`.
bool set_order_status(db::Tx& tx, std::int64_t cid, std::int64_t oid, std::string const& from, std::string const& to,
                      std::optional<std::int64_t> cancelled_by = std::nullopt);
// The order's status as last committed (a locking read on MySQL), "" when unknown.
std::string current_order_status(db::Tx& tx, std::int64_t cid, std::int64_t oid);
std::vector<Order> orders_of_buyer(db::Tx& tx, std::int64_t buyer_id, std::string const& status, json::Page const& page);
std::vector<Order> orders_of_merchant(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::string const& status,
                                      json::Page const& page);
// Orders of a merchant created in [from, to) with their items (figures).
std::vector<Order> orders_between(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::int64_t from,
                                  std::int64_t to);

// ---- coupons
std::int64_t insert_coupon(db::Tx& tx, Coupon const& c);
std::optional<Coupon> find_coupon(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::string const& code);
std::vector<Coupon> list_coupons(db::Tx& tx, std::int64_t cid, std::int64_t mid, json::Page const& page);
// redemptions + 1 while below max_redemptions; false when exhausted.
bool redeem_coupon(db::Tx& tx, std::int64_t coupon_id);
void release_coupon(db::Tx& tx, std::int64_t coupon_id);
// False when the coupon belongs to another account (a campaign's per-member coupon).
bool coupon_usable_by(db::Tx& tx, std::int64_t coupon_id, std::int64_t account_id);
// A campaign's per-member coupon: single use, redeemable by `account_id` only.
std::int64_t insert_account_coupon(db::Tx& tx, Coupon const& c, std::int64_t account_id, std::int64_t campaign_id);
// Orders (not cancelled) that used one of the campaign's coupons: how many, and their total.
std::pair<std::int64_t, std::int64_t> campaign_coupon_orders(db::Tx& tx, std::int64_t cid, std::int64_t campaign_id);
// The campaign's coupon of one account and the order (not cancelled) that used it.
std::optional<AccountCoupon> campaign_coupon_of(db::Tx& tx, std::int64_t cid, std::int64_t campaign_id,
                                                std::int64_t account_id);
// The order's spend per product category (its lines, before any discount).
std::vector<std::pair<std::string, std::int64_t>> order_category_cents(db::Tx& tx, std::int64_t cid,
                                                                       std::int64_t order_id);

// ---- reviews
std::int64_t insert_review(db::Tx& tx, Review const& r);  // throws on a second review of an order
std::optional<Review> find_review_of_order(db::Tx& tx, std::int64_t cid, std::int64_t oid);
std::vector<Review> list_reviews(db::Tx& tx, std::int64_t cid, std::int64_t mid, json::Page const& page);

// ---- referrals
struct ReferralCode {
  std::int64_t id = 0, community_id = 0, account_id = 0;
  std::string code;
  std::int64_t created_at = 0;
};
std::optional<ReferralCode> referral_code_of(db::Tx& tx, std::int64_t cid, std::int64_t account_id);
std::optional<ReferralCode> find_referral_code(db::Tx& tx, std::int64_t cid, std::string const& code);
// Inserts the account's code unless it has one (or the code is taken); false when nothing was inserted.
bool insert_referral_code(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::string const& code);
struct OrderReferral {
  std::int64_t order_id = 0, community_id = 0, merchant_id = 0, buyer_id = 0, referrer_id = 0;
  std::string code;
};
void insert_order_referral(db::Tx& tx, OrderReferral const& r);
std::optional<OrderReferral> order_referral(db::Tx& tx, std::int64_t cid, std::int64_t oid);

// ---- reads for recommendations (api.hpp)
// The distinct products of the order, ascending.
std::vector<std::int64_t> order_product_ids(db::Tx& tx, std::int64_t cid, std::int64_t oid);
// Of `ids`, the active products of approved merchants of the community.
std::vector<Product> products_for_sale(db::Tx& tx, std::int64_t cid, std::vector<std::int64_t> const& ids);
// Active products of these (approved) merchants created at or after `since`, newest first.
std::vector<Product> new_products(db::Tx& tx, std::int64_t cid, std::vector<std::int64_t> const& merchant_ids,
                                  std::int64_t since, std::int64_t limit);

// ---- group buys
std::int64_t insert_group_buy(db::Tx& tx, GroupBuy const& g);
std::optional<GroupBuy> find_group_buy(db::Tx& tx, std::int64_t cid, std::int64_t gid);
std::vector<GroupBuy> list_group_buys(db::Tx& tx, std::int64_t cid, std::string const& status, json::Page const& page);
// One more participant while open and before closes_at; false otherwise.
bool take_group_buy_slot(db::Tx& tx, std::int64_t cid, std::int64_t gid, std::int64_t quantity, std::int64_t now);
std::int64_t insert_participant(db::Tx& tx, Participant const& p);  // throws on a second join
std::optional<Participant> find_participant(db::Tx& tx, std::int64_t cid, std::int64_t gid, std::int64_t account_id);
// Open group buys whose closes_at has passed (any community): {id, community_id}.
std::vector<std::pair<std::int64_t, std::int64_t>> due_group_buys(db::Tx& tx, std::int64_t now, std::int64_t limit);
// open -> closing: the claim that lets exactly one closer process a group buy.
bool claim_group_buy(db::Tx& tx, std::int64_t gid);
// Participants, locked against concurrent joins (FOR UPDATE on MySQL).
std::vector<Participant> participants_for_close(db::Tx& tx, std::int64_t cid, std::int64_t gid);
void settle_participant(db::Tx& tx, std::int64_t participant_id, std::string const& status,
                        std::optional<std::int64_t> order_id);
void close_group_buy(db::Tx& tx, std::int64_t gid, std::string const& outcome);


// ---- after-sales refunds
struct RefundItem {
  std::int64_t product_id = 0, quantity = 0;
  bool returned = false;
  std::int64_t line_cents = 0;  // unit price x quantity
};

struct Refund {
  std::int64_t id = 0, community_id = 0, order_id = 0, merchant_id = 0, buyer_id = 0;
  std::string status, source, reason;
  std::int64_t goods_cents = 0, amount_cents = 0, points = 0, points_cents = 0;
  std::optional<std::string> decision_reason, dispute_reason, arbitration_reason;
  std::optional<std::int64_t> decided_by, decided_at, disputed_at, arbitrated_by, arbitrated_at, completed_at;
  std::int64_t created_at = 0, updated_at = 0;
  std::vector<RefundItem> items;
};

// What the order's buyer paid with points (orders.points_spent, orders.points_cents).
struct OrderPoints {
  std::int64_t points_spent = 0, points_cents = 0;
};
OrderPoints order_points(db::Tx& tx, std::int64_t cid, std::int64_t oid);
// product id -> quantity of the order's line refunded so far.
std::vector<std::pair<std::int64_t, std::int64_t>> refunded_quantities(db::Tx& tx, std::int64_t cid,
                                                                      std::int64_t oid);
// refunded_quantity + q on the order's line of `pid`, unless that passes the line's quantity;
// false when refused.
bool take_refund_quantity(db::Tx& tx, std::int64_t cid, std::int64_t oid, std::int64_t pid, std::int64_t q);
// List value (unit price x refunded quantity) of the order's goods refunded so far.
std::int64_t refunded_goods_cents(db::Tx& tx, std::int64_t cid, std::int64_t oid);

std::int64_t insert_refund(db::Tx& tx, Refund const& r);  // with its items
std::optional<Refund> find_refund(db::Tx& tx, std::int64_t cid, std::int64_t rid);
std::vector<Refund> refunds_of_order(db::Tx& tx, std::int64_t cid, std::int64_t oid, json::Page const& page);
std::vector<Refund> refunds_of_merchant(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::string const& status,
                                        json::Page const& page);
std::vector<Refund> refunds_of_community(db::Tx& tx, std::int64_t cid, std::string const& status,
                                         json::Page const& page);
std::vector<Refund> refunds_of_buyer(db::Tx& tx, std::int64_t buyer_id, json::Page const& page);
// A decision: status from -> to, with its reason and who took it (the column set depends on
// the step: decided_*, disputed_*, arbitrated_*). False when the refund left `from` meanwhile.
enum class RefundStep { Decision, Dispute, Arbitration };
bool move_refund(db::Tx& tx, std::int64_t cid, std::int64_t rid, std::string const& from, std::string const& to,
                 RefundStep step, std::string const& reason, std::int64_t by);
// The amounts a completed refund moved, and when.
void set_refund_amounts(db::Tx& tx, std::int64_t rid, std::int64_t amount_cents, std::int64_t points,
                        std::int64_t points_cents);
// The community's refund window in days (nullopt when never set: the default).
std::optional<std::int64_t> refund_window_days(db::Tx& tx, std::int64_t cid);
void set_refund_window_days(db::Tx& tx, std::int64_t cid, std::int64_t days, std::int64_t by);
// ---- facts for analytics (api.hpp)
std::optional<OrderFacts> order_facts(db::Tx& tx, std::int64_t cid, std::int64_t oid);
std::vector<OrderFacts> order_facts_after(db::Tx& tx, std::int64_t cid, std::int64_t after_id, std::int64_t limit);
// The ones of `ids` in the community, in id order.
std::vector<OrderFacts> order_facts_in(db::Tx& tx, std::int64_t cid, std::vector<std::int64_t> const& ids);
std::vector<ReviewFacts> review_facts_after(db::Tx& tx, std::int64_t cid, std::int64_t after_id, std::int64_t limit);
std::vector<GroupBuyFacts> closed_group_buys(db::Tx& tx, std::int64_t cid, std::int64_t after_id, std::int64_t only_id,
                                             std::int64_t limit);
std::vector<StockPeriod> stock_period(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::int64_t from,
                                      std::int64_t to, std::int64_t after_id, std::int64_t limit);
std::optional<ProductStock> product_stock(db::Tx& tx, std::int64_t cid, std::int64_t pid);
std::vector<ProductStock> active_products(db::Tx& tx, std::int64_t cid, std::int64_t mid);
std::vector<std::pair<std::int64_t, std::int64_t>> units_sold(db::Tx& tx, std::int64_t cid, std::int64_t mid,
                                                              std::int64_t from, std::int64_t to);
std::vector<std::pair<std::int64_t, std::string>> merchant_names(db::Tx& tx, std::int64_t cid);

}  // namespace courtyard::shops::repo
