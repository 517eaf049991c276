#include "services/property/logic.hpp"

#include "http/names.hpp"

#include "http/json.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace courtyard::property::logic {

// ---- billing

std::string Period::text() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", year, month);
  return buf;
}

std::optional<Period> parse_period(std::string_view s) {
  if (s.size() != 7 || s[4] != '-') return std::nullopt;
  int y = 0, m = 0;
  for (std::size_t i = 0; i < 7; ++i) {
    if (i == 4) continue;
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    (i < 4 ? y : m) = (i < 4 ? y : m) * 10 + (s[i] - '0');
  }
  if (y < 2000 || y > 2999 || m < 1 || m > 12) return std::nullopt;
  return Period{y, m};
}

std::int64_t period_start_ms(Period const& p) {
  return json::days_from_civil(p.year, static_cast<unsigned>(p.month), 1) * kDayMs;
}

std::int64_t period_end_ms(Period const& p) {
  Period next = p.month == 12 ? Period{p.year + 1, 1} : Period{p.year, p.month + 1};
  return period_start_ms(next);
}

std::int64_t due_at_ms(Period const& p) { return period_end_ms(p) + kDueAfterPeriodMs; }

Period period_of(std::int64_t epoch_ms) {
  std::time_t secs = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return Period{tm.tm_year + 1900, tm.tm_mon + 1};
}

namespace {
constexpr auto kFeeScope = http::names<FeeScope>({{FeeScope::Community, "community"},
                                                  {FeeScope::Building, "building"}});
constexpr auto kBillStatus = http::names<BillStatus>({{BillStatus::Unpaid, "unpaid"},
                                                      {BillStatus::Paid, "paid"},
                                                      {BillStatus::Overdue, "overdue"}});
constexpr auto kPaymentMethod = http::names<PaymentMethod>({{PaymentMethod::Wallet, "wallet"},
                                                            {PaymentMethod::Offline, "offline"}});
constexpr auto kTicketStatus = http::names<TicketStatus>({{TicketStatus::Submitted, "submitted"},
                                                          {TicketStatus::Assigned, "assigned"},
                                                          {TicketStatus::InProgress, "in_progress"},
                                                          {TicketStatus::Resolved, "resolved"},
                                                          {TicketStatus::Closed, "closed"}});
constexpr auto kTicketAction = http::names<TicketAction>({{TicketAction::Assign, "assign"},
                                                          {TicketAction::Start, "start"},
                                                          {TicketAction::Resolve, "resolve"},
                                                          {TicketAction::Close, "close"},
                                                          {TicketAction::Reopen, "reopen"}});
static_assert(kFeeScope.distinct() && kBillStatus.distinct() && kPaymentMethod.distinct() &&
              kTicketStatus.distinct() && kTicketAction.distinct());
}  // namespace

std::string_view scope_name(FeeScope s) { return kFeeScope.name(s); }
std::optional<FeeScope> parse_scope(std::string_view s) { return kFeeScope.parse(s); }
std::string_view bill_status_name(BillStatus s) { return kBillStatus.name(s); }
std::optional<BillStatus> parse_bill_status(std::string_view s) { return kBillStatus.parse(s); }
std::string_view method_name(PaymentMethod m) { return kPaymentMethod.name(m); }
std::optional<PaymentMethod> parse_method(std::string_view s) { return kPaymentMethod.parse(s); }
std::string_view ticket_status_name(TicketStatus s) { return kTicketStatus.name(s); }
std::optional<TicketStatus> parse_ticket_status(std::string_view s) { return kTicketStatus.parse(s); }
std::string_view action_name(TicketAction a) { return kTicketAction.name(a); }

bool schedule_applies(FeeScope scope, std::int64_t schedule_building_id, std::int64_t unit_building_id) {
  return scope == FeeScope::Community || schedule_building_id == unit_building_id;
}

bool payable(BillStatus s) { return s == BillStatus::Unpaid || s == BillStatus::Overdue; }

bool becomes_overdue(BillStatus s, std::int64_t due_at, std::int64_t now) {
  return s == BillStatus::Unpaid && now > due_at;
}

// ---- repair tickets

std::optional<TicketStatus> next_status(TicketStatus from, TicketAction action) {
  using S = TicketStatus;
  using A = TicketAction;
  struct Edge {
    A action;
    S from;
    S to;
  };
  static constexpr Edge kTable[] = {
      {A::Assign, S::Submitted, S::Assigned},   {A::Assign, S::Assigned, S::Assigned},
      {A::Start, S::Assigned, S::InProgress},   {A::Resolve, S::InProgress, S::Resolved},
      {A::Close, S::Resolved, S::Closed},       {A::Reopen, S::Resolved, S::Assigned},
      {A::Reopen, S::Closed, S::Assigned},
  };
  for (auto const& e : kTable)
    if (e.action == action && e.from == from) return e.to;
  return std::nullopt;
}

Actor actor_for(TicketAction a) {
  return a == TicketAction::Close || a == TicketAction::Reopen ? Actor::Opener : Actor::Manager;
}

std::vector<std::string_view> const& ticket_categories() {
  static std::vector<std::string_view> const kCategories = {"plumbing",    "electrical", "structural",
                                                            "appliance",   "common_area", "other"};
  return kCategories;
}

bool is_ticket_category(std::string_view c) {
  auto const& all = ticket_categories();
  return std::find(all.begin(), all.end(), c) != all.end();
}

bool valid_rating(std::int64_t r) { return r >= 1 && r <= 5; }

std::int64_t age_minutes(std::int64_t created_at, std::optional<std::int64_t> resolved_at, std::int64_t now) {
  std::int64_t until = resolved_at ? *resolved_at : now;
  return until > created_at ? (until - created_at) / kMinuteMs : 0;
}

// ---- ticket SLA

std::optional<SlaProblem> sla_problem(SlaTargets const& t) {
  auto range = "must be a whole number of hours from 1 to " + std::to_string(kMaxSlaHours);
  if (t.first_response_hours < 1 || t.first_response_hours > kMaxSlaHours)
    return SlaProblem{"first_response_hours", range};
  if (t.resolution_hours < 1 || t.resolution_hours > kMaxSlaHours) return SlaProblem{"resolution_hours", range};
  if (t.resolution_hours < t.first_response_hours)
    return SlaProblem{"resolution_hours", "must not be shorter than first_response_hours"};
  return std::nullopt;
}

SlaMeasure measure(std::int64_t opened_at, std::int64_t at, std::int64_t target_hours) {
  SlaMeasure m;
  std::int64_t elapsed = at > opened_at ? at - opened_at : 0;
  m.minutes = elapsed / kMinuteMs;
  m.target_hours = target_hours;
  m.within = elapsed <= target_hours * kHourMs;
  return m;
}

std::optional<std::string_view> sla_step(std::optional<std::string> const& from, std::string_view to) {
  if (!from) return "ticket.opened";
  if (*from == "submitted") return "ticket.first_response";
  if (to == "resolved") return "ticket.resolved";
  if (to == "closed") return "ticket.closed";
  if (to == "assigned" && (*from == "resolved" || *from == "closed")) return "ticket.reopened";
  return std::nullopt;
}

// ---- amenity bookings

std::optional<std::string> booking_problem(std::int64_t starts_at, std::int64_t ends_at, std::int64_t now) {
  if (ends_at <= starts_at) return "must be after starts_at";
  if (ends_at - starts_at > kMaxBookingMs) return "a booking lasts at most 24 hours";
  if (ends_at <= now) return "is in the past";
  return std::nullopt;
}

int max_overlap(std::vector<Interval> const& bookings, Interval window) {
  // Sweep over the boundaries inside the window; ends sort before starts at the same
  // instant because the intervals are half-open.
  std::vector<std::pair<std::int64_t, int>> points;
  for (auto const& b : bookings) {
    std::int64_t s = std::max(b.start, window.start);
    std::int64_t e = std::min(b.end, window.end);
    if (s >= e) continue;
    points.emplace_back(s, +1);
    points.emplace_back(e, -1);
  }
  std::sort(points.begin(), points.end());
  int cur = 0, best = 0;
  for (auto const& [t, d] : points) {
    cur += d;
    best = std::max(best, cur);
  }
  return best;
}

bool fits(std::vector<Interval> const& bookings, Interval wanted, std::int64_t capacity) {
  return max_overlap(bookings, wanted) + 1 <= capacity;
}

// ---- visitor passes

std::optional<WindowProblem> pass_window_problem(std::int64_t valid_from, std::int64_t valid_until, std::int64_t now) {
  if (valid_until <= valid_from) return WindowProblem{"valid_until", "must be after valid_from"};
  if (valid_until - valid_from > kMaxPassWindowMs) return WindowProblem{"valid_until", "a pass is valid for at most 7 days"};
  if (valid_until <= now) return WindowProblem{"valid_until", "is in the past"};
  return std::nullopt;
}

PassCheck check_pass(bool used, std::int64_t valid_from, std::int64_t valid_until, std::int64_t now) {
  if (used) return PassCheck::Used;
  if (now < valid_from) return PassCheck::NotYetValid;
  if (now >= valid_until) return PassCheck::Expired;
  return PassCheck::Valid;
}

std::string pass_code(std::vector<std::uint32_t> const& random_indexes) {
  std::string out;
  out.reserve(random_indexes.size());
  for (auto i : random_indexes) out.push_back(kPassCodeAlphabet[i % kPassCodeAlphabet.size()]);
  return out;
}

std::optional<std::string> normalize_code(std::string_view typed) {
  auto b = typed.find_first_not_of(" \t\r\n");
  auto e = typed.find_last_not_of(" \t\r\n");
  if (b == std::string_view::npos) return std::nullopt;
  std::string out(typed.substr(b, e - b + 1));
  if (out.size() != kPassCodeLength) return std::nullopt;
  for (auto& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (kPassCodeAlphabet.find(c) == std::string_view::npos) return std::nullopt;
  }
  return out;
}

}  // namespace courtyard::property::logic
