// The pure rules: points arithmetic, balanced postings, earn amounts, caps,
// tiers, time.
#include "http/json.hpp"
#include "services/members/logic.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>

using namespace courtyard::members::logic;
using courtyard::json::days_from_civil;

TEST_CASE("points postings must balance and move points", "[members][logic]") {
  CHECK_NOTHROW(check_balanced({{issued(), Points(-5)}, {member(1), Points(5)}}));
  CHECK_THROWS_AS(check_balanced({{member(1), Points(5)}}), std::logic_error);
  CHECK_THROWS_AS(check_balanced({{issued(), Points(-5)}, {member(1), Points(4)}}), std::logic_error);
  CHECK_THROWS_AS(check_balanced({{issued(), Points(0)}, {member(1), Points(0)}}), std::logic_error);
  CHECK(may_go_negative(Owner::Issued));
  CHECK_FALSE(may_go_negative(Owner::Member));
  CHECK_FALSE(may_go_negative(Owner::Expired));
  CHECK(Points(3) + Points(4) == Points(7));
  CHECK(Points(3) < Points(4));
}

TEST_CASE(
    "earned points: per 100 cents for orders, multipliers in percent, "
    "rounded down",
    "[members][logic]") {
  Rule order;
  order.kind = EarnKind::OrderCompleted;
  order.points = 2;
  CHECK(earn_points(order, 1099, 7, 100) == 20);  // 10 whole hundreds x 2
  CHECK(earn_points(order, 99, 7, 100) == 0);
  order.merchant_multipliers[7] = 150;
  CHECK(earn_points(order, 1000, 7, 100) == 30);
  CHECK(earn_points(order, 1000, 8, 100) == 20);  // another merchant
  CHECK(earn_points(order, 1000, 7, 125) == 37);  // 20 x 1.5 x 1.25 = 37.5
  order.multiplier_pct = 200;
  CHECK(earn_points(order, 1000, 8, 100) == 40);
  order.enabled = false;
  CHECK(earn_points(order, 1000, 8, 100) == 0);

  Rule bill;
  bill.kind = EarnKind::BillPaidOnTime;
  bill.points = 50;
  CHECK(earn_points(bill, 999999, 0, 100) == 50);  // flat: the amount does not count
  CHECK(earn_points(bill, 0, 0, 200) == 100);
  bill.points = kMaxRulePoints;
  bill.multiplier_pct = kMaxMultiplierPct;
  Rule huge = order;
  huge.enabled = true;
  huge.points = kMaxRulePoints;
  CHECK(earn_points(huge, 1'000'000'000'000, 7, 1000) == kMaxEarn);
}

TEST_CASE("daily caps allow what is left of the day's cap", "[members][logic]") {
  CHECK(capped(30, 0, 1000) == 30);  // no cap
  CHECK(capped(30, 100, 0) == 30);
  CHECK(capped(30, 100, 80) == 20);
  CHECK(capped(30, 100, 100) == 0);
  CHECK(capped(30, 100, 150) == 0);
  CHECK(capped(0, 100, 0) == 0);
}

TEST_CASE("on time means paid at or before the due time", "[members][logic]") {
  CHECK(paid_on_time(100, 100));
  CHECK(paid_on_time(99, 100));
  CHECK_FALSE(paid_on_time(101, 100));
  CHECK_FALSE(paid_on_time(1, 0));  // no due date known
}

TEST_CASE("days, months and expiry dates in UTC", "[members][logic]") {
  auto ms = [](int y, unsigned m, unsigned d) { return days_from_civil(y, m, d) * kDayMs; };
  CHECK(month_of(0) == 0);
  CHECK(month_of(ms(1970, 2, 1)) == 1);
  CHECK(month_of(ms(2026, 12, 31) + kDayMs - 1) == (2026 - 1970) * 12 + 11);
  CHECK(month_start_ms(month_of(ms(2027, 3, 17))) == ms(2027, 3, 1));
  CHECK(window_start(24) == 13);
  CHECK(day_of(ms(2026, 1, 2) + 5) == days_from_civil(2026, 1, 2));
  CHECK(expires_at(1000, 0) == std::nullopt);
  CHECK(expires_at(1000, 2) == 1000 + 2 * kDayMs);
}

TEST_CASE("a spend window is its days before the first whole 30-day period, then whole periods",
          "[members][logic]") {
  CHECK(period_of(0) == 0);
  CHECK(period_of(29) == 0);
  CHECK(period_of(30) == 30);
  CHECK(period_of(20'000) == 19'980);
  CHECK(period_of(-1) == -30);
  // 30 days ending day 89 start on a period: no day rows, one period.
  auto aligned = spend_window(89, 30);
  CHECK(aligned.from_day == 60);
  CHECK(aligned.periods_from == 60);
  // One more day: day 59 from the day rows, then the period starting on day 60.
  auto one_more = spend_window(89, 31);
  CHECK(one_more.from_day == 59);
  CHECK(one_more.periods_from == 60);
  // A window shorter than what is left of today's period: all of it from the day rows.
  auto short_window = spend_window(95, 3);
  CHECK(short_window.from_day == 93);
  CHECK(short_window.periods_from == 120);
  // A year ending day 20,000: 14 days (19,636..19,649), then twelve whole periods and today's.
  auto year = spend_window(20'000, 365);
  CHECK(year.from_day == 19'636);
  CHECK(year.periods_from == 19'650);
}

TEST_CASE("tiers: validation, order, qualifying tier", "[members][logic]") {
  std::vector<Tier> tiers{{0, "Gold", 1000, 5, 150}, {0, "Silver", 300, 0, 120}, {0, "Member", 0, 0, 100}};
  CHECK(tiers_problem(tiers).empty());
  auto s = sorted(tiers);
  CHECK(s[0].name == "Member");
  CHECK(s[2].name == "Gold");
  CHECK(qualifying(s, 0) == 0u);
  CHECK(qualifying(s, 299) == 0u);
  CHECK(qualifying(s, 300) == 1u);
  CHECK(qualifying(s, 5000) == 2u);
  CHECK(qualifying(std::vector<Tier>{{0, "Silver", 300, 0, 100}}, 10) == std::nullopt);

  auto bad = tiers;
  bad[1].threshold = 1000;
  CHECK_FALSE(tiers_problem(bad).empty());  // thresholds distinct
  bad = tiers;
  bad[1].name = "Gold";
  CHECK_FALSE(tiers_problem(bad).empty());  // names unique
  bad = tiers;
  bad[0].discount_pct = 101;
  CHECK_FALSE(tiers_problem(bad).empty());
  bad = tiers;
  bad[0].earn_multiplier_pct = 99;
  CHECK_FALSE(tiers_problem(bad).empty());
  bad = tiers;
  bad[0].name = "";
  CHECK_FALSE(tiers_problem(bad).empty());
  CHECK(tiers_problem({}).empty());  // no tiers at all is a valid programme
}

TEST_CASE("consent purposes: marketing is off by default", "[members][logic]") {
  CHECK_FALSE(default_consent(Purpose::Marketing));
  CHECK(default_consent(Purpose::Recommendations));
  CHECK(default_consent(Purpose::Analytics));
  CHECK(parse_purpose("analytics") == Purpose::Analytics);
  CHECK(parse_purpose("sales") == std::nullopt);
  CHECK(parse_kind("order_completed") == EarnKind::OrderCompleted);
  CHECK(parse_kind("nope") == std::nullopt);
}

TEST_CASE("spending terms: the share rounds down to the cent, then to whole points", "[members][logic][spending]") {
  SpendTerms def;  // 1 cent a point, 50%
  CHECK(max_points(1000, def) == 500);
  CHECK(max_points(999, def) == 499);  // 499.5 cents -> 499
  CHECK(max_points(0, def) == 0);
  SpendTerms t{5, 23};
  CHECK(max_points(1000, t) == 46);  // 230 cents / 5
  CHECK(max_points(1004, t) == 46);  // 230.92 -> 230 cents -> 46 points
  CHECK(points_value_cents(46, t) == 230);
  CHECK(spend_problem(46, 1000, t).empty());
  CHECK(spend_problem(0, 1000, t).empty());
  CHECK_FALSE(spend_problem(47, 1000, t).empty());
  CHECK_FALSE(spend_problem(-1, 1000, t).empty());
  CHECK_FALSE(spend_problem(1, 1000, SpendTerms{1, 0}).empty());  // share 0: no points at all
  CHECK(max_points(1000, SpendTerms{1, 100}) == 1000);
  CHECK(max_points(4'000'000'000'000'000, SpendTerms{1, 100}) == 4'000'000'000'000'000);  // no overflow
}

TEST_CASE("giving points back restores the lots last taken first, never beyond what was taken",
          "[members][logic][spending]") {
  // A debit took 100 from lot A, then 50 from lot B (none restored yet).
  auto r = plan_restore({{100, 0}, {50, 0}}, 70);
  CHECK(r.per_lot == std::vector<std::int64_t>{20, 50});
  CHECK(r.left_over == 0);
  // After that, 80 left to restore in A; asking 100 leaves 20 over.
  r = plan_restore({{100, 20}, {50, 50}}, 100);
  CHECK(r.per_lot == std::vector<std::int64_t>{80, 0});
  CHECK(r.left_over == 20);
  r = plan_restore({}, 10);
  CHECK(r.per_lot.empty());
  CHECK(r.left_over == 10);
}
