#pragma once
// Pure rules of clubs, events and posts: validation, recurrence expansion, the RSVP
// decision, waitlist order, leaving a club, reminder timing. No SOCI, no Beast.
#include "http/errors.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace courtyard::clubs::logic {

constexpr std::int64_t kMinuteMs = 60'000;
constexpr std::int64_t kDayMs = 24 * 60 * kMinuteMs;
constexpr std::int64_t kWeekMs = 7 * kDayMs;
constexpr std::int64_t kReminderLeadMs = kDayMs;       // event.reminder ~24 h before start
constexpr int kMaxOccurrences = 52;                     // a weekly series spans at most a year
constexpr std::int64_t kMaxCapacity = 100'000;
constexpr std::int64_t kMaxFeeCents = 10'000'000;       // 100,000.00
constexpr std::int64_t kMaxCalendarWindowMs = 366 * kDayMs;
constexpr std::size_t kCheckInCodeLength = 10;

// ---- validation (each returns the field errors; empty = valid)

struct EventDraft {
  std::string title;
  std::int64_t starts_at = 0;  // epoch ms
  std::int64_t capacity = 0;
  std::int64_t fee_cents = 0;
  // Present when the body had `recurrence`.
  std::optional<bool> weekly;
  std::optional<std::int64_t> count;
  bool has_recurrence = false;
};
std::vector<FieldError> validate_event(EventDraft const& d, std::int64_t now_ms);

// Start times of every occurrence: one for a single event, `count` weekly ones for a series.
// Call after validate_event() passed.
std::vector<std::int64_t> occurrences(EventDraft const& d);

// Calendar window [from, to): defaults from = now, to = from + 31 days.
struct Window {
  std::int64_t from = 0;
  std::int64_t to = 0;
};
// Throws Invalid (422) when to <= from or the window is longer than kMaxCalendarWindowMs.
Window calendar_window(std::optional<std::int64_t> from, std::optional<std::int64_t> to, std::int64_t now_ms);

// ---- RSVP

enum class RsvpStatus { Going, Waitlisted, Cancelled };
std::string_view to_string(RsvpStatus s);
std::optional<RsvpStatus> parse_rsvp_status(std::string_view s);

struct RsvpRequest {
  bool club_open = true;
  bool club_member = false;      // an accepted member of the event's club
  bool manager = false;          // managers/admins see and join any club's events
  std::int64_t starts_at = 0;
  std::int64_t now_ms = 0;
  std::optional<RsvpStatus> existing;  // the account's current RSVP row, if any
};
enum class RsvpVerdict {
  Proceed,        // try for a seat (a cancelled row is re-activated)
  NotClubMember,  // 403: a closed club's event
  Started,        // 409 /problems/event-started
  Duplicate,      // 409 /problems/already-rsvped
};
RsvpVerdict decide_rsvp(RsvpRequest const& r);
// Throws the API error for a refusing verdict; no-op for Proceed.
void enforce(RsvpVerdict v);

// After the conditional seat update: got a seat -> going, else waitlisted.
inline RsvpStatus status_after_seat_attempt(bool got_seat) {
  return got_seat ? RsvpStatus::Going : RsvpStatus::Waitlisted;
}
// Whether a paid RSVP charges now (only a seat is paid for; the waitlist pays on promotion).
inline bool charges_now(RsvpStatus s, std::int64_t fee_cents) { return s == RsvpStatus::Going && fee_cents > 0; }

struct Waiting {
  std::int64_t rsvp_id = 0;
  std::int64_t seq = 0;  // the event's waitlist ticket number, taken under the event row lock
};
// FIFO: by ticket number, then row id.
std::vector<Waiting> promotion_order(std::vector<Waiting> waiting);
// 1-based position of `seq` among the waiting tickets (which include it).
std::int64_t waitlist_position(std::int64_t seq, std::vector<std::int64_t> const& waiting_seqs);

// Cancelling: only before the start, and only an active RSVP.
enum class CancelVerdict { Proceed, NoRsvp, Started };
CancelVerdict decide_cancel(std::optional<RsvpStatus> existing, std::int64_t starts_at, std::int64_t now_ms);

// Check-in codes: `random_bytes` (kCheckInCodeLength of them) mapped onto an alphabet
// without look-alikes (no 0/O, 1/I/L).
std::string check_in_code(std::vector<unsigned char> const& random_bytes);
// Codes are typed by people: accept lower case and surrounding blanks.
std::string normalize_code(std::string_view code);

// ---- clubs

enum class LeaveVerdict { Proceed, LastOrganiser };
// `organisers` and `members` count accepted members including the one leaving.
LeaveVerdict decide_leave(bool is_organiser, std::int64_t organisers, std::int64_t members);

// ---- reminders

// An event is due for its reminder once it starts within kReminderLeadMs and has not started.
bool reminder_due(std::int64_t starts_at, std::int64_t now_ms);

}  // namespace courtyard::clubs::logic
