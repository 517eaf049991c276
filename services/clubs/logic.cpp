#include "services/clubs/logic.hpp"

#include "http/names.hpp"

#include <algorithm>
#include <cctype>

namespace courtyard::clubs::logic {

std::vector<FieldError> validate_event(EventDraft const& d, std::int64_t now_ms) {
  std::vector<FieldError> errs;
  if (d.title.empty()) errs.push_back({"title", "must not be empty"});
  if (d.starts_at <= now_ms) errs.push_back({"starts_at", "must be in the future"});
  if (d.capacity < 1 || d.capacity > kMaxCapacity)
    errs.push_back({"capacity", "must be between 1 and " + std::to_string(kMaxCapacity)});
  if (d.fee_cents < 0 || d.fee_cents > kMaxFeeCents)
    errs.push_back({"fee_cents", "must be between 0 and " + std::to_string(kMaxFeeCents)});
  if (d.has_recurrence) {
    if (!d.weekly || !*d.weekly) errs.push_back({"recurrence.weekly", "must be true (weekly series only)"});
    if (!d.count)
      errs.push_back({"recurrence.count", "is required"});
    else if (*d.count < 1 || *d.count > kMaxOccurrences)
      errs.push_back({"recurrence.count", "must be between 1 and " + std::to_string(kMaxOccurrences)});
  }
  return errs;
}

std::vector<std::int64_t> occurrences(EventDraft const& d) {
  std::int64_t n = d.has_recurrence && d.count ? std::clamp<std::int64_t>(*d.count, 1, kMaxOccurrences) : 1;
  std::vector<std::int64_t> out;
  out.reserve(static_cast<std::size_t>(n));
  for (std::int64_t k = 0; k < n; ++k) out.push_back(d.starts_at + k * kWeekMs);
  return out;
}

Window calendar_window(std::optional<std::int64_t> from, std::optional<std::int64_t> to, std::int64_t now_ms) {
  Window w;
  w.from = from.value_or(now_ms);
  w.to = to.value_or(w.from + 31 * kDayMs);
  if (w.to <= w.from) throw Invalid("to", "must be after from");
  if (w.to - w.from > kMaxCalendarWindowMs) throw Invalid("to", "the window may span at most 366 days");
  return w;
}

namespace {
constexpr auto kRsvpStatus = http::names<RsvpStatus>({{RsvpStatus::Going, "going"},
                                                      {RsvpStatus::Waitlisted, "waitlisted"},
                                                      {RsvpStatus::Cancelled, "cancelled"}});
static_assert(kRsvpStatus.distinct());
}  // namespace

std::string_view to_string(RsvpStatus s) { return kRsvpStatus.name(s); }
std::optional<RsvpStatus> parse_rsvp_status(std::string_view s) { return kRsvpStatus.parse(s); }

RsvpVerdict decide_rsvp(RsvpRequest const& r) {
  if (!r.club_open && !r.club_member && !r.manager) return RsvpVerdict::NotClubMember;
  if (r.existing && *r.existing != RsvpStatus::Cancelled) return RsvpVerdict::Duplicate;
  if (r.starts_at <= r.now_ms) return RsvpVerdict::Started;
  return RsvpVerdict::Proceed;
}

void enforce(RsvpVerdict v) {
  switch (v) {
    case RsvpVerdict::Proceed: return;
    case RsvpVerdict::NotClubMember: throw Forbidden("this event belongs to a closed club; join the club first");
    case RsvpVerdict::Started: throw Conflict("event-started", "the event has already started");
    case RsvpVerdict::Duplicate: throw Conflict("already-rsvped", "you already have an RSVP for this event");
  }
}

std::vector<Waiting> promotion_order(std::vector<Waiting> waiting) {
  std::sort(waiting.begin(), waiting.end(), [](Waiting const& a, Waiting const& b) {
    return a.seq != b.seq ? a.seq < b.seq : a.rsvp_id < b.rsvp_id;
  });
  return waiting;
}

std::int64_t waitlist_position(std::int64_t seq, std::vector<std::int64_t> const& waiting_seqs) {
  return static_cast<std::int64_t>(
      std::count_if(waiting_seqs.begin(), waiting_seqs.end(), [&](std::int64_t s) { return s <= seq; }));
}

CancelVerdict decide_cancel(std::optional<RsvpStatus> existing, std::int64_t starts_at, std::int64_t now_ms) {
  if (!existing || *existing == RsvpStatus::Cancelled) return CancelVerdict::NoRsvp;
  if (starts_at <= now_ms) return CancelVerdict::Started;
  return CancelVerdict::Proceed;
}

namespace {
constexpr std::string_view kCodeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";  // 31 symbols
}

std::string check_in_code(std::vector<unsigned char> const& random_bytes) {
  std::string out;
  out.reserve(random_bytes.size());
  for (unsigned char b : random_bytes) out.push_back(kCodeAlphabet[b % kCodeAlphabet.size()]);
  return out;
}

std::string normalize_code(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (c == ' ' || c == '\t' || c == '-') continue;
    out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

LeaveVerdict decide_leave(bool is_organiser, std::int64_t organisers, std::int64_t members) {
  if (is_organiser && organisers <= 1 && members > 1) return LeaveVerdict::LastOrganiser;
  return LeaveVerdict::Proceed;
}

bool reminder_due(std::int64_t starts_at, std::int64_t now_ms) {
  return starts_at > now_ms && starts_at - now_ms <= kReminderLeadMs;
}

}  // namespace courtyard::clubs::logic
