#include "services/members/campaigns.hpp"

#include "http/errors.hpp"
#include "http/random.hpp"
#include "services/members/ledger.hpp"
#include "services/notifications/api.hpp"
#include "services/shops/api.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

namespace courtyard::members::campaigns {

namespace bj = boost::json;

repo::SegmentQuery query_for(db::Tx& tx, repo::Segment const& s, std::int64_t now) {
  repo::SegmentQuery q;
  q.community_id = s.community_id;
  q.merchant_id = s.merchant_id;
  q.now = now;
  std::vector<logic::RuleProblem> ignored;  // stored rules were checked when saved
  q.rule = logic::parse_rule(bj::parse(s.rule),
                             s.merchant_id > 0 ? logic::SegmentOwner::Merchant : logic::SegmentOwner::Community, ignored);
  if (q.rule.tiers)
    for (auto const& t : repo::tiers(tx, s.community_id))
      if (std::find(q.rule.tiers->begin(), q.rule.tiers->end(), t.name) != q.rule.tiers->end())
        q.tier_ids.push_back(t.id);
  return q;
}

namespace {

bool marketing_consent(db::Tx& tx, std::int64_t account_id) {
  for (auto const& [purpose, granted] : repo::consents(tx, account_id))
    if (purpose == logic::purpose_name(logic::Purpose::Marketing)) return granted;
  return logic::default_consent(logic::Purpose::Marketing);
}

std::string coupon_code(std::int64_t campaign_id) {
  std::string code = "C" + std::to_string(campaign_id) + "-" + http::random_hex(5);
  std::transform(code.begin(), code.end(), code.begin(), [](unsigned char ch) { return std::toupper(ch); });
  return code;
}

}  // namespace

void issue(db::Tx& tx, repo::Campaign const& c, std::int64_t by) {
  std::int64_t now = tx.now_ms(), cid = c.community_id;
  if (!repo::claim_campaign(tx, c.id, by, now))
    throw Conflict("campaign-issued", "this campaign was issued already");
  auto segment = repo::find_segment(tx, cid, c.merchant_id, c.segment_id);
  std::vector<std::int64_t> members;
  if (segment) members = repo::segment_members(tx, query_for(tx, *segment, now));
  if (c.merchant_id > 0 && !logic::shown(static_cast<std::int64_t>(members.size())))
    throw ApiError(422, "segment-too-small", "Segment too small",
                   "a merchant's campaign needs a segment of at least " + std::to_string(logic::kMinGroup) +
                       " members; this one has fewer than " + std::to_string(logic::kMinGroup));

  auto settings = repo::campaign_settings(tx, cid);
  std::int64_t since = now - std::int64_t(settings.window_days) * logic::kDayMs;
  std::string ref = "campaign:" + std::to_string(c.id);
  auto kind = logic::parse_campaign_kind(c.kind).value_or(logic::CampaignKind::Message);
  std::int64_t reached = 0, no_consent = 0, capped = 0;
  for (auto account : members) {
    // The member's facts row is the lock of their frequency cap: two campaigns reaching
    // the same member at once count each other.
    repo::lock_fact(tx, cid, account);
    repo::Recipient r;
    r.campaign_id = c.id;
    r.community_id = cid;
    r.account_id = account;
    r.at = now;
    auto outcome = !marketing_consent(tx, account) ? logic::Delivery::NoConsent
                   : !logic::under_cap(repo::reached_since(tx, cid, account, since), settings.max_per_window)
                       ? logic::Delivery::Capped
                       : logic::Delivery::Reached;
    r.outcome = std::string(logic::delivery_name(outcome));
    if (outcome == logic::Delivery::Reached && kind == logic::CampaignKind::Coupon) r.coupon_code = coupon_code(c.id);
    if (outcome == logic::Delivery::Reached && kind == logic::CampaignKind::Points) r.points = c.points;
    if (!repo::insert_recipient(tx, r)) continue;  // the backstop: once per (campaign, member)
    if (outcome == logic::Delivery::NoConsent) {
      ++no_consent;
      continue;
    }
    if (outcome == logic::Delivery::Capped) {
      ++capped;
      continue;
    }
    ++reached;
    bj::object data{{"campaign_id", c.id}};
    std::string body = c.body;
    if (r.coupon_code) {
      shops::MemberCoupon k;
      k.community_id = cid;
      k.merchant_id = c.coupon_merchant_id;
      k.account_id = account;
      k.campaign_id = c.id;
      k.code = *r.coupon_code;
      k.percent_off = c.percent_off;
      k.amount_off_cents = c.amount_off_cents;
      k.min_spend_cents = c.min_spend_cents;
      k.expires_at = now + std::int64_t(c.coupon_days) * logic::kDayMs;
      shops::issue_member_coupon(tx, k);
      data["coupon_code"] = *r.coupon_code;
      data["merchant_id"] = c.coupon_merchant_id;
      body += (body.empty() ? "" : " ") + std::string("Your code: ") + *r.coupon_code;
    }
    if (r.points > 0) {
      ledger::credit_bonus(tx, cid, account, logic::Points(r.points), "campaign", ref);
      data["points"] = r.points;
    }
    notifications::notify(tx, account, cid, "campaign", c.title, body, data, ref);
  }
  repo::finish_campaign(tx, c.id, static_cast<std::int64_t>(members.size()), reached, no_consent, capped);
}

}  // namespace courtyard::members::campaigns
