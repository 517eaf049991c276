#include "http/json.hpp"
#include "services/property/logic.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace courtyard::property::logic;
using courtyard::json::parse_rfc3339;

namespace {
std::int64_t t(char const* s) { return *parse_rfc3339(s); }
}  // namespace

TEST_CASE("billing periods parse strictly", "[property][logic]") {
  auto p = parse_period("2026-11");
  REQUIRE(p);
  CHECK(p->year == 2026);
  CHECK(p->month == 11);
  CHECK(p->text() == "2026-11");
  for (char const* bad : {"", "2026-1", "2026-13", "2026-00", "1999-12", "26-11", "2026/11", "2026-11-01", "abcd-ef",
                          "2026-1a", " 2026-11"})
    CHECK_FALSE(parse_period(bad));
}

TEST_CASE("period bounds and the due date (period end + 14 days = the 15th of the next month)", "[property][logic]") {
  CHECK(period_start_ms({2026, 11}) == t("2026-11-01T00:00:00Z"));
  CHECK(period_end_ms({2026, 11}) == t("2026-12-01T00:00:00Z"));
  CHECK(period_end_ms({2026, 12}) == t("2027-01-01T00:00:00Z"));
  CHECK(due_at_ms({2026, 11}) == t("2026-12-15T00:00:00Z"));
  CHECK(due_at_ms({2026, 12}) == t("2027-01-15T00:00:00Z"));
  CHECK(due_at_ms({2028, 1}) == t("2028-02-15T00:00:00Z"));
  CHECK(period_of(t("2026-11-30T23:59:59Z")) == Period{2026, 11});
  CHECK(period_of(t("2026-12-01T00:00:00Z")) == Period{2026, 12});
}

TEST_CASE("fee schedules apply community-wide or to their building", "[property][logic]") {
  CHECK(parse_scope("community") == FeeScope::Community);
  CHECK(parse_scope("building") == FeeScope::Building);
  CHECK_FALSE(parse_scope("Building"));
  CHECK(schedule_applies(FeeScope::Community, 0, 7));
  CHECK(schedule_applies(FeeScope::Building, 7, 7));
  CHECK_FALSE(schedule_applies(FeeScope::Building, 7, 8));
}

TEST_CASE("bill statuses: payable and overdue rules", "[property][logic]") {
  CHECK(payable(BillStatus::Unpaid));
  CHECK(payable(BillStatus::Overdue));
  CHECK_FALSE(payable(BillStatus::Paid));
  CHECK(becomes_overdue(BillStatus::Unpaid, 1000, 1001));
  CHECK_FALSE(becomes_overdue(BillStatus::Unpaid, 1000, 1000));
  CHECK_FALSE(becomes_overdue(BillStatus::Paid, 1000, 5000));
  CHECK_FALSE(becomes_overdue(BillStatus::Overdue, 1000, 5000));
  for (auto s : {BillStatus::Unpaid, BillStatus::Paid, BillStatus::Overdue}) CHECK(parse_bill_status(bill_status_name(s)) == s);
  CHECK_FALSE(parse_bill_status("open"));
  CHECK(parse_method("wallet") == PaymentMethod::Wallet);
  CHECK(parse_method("offline") == PaymentMethod::Offline);
  CHECK_FALSE(parse_method("card"));
}

TEST_CASE("ticket state machine: the full table of allowed transitions", "[property][logic][tickets]") {
  using S = TicketStatus;
  using A = TicketAction;
  struct Row {
    S from;
    A action;
    std::optional<S> to;
  };
  // Every (state, action) pair: anything not listed as allowed must be refused.
  std::vector<Row> const allowed = {
      {S::Submitted, A::Assign, S::Assigned}, {S::Assigned, A::Assign, S::Assigned},
      {S::Assigned, A::Start, S::InProgress}, {S::InProgress, A::Resolve, S::Resolved},
      {S::Resolved, A::Close, S::Closed},     {S::Resolved, A::Reopen, S::Assigned},
      {S::Closed, A::Reopen, S::Assigned},
  };
  int checked = 0;
  for (auto from : {S::Submitted, S::Assigned, S::InProgress, S::Resolved, S::Closed}) {
    for (auto action : {A::Assign, A::Start, A::Resolve, A::Close, A::Reopen}) {
      std::optional<S> want;
      for (auto const& r : allowed)
        if (r.from == from && r.action == action) want = r.to;
      INFO(ticket_status_name(from) << " --" << action_name(action) << "-->");
      CHECK(next_status(from, action) == want);
      ++checked;
    }
  }
  CHECK(checked == 25);
  CHECK(actor_for(A::Assign) == Actor::Manager);
  CHECK(actor_for(A::Start) == Actor::Manager);
  CHECK(actor_for(A::Resolve) == Actor::Manager);
  CHECK(actor_for(A::Close) == Actor::Opener);
  CHECK(actor_for(A::Reopen) == Actor::Opener);
  for (auto s : {S::Submitted, S::Assigned, S::InProgress, S::Resolved, S::Closed})
    CHECK(parse_ticket_status(ticket_status_name(s)) == s);
  CHECK_FALSE(parse_ticket_status("open"));
}

TEST_CASE("ticket categories, ratings and SLA age", "[property][logic][tickets]") {
  for (auto c : {"plumbing", "electrical", "structural", "appliance", "common_area", "other"}) CHECK(is_ticket_category(c));
  CHECK_FALSE(is_ticket_category("Plumbing"));
  CHECK_FALSE(is_ticket_category(""));
  CHECK_FALSE(valid_rating(0));
  CHECK(valid_rating(1));
  CHECK(valid_rating(5));
  CHECK_FALSE(valid_rating(6));
  CHECK(age_minutes(0, std::nullopt, 90 * kMinuteMs + 59'000) == 90);
  CHECK(age_minutes(0, 30 * kMinuteMs, 90 * kMinuteMs) == 30);  // frozen once resolved
  CHECK(age_minutes(1000, std::nullopt, 0) == 0);
}

TEST_CASE("booking validation: order, 24 h maximum, not in the past", "[property][logic][amenities]") {
  std::int64_t now = 1'000'000'000;
  CHECK_FALSE(booking_problem(now + kHourMs, now + 2 * kHourMs, now));
  CHECK(booking_problem(now + kHourMs, now + kHourMs, now));
  CHECK(booking_problem(now + 2 * kHourMs, now + kHourMs, now));
  CHECK_FALSE(booking_problem(now, now + kMaxBookingMs, now));
  CHECK(booking_problem(now, now + kMaxBookingMs + 1, now));
  CHECK(booking_problem(now - 2 * kHourMs, now - kHourMs, now));
}

TEST_CASE("overlap and capacity over half-open intervals", "[property][logic][amenities]") {
  std::vector<Interval> b = {{10, 20}, {15, 25}, {20, 30}, {40, 50}};
  CHECK(max_overlap(b, {0, 100}) == 2);
  CHECK(max_overlap(b, {20, 21}) == 2);  // [15,25) and [20,30); [10,20) ended at 20
  CHECK(max_overlap(b, {30, 40}) == 0);  // touching ends do not overlap
  CHECK(max_overlap(b, {10, 15}) == 1);
  CHECK(max_overlap({}, {0, 10}) == 0);
  // Three bookings that never meet each other fit capacity 1 around them...
  std::vector<Interval> chain = {{0, 10}, {10, 20}, {20, 30}};
  CHECK(fits(chain, {30, 40}, 1));
  CHECK_FALSE(fits(chain, {5, 15}, 1));
  CHECK(fits(chain, {5, 15}, 2));
  // ...while the peak, not the count of overlapping bookings, decides.
  std::vector<Interval> spread = {{0, 10}, {20, 30}};
  CHECK(fits(spread, {0, 30}, 2));
  CHECK_FALSE(fits(spread, {0, 30}, 1));
  std::vector<Interval> three = {{0, 10}, {0, 10}, {0, 10}};
  CHECK_FALSE(fits(three, {5, 6}, 3));
  CHECK(fits(three, {10, 11}, 3));
}

TEST_CASE("visitor pass windows, checks and codes", "[property][logic][passes]") {
  std::int64_t now = 1'000'000'000;
  CHECK_FALSE(pass_window_problem(now, now + kHourMs, now));
  CHECK(pass_window_problem(now, now, now)->field == "valid_until");
  CHECK(pass_window_problem(now + kHourMs, now, now));
  CHECK_FALSE(pass_window_problem(now, now + kMaxPassWindowMs, now));
  CHECK(pass_window_problem(now, now + kMaxPassWindowMs + 1, now));
  CHECK(pass_window_problem(now - 3 * kHourMs, now - kHourMs, now));

  CHECK(check_pass(false, now, now + 10, now) == PassCheck::Valid);
  CHECK(check_pass(false, now, now + 10, now + 10) == PassCheck::Expired);
  CHECK(check_pass(false, now + 1, now + 10, now) == PassCheck::NotYetValid);
  CHECK(check_pass(true, now, now + 10, now + 5) == PassCheck::Used);

  std::vector<std::uint32_t> idx;
  for (std::uint32_t i = 0; i < kPassCodeLength; ++i) idx.push_back(i * 3);
  auto code = pass_code(idx);
  CHECK(code.size() == kPassCodeLength);
  for (char c : code) CHECK(kPassCodeAlphabet.find(c) != std::string_view::npos);
  CHECK(normalize_code(" " + code + "\n") == code);
  std::string lower = code;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  CHECK(normalize_code(lower) == code);
  CHECK_FALSE(normalize_code("SHORT"));
  CHECK_FALSE(normalize_code("ABCDEFGH0O"));  // look-alikes are not in the alphabet
  CHECK_FALSE(normalize_code(""));
}
