// Settlement's pure rules and the time-zone reader.
#include "services/settlement/logic.hpp"
#include "services/settlement/tz.hpp"

#include <catch2/catch.hpp>

using namespace courtyard::settlement::logic;

namespace {
constexpr std::int64_t kHourMs = 3'600'000;
// 2026-11-30 (a Monday) 00:00 UTC.
constexpr std::int64_t kMonday = 20'787 * kDayMs;
}  // namespace

TEST_CASE("commission rounds half up and stays within the total", "[settlement][logic]") {
  CHECK(commission_cents(1000, 1000) == 100);
  CHECK(commission_cents(1005, 1000) == 101);  // 100.5 -> 101
  CHECK(commission_cents(1004, 1000) == 100);
  CHECK(commission_cents(999, 0) == 0);
  CHECK(commission_cents(0, 5000) == 0);
  CHECK(commission_cents(777, 10000) == 777);
  CHECK(rate_problem(-1));
  CHECK(rate_problem(10001));
  CHECK_FALSE(rate_problem(0));
  CHECK_FALSE(rate_problem(10000));
}

TEST_CASE("weeks run Monday to Monday in the zone's calendar", "[settlement][logic]") {
  OffsetAt utc = [](std::int64_t) { return 0; };
  auto w = week_of(kMonday + 3 * kDayMs + 5 * kHourMs, utc);
  CHECK(w.start_ms == kMonday);
  CHECK(w.end_ms == kMonday + 7 * kDayMs);
  CHECK(week_of(kMonday, utc).start_ms == kMonday);
  CHECK(week_of(kMonday - 1, utc).start_ms == kMonday - 7 * kDayMs);

  // UTC+9: Monday 00:00 local is Sunday 15:00 UTC.
  OffsetAt tokyo = [](std::int64_t) { return 9 * 3600; };
  auto t = week_of(kMonday - 8 * kHourMs, tokyo);  // Sunday 16:00 UTC = Monday 01:00 local
  CHECK(t.start_ms == kMonday - 9 * kHourMs);
  CHECK(week_of(kMonday - 10 * kHourMs, tokyo).start_ms == kMonday - 9 * kHourMs - 7 * kDayMs);

  // A zone that moves from +1 to +2 during the week: the week is an hour shorter.
  std::int64_t change = kMonday + 2 * kDayMs;
  OffsetAt dst = [change](std::int64_t at) { return at < change ? 3600 : 7200; };
  auto d = week_of(kMonday + kDayMs, dst);
  CHECK(d.start_ms == kMonday - kHourMs);
  CHECK(d.end_ms == kMonday + 7 * kDayMs - 2 * kHourMs);
  CHECK(week_of(d.end_ms, dst).start_ms == d.end_ms);
}

TEST_CASE("statement sums: gross - refunds - commission + points = net", "[settlement][logic]") {
  std::vector<Posting> p{{Kind::Order, 2000}, {Kind::Commission, -200}, {Kind::Order, 300},  {Kind::Points, 200},
                         {Kind::Commission, -50}, {Kind::Refund, -1000},  {Kind::Points, -100}, {Kind::Cancelled, 800}};
  auto s = sums(p);
  CHECK(s.orders == 2);
  CHECK(s.gross_cents == 2300);
  CHECK(s.refunds_cents == 1000);
  CHECK(s.commission_cents == 250);
  CHECK(s.points_cents == 100);
  CHECK(s.cancelled_cents == 800);
  CHECK(s.net_cents == 1150);
  CHECK(adds_up(s));
  for (auto k : {Kind::Order, Kind::Points, Kind::Commission, Kind::Refund, Kind::Cancelled})
    CHECK(parse_kind(to_string(k)) == k);
  CHECK_FALSE(parse_kind("bonus"));
}

TEST_CASE("the IANA database gives Berlin's winter and summer offsets", "[settlement][tz]") {
  auto berlin = courtyard::settlement::tz::offsets("Europe/Berlin");
  CHECK(berlin(kMonday) == 3600);                   // 2026-11-30: CET
  CHECK(berlin(kMonday - 150 * kDayMs) == 7200);    // early July 2026: CEST
  auto unknown = courtyard::settlement::tz::offsets("Not/A_Zone");
  CHECK(unknown(kMonday) == 0);
  CHECK(courtyard::settlement::tz::offsets("../../etc/passwd")(kMonday) == 0);
}
