#include "services/shops/logic.hpp"

#include "http/json.hpp"
#include "http/names.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace courtyard::shops::logic {

namespace {
constexpr auto kMerchantStatus =
    http::names<MerchantStatus>({{MerchantStatus::Pending, "pending"}, {MerchantStatus::Approved, "approved"}});
constexpr auto kOrderStatus = http::names<OrderStatus>({{OrderStatus::Placed, "placed"},
                                                        {OrderStatus::Accepted, "accepted"},
                                                        {OrderStatus::Ready, "ready"},
                                                        {OrderStatus::Completed, "completed"},
                                                        {OrderStatus::Cancelled, "cancelled"}});
constexpr auto kFulfilment =
    http::names<Fulfilment>({{Fulfilment::Pickup, "pickup"}, {Fulfilment::Delivery, "delivery"}});
constexpr auto kStockReason = http::names<StockReason>({{StockReason::Purchase, "purchase"},
                                                        {StockReason::Sale, "sale"},
                                                        {StockReason::Adjustment, "adjustment"},
                                                        {StockReason::Return, "return"},
                                                        {StockReason::Cancel, "cancel"}});
constexpr auto kGroupBuyStatus = http::names<GroupBuyStatus>(
    {{GroupBuyStatus::Open, "open"}, {GroupBuyStatus::Closing, "closing"}, {GroupBuyStatus::Closed, "closed"}});
constexpr auto kGroupBuyOutcome = http::names<GroupBuyOutcome>({{GroupBuyOutcome::Reached, "reached"},
                                                                {GroupBuyOutcome::NotEnoughParticipants,
                                                                 "not_enough_participants"},
                                                                {GroupBuyOutcome::StockShort, "stock_short"}});
constexpr auto kRefundStatus = http::names<RefundStatus>({{RefundStatus::Requested, "requested"},
                                                          {RefundStatus::Declined, "declined"},
                                                          {RefundStatus::Disputed, "disputed"},
                                                          {RefundStatus::Completed, "completed"},
                                                          {RefundStatus::Rejected, "rejected"}});
static_assert(kMerchantStatus.distinct() && kOrderStatus.distinct() && kFulfilment.distinct() &&
              kStockReason.distinct() && kGroupBuyStatus.distinct() && kGroupBuyOutcome.distinct() &&
              kRefundStatus.distinct());
}  // namespace

std::string_view to_string(MerchantStatus s) { return kMerchantStatus.name(s); }
std::optional<MerchantStatus> parse_merchant_status(std::string_view s) { return kMerchantStatus.parse(s); }
std::string_view to_string(OrderStatus s) { return kOrderStatus.name(s); }
std::optional<OrderStatus> parse_order_status(std::string_view s) { return kOrderStatus.parse(s); }
std::string_view to_string(Fulfilment f) { return kFulfilment.name(f); }
std::optional<Fulfilment> parse_fulfilment(std::string_view s) { return kFulfilment.parse(s); }
std::string_view to_string(StockReason r) { return kStockReason.name(r); }
std::optional<StockReason> parse_stock_reason(std::string_view s) { return kStockReason.parse(s); }
std::string_view to_string(GroupBuyStatus s) { return kGroupBuyStatus.name(s); }
std::optional<GroupBuyStatus> parse_group_buy_status(std::string_view s) { return kGroupBuyStatus.parse(s); }
std::string_view to_string(GroupBuyOutcome o) { return kGroupBuyOutcome.name(o); }
std::string_view to_string(RefundStatus s) { return kRefundStatus.name(s); }
std::optional<RefundStatus> parse_refund_status(std::string_view s) { return kRefundStatus.parse(s); }

std::optional<OrderStatus> transition(OrderStatus from, OrderVerb verb, Actor who, Fulfilment f) {
  using S = OrderStatus;
  switch (verb) {
    case OrderVerb::Accept:
      if (who == Actor::Merchant && from == S::Placed) return S::Accepted;
      return std::nullopt;
    case OrderVerb::Ready:
      if (who == Actor::Merchant && from == S::Accepted) return S::Ready;
      return std::nullopt;
    case OrderVerb::Redeem:
      if (who == Actor::Merchant && f == Fulfilment::Pickup && (from == S::Accepted || from == S::Ready))
        return S::Completed;
      return std::nullopt;
    case OrderVerb::Deliver:
      if (who == Actor::System && f == Fulfilment::Delivery && from == S::Ready) return S::Completed;
      return std::nullopt;
    case OrderVerb::Cancel:
      if (who == Actor::Merchant && (from == S::Placed || from == S::Accepted || from == S::Ready))
        return S::Cancelled;
      if (who == Actor::Buyer && from == S::Placed) return S::Cancelled;
      // The delivery service gave up on a ready delivery order (delivery.failed, final).
      if (who == Actor::System && f == Fulfilment::Delivery && from == S::Ready) return S::Cancelled;
      return std::nullopt;
  }
  return std::nullopt;
}

CouponProblem coupon_problem(CouponTerms const& c, std::int64_t subtotal_cents, std::int64_t now_ms) {
  if (now_ms >= c.expires_at) return CouponProblem::Expired;
  if (subtotal_cents < c.min_spend_cents) return CouponProblem::BelowMinSpend;
  if (c.redemptions >= c.max_redemptions) return CouponProblem::Exhausted;
  return CouponProblem::None;
}

std::int64_t line_total(Line const& l) { return l.unit_price_cents * l.quantity; }

std::int64_t subtotal(std::vector<Line> const& lines) {
  std::int64_t s = 0;
  for (auto const& l : lines) s += line_total(l);
  return s;
}

std::int64_t discount(std::int64_t subtotal_cents, CouponTerms const& c) {
  if (subtotal_cents <= 0) return 0;
  std::int64_t d = 0;
  if (c.percent_off) {
    std::int64_t p = std::clamp<std::int64_t>(*c.percent_off, 0, 100);
    d = (subtotal_cents * p + 50) / 100;
  } else if (c.amount_off_cents) {
    d = std::max<std::int64_t>(0, *c.amount_off_cents);
  }
  return std::min(d, subtotal_cents);
}

Totals price(std::vector<Line> const& lines, std::optional<CouponTerms> const& coupon) {
  Totals t;
  t.subtotal_cents = subtotal(lines);
  t.discount_cents = coupon ? discount(t.subtotal_cents, *coupon) : 0;
  t.total_cents = std::max<std::int64_t>(0, t.subtotal_cents - t.discount_cents);
  return t;
}

std::int64_t tier_discount(std::int64_t price_cents, std::int64_t discount_pct) {
  if (price_cents <= 0 || discount_pct <= 0) return 0;
  return price_cents * std::min<std::int64_t>(discount_pct, 100) / 100;
}

std::vector<Line> merge_lines(std::vector<Line> const& lines) {
  std::vector<Line> out;
  for (auto const& l : lines) {
    auto it = std::find_if(out.begin(), out.end(), [&](Line const& o) { return o.product_id == l.product_id; });
    if (it == out.end())
      out.push_back(l);
    else
      it->quantity += l.quantity;
  }
  return out;
}

std::optional<std::string> normalize_coupon_code(std::string_view code) {
  if (code.size() < 3 || code.size() > 32) return std::nullopt;
  std::string out;
  for (char ch : code) {
    char u = (ch >= 'a' && ch <= 'z') ? static_cast<char>(ch - 'a' + 'A') : ch;
    bool ok = (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '-' || u == '_';
    if (!ok) return std::nullopt;
    out.push_back(u);
  }
  return out;
}

std::optional<std::pair<std::string, std::string>> coupon_definition_problem(CouponTerms const& c,
                                                                            std::int64_t now_ms) {
  if (c.percent_off.has_value() == c.amount_off_cents.has_value())
    return std::pair<std::string, std::string>{"percent_off", "give exactly one of percent_off and amount_off_cents"};
  if (c.percent_off && (*c.percent_off < 1 || *c.percent_off > 100))
    return std::pair<std::string, std::string>{"percent_off", "must be between 1 and 100"};
  if (c.amount_off_cents && (*c.amount_off_cents < 1 || *c.amount_off_cents > kMaxPriceCents))
    return std::pair<std::string, std::string>{"amount_off_cents",
                                               "must be between 1 and " + std::to_string(kMaxPriceCents)};
  if (c.min_spend_cents < 0 || c.min_spend_cents > kMaxPriceCents)
    return std::pair<std::string, std::string>{"min_spend_cents",
                                               "must be between 0 and " + std::to_string(kMaxPriceCents)};
  if (c.max_redemptions < 1 || c.max_redemptions > 1'000'000)
    return std::pair<std::string, std::string>{"max_redemptions", "must be between 1 and 1000000"};
  if (c.expires_at <= now_ms) return std::pair<std::string, std::string>{"expires_at", "must be in the future"};
  return std::nullopt;
}

std::string normalize_redemption_code(std::string_view code) {
  std::string out;
  for (char ch : code) {
    if (ch == ' ' || ch == '-') continue;
    out.push_back((ch >= 'a' && ch <= 'z') ? static_cast<char>(ch - 'a' + 'A') : ch);
  }
  return out;
}

std::string redemption_code_from(std::vector<unsigned char> const& random_bytes) {
  std::string out;
  for (unsigned char b : random_bytes) out.push_back(kRedemptionAlphabet[b % kRedemptionAlphabet.size()]);
  return out;
}

std::optional<std::string> manual_movement_problem(std::optional<StockReason> reason, std::int64_t delta) {
  if (!reason || *reason == StockReason::Sale || *reason == StockReason::Cancel)
    return "reason must be purchase, adjustment or return";
  if (delta == 0) return "delta must not be 0";
  if (delta > kMaxStock || delta < -kMaxStock) return "delta is out of range";
  if ((*reason == StockReason::Purchase || *reason == StockReason::Return) && delta < 0)
    return "delta must be positive for a " + std::string(to_string(*reason));
  return std::nullopt;
}

std::optional<std::string> rating_problem(std::int64_t rating) {
  if (rating < 1 || rating > 5) return "must be between 1 and 5";
  return std::nullopt;
}

std::optional<double> rating_average(std::int64_t sum, std::int64_t count) {
  if (count <= 0) return std::nullopt;
  return std::round(static_cast<double>(sum) * 100.0 / static_cast<double>(count)) / 100.0;
}

int tenure_pct(ReviewerStanding const& s) {
  if (!s.verified_resident) return 40;
  if (s.tenure_days >= 5 * 365) return 120;
  if (s.tenure_days >= 2 * 365) return 110;
  if (s.tenure_days >= 365) return 100;
  if (s.tenure_days >= 182) return 80;
  return 60;
}

std::int64_t review_weight(ReviewerStanding const& s) {
  std::int64_t purchase_pct = s.verified_purchase ? 100 : 50;
  return 1000 * purchase_pct * tenure_pct(s) / 10000;
}

std::optional<std::string> normalize_referral_code(std::string_view code) {
  std::string out = normalize_redemption_code(code);
  if (out.size() != kReferralCodeLength) return std::nullopt;
  for (char ch : out)
    if (kRedemptionAlphabet.find(ch) == std::string_view::npos) return std::nullopt;
  return out;
}

GroupBuyOutcome group_buy_outcome(std::int64_t participants, std::int64_t min_participants, bool stock_taken) {
  if (participants < min_participants || participants == 0) return GroupBuyOutcome::NotEnoughParticipants;
  if (!stock_taken) return GroupBuyOutcome::StockShort;
  return GroupBuyOutcome::Reached;
}

namespace {

bool is_active(OrderStatus s) { return s != OrderStatus::Cancelled; }

}  // namespace

std::string utc_date(std::int64_t epoch_ms) {
  std::int64_t days = epoch_ms >= 0 ? epoch_ms / kDayMs : -((-epoch_ms + kDayMs - 1) / kDayMs);
  int y;
  unsigned m, d;
  json::civil_from_days(days, y, m, d);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
  return buf;
}

std::optional<std::int64_t> parse_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto num = [&](std::size_t pos, std::size_t n, int& out) {
    out = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  int y, m, d;
  if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d)) return std::nullopt;
  if (m < 1 || m > 12 || d < 1) return std::nullopt;
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > kDays[m - 1] || (m == 2 && d == 29 && !leap)) return std::nullopt;
  return json::days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)) * kDayMs;
}

Figures figures(std::vector<OrderFact> const& orders, std::vector<ItemFact> const& items) {
  Figures f;
  for (auto st : {OrderStatus::Placed, OrderStatus::Accepted, OrderStatus::Ready, OrderStatus::Completed,
                  OrderStatus::Cancelled})
    f.orders_by_status[std::string(to_string(st))] = 0;

  std::map<std::string, DayFigures> days;
  std::map<std::int64_t, std::int64_t> orders_per_buyer;
  for (auto const& o : orders) {
    ++f.orders_by_status[std::string(to_string(o.status))];
    if (!is_active(o.status)) continue;
    auto date = utc_date(o.created_at);
    auto& day = days[date];
    day.date = date;
    ++day.orders;
    day.units += o.units;
    day.sales_cents += o.total_cents;
    ++orders_per_buyer[o.buyer_id];
  }
  for (auto& [_, d] : days) f.by_day.push_back(d);

  std::map<std::string, CategoryFigures> cats;
  for (auto const& i : items) {
    if (!is_active(i.status)) continue;
    auto& c = cats[i.category];
    c.category = i.category;
    c.units += i.quantity;
    c.sales_cents += i.line_cents;
  }
  for (auto& [_, c] : cats) f.by_category.push_back(c);
  std::stable_sort(f.by_category.begin(), f.by_category.end(),
                   [](CategoryFigures const& a, CategoryFigures const& b) { return a.sales_cents > b.sales_cents; });

  f.buyers = static_cast<std::int64_t>(orders_per_buyer.size());
  for (auto const& [_, n] : orders_per_buyer)
    if (n >= 2) ++f.repeat_buyers;
  f.repeat_buyer_rate = f.buyers ? static_cast<double>(f.repeat_buyers) / static_cast<double>(f.buyers) : 0.0;
  return f;
}


// ---- after-sales refunds


std::optional<RefundStatus> refund_transition(RefundStatus from, RefundVerb verb, RefundActor who) {
  using S = RefundStatus;
  switch (verb) {
    case RefundVerb::Accept:
      if (who == RefundActor::Merchant && from == S::Requested) return S::Completed;
      return std::nullopt;
    case RefundVerb::Decline:
      if (who == RefundActor::Merchant && from == S::Requested) return S::Declined;
      return std::nullopt;
    case RefundVerb::Dispute:
      if (who == RefundActor::Buyer && from == S::Declined) return S::Disputed;
      return std::nullopt;
    case RefundVerb::Uphold:
      if (who == RefundActor::Manager && from == S::Disputed) return S::Completed;
      return std::nullopt;
    case RefundVerb::Overrule:
      if (who == RefundActor::Manager && from == S::Disputed) return S::Rejected;
      return std::nullopt;
  }
  return std::nullopt;
}

bool within_refund_window(std::int64_t completed_at_ms, std::int64_t now_ms, std::int64_t window_days) {
  return now_ms <= completed_at_ms + window_days * kDayMs;
}

namespace {
// floor(amount x part / whole) without overflow; 0 when whole is 0.
std::int64_t pro_rata(std::int64_t amount, std::int64_t part, std::int64_t whole) {
  if (whole <= 0 || amount <= 0 || part <= 0) return 0;
  if (part >= whole) return amount;
  return static_cast<std::int64_t>(static_cast<__int128>(amount) * part / whole);
}
}  // namespace

RefundShare refund_share(OrderPayment const& p, std::int64_t before, std::int64_t after) {
  std::int64_t money = std::max<std::int64_t>(0, p.total_cents - p.points_cents);
  RefundShare s;
  s.money_cents = pro_rata(money, after, p.subtotal_cents) - pro_rata(money, before, p.subtotal_cents);
  s.points = pro_rata(p.points_spent, after, p.subtotal_cents) - pro_rata(p.points_spent, before, p.subtotal_cents);
  s.points_cents =
      pro_rata(p.points_cents, after, p.subtotal_cents) - pro_rata(p.points_cents, before, p.subtotal_cents);
  return s;
}

}  // namespace courtyard::shops::logic
