#pragma once
// Pure rules of members and loyalty: the points currency, what makes a points
// posting valid, how many points an event earns under a rule, daily caps, tiers
// by rolling 12-month earnings, expiry dates and consent purposes. No SOCI, no
// HTTP.
#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace courtyard::members::logic {

// Loyalty points: a currency of their own, never cents. The ledger takes
// Points, not plain integers, so an amount of cents cannot be posted as points
// by accident (no implicit conversion either way).
struct Points {
  std::int64_t value = 0;
  constexpr Points() = default;
  constexpr explicit Points(std::int64_t v) : value(v) {}
  constexpr Points operator-() const { return Points(-value); }
  constexpr Points operator+(Points o) const { return Points(value + o.value); }
  constexpr Points operator-(Points o) const { return Points(value - o.value); }
  constexpr auto operator<=>(Points const&) const = default;
};
// The stored currency of every points ledger row (the database CHECKs it).
constexpr std::string_view kCurrency = "points";

// Ledger accounts: a member's points; the community's issuing account (the
// counterpart of every earning, may go negative: it is the programme's
// outstanding liability); sinks for expired and spent points.
enum class Owner { Member, Issued, Expired, Spent };
std::string_view owner_name(Owner o);
bool may_go_negative(Owner o);

struct AccountRef {
  Owner kind = Owner::Member;
  std::int64_t owner_id = 0;  // the member's account id; 0 for the community accounts
};
inline AccountRef member(std::int64_t account_id) { return {Owner::Member, account_id}; }
inline AccountRef issued() { return {Owner::Issued, 0}; }
inline AccountRef expired() { return {Owner::Expired, 0}; }
inline AccountRef spent() { return {Owner::Spent, 0}; }

struct Leg {
  AccountRef account;
  Points amount;  // + credit, - debit
};
// Throws std::logic_error unless the legs form a postable posting: at least two
// legs, none zero, summing to zero.
void check_balanced(std::vector<Leg> const& legs);

// ---- earn rules

enum class EarnKind { BillPaidOnTime, OrderCompleted, EventAttended, FirstReview, SuggestionAdopted, Referral };
std::string_view kind_name(EarnKind k);
std::optional<EarnKind> parse_kind(std::string_view s);
std::vector<EarnKind> const& all_kinds();
// The `source` of a posting earned under this kind ("bill", "order", "event",
// "review", "suggestion", "referral").
std::string_view source_of(EarnKind k);

struct Rule {
  std::int64_t id = 0;
  EarnKind kind = EarnKind::BillPaidOnTime;
  int version = 0;
  std::int64_t points = 0;     // per event; per 100 cents spent for order_completed
  int multiplier_pct = 100;    // applies to every earning under the rule
  std::int64_t daily_cap = 0;  // points per member per UTC day from this kind; 0 = none
  bool enabled = true;
  std::map<std::int64_t, int> merchant_multipliers;  // order_completed: merchant id -> percent
};

// Limits of the manager's input.
constexpr std::int64_t kMaxRulePoints = 100'000;
constexpr std::int64_t kMaxDailyCap = 10'000'000;
constexpr int kMinMultiplierPct = 1;
constexpr int kMaxMultiplierPct = 1000;
constexpr std::int64_t kMaxEarn = 1'000'000'000;  // one posting never earns more

// Points one event earns: rule points (x whole 100s of cents for orders) x
// rule, merchant and tier multipliers (percent), rounded down, at most
// kMaxEarn. 0 when the rule is off.
std::int64_t earn_points(Rule const& rule, std::int64_t total_cents, std::int64_t merchant_id, int tier_multiplier_pct);
// What a cap still allows today: min(points, cap - already), never below 0; no
// cap when 0.
std::int64_t capped(std::int64_t points, std::int64_t daily_cap, std::int64_t already_today);

// A bill earns only when it was paid on or before its due date.
bool paid_on_time(std::int64_t paid_at_ms, std::int64_t due_at_ms);

// ---- time

constexpr std::int64_t kDayMs = 86'400'000;
std::int64_t day_of(std::int64_t epoch_ms);    // days since 1970-01-01 (UTC)
std::int64_t month_of(std::int64_t epoch_ms);  // months since 1970-01 (UTC)
std::int64_t month_start_ms(std::int64_t month);
// The first month of the rolling 12-month window ending with `month`
// (inclusive).
inline std::int64_t window_start(std::int64_t month) { return month - 11; }
// When points earned at `earned_at` expire; nullopt when the programme never
// expires them.
std::optional<std::int64_t> expires_at(std::int64_t earned_at, int expiry_days);

// ---- programme

constexpr int kDefaultExpiryDays = 365;
constexpr int kDefaultNoticeDays = 30;
constexpr int kMaxExpiryDays = 3650;
constexpr int kMaxNoticeDays = 365;

// ---- tiers

struct Tier {
  std::int64_t id = 0;
  std::string name;
  std::int64_t threshold = 0;  // rolling 12-month earned points to reach it
  int discount_pct = 0;        // a shop discount (stored; checkout applies it in a later slice)
  int earn_multiplier_pct = 100;
};
constexpr std::size_t kMaxTiers = 10;
// Why a tier list is refused ("" when fine): 1-40 character unique names,
// thresholds distinct and >= 0, discount 0-100, multiplier 100-1000, at most
// kMaxTiers.
std::string tiers_problem(std::vector<Tier> const& tiers);
// Sorted by threshold (ascending).
std::vector<Tier> sorted(std::vector<Tier> tiers);
// The highest tier whose threshold `earned` reaches (index into sorted tiers),
// or nullopt.
std::optional<std::size_t> qualifying(std::vector<Tier> const& sorted_tiers, std::int64_t earned);
// Position of a tier id in sorted tiers (nullopt when unknown or none).
std::optional<std::size_t> position(std::vector<Tier> const& sorted_tiers, std::optional<std::int64_t> tier_id);

// ---- consent

enum class Purpose { Marketing, Recommendations, Analytics };
std::string_view purpose_name(Purpose p);
std::optional<Purpose> parse_purpose(std::string_view s);
std::vector<Purpose> const& all_purposes();
// Marketing is off until the resident turns it on; the others are on until
// turned off.
bool default_consent(Purpose p);

}  // namespace courtyard::members::logic
