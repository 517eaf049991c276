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

#include <boost/json/fwd.hpp>

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

// ---- spending (checkout, event fees, bills)

// What points are worth and how much of a price they may pay, per community
// (the programme settings). A point is worth `cents_per_point` cents; points
// pay at most `max_share_pct` percent of a price.
constexpr std::int64_t kDefaultCentsPerPoint = 1;
constexpr int kDefaultMaxSharePct = 50;
constexpr std::int64_t kMaxCentsPerPoint = 10'000;
struct SpendTerms {
  std::int64_t cents_per_point = kDefaultCentsPerPoint;
  int max_share_pct = kDefaultMaxSharePct;
};
// The most points that may pay for `price_cents`: the share, rounded down to
// the cent, then down to whole points (so points never pay more than the
// share).
std::int64_t max_points(std::int64_t price_cents, SpendTerms const& t);
// What `points` pay, in cents (exact: points x cents_per_point).
std::int64_t points_value_cents(std::int64_t points, SpendTerms const& t);
// Why spending `points` on `price_cents` is refused ("" when fine): negative,
// or more than max_points.
std::string spend_problem(std::int64_t points, std::int64_t price_cents, SpendTerms const& t);

// Points given back: how many to restore to each lot a debit took them from,
// last taken first, never more than was taken and not yet restored. `taken`
// lists (taken, restored already) in the order the debit took them; the answer
// has one entry per lot (0 for those not restored) and what is left over.
struct Restore {
  std::vector<std::int64_t> per_lot;
  std::int64_t left_over = 0;
};
Restore plan_restore(std::vector<std::pair<std::int64_t, std::int64_t>> const& taken, std::int64_t points);

// ---- tiers

struct Tier {
  std::int64_t id = 0;
  std::string name;
  std::int64_t threshold = 0;  // rolling 12-month earned points to reach it
  int discount_pct = 0;        // a shop discount checkout applies (shops: tier_discount_cents)
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

// ---- segments and campaigns (issue 12, items 7 and 8)

// k: a count below it is never shown (a band instead), and a merchant's campaign
// may not target fewer members.
constexpr std::int64_t kMinGroup = 5;
constexpr int kMaxRuleDays = 3660;
constexpr std::size_t kMaxRuleList = 100;
constexpr std::size_t kMaxTagLength = 40;

struct CategorySpend {
  std::string category;
  int days = 0;
  std::int64_t min_cents = 0;
};
// Spend is kept per day and, summed, per period of kSpendPeriodDays days (a period starts
// on a day that is a multiple of it), so a long window reads a member's whole periods plus
// at most kSpendPeriodDays - 1 days. A window of `days` ending `today` is the day rows in
// [from_day, periods_from) and the period rows starting on or after periods_from (none start
// after today, so no upper bound is needed).
constexpr std::int64_t kSpendPeriodDays = 30;
inline std::int64_t period_of(std::int64_t day) {
  std::int64_t r = day % kSpendPeriodDays;
  return day - (r < 0 ? r + kSpendPeriodDays : r);
}
struct SpendWindow {
  std::int64_t from_day = 0, periods_from = 0;
};
SpendWindow spend_window(std::int64_t today, int days);
// All of the conditions hold (an absent one does not filter). A rule is JSON: one object
// whose keys are conditions, or {"all_of": [ {condition…}, … ]} (lists of the same
// condition add up: every category_spend must hold, building_in lists intersect).
struct SegmentRule {
  std::optional<std::vector<std::int64_t>> buildings;  // building_in
  std::optional<std::vector<std::string>> tiers;       // tier_in (tier names)
  std::optional<std::int64_t> min_points;
  std::optional<int> last_order_within_days;
  std::vector<CategorySpend> category_spend;
  std::vector<std::int64_t> clubs;  // club_id: a member of each
  std::optional<bool> has_overdue_bills;
  std::vector<std::string> tags;  // tag: holds each
};
// Who defines the segment: a merchant's rule may use only the merchant's own facts
// (its customers' last order and spend per category with it) and their building.
enum class SegmentOwner { Community, Merchant };
struct RuleProblem {
  std::string field, why;
};
// Parses and checks a rule; problems name the field ("rule.tier_in").
SegmentRule parse_rule(boost::json::value const& v, SegmentOwner owner, std::vector<RuleProblem>& problems);
// The canonical JSON of a rule (stored, and shown back).
boost::json::object rule_to_json(SegmentRule const& r);
// A tag as stored: lower case a-z 0-9 - _, 1..40 characters; nullopt when not one.
std::optional<std::string> normalize_tag(std::string_view tag);
// Whether a count may be shown: below k it is "fewer than 5".
constexpr bool shown(std::int64_t count) { return count >= kMinGroup; }

enum class CampaignKind { Coupon, Points, Message };
std::string_view campaign_kind_name(CampaignKind k);
std::optional<CampaignKind> parse_campaign_kind(std::string_view s);
// What happened to one member of the segment when the campaign was issued.
enum class Delivery { Reached, NoConsent, Capped };
std::string_view delivery_name(Delivery d);
// The frequency cap: a member already reached `recent` times inside the window may be
// reached again only while recent < max_per_window.
constexpr bool under_cap(std::int64_t recent, std::int64_t max_per_window) { return recent < max_per_window; }
constexpr int kDefaultCampaignCap = 2;
constexpr int kDefaultCampaignWindowDays = 7;

}  // namespace courtyard::members::logic
