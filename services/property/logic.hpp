#pragma once
// Pure property-management rules: billing periods and due dates, the repair-ticket state
// machine, booking capacity, visitor-pass windows and codes. No SOCI, no Beast.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace courtyard::property::logic {

constexpr std::int64_t kMinuteMs = 60'000;
constexpr std::int64_t kHourMs = 60 * kMinuteMs;
constexpr std::int64_t kDayMs = 24 * kHourMs;

// ---- billing

// A billing period "YYYY-MM" (years 2000-2999).
struct Period {
  int year = 0;
  int month = 0;  // 1-12
  std::string text() const;
  bool operator==(Period const&) const = default;
};
std::optional<Period> parse_period(std::string_view s);
// First millisecond of the period (UTC) and the first millisecond after it.
std::int64_t period_start_ms(Period const& p);
std::int64_t period_end_ms(Period const& p);
// Bills of a period fall due 14 days after the period ends: 00:00 UTC on the 15th of the
// following month. A bill is overdue once the clock has passed its due time.
constexpr std::int64_t kDueAfterPeriodMs = 14 * kDayMs;
std::int64_t due_at_ms(Period const& p);
// The period containing the instant (UTC).
Period period_of(std::int64_t epoch_ms);

constexpr std::int64_t kMaxFeeCents = 10'000'000;  // 100,000.00 per schedule and period

enum class FeeScope { Community, Building };
std::optional<FeeScope> parse_scope(std::string_view s);
std::string_view scope_name(FeeScope s);
// Whether a schedule bills a unit in `unit_building_id`.
bool schedule_applies(FeeScope scope, std::int64_t schedule_building_id, std::int64_t unit_building_id);

enum class BillStatus { Unpaid, Paid, Overdue };
std::optional<BillStatus> parse_bill_status(std::string_view s);
std::string_view bill_status_name(BillStatus s);
// Unpaid and overdue bills can be paid; a paid bill cannot be paid again.
bool payable(BillStatus s);
bool becomes_overdue(BillStatus s, std::int64_t due_at, std::int64_t now);

enum class PaymentMethod { Wallet, Offline };
std::optional<PaymentMethod> parse_method(std::string_view s);
std::string_view method_name(PaymentMethod m);

// ---- repair tickets

enum class TicketStatus { Submitted, Assigned, InProgress, Resolved, Closed };
enum class TicketAction { Assign, Start, Resolve, Close, Reopen };
std::optional<TicketStatus> parse_ticket_status(std::string_view s);
std::string_view ticket_status_name(TicketStatus s);
std::string_view action_name(TicketAction a);

// The state machine (see next_status in logic.cpp for the table):
//   assign   submitted | assigned            -> assigned   (manager; re-assigning is allowed)
//   start    assigned                        -> in_progress (manager)
//   resolve  in_progress                     -> resolved    (manager)
//   close    resolved                        -> closed      (the opener)
//   reopen   resolved | closed               -> assigned    (the opener; back to its assignee)
// Anything else is illegal (409).
std::optional<TicketStatus> next_status(TicketStatus from, TicketAction action);
// Who may perform an action.
enum class Actor { Manager, Opener };
Actor actor_for(TicketAction a);

bool is_ticket_category(std::string_view c);
std::vector<std::string_view> const& ticket_categories();
bool valid_rating(std::int64_t r);  // 1-5
// SLA age: from creation until resolution (or now while unresolved), whole minutes.
std::int64_t age_minutes(std::int64_t created_at, std::optional<std::int64_t> resolved_at, std::int64_t now);

// ---- ticket SLA: targets in whole hours, wall-clock time from the ticket's opening.
// The first response is the first thing staff do with a submitted ticket (assigning it: the
// only transition out of `submitted`); resolution is every `resolve`, measured from the
// opening (a reopened ticket's next resolution is late by what the reopening cost).
constexpr std::int64_t kDefaultFirstResponseHours = 24;
constexpr std::int64_t kDefaultResolutionHours = 72;
constexpr std::int64_t kMaxSlaHours = 8760;  // a year
struct SlaTargets {
  std::int64_t first_response_hours = kDefaultFirstResponseHours;
  std::int64_t resolution_hours = kDefaultResolutionHours;
  bool operator==(SlaTargets const&) const = default;
};
// Why a pair of targets is invalid (hours 1..8760, resolution not before the first response).
struct SlaProblem {
  std::string field, reason;
};
std::optional<SlaProblem> sla_problem(SlaTargets const& t);
// How one step of a ticket measured against its target.
struct SlaMeasure {
  std::int64_t minutes = 0;       // whole minutes from opening to the step
  std::int64_t target_hours = 0;
  bool within = true;             // at or before opening + target
};
SlaMeasure measure(std::int64_t opened_at, std::int64_t at, std::int64_t target_hours);
// The ticket.* topic a history step stands for: opened (no from), first_response (out of
// submitted), resolved, closed, reopened (back to assigned from resolved or closed); nullopt for
// the rest (a re-assignment, a start).
std::optional<std::string_view> sla_step(std::optional<std::string> const& from, std::string_view to);

// ---- amenity bookings

// Half-open time intervals [start, end).
struct Interval {
  std::int64_t start = 0;
  std::int64_t end = 0;
};
constexpr std::int64_t kMaxBookingMs = 24 * kHourMs;
constexpr std::int64_t kMaxCapacity = 10'000;
// nullopt when fine, else the reason (ends_at <= starts_at, longer than 24 h, already over).
std::optional<std::string> booking_problem(std::int64_t starts_at, std::int64_t ends_at, std::int64_t now);
// The largest number of `bookings` active at one instant inside `window`.
int max_overlap(std::vector<Interval> const& bookings, Interval window);
// Whether one more booking over `wanted` keeps every instant at or under capacity.
bool fits(std::vector<Interval> const& bookings, Interval wanted, std::int64_t capacity);

// ---- visitor passes

constexpr std::int64_t kMaxPassWindowMs = 7 * kDayMs;
constexpr std::size_t kPassCodeLength = 10;
// The alphabet of pass codes: upper-case letters and digits without look-alikes (0/O, 1/I).
constexpr std::string_view kPassCodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
// nullopt when fine, else the field and reason.
struct WindowProblem {
  std::string field;
  std::string why;
};
std::optional<WindowProblem> pass_window_problem(std::int64_t valid_from, std::int64_t valid_until, std::int64_t now);
enum class PassCheck { Valid, NotYetValid, Expired, Used };
PassCheck check_pass(bool used, std::int64_t valid_from, std::int64_t valid_until, std::int64_t now);
// Maps random indexes (each < alphabet size) to a code; the caller draws them from libsodium.
std::string pass_code(std::vector<std::uint32_t> const& random_indexes);
// Trims and upper-cases a code typed at the gate; nullopt when it cannot be a pass code.
std::optional<std::string> normalize_code(std::string_view typed);

}  // namespace courtyard::property::logic
