#include "services/members/logic.hpp"

#include "http/names.hpp"

#include "http/json.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <set>
#include <stdexcept>

namespace courtyard::members::logic {

namespace {
constexpr auto kOwner = http::names<Owner>({{Owner::Member, "member"},
                                            {Owner::Issued, "issued"},
                                            {Owner::Expired, "expired"},
                                            {Owner::Spent, "spent"}});
constexpr auto kPurpose = http::names<Purpose>({{Purpose::Marketing, "marketing"},
                                                {Purpose::Recommendations, "recommendations"},
                                                {Purpose::Analytics, "analytics"}});
constexpr auto kCampaignKind = http::names<CampaignKind>({{CampaignKind::Coupon, "coupon"},
                                                          {CampaignKind::Points, "points"},
                                                          {CampaignKind::Message, "message"}});
constexpr auto kDelivery = http::names<Delivery>({{Delivery::Reached, "reached"},
                                                  {Delivery::NoConsent, "no_consent"},
                                                  {Delivery::Capped, "capped"}});
static_assert(kOwner.distinct() && kPurpose.distinct() && kCampaignKind.distinct() && kDelivery.distinct());
}  // namespace

std::string_view owner_name(Owner o) { return kOwner.name(o); }
std::string_view purpose_name(Purpose p) { return kPurpose.name(p); }
std::optional<Purpose> parse_purpose(std::string_view s) { return kPurpose.parse(s); }
std::string_view campaign_kind_name(CampaignKind k) { return kCampaignKind.name(k); }
std::optional<CampaignKind> parse_campaign_kind(std::string_view s) { return kCampaignKind.parse(s); }
std::string_view delivery_name(Delivery d) { return kDelivery.name(d); }

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

SpendWindow spend_window(std::int64_t today, int days) {
  SpendWindow w;
  w.from_day = today - days + 1;
  w.periods_from = period_of(w.from_day);
  if (w.periods_from < w.from_day) w.periods_from += kSpendPeriodDays;
  return w;
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

std::int64_t max_points(std::int64_t price_cents, SpendTerms const& t) {
  if (price_cents <= 0 || t.cents_per_point <= 0 || t.max_share_pct <= 0) return 0;
  __int128 share = static_cast<__int128>(price_cents) * std::min(t.max_share_pct, 100) / 100;
  return static_cast<std::int64_t>(share / t.cents_per_point);
}

std::int64_t points_value_cents(std::int64_t points, SpendTerms const& t) { return points * t.cents_per_point; }

std::string spend_problem(std::int64_t points, std::int64_t price_cents, SpendTerms const& t) {
  if (points < 0) return "must be 0 or more";
  if (points == 0) return "";
  std::int64_t most = max_points(price_cents, t);
  if (points > most)
    return "at most " + std::to_string(most) + " points may pay for this (" + std::to_string(t.max_share_pct) +
           "% of the price, " + std::to_string(t.cents_per_point) + " cents a point)";
  return "";
}

Restore plan_restore(std::vector<std::pair<std::int64_t, std::int64_t>> const& taken, std::int64_t points) {
  Restore r;
  r.per_lot.assign(taken.size(), 0);
  std::int64_t left = std::max<std::int64_t>(points, 0);
  for (std::size_t i = taken.size(); i-- > 0 && left > 0;) {
    std::int64_t open = std::max<std::int64_t>(taken[i].first - taken[i].second, 0);
    std::int64_t n = std::min(open, left);
    r.per_lot[i] = n;
    left -= n;
  }
  r.left_over = left;
  return r;
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

std::vector<Purpose> const& all_purposes() {
  static std::vector<Purpose> const all = [] {
    std::vector<Purpose> v;
    for (auto const& [p, name] : kPurpose) v.push_back(p);
    return v;
  }();
  return all;
}

bool default_consent(Purpose p) { return p != Purpose::Marketing; }

// ---- segments and campaigns

namespace {

namespace bj = boost::json;

std::optional<std::int64_t> positive_int(bj::value const& v) {
  if (v.is_int64() && v.as_int64() >= 0) return v.as_int64();
  if (v.is_uint64() && v.as_uint64() <= 1'000'000'000'000ULL) return static_cast<std::int64_t>(v.as_uint64());
  return std::nullopt;
}

std::optional<int> day_count(bj::value const& v) {
  auto n = positive_int(v);
  if (!n || *n < 1 || *n > kMaxRuleDays) return std::nullopt;
  return static_cast<int>(*n);
}

bool merchant_may(std::string_view key) {
  return key == "building_in" || key == "last_order_within_days" || key == "category_spend";
}

void add_condition(SegmentRule& r, std::string const& key, bj::value const& v, std::string const& field,
                   SegmentOwner owner, std::vector<RuleProblem>& out) {
  auto bad = [&](std::string why) { out.push_back({field, std::move(why)}); };
  if (owner == SegmentOwner::Merchant && !merchant_may(key)) {
    bad("is not available to a merchant (a merchant's segment uses building_in, last_order_within_days and "
        "category_spend over its own customers)");
    return;
  }
  if (key == "building_in") {
    if (!v.is_array() || v.as_array().empty() || v.as_array().size() > kMaxRuleList)
      return bad("must be a list of 1 to 100 building ids");
    std::vector<std::int64_t> ids;
    for (auto const& x : v.as_array()) {
      auto n = positive_int(x);
      if (!n || *n == 0) return bad("must hold building ids");
      ids.push_back(*n);
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    if (r.buildings) {
      std::vector<std::int64_t> both;
      std::set_intersection(r.buildings->begin(), r.buildings->end(), ids.begin(), ids.end(),
                            std::back_inserter(both));
      ids = std::move(both);
    }
    r.buildings = std::move(ids);
  } else if (key == "tier_in") {
    if (!v.is_array() || v.as_array().empty() || v.as_array().size() > kMaxRuleList)
      return bad("must be a list of 1 to 100 tier names");
    std::vector<std::string> names;
    for (auto const& x : v.as_array()) {
      if (!x.is_string() || x.as_string().empty() || x.as_string().size() > 40) return bad("must hold tier names");
      names.emplace_back(x.as_string());
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    r.tiers = std::move(names);
  } else if (key == "min_points") {
    auto n = positive_int(v);
    if (!n) return bad("must be a number of points, 0 or more");
    r.min_points = std::max(r.min_points.value_or(0), *n);
  } else if (key == "last_order_within_days") {
    auto n = day_count(v);
    if (!n) return bad("must be a number of days between 1 and " + std::to_string(kMaxRuleDays));
    r.last_order_within_days = r.last_order_within_days ? std::min(*r.last_order_within_days, *n) : *n;
  } else if (key == "category_spend") {
    if (!v.is_object()) return bad("must be an object {category, days, min_cents}");
    auto const& o = v.as_object();
    CategorySpend c;
    auto const* cat = o.if_contains("category");
    if (!cat || !cat->is_string() || cat->as_string().empty() || cat->as_string().size() > 50)
      return out.push_back({field + ".category", "must be a product category (1 to 50 characters)"});
    c.category = std::string(cat->as_string());
    auto const* days = o.if_contains("days");
    auto d = days ? day_count(*days) : std::nullopt;
    if (!d) return out.push_back({field + ".days", "must be between 1 and " + std::to_string(kMaxRuleDays)});
    c.days = *d;
    auto const* min = o.if_contains("min_cents");
    auto m = min ? positive_int(*min) : std::optional<std::int64_t>(1);
    if (!m) return out.push_back({field + ".min_cents", "must be a number of cents, 0 or more"});
    c.min_cents = std::max<std::int64_t>(*m, 1);
    if (r.category_spend.size() >= 10) return bad("at most 10 category_spend conditions");
    r.category_spend.push_back(std::move(c));
  } else if (key == "club_id") {
    auto n = positive_int(v);
    if (!n || *n == 0) return bad("must be a club id");
    if (std::find(r.clubs.begin(), r.clubs.end(), *n) == r.clubs.end()) r.clubs.push_back(*n);
  } else if (key == "has_overdue_bills") {
    if (!v.is_bool()) return bad("must be true or false");
    if (r.has_overdue_bills && *r.has_overdue_bills != v.as_bool()) return bad("contradicts another condition");
    r.has_overdue_bills = v.as_bool();
  } else if (key == "tag") {
    auto t = v.is_string() ? normalize_tag(v.as_string()) : std::nullopt;
    if (!t) return bad("must be a tag (1 to 40 of a-z, 0-9, - and _)");
    if (std::find(r.tags.begin(), r.tags.end(), *t) == r.tags.end()) r.tags.push_back(*t);
  } else {
    bad("is not a condition (building_in, tier_in, min_points, last_order_within_days, category_spend, club_id, "
        "has_overdue_bills, tag)");
  }
}

void add_object(SegmentRule& r, bj::object const& o, std::string const& prefix, SegmentOwner owner,
                std::vector<RuleProblem>& out) {
  for (auto const& [k, v] : o) {
    std::string key(k);
    if (key == "all_of") {
      if (!v.is_array() || v.as_array().size() > 50) {
        out.push_back({prefix + ".all_of", "must be a list of at most 50 conditions"});
        continue;
      }
      std::size_t i = 0;
      for (auto const& item : v.as_array()) {
        std::string at = prefix + ".all_of[" + std::to_string(i++) + "]";
        if (!item.is_object()) {
          out.push_back({at, "must be an object"});
          continue;
        }
        add_object(r, item.as_object(), at, owner, out);
      }
      continue;
    }
    add_condition(r, key, v, prefix + "." + key, owner, out);
  }
}

}  // namespace

SegmentRule parse_rule(bj::value const& v, SegmentOwner owner, std::vector<RuleProblem>& problems) {
  SegmentRule r;
  if (!v.is_object()) {
    problems.push_back({"rule", "must be an object of conditions"});
    return r;
  }
  add_object(r, v.as_object(), "rule", owner, problems);
  return r;
}

bj::object rule_to_json(SegmentRule const& r) {
  bj::object o;
  if (r.buildings) o["building_in"] = bj::value_from(*r.buildings);
  if (r.tiers) o["tier_in"] = bj::value_from(*r.tiers);
  if (r.min_points) o["min_points"] = *r.min_points;
  if (r.last_order_within_days) o["last_order_within_days"] = *r.last_order_within_days;
  if (r.has_overdue_bills) o["has_overdue_bills"] = *r.has_overdue_bills;
  bj::array all;
  for (auto const& c : r.category_spend)
    all.push_back(bj::object{
        {"category_spend", bj::object{{"category", c.category}, {"days", c.days}, {"min_cents", c.min_cents}}}});
  for (auto id : r.clubs) all.push_back(bj::object{{"club_id", id}});
  for (auto const& t : r.tags) all.push_back(bj::object{{"tag", t}});
  if (!all.empty()) o["all_of"] = std::move(all);
  return o;
}

std::optional<std::string> normalize_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > kMaxTagLength) return std::nullopt;
  std::string out;
  for (char ch : tag) {
    char l = (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
    if (!((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '-' || l == '_')) return std::nullopt;
    out.push_back(l);
  }
  return out;
}

}  // namespace courtyard::members::logic
