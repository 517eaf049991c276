#include "services/members/logic.hpp"

#include "http/json.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace courtyard::members::logic {

std::string_view owner_name(Owner o) {
  switch (o) {
    case Owner::Member:
      return "member";
    case Owner::Issued:
      return "issued";
    case Owner::Expired:
      return "expired";
    case Owner::Spent:
      return "spent";
  }
  return "?";
}

bool may_go_negative(Owner o) { return o == Owner::Issued; }

void check_balanced(std::vector<Leg> const& legs) {
  if (legs.size() < 2) throw std::logic_error("a points posting needs at least two legs");
  std::int64_t sum = 0;
  for (auto const& l : legs) {
    if (l.amount.value == 0) throw std::logic_error("a points leg must move points");
    sum += l.amount.value;
  }
  if (sum != 0) throw std::logic_error("points legs must sum to zero");
}

namespace {
struct KindInfo {
  EarnKind kind;
  std::string_view name, source;
};
constexpr KindInfo kKinds[] = {
    {EarnKind::BillPaidOnTime, "bill_paid_on_time", "bill"},
    {EarnKind::OrderCompleted, "order_completed", "order"},
    {EarnKind::EventAttended, "event_attended", "event"},
    {EarnKind::FirstReview, "first_review", "review"},
    {EarnKind::SuggestionAdopted, "suggestion_adopted", "suggestion"},
    {EarnKind::Referral, "referral", "referral"},
};
}  // namespace

std::string_view kind_name(EarnKind k) {
  for (auto const& i : kKinds)
    if (i.kind == k) return i.name;
  return "?";
}

std::string_view source_of(EarnKind k) {
  for (auto const& i : kKinds)
    if (i.kind == k) return i.source;
  return "?";
}

std::optional<EarnKind> parse_kind(std::string_view s) {
  for (auto const& i : kKinds)
    if (i.name == s) return i.kind;
  return std::nullopt;
}

std::vector<EarnKind> const& all_kinds() {
  static std::vector<EarnKind> const all = [] {
    std::vector<EarnKind> v;
    for (auto const& i : kKinds) v.push_back(i.kind);
    return v;
  }();
  return all;
}

std::int64_t earn_points(Rule const& rule, std::int64_t total_cents, std::int64_t merchant_id,
                         int tier_multiplier_pct) {
  if (!rule.enabled || rule.points <= 0) return 0;
  __int128 base = rule.points;
  int merchant_pct = 100;
  if (rule.kind == EarnKind::OrderCompleted) {
    if (total_cents <= 0) return 0;
    base *= total_cents / 100;
    if (auto it = rule.merchant_multipliers.find(merchant_id); it != rule.merchant_multipliers.end())
      merchant_pct = it->second;
  }
  __int128 v = base * rule.multiplier_pct * merchant_pct * std::max(tier_multiplier_pct, 0);
  v /= 1'000'000;
  if (v > kMaxEarn) return kMaxEarn;
  return v < 0 ? 0 : static_cast<std::int64_t>(v);
}

std::int64_t capped(std::int64_t points, std::int64_t daily_cap, std::int64_t already_today) {
  if (points <= 0) return 0;
  if (daily_cap <= 0) return points;
  return std::max<std::int64_t>(0, std::min(points, daily_cap - already_today));
}

bool paid_on_time(std::int64_t paid_at_ms, std::int64_t due_at_ms) { return due_at_ms > 0 && paid_at_ms <= due_at_ms; }

std::int64_t day_of(std::int64_t epoch_ms) {
  return epoch_ms >= 0 ? epoch_ms / kDayMs : -((-epoch_ms + kDayMs - 1) / kDayMs);
}

std::int64_t month_of(std::int64_t epoch_ms) {
  int y;
  unsigned m, d;
  json::civil_from_days(day_of(epoch_ms), y, m, d);
  return (static_cast<std::int64_t>(y) - 1970) * 12 + (m - 1);
}

std::int64_t month_start_ms(std::int64_t month) {
  std::int64_t y = 1970 + (month >= 0 ? month / 12 : -((-month + 11) / 12));
  unsigned m = static_cast<unsigned>(month - (y - 1970) * 12) + 1;
  return json::days_from_civil(y, m, 1) * kDayMs;
}

std::optional<std::int64_t> expires_at(std::int64_t earned_at, int expiry_days) {
  if (expiry_days <= 0) return std::nullopt;
  return earned_at + static_cast<std::int64_t>(expiry_days) * kDayMs;
}

std::string tiers_problem(std::vector<Tier> const& tiers) {
  if (tiers.size() > kMaxTiers) return "at most " + std::to_string(kMaxTiers) + " tiers";
  std::set<std::string> names;
  std::set<std::int64_t> thresholds;
  for (auto const& t : tiers) {
    if (t.name.empty() || t.name.size() > 40) return "a tier name has 1 to 40 characters";
    if (!names.insert(t.name).second) return "tier names must be unique (" + t.name + ")";
    if (t.threshold < 0 || t.threshold > kMaxEarn) return "a threshold is between 0 and " + std::to_string(kMaxEarn);
    if (!thresholds.insert(t.threshold).second) return "tier thresholds must be distinct";
    if (t.discount_pct < 0 || t.discount_pct > 100) return "discount_pct is between 0 and 100";
    if (t.earn_multiplier_pct < 100 || t.earn_multiplier_pct > kMaxMultiplierPct)
      return "earn_multiplier_pct is between 100 and " + std::to_string(kMaxMultiplierPct);
  }
  return "";
}

std::vector<Tier> sorted(std::vector<Tier> tiers) {
  std::sort(tiers.begin(), tiers.end(), [](Tier const& a, Tier const& b) { return a.threshold < b.threshold; });
  return tiers;
}

std::optional<std::size_t> qualifying(std::vector<Tier> const& sorted_tiers, std::int64_t earned) {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < sorted_tiers.size(); ++i)
    if (earned >= sorted_tiers[i].threshold) best = i;
  return best;
}

std::optional<std::size_t> position(std::vector<Tier> const& sorted_tiers, std::optional<std::int64_t> tier_id) {
  if (!tier_id) return std::nullopt;
  for (std::size_t i = 0; i < sorted_tiers.size(); ++i)
    if (sorted_tiers[i].id == *tier_id) return i;
  return std::nullopt;
}

std::string_view purpose_name(Purpose p) {
  switch (p) {
    case Purpose::Marketing:
      return "marketing";
    case Purpose::Recommendations:
      return "recommendations";
    case Purpose::Analytics:
      return "analytics";
  }
  return "?";
}

std::optional<Purpose> parse_purpose(std::string_view s) {
  for (auto p : all_purposes())
    if (purpose_name(p) == s) return p;
  return std::nullopt;
}

std::vector<Purpose> const& all_purposes() {
  static std::vector<Purpose> const all{Purpose::Marketing, Purpose::Recommendations, Purpose::Analytics};
  return all;
}

bool default_consent(Purpose p) { return p != Purpose::Marketing; }

}  // namespace courtyard::members::logic
