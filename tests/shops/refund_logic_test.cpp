// The refund state machine, the window and the money/points share, with plain values.
#include "services/shops/logic.hpp"

#include <catch2/catch.hpp>

using namespace courtyard::shops::logic;

TEST_CASE("refund states: who may move a refund where", "[shops][logic][refunds]") {
  using S = RefundStatus;
  using V = RefundVerb;
  using A = RefundActor;
  CHECK(refund_transition(S::Requested, V::Accept, A::Merchant) == S::Completed);
  CHECK(refund_transition(S::Requested, V::Decline, A::Merchant) == S::Declined);
  CHECK(refund_transition(S::Declined, V::Dispute, A::Buyer) == S::Disputed);
  CHECK(refund_transition(S::Disputed, V::Uphold, A::Manager) == S::Completed);
  CHECK(refund_transition(S::Disputed, V::Overrule, A::Manager) == S::Rejected);
  CHECK_FALSE(refund_transition(S::Requested, V::Accept, A::Buyer));
  CHECK_FALSE(refund_transition(S::Requested, V::Accept, A::Manager));
  CHECK_FALSE(refund_transition(S::Requested, V::Dispute, A::Buyer));
  CHECK_FALSE(refund_transition(S::Declined, V::Accept, A::Merchant));
  CHECK_FALSE(refund_transition(S::Completed, V::Decline, A::Merchant));
  CHECK_FALSE(refund_transition(S::Rejected, V::Dispute, A::Buyer));
  CHECK_FALSE(refund_transition(S::Disputed, V::Uphold, A::Merchant));
  for (auto s : {"requested", "declined", "disputed", "completed", "rejected"})
    CHECK(to_string(*parse_refund_status(s)) == s);
  CHECK_FALSE(parse_refund_status("refunded"));
}

TEST_CASE("the refund window counts days from completion", "[shops][logic][refunds]") {
  CHECK(within_refund_window(0, 7 * kDayMs, 7));
  CHECK_FALSE(within_refund_window(0, 7 * kDayMs + 1, 7));
  CHECK(within_refund_window(1000, 1000, 0));
  CHECK_FALSE(within_refund_window(1000, 1001, 0));
}

TEST_CASE("refund shares: cumulative, in proportion to money and points, exact in the end", "[shops][logic][refunds]") {
  OrderPayment p{1100, 990, 0, 0};  // 10 % off 1100
  auto a = refund_share(p, 0, 333);
  CHECK(a.money_cents == 299);  // floor(990 * 333 / 1100)
  auto b = refund_share(p, 333, 1100);
  CHECK(a.money_cents + b.money_cents == 990);

  OrderPayment q{2000, 2000, 301, 600};
  auto half = refund_share(q, 0, 1000);
  CHECK(half.money_cents == 700);
  CHECK(half.points == 150);
  CHECK(half.points_cents == 300);
  auto rest = refund_share(q, 1000, 2000);
  CHECK(half.points + rest.points == 301);
  CHECK(half.money_cents + rest.money_cents == 1400);

  // Thirds never add up to more than was paid.
  OrderPayment r{300, 100, 7, 0};
  std::int64_t money = 0, points = 0;
  for (int i = 0; i < 3; ++i) {
    auto s = refund_share(r, i * 100, (i + 1) * 100);
    money += s.money_cents;
    points += s.points;
  }
  CHECK(money == 100);
  CHECK(points == 7);
  CHECK(refund_share(OrderPayment{0, 0, 0, 0}, 0, 0).money_cents == 0);
}
