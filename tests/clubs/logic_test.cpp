// Pure rules: no database, no HTTP.
#include "services/clubs/logic.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace courtyard;
using namespace courtyard::clubs::logic;

namespace {
EventDraft draft(std::int64_t now) {
  EventDraft d;
  d.title = "Chess night";
  d.starts_at = now + kDayMs;
  d.capacity = 10;
  d.fee_cents = 0;
  return d;
}
bool has_field(std::vector<FieldError> const& errs, std::string const& f) {
  for (auto const& e : errs)
    if (e.field == f) return true;
  return false;
}
}  // namespace

TEST_CASE("event validation lists every invalid field", "[clubs][logic]") {
  std::int64_t now = 1'700'000'000'000;
  REQUIRE(validate_event(draft(now), now).empty());

  auto d = draft(now);
  d.title = "";
  d.starts_at = now;  // not in the future
  d.capacity = 0;
  d.fee_cents = -1;
  auto errs = validate_event(d, now);
  CHECK(errs.size() == 4);
  CHECK(has_field(errs, "title"));
  CHECK(has_field(errs, "starts_at"));
  CHECK(has_field(errs, "capacity"));
  CHECK(has_field(errs, "fee_cents"));

  d = draft(now);
  d.capacity = kMaxCapacity + 1;
  d.fee_cents = kMaxFeeCents + 1;
  CHECK(validate_event(d, now).size() == 2);
  d = draft(now);
  d.capacity = 1;
  d.starts_at = now + 1;
  CHECK(validate_event(d, now).empty());
}

TEST_CASE("recurrence: weekly only, 1 to 52 occurrences", "[clubs][logic]") {
  std::int64_t now = 1'700'000'000'000;
  auto d = draft(now);
  d.has_recurrence = true;
  d.weekly = true;
  d.count = 52;
  CHECK(validate_event(d, now).empty());
  d.count = 53;
  CHECK(has_field(validate_event(d, now), "recurrence.count"));
  d.count = 0;
  CHECK(has_field(validate_event(d, now), "recurrence.count"));
  d.count.reset();
  CHECK(has_field(validate_event(d, now), "recurrence.count"));
  d.count = 3;
  d.weekly = false;
  CHECK(has_field(validate_event(d, now), "recurrence.weekly"));
  d.weekly.reset();
  CHECK(has_field(validate_event(d, now), "recurrence.weekly"));
}

TEST_CASE("recurrence expansion: one start per week", "[clubs][logic]") {
  std::int64_t now = 1'700'000'000'000;
  auto single = draft(now);
  REQUIRE(occurrences(single) == std::vector<std::int64_t>{single.starts_at});

  auto d = draft(now);
  d.has_recurrence = true;
  d.weekly = true;
  d.count = 4;
  auto starts = occurrences(d);
  REQUIRE(starts.size() == 4);
  for (std::size_t i = 0; i < starts.size(); ++i)
    CHECK(starts[i] == d.starts_at + static_cast<std::int64_t>(i) * kWeekMs);
  d.count = 52;
  CHECK(occurrences(d).size() == 52);
}

TEST_CASE("calendar window defaults and limits", "[clubs][logic]") {
  std::int64_t now = 1'700'000'000'000;
  auto w = calendar_window(std::nullopt, std::nullopt, now);
  CHECK(w.from == now);
  CHECK(w.to == now + 31 * kDayMs);
  w = calendar_window(now - kDayMs, now, now);
  CHECK(w.from == now - kDayMs);
  CHECK(w.to == now);
  CHECK_THROWS_AS(calendar_window(now, now, now), Invalid);
  CHECK_THROWS_AS(calendar_window(now, now - 1, now), Invalid);
  CHECK_THROWS_AS(calendar_window(now, now + kMaxCalendarWindowMs + 1, now), Invalid);
  CHECK_NOTHROW(calendar_window(now, now + kMaxCalendarWindowMs, now));
}

TEST_CASE("RSVP decision", "[clubs][logic]") {
  RsvpRequest r;
  r.club_open = true;
  r.starts_at = 2000;
  r.now_ms = 1000;
  CHECK(decide_rsvp(r) == RsvpVerdict::Proceed);

  SECTION("closed clubs: members and managers only") {
    r.club_open = false;
    CHECK(decide_rsvp(r) == RsvpVerdict::NotClubMember);
    r.club_member = true;
    CHECK(decide_rsvp(r) == RsvpVerdict::Proceed);
    r.club_member = false;
    r.manager = true;
    CHECK(decide_rsvp(r) == RsvpVerdict::Proceed);
  }
  SECTION("one active RSVP per account; a cancelled one may come back") {
    r.existing = RsvpStatus::Going;
    CHECK(decide_rsvp(r) == RsvpVerdict::Duplicate);
    r.existing = RsvpStatus::Waitlisted;
    CHECK(decide_rsvp(r) == RsvpVerdict::Duplicate);
    r.existing = RsvpStatus::Cancelled;
    CHECK(decide_rsvp(r) == RsvpVerdict::Proceed);
  }
  SECTION("not once the event started") {
    r.now_ms = 2000;
    CHECK(decide_rsvp(r) == RsvpVerdict::Started);
  }
  SECTION("verdicts map to API errors") {
    CHECK_NOTHROW(enforce(RsvpVerdict::Proceed));
    CHECK_THROWS_AS(enforce(RsvpVerdict::NotClubMember), Forbidden);
    try {
      enforce(RsvpVerdict::Duplicate);
      FAIL("no throw");
    } catch (Conflict const& c) {
      CHECK(c.slug() == "already-rsvped");
    }
    try {
      enforce(RsvpVerdict::Started);
      FAIL("no throw");
    } catch (Conflict const& c) {
      CHECK(c.slug() == "event-started");
    }
  }
}

TEST_CASE("seat outcome and who pays when", "[clubs][logic]") {
  CHECK(status_after_seat_attempt(true) == RsvpStatus::Going);
  CHECK(status_after_seat_attempt(false) == RsvpStatus::Waitlisted);
  CHECK(charges_now(RsvpStatus::Going, 500));
  CHECK_FALSE(charges_now(RsvpStatus::Waitlisted, 500));
  CHECK_FALSE(charges_now(RsvpStatus::Going, 0));
  for (auto s : {RsvpStatus::Going, RsvpStatus::Waitlisted, RsvpStatus::Cancelled})
    CHECK(parse_rsvp_status(to_string(s)) == s);
  CHECK_FALSE(parse_rsvp_status("maybe"));
}

TEST_CASE("waitlist: FIFO promotion order and positions", "[clubs][logic]") {
  auto order = promotion_order({{10, 3}, {11, 1}, {12, 2}, {9, 2}});
  REQUIRE(order.size() == 4);
  CHECK(order[0].rsvp_id == 11);
  CHECK(order[1].rsvp_id == 9);  // same ticket: lower row id first
  CHECK(order[2].rsvp_id == 12);
  CHECK(order[3].rsvp_id == 10);

  std::vector<std::int64_t> waiting{4, 7, 9};  // tickets 1-3 and 5-6 left the queue
  CHECK(waitlist_position(4, waiting) == 1);
  CHECK(waitlist_position(7, waiting) == 2);
  CHECK(waitlist_position(9, waiting) == 3);
}

TEST_CASE("cancelling an RSVP", "[clubs][logic]") {
  CHECK(decide_cancel(std::nullopt, 2000, 1000) == CancelVerdict::NoRsvp);
  CHECK(decide_cancel(RsvpStatus::Cancelled, 2000, 1000) == CancelVerdict::NoRsvp);
  CHECK(decide_cancel(RsvpStatus::Going, 2000, 1000) == CancelVerdict::Proceed);
  CHECK(decide_cancel(RsvpStatus::Waitlisted, 2000, 1000) == CancelVerdict::Proceed);
  CHECK(decide_cancel(RsvpStatus::Going, 2000, 2000) == CancelVerdict::Started);
}

TEST_CASE("check-in codes", "[clubs][logic]") {
  std::vector<unsigned char> bytes(kCheckInCodeLength);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<unsigned char>(i * 37);
  auto code = check_in_code(bytes);
  CHECK(code.size() == kCheckInCodeLength);
  for (char ch : code) {
    CHECK(std::string("01ILO").find(ch) == std::string::npos);
    CHECK(((ch >= '2' && ch <= '9') || (ch >= 'A' && ch <= 'Z')));
  }
  CHECK(normalize_code(" ab-cd 23 ") == "ABCD23");
  CHECK(normalize_code(code) == code);
}

TEST_CASE("the last organiser stays while others remain", "[clubs][logic]") {
  CHECK(decide_leave(true, 1, 3) == LeaveVerdict::LastOrganiser);
  CHECK(decide_leave(true, 1, 1) == LeaveVerdict::Proceed);  // alone: may leave
  CHECK(decide_leave(true, 2, 3) == LeaveVerdict::Proceed);
  CHECK(decide_leave(false, 1, 3) == LeaveVerdict::Proceed);
}

TEST_CASE("reminders: within 24 h before the start, never after", "[clubs][logic]") {
  std::int64_t start = 10 * kDayMs;
  CHECK_FALSE(reminder_due(start, start - kReminderLeadMs - 1));
  CHECK(reminder_due(start, start - kReminderLeadMs));
  CHECK(reminder_due(start, start - 1));
  CHECK_FALSE(reminder_due(start, start));
  CHECK_FALSE(reminder_due(start, start + 1));
}
