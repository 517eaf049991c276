#pragma once
// Pure rules of the neighbourhood shops: the order state machine, pricing with coupons,
// stock-movement reasons, group-buy outcomes and merchant figures. No SOCI, no Beast.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace courtyard::shops::logic {

// ---- merchants
enum class MerchantStatus { Pending, Approved };
std::string_view to_string(MerchantStatus s);
std::optional<MerchantStatus> parse_merchant_status(std::string_view s);

// ---- orders
enum class OrderStatus { Placed, Accepted, Ready, Completed, Cancelled };
std::string_view to_string(OrderStatus s);
std::optional<OrderStatus> parse_order_status(std::string_view s);

enum class Fulfilment { Pickup, Delivery };
std::string_view to_string(Fulfilment f);
std::optional<Fulfilment> parse_fulfilment(std::string_view s);

enum class OrderVerb { Accept, Ready, Redeem, Deliver, Cancel };
enum class Actor { Merchant, Buyer, System };

// placed -> accepted -> ready -> completed. The merchant cancels from placed/accepted/ready,
// the buyer only while placed, the system (a delivery that failed for good) a ready delivery
// order. A pickup order completes when its code is redeemed (ready or
// accepted); a delivery order when the delivery service reports it delivered (ready).
// Returns the next state, or nullopt when `who` may not do `verb` in state `from`.
std::optional<OrderStatus> transition(OrderStatus from, OrderVerb verb, Actor who, Fulfilment f);

// ---- pricing
struct Line {
  std::int64_t product_id = 0;
  std::int64_t unit_price_cents = 0;
  std::int64_t quantity = 0;
};

struct CouponTerms {
  std::optional<std::int64_t> percent_off;       // 1..100
  std::optional<std::int64_t> amount_off_cents;  // > 0
  std::int64_t min_spend_cents = 0;
  std::int64_t max_redemptions = 0;
  std::int64_t redemptions = 0;
  std::int64_t expires_at = 0;  // epoch ms; the coupon is valid strictly before it
};

enum class CouponProblem { None, Expired, BelowMinSpend, Exhausted };
// Why the coupon cannot apply to an order with this subtotal at `now` (expiry first, then
// minimum spend, then redemptions left).
CouponProblem coupon_problem(CouponTerms const& c, std::int64_t subtotal_cents, std::int64_t now_ms);

struct Totals {
  std::int64_t subtotal_cents = 0;
  std::int64_t discount_cents = 0;
  std::int64_t total_cents = 0;
};

std::int64_t line_total(Line const& l);
std::int64_t subtotal(std::vector<Line> const& lines);
// Percent discounts round half up to the cent; the discount never exceeds the subtotal.
std::int64_t discount(std::int64_t subtotal_cents, CouponTerms const& c);
Totals price(std::vector<Line> const& lines, std::optional<CouponTerms> const& coupon);
// The buyer's tier discount on a price (after the coupon): percent, rounded down to the cent.
std::int64_t tier_discount(std::int64_t price_cents, std::int64_t discount_pct);

// Upper bounds that keep every product of price x quantity far from overflow.
constexpr std::int64_t kMaxPriceCents = 100'000'000;  // 1,000,000.00
constexpr std::int64_t kMaxQuantity = 1000;
constexpr std::size_t kMaxOrderLines = 50;
constexpr std::int64_t kMaxStock = 1'000'000;

// Merges repeated product ids (quantities add up), keeping first-seen order.
std::vector<Line> merge_lines(std::vector<Line> const& lines);

// ---- coupons
// Normalised coupon code (upper case; 3-32 of A-Z 0-9 - _), or nullopt when invalid.
std::optional<std::string> normalize_coupon_code(std::string_view code);
// Problem with a coupon definition, or nullopt. Exactly one of percent/amount.
std::optional<std::pair<std::string, std::string>> coupon_definition_problem(CouponTerms const& c, std::int64_t now_ms);

// ---- pickup redemption codes
constexpr std::size_t kRedemptionCodeLength = 12;
constexpr std::string_view kRedemptionAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";  // 32: no 0/O, 1/I
// Upper-cases and drops spaces and dashes, so "abcd-efgh-jkmn" matches.
std::string normalize_redemption_code(std::string_view code);
// Formats random bytes as a code (one alphabet letter per byte, 5 bits of each).
std::string redemption_code_from(std::vector<unsigned char> const& random_bytes);

// ---- stock
enum class StockReason { Purchase, Sale, Adjustment, Return, Cancel };
std::string_view to_string(StockReason r);
std::optional<StockReason> parse_stock_reason(std::string_view s);
// A manual movement (POST .../stock): purchase and return add stock, adjustment may go
// either way; sale/cancel are written by orders only. Returns why it is invalid.
std::optional<std::string> manual_movement_problem(std::optional<StockReason> reason, std::int64_t delta);

// ---- reviews
std::optional<std::string> rating_problem(std::int64_t rating);
// Average rating with two decimals, nullopt when there are no reviews.
std::optional<double> rating_average(std::int64_t sum, std::int64_t count);

// Trust-weighted ratings (ARCHITECTURE.md "Trust between neighbours"). A review's weight in
// thousandths, fixed when it is posted: 1000 x purchase% x tenure% / 10000, where purchase%
// is 100 for a verified purchase (a review of the reviewer's own completed order) and 50
// otherwise, and tenure% is 60 for a resident under 6 months, 80 from 6 months, 100 from 1
// year, 110 from 2 years, 120 from 5 years, and 40 for a reviewer who is no verified
// resident. The rating shown is sum(weight x rating) / sum(weight).
struct ReviewerStanding {
  bool verified_purchase = true;
  bool verified_resident = false;
  std::int64_t tenure_days = 0;
};
int tenure_pct(ReviewerStanding const& s);
std::int64_t review_weight(ReviewerStanding const& s);

// ---- referral codes (a resident shares a product or group buy; a neighbour orders with it)
constexpr std::size_t kReferralCodeLength = 10;
// Upper-cased, spaces and dashes dropped; nullopt unless kReferralCodeLength characters of
// the redemption alphabet.
std::optional<std::string> normalize_referral_code(std::string_view code);

// ---- group buys
enum class GroupBuyStatus { Open, Closing, Closed };
std::string_view to_string(GroupBuyStatus s);
std::optional<GroupBuyStatus> parse_group_buy_status(std::string_view s);

enum class GroupBuyOutcome { Reached, NotEnoughParticipants, StockShort };
std::string_view to_string(GroupBuyOutcome o);
// At close: enough participants and the stock for all of them -> orders; otherwise refunds.
GroupBuyOutcome group_buy_outcome(std::int64_t participants, std::int64_t min_participants, bool stock_taken);

// ---- merchant figures
struct OrderFact {
  std::int64_t order_id = 0;
  std::int64_t buyer_id = 0;
  std::int64_t created_at = 0;
  OrderStatus status = OrderStatus::Placed;
  std::int64_t total_cents = 0;
  std::int64_t units = 0;
};
struct ItemFact {
  std::string category;
  std::int64_t quantity = 0;
  std::int64_t line_cents = 0;
  OrderStatus status = OrderStatus::Placed;  // of its order
};
struct DayFigures {
  std::string date;  // YYYY-MM-DD (UTC)
  std::int64_t orders = 0;
  std::int64_t units = 0;
  std::int64_t sales_cents = 0;
};
struct CategoryFigures {
  std::string category;
  std::int64_t units = 0;
  std::int64_t sales_cents = 0;
};
struct Figures {
  std::vector<DayFigures> by_day;             // ascending, days with sales only
  std::vector<CategoryFigures> by_category;   // by sales descending, then name
  std::map<std::string, std::int64_t> orders_by_status;  // every status, 0 included
  std::int64_t buyers = 0;
  std::int64_t repeat_buyers = 0;
  double repeat_buyer_rate = 0.0;  // repeat_buyers / buyers, 0 when no buyers
};
// Sales count orders that were not cancelled: by day they are what buyers paid (after
// discounts), by category the line totals before order-level discounts.
Figures figures(std::vector<OrderFact> const& orders, std::vector<ItemFact> const& items);

// "YYYY-MM-DD" (UTC) of an epoch-ms instant, and back (start of that day); nullopt when not a date.
std::string utc_date(std::int64_t epoch_ms);
std::optional<std::int64_t> parse_date(std::string_view s);
constexpr std::int64_t kDayMs = 86'400'000;


// ---- after-sales refunds (refund_routes.cpp)
// requested -> completed (the merchant accepts: the money, points and returned stock move in
// that transaction) or declined; declined -> disputed (the buyer); disputed -> completed or
// rejected (the manager arbitrates). A failed delivery's refund is recorded completed at once.
enum class RefundStatus { Requested, Declined, Disputed, Completed, Rejected };
std::string_view to_string(RefundStatus s);
std::optional<RefundStatus> parse_refund_status(std::string_view s);
enum class RefundVerb { Accept, Decline, Dispute, Uphold, Overrule };  // Uphold: arbitration accepts
enum class RefundActor { Buyer, Merchant, Manager };
// The next state, or nullopt when `who` may not do `verb` in state `from`.
std::optional<RefundStatus> refund_transition(RefundStatus from, RefundVerb verb, RefundActor who);

constexpr std::int64_t kDefaultRefundWindowDays = 7;
constexpr std::int64_t kMaxRefundWindowDays = 365;
// A completed order may be refunded until `window_days` days after it completed.
bool within_refund_window(std::int64_t completed_at_ms, std::int64_t now_ms, std::int64_t window_days);

// What one refund returns, given the list value (unit price x quantity) of the order's goods
// refunded before it and with it (cumulative, so partial refunds never add up to more than
// was paid and a whole refund returns exactly what was paid): money in proportion to what was
// paid in money (total - points_cents), points as floor(points_spent x share) and the cents
// those points stood for, each as the cumulative amount after minus before.
struct OrderPayment {
  std::int64_t subtotal_cents = 0;  // list value of all goods
  std::int64_t total_cents = 0;     // after discounts
  std::int64_t points_spent = 0;
  std::int64_t points_cents = 0;    // part of total_cents paid with points
};
struct RefundShare {
  std::int64_t money_cents = 0;
  std::int64_t points = 0;
  std::int64_t points_cents = 0;
};
RefundShare refund_share(OrderPayment const& p, std::int64_t goods_before_cents, std::int64_t goods_after_cents);

}  // namespace courtyard::shops::logic
