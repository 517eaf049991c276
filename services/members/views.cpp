// The JSON shapes of the members resources.
#include "services/members/routes.hpp"
#include "services/shops/api.hpp"

#include <map>

namespace courtyard::members {

namespace {
bj::value opt_int(std::optional<std::int64_t> v) { return v ? bj::value(*v) : bj::value(nullptr); }
}  // namespace

bj::object program_json(std::int64_t cid, repo::Program const& p) {
  return bj::object{{"community_id", cid},
                    {"expiry_days", p.expiry_days},
                    {"notice_days", p.notice_days},
                    {"cents_per_point", p.spend.cents_per_point},
                    {"max_share_pct", p.spend.max_share_pct},
                    {"points_on_bills", p.points_on_bills},
                    {"updated_at", json::time_or_null(p.updated_at)}};
}

bj::object rule_json(logic::Rule const& r, std::optional<std::int64_t> effective_from) {
  bj::array merchants;
  for (auto const& [mid, pct] : r.merchant_multipliers)
    merchants.push_back(bj::object{{"merchant_id", mid}, {"multiplier_pct", pct}});
  return bj::object{{"id", r.id},
                    {"kind", logic::kind_name(r.kind)},
                    {"version", r.version},
                    {"points", r.points},
                    {"multiplier_pct", r.multiplier_pct},
                    {"daily_cap", r.daily_cap},
                    {"enabled", r.enabled},
                    {"merchant_multipliers", std::move(merchants)},
                    {"effective_from", json::time_or_null(effective_from)}};
}

bj::object tier_json(logic::Tier const& t) {
  return bj::object{{"id", t.id},
                    {"name", t.name},
                    {"threshold", t.threshold},
                    {"discount_pct", t.discount_pct},
                    {"earn_multiplier_pct", t.earn_multiplier_pct}};
}

bj::value tier_or_null(std::vector<logic::Tier> const& tiers, std::optional<std::size_t> pos) {
  if (!pos) return nullptr;
  return tier_json(tiers[*pos]);
}

bj::object posting_json(repo::Posting const& p) {
  // Points leave the member on expiry and debit, and come in by earning and
  // refunds: signed from the member's side.
  std::int64_t signed_points = p.kind == "earn" || p.kind == "refund" ? p.points : -p.points;
  return bj::object{{"id", p.id},
                    {"community_id", p.community_id},
                    {"kind", p.kind},
                    {"points", signed_points},
                    {"source", p.source},
                    {"source_ref", p.source_ref},
                    {"source_event_id", opt_int(p.source_event_id)},
                    {"rule_id", opt_int(p.rule_id)},
                    {"rule_version", opt_int(p.rule_version)},
                    {"created_at", json::rfc3339(p.created_at)}};
}

bj::object lot_json(repo::Lot const& l) {
  return bj::object{{"id", l.id},
                    {"community_id", l.community_id},
                    {"posting_id", l.posting_id},
                    {"points", l.points},
                    {"remaining", l.remaining},
                    {"earned_at", json::rfc3339(l.earned_at)},
                    {"expires_at", json::time_or_null(l.expires_at)}};
}

bj::object consents_json(std::vector<std::pair<std::string, bool>> const& stored) {
  bj::object out;
  for (auto p : logic::all_purposes()) out[logic::purpose_name(p)] = logic::default_consent(p);
  for (auto const& [purpose, granted] : stored)
    if (logic::parse_purpose(purpose)) out[purpose] = granted;
  return out;
}

bj::array expiring_json(std::vector<repo::Lot> const& open_lots) {
  std::map<std::int64_t, std::int64_t> by_day;
  for (auto const& l : open_lots)
    if (l.expires_at && l.remaining > 0) by_day[logic::day_of(*l.expires_at)] += l.remaining;
  bj::array out;
  for (auto const& [day, points] : by_day)
    out.push_back(bj::object{{"points", points}, {"expires_at", json::rfc3339(day * logic::kDayMs)}});
  return out;
}

bj::object standing_json(std::vector<logic::Tier> const& tiers, std::optional<std::int64_t> tier_id,
                         std::int64_t earned_12m) {
  auto pos = logic::position(tiers, tier_id);
  std::optional<std::size_t> next;
  std::size_t from = pos ? *pos + 1 : 0;
  for (std::size_t i = from; i < tiers.size(); ++i)
    if (tiers[i].threshold > earned_12m) {
      next = i;
      break;
    }
  bj::value next_json = nullptr;
  if (next)
    next_json = bj::object{{"id", tiers[*next].id},
                           {"name", tiers[*next].name},
                           {"threshold", tiers[*next].threshold},
                           {"points_needed", tiers[*next].threshold - earned_12m}};
  return bj::object{
      {"tier", tier_or_null(tiers, pos)}, {"earned_12m", earned_12m}, {"next_tier", std::move(next_json)}};
}

void put_count(bj::object& obj, std::string const& key, std::int64_t n, bool banded) {
  bool hide = banded && !logic::shown(n);
  obj[key] = hide ? bj::value(nullptr) : bj::value(n);
  obj[key + "_band"] = hide ? bj::value("fewer_than_5") : bj::value(nullptr);
}

bj::object segment_json(repo::Segment const& s, std::int64_t size) {
  bj::object o{{"id", s.id},
               {"name", s.name},
               {"owner", s.merchant_id > 0 ? "merchant" : "community"},
               {"merchant_id", s.merchant_id > 0 ? bj::value(s.merchant_id) : bj::value(nullptr)},
               {"rule", bj::parse(s.rule)}};
  put_count(o, "size", size);
  o["created_at"] = json::rfc3339(s.created_at);
  o["updated_at"] = json::rfc3339(s.updated_at);
  return o;
}

bj::object campaign_json(repo::Campaign const& c, std::int64_t redemptions, std::int64_t revenue_cents,
                         std::int64_t points_cost, bool banded) {
  bj::object o{{"id", c.id},
               {"name", c.name},
               {"owner", c.merchant_id > 0 ? "merchant" : "community"},
               {"merchant_id", c.merchant_id > 0 ? bj::value(c.merchant_id) : bj::value(nullptr)},
               {"segment_id", c.segment_id},
               {"kind", c.kind},
               {"title", c.title},
               {"message", c.body},
               {"status", c.status}};
  if (c.kind == "points") o["points"] = c.points;
  if (c.kind == "coupon") {
    bj::object k{{"merchant_id", c.coupon_merchant_id},
                 {"percent_off", c.percent_off ? bj::value(*c.percent_off) : bj::value(nullptr)},
                 {"amount_off_cents", c.amount_off_cents ? bj::value(*c.amount_off_cents) : bj::value(nullptr)},
                 {"min_spend_cents", c.min_spend_cents},
                 {"valid_days", c.coupon_days}};
    o["coupon"] = std::move(k);
  }
  o["created_at"] = json::rfc3339(c.created_at);
  o["issued_at"] = c.issued_at ? bj::value(json::rfc3339(*c.issued_at)) : bj::value(nullptr);
  bj::object report;
  bool issued = c.status == "issued";
  if (issued) {
    put_count(report, "targeted", c.targeted, banded);
    put_count(report, "reach", c.reached, banded);
    put_count(report, "skipped_no_consent", c.no_consent, banded);
    put_count(report, "skipped_frequency_cap", c.capped, banded);
    put_count(report, "redemptions", redemptions, banded);
    bool hide_revenue = banded && !logic::shown(redemptions);
    report["revenue_cents"] = hide_revenue ? bj::value(nullptr) : bj::value(revenue_cents);
    report["points_cost"] = points_cost;
  }
  o["report"] = issued ? bj::value(std::move(report)) : bj::value(nullptr);
  return o;
}

bj::object received_json(repo::Received const& r, std::optional<shops::AccountCoupon> const& coupon,
                         std::int64_t now_ms) {
  bj::object o{{"campaign_id", r.campaign_id},
               {"community_id", r.community_id},
               {"from", r.merchant_id > 0 ? "merchant" : "community"},
               {"merchant_id", r.merchant_id > 0 ? bj::value(r.merchant_id) : bj::value(nullptr)},
               {"kind", r.kind},
               {"title", r.title},
               {"message", r.body},
               {"received_at", json::rfc3339(r.at)}};
  if (r.kind == "points") o["points"] = r.points;
  if (r.kind == "coupon") {
    if (!coupon) {
      // Shops has no row of it (never expected; a coupon campaign names a merchant): the code
      // as it was delivered.
      o["coupon"] = bj::object{{"code", r.coupon_code.value_or("")}, {"status", "unknown"}};
    } else {
      bool used = coupon->order_id || coupon->redemptions > 0;
      char const* status = used ? "used" : coupon->expires_at <= now_ms ? "expired" : "available";
      o["coupon"] = bj::object{{"code", coupon->code},
                               {"merchant_id", coupon->merchant_id},
                               {"percent_off", opt_int(coupon->percent_off)},
                               {"amount_off_cents", opt_int(coupon->amount_off_cents)},
                               {"min_spend_cents", coupon->min_spend_cents},
                               {"expires_at", json::rfc3339(coupon->expires_at)},
                               {"status", status},
                               {"order_id", opt_int(coupon->order_id)}};
    }
  }
  return o;
}

bj::object campaign_settings_json(std::int64_t cid, repo::CampaignSettings const& s) {
  return bj::object{{"community_id", cid},
                    {"max_per_window", s.max_per_window},
                    {"window_days", s.window_days},
                    {"updated_at", s.updated_at ? bj::value(json::rfc3339(*s.updated_at)) : bj::value(nullptr)}};
}

}  // namespace courtyard::members
