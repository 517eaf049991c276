#pragma once
// Settlement's pure rules: commission, the weekly period around an instant in a community's
// calendar, what a posting counts for on a statement and the statement's sums. No SOCI, no HTTP.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace courtyard::settlement::logic {

// ---- commission
constexpr std::int64_t kMaxRateBp = 10'000;  // basis points: 100.00 %
// total x rate, rounded half up to the cent.
std::int64_t commission_cents(std::int64_t total_cents, std::int64_t rate_bp);
std::optional<std::string> rate_problem(std::int64_t rate_bp);

// ---- periods
constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::int64_t kPeriodDays = 7;  // weekly, Monday 00:00 to Monday 00:00 local time
struct Period {
  std::int64_t start_ms = 0, end_ms = 0;  // UTC instants of the local midnights
};
// The zone's UTC offset in seconds at a UTC instant (in ms).
using OffsetAt = std::function<std::int64_t(std::int64_t utc_ms)>;
// The week (Monday to Monday, local midnights) holding `utc_ms` in the zone `offset_at` describes.
Period week_of(std::int64_t utc_ms, OffsetAt const& offset_at);
// The UTC instant of a local wall-clock time (ms since the epoch as if local were UTC).
std::int64_t utc_of_local(std::int64_t local_ms, OffsetAt const& offset_at);

// ---- postings and statements
// Every posting's amount is its effect on what the merchant is owed:
//   order       + money buyers paid for an order that completed (total - points_cents)
//   points      + points_cents of a completed order, - those of a refund (reimbursed at close)
//   commission  - the community's commission on a completed order (moved at completion)
//   refund      - money refunded to a buyer (a refund of a completed order)
//   cancelled     0-effect record of a failed delivery's refund (the order never completed);
//                 its amount is what the buyer got back
enum class Kind { Order, Points, Commission, Refund, Cancelled };
std::string_view to_string(Kind k);
std::optional<Kind> parse_kind(std::string_view s);

struct Posting {
  Kind kind = Kind::Order;
  std::int64_t amount_cents = 0;
};

struct Sums {
  std::int64_t orders = 0;          // completed orders
  std::int64_t gross_cents = 0;
  std::int64_t refunds_cents = 0;   // positive: money returned
  std::int64_t commission_cents = 0;
  std::int64_t points_cents = 0;    // reimbursement (negative when refunds outweigh it)
  std::int64_t cancelled_cents = 0; // failed deliveries refunded (not in net: never completed)
  std::int64_t net_cents = 0;       // gross - refunds - commission + points
};
Sums sums(std::vector<Posting> const& postings);
// The statement rule: gross - refunds - commission + points == net.
bool adds_up(Sums const& s);

}  // namespace courtyard::settlement::logic
