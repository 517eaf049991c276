// Analytics rules on plain values, and the time zone reader.
#include "services/analytics/logic.hpp"
#include "http/time_zone.hpp"

#include <catch2/catch.hpp>

using namespace courtyard::analytics;
using namespace courtyard::analytics::logic;
using courtyard::http::TimeZone;

TEST_CASE("dates, periods and ranges", "[logic]") {
  auto d = parse_date("2026-11-23");
  REQUIRE(d);
  CHECK(format_date(*d) == "2026-11-23");
  CHECK_FALSE(parse_date("2026-02-29"));
  CHECK(parse_date("2028-02-29"));
  CHECK_FALSE(parse_date("26-11-23"));
  CHECK(format_date(period_start(*d, Grain::Week)) == "2026-11-23");      // a Monday
  CHECK(format_date(period_start(*d + 6, Grain::Week)) == "2026-11-23");  // the Sunday after
  CHECK(period_label(period_start(*d, Grain::Month), Grain::Month) == "2026-11");
  CHECK(format_month(month_of(*d)) == "2026-11");
  CHECK(range_problem(*d, *d) == std::nullopt);
  CHECK(range_problem(*d, *d - 1));
  CHECK(range_problem(*d - kMaxRangeDays, *d));
}

TEST_CASE("purchase-sale-stock line", "[logic]") {
  auto l = stock_line(10, {{"purchase", 20}, {"sale", -12}, {"cancel", 2}, {"return", 1}, {"adjustment", -3},
                           {"damaged", -1}},
                      10);
  CHECK(l.received == 20);
  CHECK(l.sold == 10);
  CHECK(l.returned == 1);
  CHECK(l.adjusted == -4);
  CHECK(l.adjustments.at("damaged") == -1);
  CHECK(l.closing == 10 + 20 - 10 + 1 - 4);
  CHECK(l.closing == l.opening + l.received - l.sold + l.returned + l.adjusted);
  CHECK(*l.sell_through == Approx(10.0 / 31.0).epsilon(0.001));
  CHECK(*l.days_of_cover == Approx(17.0));
  CHECK_FALSE(stock_line(5, {}, 10).days_of_cover);
}

TEST_CASE("reorder suggestion, uplift, ratios, CSV fields", "[logic]") {
  CHECK(suggested_reorder(28, 28, 0, 14) == 14);
  CHECK(suggested_reorder(28, 28, 20, 14) == 0);
  CHECK(suggested_reorder(0, 28, 0) == 0);
  CHECK(incremental_revenue(3000, 3, 2800, 28) == 2700);
  CHECK(incremental_revenue(100, 1, 0, 28) == 100);
  CHECK(ratio(1, 3) == Approx(0.3333));
  CHECK_FALSE(ratio(1, 0));
  CHECK(average(10, 3) == 3);
}

TEST_CASE("time zones: local days across DST, unknown zones are UTC", "[logic][tz]") {
  auto berlin = TimeZone::named("Europe/Berlin");
  // 2026-03-29 01:00 UTC is 03:00 CEST (the clocks went forward at 01:00 UTC).
  std::int64_t day = days_from_civil(2026, 3, 29);
  CHECK(berlin->offset_at(day * kDayMs + 3'600'000) == 7'200'000);
  CHECK(berlin->offset_at(day * kDayMs) == 3'600'000);
  CHECK(berlin->day_start(day) == day * kDayMs - 3'600'000);
  CHECK(berlin->local_day(day * kDayMs - 3'600'000) == day);
  CHECK(berlin->local_day(day * kDayMs - 3'600'001) == day - 1);
  auto shanghai = TimeZone::named("Asia/Shanghai");
  CHECK(shanghai->local_day(day * kDayMs + 16 * 3'600'000) == day + 1);
  CHECK(TimeZone::named("Nowhere/Atlantis")->offset_at(0) == 0);
  CHECK(TimeZone::named("../../etc/passwd")->offset_at(0) == 0);
}
