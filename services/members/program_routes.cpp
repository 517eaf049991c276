// The manager's loyalty programme: how long points last, the earn rules
// (versioned: a change applies to events that happen after it), and the tiers.
// Reads of the tiers are open to the community's members. Changes are audited
// by Context::tx (manager routes).
#include "services/identity/api.hpp"
#include "services/members/ledger.hpp"
#include "services/members/routes.hpp"

namespace courtyard::members {

namespace {

Response get_program(Request const&, Context& ctx) {
  return ctx.tx(
      [&](db::Tx& tx) { return Response::json(program_json(ctx.community_id, repo::program(tx, ctx.community_id))); });
}

// The spending terms are optional: one left out keeps its current value.
Response put_program(Request const& req, Context& ctx) {
  auto body = req.json();
  std::vector<FieldError> errs;
  auto expiry = json::integer(body, "expiry_days");
  auto notice = json::opt_integer(body, "notice_days").value_or(logic::kDefaultNoticeDays);
  auto rate = json::opt_integer(body, "cents_per_point");
  auto share = json::opt_integer(body, "max_share_pct");
  auto bills = json::opt_boolean(body, "points_on_bills");
  if (expiry < 0 || expiry > logic::kMaxExpiryDays)
    errs.push_back({"expiry_days", "must be between 0 (never) and " + std::to_string(logic::kMaxExpiryDays)});
  if (notice < 0 || notice > logic::kMaxNoticeDays)
    errs.push_back({"notice_days", "must be between 0 and " + std::to_string(logic::kMaxNoticeDays)});
  if (rate && (*rate < 1 || *rate > logic::kMaxCentsPerPoint))
    errs.push_back({"cents_per_point", "must be between 1 and " + std::to_string(logic::kMaxCentsPerPoint)});
  if (share && (*share < 0 || *share > 100)) errs.push_back({"max_share_pct", "must be between 0 and 100"});
  if (!errs.empty()) throw Invalid(std::move(errs));
  return ctx.tx([&](db::Tx& tx) {
    auto p = repo::program(tx, ctx.community_id);
    p.expiry_days = static_cast<int>(expiry);
    p.notice_days = static_cast<int>(notice);
    if (rate) p.spend.cents_per_point = *rate;
    if (share) p.spend.max_share_pct = static_cast<int>(*share);
    if (bills) p.points_on_bills = *bills;
    repo::save_program(tx, ctx.community_id, p, ctx.principal.account_id);
    return Response::json(program_json(ctx.community_id, repo::program(tx, ctx.community_id)));
  });
}

Response list_rules(Request const&, Context& ctx) {
  return ctx.tx([&](db::Tx& tx) {
    bj::array items;
    for (auto const& r : repo::current_rules(tx, ctx.community_id))
      items.push_back(rule_json(r, repo::rule_effective_from(tx, r.id)));
    return Response::json(bj::object{{"items", std::move(items)}});
  });
}

int percent(bj::object const& o, std::string_view key, std::vector<FieldError>& errs, std::string const& field) {
  auto v = json::opt_integer(o, key).value_or(100);
  if (v < logic::kMinMultiplierPct || v > logic::kMaxMultiplierPct) {
    errs.push_back({field, "must be between " + std::to_string(logic::kMinMultiplierPct) + " and " +
                               std::to_string(logic::kMaxMultiplierPct)});
    return 100;
  }
  return static_cast<int>(v);
}

// The rule's next version, effective from now.
Response put_rule(Request const& req, Context& ctx) {
  auto body = req.json();
  std::vector<FieldError> errs;
  auto kind = logic::parse_kind(json::str(body, "kind", 1, 32));
  if (!kind) {
    std::string list;
    for (auto k : logic::all_kinds()) list += (list.empty() ? "" : ", ") + std::string(logic::kind_name(k));
    throw Invalid("kind", "must be one of " + list);
  }
  logic::Rule rule;
  rule.kind = *kind;
  rule.points = json::integer(body, "points");
  if (rule.points < 0 || rule.points > logic::kMaxRulePoints)
    errs.push_back({"points", "must be between 0 and " + std::to_string(logic::kMaxRulePoints)});
  rule.multiplier_pct = percent(body, "multiplier_pct", errs, "multiplier_pct");
  rule.daily_cap = json::opt_integer(body, "daily_cap").value_or(0);
  if (rule.daily_cap < 0 || rule.daily_cap > logic::kMaxDailyCap)
    errs.push_back({"daily_cap", "must be between 0 (none) and " + std::to_string(logic::kMaxDailyCap)});
  rule.enabled = json::opt_boolean(body, "enabled").value_or(true);
  if (body.contains("merchant_multipliers") && !body.at("merchant_multipliers").is_null()) {
    if (*kind != logic::EarnKind::OrderCompleted)
      errs.push_back({"merchant_multipliers", "apply to order_completed only"});
    std::size_t i = 0;
    for (auto const& v : json::array(body, "merchant_multipliers")) {
      std::string field = "merchant_multipliers[" + std::to_string(i++) + "]";
      if (!v.is_object()) throw BadRequest(field + " must be an object");
      auto mid = json::integer(v.as_object(), "merchant_id");
      if (mid <= 0) errs.push_back({field + ".merchant_id", "must be a positive id"});
      if (!rule.merchant_multipliers
               .emplace(mid, percent(v.as_object(), "multiplier_pct", errs, field + ".multiplier_pct"))
               .second)
        errs.push_back({field + ".merchant_id", "appears twice"});
    }
    if (rule.merchant_multipliers.size() > 500) errs.push_back({"merchant_multipliers", "at most 500"});
  }
  if (!errs.empty()) throw Invalid(std::move(errs));
  return ctx.tx([&](db::Tx& tx) {
    for (auto const& [mid, pct] : rule.merchant_multipliers)
      if (identity::accounts_acting_for(tx, ctx.community_id, mid).empty())
        throw Invalid("merchant_multipliers",
                      "merchant " + std::to_string(mid) + " is not a merchant of this community");
    logic::Rule saved;
    try {
      saved = repo::insert_rule(tx, ctx.community_id, rule, tx.now_ms(), ctx.principal.account_id);
    } catch (std::exception const& e) {
      if (db::is_unique_violation(e))
        throw Conflict("rule-changed",
                       "another change to this rule was saved "
                       "at the same time; send it again");
      throw;
    }
    return Response::json(rule_json(saved, tx.now_ms()));
  });
}

Response list_tiers(Request const&, Context& ctx) {
  return ctx.tx([&](db::Tx& tx) {
    bj::array items;
    for (auto const& t : repo::tiers(tx, ctx.community_id)) items.push_back(tier_json(t));
    return Response::json(bj::object{{"items", std::move(items)}});
  });
}

// Replaces the tier list. Members of a removed tier move to the tier their
// 12-month points reach now (a configuration change, not a period-end
// downgrade).
Response put_tiers(Request const& req, Context& ctx) {
  auto body = req.json();
  std::vector<logic::Tier> wanted;
  std::size_t i = 0;
  for (auto const& v : json::array(body, "tiers")) {
    std::string field = "tiers[" + std::to_string(i++) + "]";
    if (!v.is_object()) throw BadRequest(field + " must be an object");
    auto const& o = v.as_object();
    logic::Tier t;
    t.name = json::str(o, "name", 1, 40);
    t.threshold = json::integer(o, "threshold");
    t.discount_pct =
        static_cast<int>(std::clamp<std::int64_t>(json::opt_integer(o, "discount_pct").value_or(0), -1, 101));
    t.earn_multiplier_pct = static_cast<int>(
        std::clamp<std::int64_t>(json::opt_integer(o, "earn_multiplier_pct").value_or(100), -1, 100000));
    wanted.push_back(std::move(t));
  }
  if (auto why = logic::tiers_problem(wanted); !why.empty()) throw Invalid("tiers", why);
  return ctx.tx([&](db::Tx& tx) {
    auto removed = repo::replace_tiers(tx, ctx.community_id, wanted);
    auto tiers = repo::tiers(tx, ctx.community_id);
    if (!removed.empty()) {
      for (auto const& s : repo::holding_tiers(tx, ctx.community_id, removed)) {
        auto reached = logic::qualifying(tiers, ledger::earned_12m(tx, ctx.community_id, s.account_id, tx.now_ms()));
        repo::set_tier(tx, ctx.community_id, s.account_id,
                       reached ? std::optional<std::int64_t>(tiers[*reached].id) : std::nullopt, tx.now_ms());
      }
    }
    bj::array items;
    for (auto const& t : tiers) items.push_back(tier_json(t));
    return Response::json(bj::object{{"items", std::move(items)}});
  });
}

}  // namespace

void add_program_routes(http::Router& r) {
  r.get("/v1/communities/{cid}/loyalty/program", Access::manager(), get_program);
  r.put("/v1/communities/{cid}/loyalty/program", Access::manager(), put_program);
  r.get("/v1/communities/{cid}/loyalty/earn-rules", Access::manager(), list_rules);
  r.put("/v1/communities/{cid}/loyalty/earn-rules", Access::manager(), put_rule);
  r.get("/v1/communities/{cid}/loyalty/tiers", Access::member(), list_tiers);
  r.put("/v1/communities/{cid}/loyalty/tiers", Access::manager(), put_tiers);
}

}  // namespace courtyard::members
