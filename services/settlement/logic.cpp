#include "services/settlement/logic.hpp"

#include "http/names.hpp"


namespace courtyard::settlement::logic {

std::int64_t commission_cents(std::int64_t total_cents, std::int64_t rate_bp) {
  if (total_cents <= 0 || rate_bp <= 0) return 0;
  return static_cast<std::int64_t>((static_cast<__int128>(total_cents) * rate_bp + 5'000) / 10'000);
}

std::optional<std::string> rate_problem(std::int64_t rate_bp) {
  if (rate_bp < 0 || rate_bp > kMaxRateBp) return "must be between 0 and 10000 basis points (0 to 100 %)";
  return std::nullopt;
}

namespace {
std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
}  // namespace

std::int64_t utc_of_local(std::int64_t local_ms, OffsetAt const& offset_at) {
  // The offset at the guess may differ from the offset at the answer around a transition;
  // a second step settles it (a local time skipped by a spring-forward lands after the gap).
  std::int64_t guess = local_ms - offset_at(local_ms) * 1000;
  return local_ms - offset_at(guess) * 1000;
}

Period week_of(std::int64_t utc_ms, OffsetAt const& offset_at) {
  std::int64_t local = utc_ms + offset_at(utc_ms) * 1000;
  std::int64_t day = floor_div(local, kDayMs);
  // 1970-01-01 was a Thursday: days since the Monday before are (day + 3) mod 7.
  std::int64_t monday = day - ((day + 3) % 7 + 7) % 7;
  Period p{utc_of_local(monday * kDayMs, offset_at), utc_of_local((monday + kPeriodDays) * kDayMs, offset_at)};
  // Right at a boundary shifted by a transition, step to the neighbouring week.
  if (utc_ms < p.start_ms) return week_of(p.start_ms - 1, offset_at);
  if (utc_ms >= p.end_ms) return week_of(p.end_ms, offset_at);
  return p;
}

namespace {
constexpr auto kKind = http::names<Kind>({{Kind::Order, "order"},
                                          {Kind::Points, "points"},
                                          {Kind::Commission, "commission"},
                                          {Kind::Refund, "refund"},
                                          {Kind::Cancelled, "cancelled"}});
static_assert(kKind.distinct());
}  // namespace

std::string_view to_string(Kind k) { return kKind.name(k); }
std::optional<Kind> parse_kind(std::string_view s) { return kKind.parse(s); }

Sums sums(std::vector<Posting> const& postings) {
  Sums s;
  for (auto const& p : postings) {
    switch (p.kind) {
      case Kind::Order:
        ++s.orders;
        s.gross_cents += p.amount_cents;
        break;
      case Kind::Points: s.points_cents += p.amount_cents; break;
      case Kind::Commission: s.commission_cents -= p.amount_cents; break;
      case Kind::Refund: s.refunds_cents -= p.amount_cents; break;
      case Kind::Cancelled: s.cancelled_cents += p.amount_cents; break;
    }
  }
  s.net_cents = s.gross_cents - s.refunds_cents - s.commission_cents + s.points_cents;
  return s;
}

bool adds_up(Sums const& s) {
  return s.gross_cents - s.refunds_cents - s.commission_cents + s.points_cents == s.net_cents;
}

}  // namespace courtyard::settlement::logic
