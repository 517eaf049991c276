#include "services/shops/logic.hpp"

#include <catch2/catch.hpp>

using namespace courtyard::shops::logic;

TEST_CASE("order state machine", "[shops][logic]") {
  auto P = Fulfilment::Pickup, D = Fulfilment::Delivery;
  CHECK(transition(OrderStatus::Placed, OrderVerb::Accept, Actor::Merchant, P) == OrderStatus::Accepted);
  CHECK(transition(OrderStatus::Accepted, OrderVerb::Ready, Actor::Merchant, P) == OrderStatus::Ready);
  CHECK(transition(OrderStatus::Ready, OrderVerb::Redeem, Actor::Merchant, P) == OrderStatus::Completed);
  CHECK(transition(OrderStatus::Accepted, OrderVerb::Redeem, Actor::Merchant, P) == OrderStatus::Completed);
  CHECK(transition(OrderStatus::Ready, OrderVerb::Deliver, Actor::System, D) == OrderStatus::Completed);

  // Illegal moves.
  CHECK_FALSE(transition(OrderStatus::Placed, OrderVerb::Ready, Actor::Merchant, P));
  CHECK_FALSE(transition(OrderStatus::Accepted, OrderVerb::Accept, Actor::Merchant, P));
  CHECK_FALSE(transition(OrderStatus::Placed, OrderVerb::Redeem, Actor::Merchant, P));
  CHECK_FALSE(transition(OrderStatus::Ready, OrderVerb::Redeem, Actor::Merchant, D));
  CHECK_FALSE(transition(OrderStatus::Completed, OrderVerb::Redeem, Actor::Merchant, P));
  CHECK_FALSE(transition(OrderStatus::Ready, OrderVerb::Deliver, Actor::System, P));
  CHECK_FALSE(transition(OrderStatus::Accepted, OrderVerb::Deliver, Actor::System, D));
  CHECK_FALSE(transition(OrderStatus::Placed, OrderVerb::Accept, Actor::Buyer, P));

  // Cancelling: the merchant until completed, the buyer only while placed.
  for (auto s : {OrderStatus::Placed, OrderStatus::Accepted, OrderStatus::Ready})
    CHECK(transition(s, OrderVerb::Cancel, Actor::Merchant, P) == OrderStatus::Cancelled);
  CHECK(transition(OrderStatus::Placed, OrderVerb::Cancel, Actor::Buyer, P) == OrderStatus::Cancelled);
  CHECK_FALSE(transition(OrderStatus::Accepted, OrderVerb::Cancel, Actor::Buyer, P));
  CHECK_FALSE(transition(OrderStatus::Completed, OrderVerb::Cancel, Actor::Merchant, P));
  CHECK_FALSE(transition(OrderStatus::Cancelled, OrderVerb::Cancel, Actor::Merchant, P));
  // The system cancels a ready delivery order whose delivery failed for good, nothing else.
  CHECK(transition(OrderStatus::Ready, OrderVerb::Cancel, Actor::System, D) == OrderStatus::Cancelled);
  CHECK_FALSE(transition(OrderStatus::Ready, OrderVerb::Cancel, Actor::System, P));
  CHECK_FALSE(transition(OrderStatus::Completed, OrderVerb::Cancel, Actor::System, D));
  CHECK_FALSE(transition(OrderStatus::Cancelled, OrderVerb::Cancel, Actor::System, D));
  CHECK_FALSE(transition(OrderStatus::Placed, OrderVerb::Cancel, Actor::System, D));

  for (auto s : {"placed", "accepted", "ready", "completed", "cancelled"})
    CHECK(to_string(*parse_order_status(s)) == s);
  CHECK_FALSE(parse_order_status("shipped"));
  CHECK(parse_fulfilment("delivery") == Fulfilment::Delivery);
  CHECK_FALSE(parse_fulfilment("drone"));
}

TEST_CASE("pricing: subtotal, coupon discounts and rounding", "[shops][logic]") {
  std::vector<Line> lines{{1, 250, 3}, {2, 199, 1}};
  CHECK(subtotal(lines) == 949);
  CHECK(price(lines, std::nullopt).total_cents == 949);
  CHECK(price(lines, std::nullopt).discount_cents == 0);

  CouponTerms pct;
  pct.percent_off = 10;
  // 94.9 rounds half up to 95.
  auto t = price(lines, pct);
  CHECK(t.subtotal_cents == 949);
  CHECK(t.discount_cents == 95);
  CHECK(t.total_cents == 854);
  CHECK(discount(945, pct) == 95);  // 94.5 -> 95
  CHECK(discount(944, pct) == 94);  // 94.4 -> 94
  pct.percent_off = 100;
  CHECK(price(lines, pct).total_cents == 0);

  CouponTerms amount;
  amount.amount_off_cents = 500;
  CHECK(price(lines, amount).total_cents == 449);
  amount.amount_off_cents = 5000;  // never below zero
  t = price(lines, amount);
  CHECK(t.discount_cents == 949);
  CHECK(t.total_cents == 0);
  CHECK(discount(0, amount) == 0);

  auto merged = merge_lines({{7, 100, 1}, {8, 50, 2}, {7, 100, 4}});
  REQUIRE(merged.size() == 2);
  CHECK(merged[0].product_id == 7);
  CHECK(merged[0].quantity == 5);
}

TEST_CASE("coupon applicability and definitions", "[shops][logic]") {
  CouponTerms c;
  c.percent_off = 20;
  c.min_spend_cents = 1000;
  c.max_redemptions = 2;
  c.redemptions = 0;
  c.expires_at = 10'000;
  CHECK(coupon_problem(c, 1000, 5'000) == CouponProblem::None);
  CHECK(coupon_problem(c, 999, 5'000) == CouponProblem::BelowMinSpend);
  CHECK(coupon_problem(c, 1000, 10'000) == CouponProblem::Expired);
  c.redemptions = 2;
  CHECK(coupon_problem(c, 1000, 5'000) == CouponProblem::Exhausted);

  CouponTerms d;
  d.max_redemptions = 5;
  d.expires_at = 10'000;
  CHECK(coupon_definition_problem(d, 0)->first == "percent_off");  // neither
  d.percent_off = 10;
  d.amount_off_cents = 100;
  CHECK(coupon_definition_problem(d, 0)->first == "percent_off");  // both
  d.amount_off_cents.reset();
  CHECK_FALSE(coupon_definition_problem(d, 0));
  d.percent_off = 101;
  CHECK(coupon_definition_problem(d, 0)->first == "percent_off");
  d.percent_off = 10;
  CHECK(coupon_definition_problem(d, 10'000)->first == "expires_at");
  d.max_redemptions = 0;
  CHECK(coupon_definition_problem(d, 0)->first == "max_redemptions");

  CHECK(normalize_coupon_code("save-10") == "SAVE-10");
  CHECK_FALSE(normalize_coupon_code("ab"));
  CHECK_FALSE(normalize_coupon_code("no spaces"));
}

TEST_CASE("redemption codes and stock movement reasons", "[shops][logic]") {
  std::vector<unsigned char> bytes(kRedemptionCodeLength);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<unsigned char>(i * 37);
  auto code = redemption_code_from(bytes);
  CHECK(code.size() == kRedemptionCodeLength);
  for (char ch : code) CHECK(kRedemptionAlphabet.find(ch) != std::string_view::npos);
  CHECK(normalize_redemption_code("abcd-efgh jkmn") == "ABCDEFGHJKMN");

  CHECK_FALSE(manual_movement_problem(StockReason::Purchase, 5));
  CHECK(manual_movement_problem(StockReason::Purchase, -5));
  CHECK(manual_movement_problem(StockReason::Return, -1));
  CHECK_FALSE(manual_movement_problem(StockReason::Adjustment, -3));
  CHECK(manual_movement_problem(StockReason::Adjustment, 0));
  CHECK(manual_movement_problem(StockReason::Sale, -1));
  CHECK(manual_movement_problem(StockReason::Cancel, 1));
  CHECK(manual_movement_problem(std::nullopt, 1));
  CHECK(parse_stock_reason("return") == StockReason::Return);
}

TEST_CASE("ratings and group-buy outcomes", "[shops][logic]") {
  CHECK(rating_problem(0));
  CHECK(rating_problem(6));
  CHECK_FALSE(rating_problem(5));
  CHECK_FALSE(rating_average(0, 0));
  CHECK(*rating_average(9, 2) == Approx(4.5));
  CHECK(*rating_average(10, 3) == Approx(3.33));

  CHECK(group_buy_outcome(3, 3, true) == GroupBuyOutcome::Reached);
  CHECK(group_buy_outcome(2, 3, true) == GroupBuyOutcome::NotEnoughParticipants);
  CHECK(group_buy_outcome(3, 3, false) == GroupBuyOutcome::StockShort);
  CHECK(group_buy_outcome(0, 1, false) == GroupBuyOutcome::NotEnoughParticipants);
}

TEST_CASE("merchant figures arithmetic", "[shops][logic]") {
  constexpr std::int64_t kDay = kDayMs;
  std::int64_t d0 = *parse_date("2026-11-20");
  CHECK(utc_date(d0) == "2026-11-20");
  CHECK(utc_date(d0 + kDay - 1) == "2026-11-20");
  CHECK_FALSE(parse_date("2026-02-30"));
  CHECK_FALSE(parse_date("2026-13-01"));
  CHECK(parse_date("2024-02-29"));

  std::vector<OrderFact> orders{
      {1, 10, d0 + 1000, OrderStatus::Completed, 500, 2},
      {2, 10, d0 + 2000, OrderStatus::Placed, 300, 1},
      {3, 11, d0 + kDay + 5, OrderStatus::Cancelled, 900, 3},
      {4, 12, d0 + kDay + 6, OrderStatus::Ready, 250, 1},
  };
  std::vector<ItemFact> items{
      {"fruit", 2, 500, OrderStatus::Completed},
      {"bread", 1, 300, OrderStatus::Placed},
      {"fruit", 3, 900, OrderStatus::Cancelled},
      {"bread", 1, 250, OrderStatus::Ready},
  };
  auto f = figures(orders, items);
  REQUIRE(f.by_day.size() == 2);
  CHECK(f.by_day[0].date == "2026-11-20");
  CHECK(f.by_day[0].orders == 2);
  CHECK(f.by_day[0].units == 3);
  CHECK(f.by_day[0].sales_cents == 800);
  CHECK(f.by_day[1].orders == 1);
  CHECK(f.by_day[1].sales_cents == 250);
  REQUIRE(f.by_category.size() == 2);
  CHECK(f.by_category[0].category == "bread");  // 550 > 500
  CHECK(f.by_category[0].sales_cents == 550);
  CHECK(f.by_category[1].units == 2);
  CHECK(f.orders_by_status.at("cancelled") == 1);
  CHECK(f.orders_by_status.at("accepted") == 0);
  CHECK(f.buyers == 2);          // buyer 11 only has a cancelled order
  CHECK(f.repeat_buyers == 1);   // buyer 10
  CHECK(f.repeat_buyer_rate == Approx(0.5));
  CHECK(figures({}, {}).repeat_buyer_rate == 0.0);
}
