// Campaigns: the manager or a merchant targets one of its segments with a coupon (a
// single-use code per member), a points bonus (manager only: points are the community's
// programme) or a message. A campaign is created as a draft and issued once
// (campaigns::issue); its report counts reach, skips, redemptions, revenue and points
// cost — a merchant's with every count below k shown as "fewer than 5". The manager sets
// the frequency cap.
#include "services/members/campaigns.hpp"
#include "services/members/routes.hpp"
#include "services/shops/api.hpp"

namespace courtyard::members {

namespace {

constexpr std::int64_t kMaxCampaignPoints = 100'000;
constexpr int kMaxCouponDays = 365;

std::string campaign_suffix(std::int64_t mid, std::int64_t id) {
  return (mid > 0 ? "/merchants/" + std::to_string(mid) : std::string()) + "/campaigns/" + std::to_string(id);
}

repo::Campaign campaign_from_body(db::Tx& tx, bj::object const& body, std::int64_t cid, std::int64_t mid) {
  repo::Campaign c;
  c.community_id = cid;
  c.merchant_id = mid;
  c.name = json::str(body, "name", 1, 80);
  c.title = json::str(body, "title", 1, 120);
  c.body = json::opt_str(body, "message", 2000).value_or("");
  c.segment_id = json::integer(body, "segment_id");
  auto kind = logic::parse_campaign_kind(json::str(body, "kind", 1, 16));
  if (!kind) throw Invalid("kind", "must be one of coupon, points, message");
  c.kind = std::string(logic::campaign_kind_name(*kind));
  std::vector<FieldError> errs;
  if (c.segment_id <= 0 || !repo::find_segment(tx, cid, mid, c.segment_id))
    errs.push_back({"segment_id", "is not one of your segments"});
  if (*kind == logic::CampaignKind::Points) {
    if (mid > 0) errs.push_back({"kind", "a merchant's campaign may give a coupon or a message, not points"});
    c.points = json::integer(body, "points");
    if (c.points < 1 || c.points > kMaxCampaignPoints)
      errs.push_back({"points", "must be between 1 and " + std::to_string(kMaxCampaignPoints)});
  }
  if (*kind == logic::CampaignKind::Coupon) {
    auto const* v = body.if_contains("coupon");
    if (!v || !v->is_object()) throw Invalid("coupon", "is required for a coupon campaign");
    auto const& k = v->as_object();
    c.coupon_merchant_id = mid > 0 ? mid : json::integer(k, "merchant_id");
    if (mid > 0 && json::opt_integer(k, "merchant_id").value_or(mid) != mid)
      errs.push_back({"coupon.merchant_id", "a merchant's coupon is its own"});
    if (mid == 0 && !shops::merchant_owner(tx, cid, c.coupon_merchant_id))
      errs.push_back({"coupon.merchant_id", "is not a merchant of this community"});
    c.percent_off = json::opt_integer(k, "percent_off");
    c.amount_off_cents = json::opt_integer(k, "amount_off_cents");
    c.min_spend_cents = json::opt_integer(k, "min_spend_cents").value_or(0);
    auto days = json::opt_integer(k, "valid_days").value_or(30);
    if (days < 1 || days > kMaxCouponDays)
      errs.push_back({"coupon.valid_days", "must be between 1 and " + std::to_string(kMaxCouponDays)});
    c.coupon_days = static_cast<int>(std::clamp<std::int64_t>(days, 1, kMaxCouponDays));
    shops::MemberCoupon probe;
    probe.code = "CHECK";
    probe.percent_off = c.percent_off;
    probe.amount_off_cents = c.amount_off_cents;
    probe.min_spend_cents = c.min_spend_cents;
    probe.expires_at = tx.now_ms() + std::int64_t(c.coupon_days) * logic::kDayMs;
    if (auto problem = shops::member_coupon_problem(probe, tx.now_ms()))
      errs.push_back({"coupon." + problem->first, problem->second});
  }
  if (!errs.empty()) throw Invalid(std::move(errs));
  return c;
}

Response report(db::Tx& tx, repo::Campaign const& c, int status = 200) {
  auto use = shops::campaign_coupon_use(tx, c.community_id, c.id);
  auto body = campaign_json(c, use.orders, use.revenue_cents, repo::campaign_points(tx, c.id), c.merchant_id > 0);
  return Response::json(body, status);
}

repo::Campaign campaign_or_404(db::Tx& tx, Context& ctx, Request const& req) {
  auto c = repo::find_campaign(tx, ctx.community_id, segment_owner(tx, req, ctx.community_id), req.id("cpid"));
  if (!c) throw NotFound("campaign");
  return *c;
}

Response create_campaign(Request const& req, Context& ctx) {
  auto body = req.json();
  return ctx.tx([&](db::Tx& tx) {
    std::int64_t mid = segment_owner(tx, req, ctx.community_id);
    auto c = campaign_from_body(tx, body, ctx.community_id, mid);
    c.created_by = ctx.principal.account_id;
    auto id = repo::insert_campaign(tx, c);
    auto saved = *repo::find_campaign(tx, ctx.community_id, mid, id);
    auto use = shops::campaign_coupon_use(tx, ctx.community_id, id);
    return Response::created(campaign_json(saved, use.orders, use.revenue_cents, 0, mid > 0),
                             ctx.path(campaign_suffix(mid, id)));
  });
}

Response list_campaigns(Request const& req, Context& ctx) {
  auto page = req.page();
  return ctx.tx([&](db::Tx& tx) {
    std::int64_t mid = segment_owner(tx, req, ctx.community_id);
    auto rows = repo::list_campaigns(tx, ctx.community_id, mid, page);
    return Response::json(json::page_of_rows(rows, page, [&](repo::Campaign const& c) {
      auto use = shops::campaign_coupon_use(tx, c.community_id, c.id);
      return campaign_json(c, use.orders, use.revenue_cents, repo::campaign_points(tx, c.id), mid > 0);
    }));
  });
}

Response get_campaign(Request const& req, Context& ctx) {
  return ctx.tx([&](db::Tx& tx) { return report(tx, campaign_or_404(tx, ctx, req)); });
}

Response issue_campaign(Request const& req, Context& ctx) {
  return ctx.tx([&](db::Tx& tx) {
    auto c = campaign_or_404(tx, ctx, req);
    campaigns::issue(tx, c, ctx.principal.account_id);
    return report(tx, *repo::find_campaign(tx, ctx.community_id, c.merchant_id, c.id));
  });
}

Response get_settings(Request const&, Context& ctx) {
  return ctx.tx([&](db::Tx& tx) {
    return Response::json(campaign_settings_json(ctx.community_id, repo::campaign_settings(tx, ctx.community_id)));
  });
}

Response put_settings(Request const& req, Context& ctx) {
  auto body = req.json();
  repo::CampaignSettings s;
  auto max = json::integer(body, "max_per_window");
  auto days = json::opt_integer(body, "window_days").value_or(logic::kDefaultCampaignWindowDays);
  std::vector<FieldError> errs;
  if (max < 0 || max > 100) errs.push_back({"max_per_window", "must be between 0 (no campaigns) and 100"});
  if (days < 1 || days > 90) errs.push_back({"window_days", "must be between 1 and 90"});
  if (!errs.empty()) throw Invalid(std::move(errs));
  s.max_per_window = static_cast<int>(max);
  s.window_days = static_cast<int>(days);
  return ctx.tx([&](db::Tx& tx) {
    repo::save_campaign_settings(tx, ctx.community_id, s, ctx.principal.account_id);
    return Response::json(campaign_settings_json(ctx.community_id, repo::campaign_settings(tx, ctx.community_id)));
  });
}

}  // namespace

void add_campaign_routes(http::Router& r) {
  r.get("/v1/communities/{cid}/campaign-settings", Access::manager(), get_settings);
  r.put("/v1/communities/{cid}/campaign-settings", Access::manager(), put_settings);
  r.get("/v1/communities/{cid}/campaigns", Access::manager(), list_campaigns);
  r.post("/v1/communities/{cid}/campaigns", Access::manager(), create_campaign);
  r.get("/v1/communities/{cid}/campaigns/{cpid}", Access::manager(), get_campaign);
  r.post("/v1/communities/{cid}/campaigns/{cpid}/issue", Access::manager(), issue_campaign);
  r.get("/v1/communities/{cid}/merchants/{mid}/campaigns", Access::merchant("coupons:read"), list_campaigns);
  r.post("/v1/communities/{cid}/merchants/{mid}/campaigns", Access::merchant("coupons:write"), create_campaign);
  r.get("/v1/communities/{cid}/merchants/{mid}/campaigns/{cpid}", Access::merchant("coupons:read"), get_campaign);
  r.post("/v1/communities/{cid}/merchants/{mid}/campaigns/{cpid}/issue", Access::merchant("coupons:write"),
         issue_campaign);
}

}  // namespace courtyard::members
