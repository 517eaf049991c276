// Segments: a rule over the member facts and its size. The manager's segments cover the
// community's residents; a merchant's cover only its own customers and its own facts, and
// nobody ever sees who is in a segment — only its size, below k as "fewer than 5"
// (ARCHITECTURE.md "Segments and campaigns"). Also the manager's member tags.
#include "services/identity/api.hpp"
#include "services/members/campaigns.hpp"
#include "services/members/routes.hpp"
#include "services/shops/api.hpp"

namespace courtyard::members {

namespace {

constexpr std::size_t kMaxName = 80;

// Reads and checks {name, rule}: 422 naming the first problems; a tier name or building the
// community does not have is a problem too (so a typo never silently matches nobody).
repo::Segment segment_from_body(db::Tx& tx, bj::object const& body, std::int64_t cid, std::int64_t mid) {
  repo::Segment s;
  s.community_id = cid;
  s.merchant_id = mid;
  s.name = json::str(body, "name", 1, kMaxName);
  auto const* rule = body.if_contains("rule");
  if (!rule) throw Invalid("rule", "is required");
  std::vector<logic::RuleProblem> problems;
  auto parsed =
      logic::parse_rule(*rule, mid > 0 ? logic::SegmentOwner::Merchant : logic::SegmentOwner::Community, problems);
  std::vector<FieldError> errs;
  for (auto& p : problems) errs.push_back({std::move(p.field), std::move(p.why)});
  if (errs.empty()) {
    if (parsed.buildings)
      for (auto b : *parsed.buildings)
        if (!identity::building_in_community(tx, cid, b))
          errs.push_back({"rule.building_in", "building " + std::to_string(b) + " is not in this community"});
    if (parsed.tiers) {
      auto tiers = repo::tiers(tx, cid);
      for (auto const& name : *parsed.tiers)
        if (std::none_of(tiers.begin(), tiers.end(), [&](auto const& t) { return t.name == name; }))
          errs.push_back({"rule.tier_in", "the community has no tier named " + name});
    }
  }
  if (!errs.empty()) throw Invalid(std::move(errs));
  s.rule = bj::serialize(logic::rule_to_json(parsed));
  return s;
}

std::int64_t size_of(db::Tx& tx, repo::Segment const& s) {
  return repo::count_segment(tx, campaigns::query_for(tx, s, tx.now_ms()));
}

repo::Segment segment_or_404(db::Tx& tx, Context& ctx, Request const& req) {
  auto s = repo::find_segment(tx, ctx.community_id, segment_owner(tx, req, ctx.community_id), req.id("sid"));
  if (!s) throw NotFound("segment");
  return *s;
}

Response create_segment(Request const& req, Context& ctx) {
  auto body = req.json();
  return ctx.tx([&](db::Tx& tx) {
    std::int64_t mid = segment_owner(tx, req, ctx.community_id);
    auto s = segment_from_body(tx, body, ctx.community_id, mid);
    s.created_by = ctx.principal.account_id;
    s.id = repo::insert_segment(tx, s);
    auto saved = *repo::find_segment(tx, ctx.community_id, mid, s.id);
    std::string suffix = (mid > 0 ? "/merchants/" + std::to_string(mid) : std::string()) + "/segments/" +
                         std::to_string(s.id);
    return Response::created(segment_json(saved, size_of(tx, saved)), ctx.path(suffix));
  });
}

Response list_segments(Request const& req, Context& ctx) {
  auto page = req.page();
  return ctx.tx([&](db::Tx& tx) {
    auto rows = repo::list_segments(tx, ctx.community_id, segment_owner(tx, req, ctx.community_id), page);
    return Response::json(
        json::page_of_rows(rows, page, [&](repo::Segment const& s) { return segment_json(s, size_of(tx, s)); }));
  });
}

Response get_segment(Request const& req, Context& ctx) {
  return ctx.tx([&](db::Tx& tx) {
    auto s = segment_or_404(tx, ctx, req);
    return Response::json(segment_json(s, size_of(tx, s)));
  });
}

Response put_segment(Request const& req, Context& ctx) {
  auto body = req.json();
  return ctx.tx([&](db::Tx& tx) {
    auto old = segment_or_404(tx, ctx, req);
    auto s = segment_from_body(tx, body, ctx.community_id, old.merchant_id);
    s.id = old.id;
    repo::update_segment(tx, s);
    auto saved = *repo::find_segment(tx, ctx.community_id, old.merchant_id, s.id);
    return Response::json(segment_json(saved, size_of(tx, saved)));
  });
}

// ---- the manager's tags on members

std::int64_t member_or_404(db::Tx& tx, Context& ctx, Request const& req) {
  auto account = req.id("account_id");
  if (!identity::is_member(tx, account, ctx.community_id)) throw NotFound("member");
  return account;
}

Response tags_response(db::Tx& tx, std::int64_t cid, std::int64_t account) {
  bj::array tags;
  for (auto const& t : repo::tags_of(tx, cid, account)) tags.push_back(bj::value(t));
  return Response::json(bj::object{{"account_id", account}, {"tags", std::move(tags)}});
}

Response get_tags(Request const& req, Context& ctx) {
  return ctx.tx([&](db::Tx& tx) { return tags_response(tx, ctx.community_id, member_or_404(tx, ctx, req)); });
}

Response add_tag(Request const& req, Context& ctx) {
  auto body = req.json();
  auto tag = logic::normalize_tag(json::str(body, "tag", 1, logic::kMaxTagLength));
  if (!tag) throw Invalid("tag", "must be 1 to 40 of a-z, 0-9, - and _");
  return ctx.tx([&](db::Tx& tx) {
    auto account = member_or_404(tx, ctx, req);
    repo::add_tag(tx, ctx.community_id, account, *tag, ctx.principal.account_id);
    return tags_response(tx, ctx.community_id, account);
  });
}

Response remove_tag(Request const& req, Context& ctx) {
  auto tag = logic::normalize_tag(req.param("tag"));
  return ctx.tx([&](db::Tx& tx) {
    auto account = member_or_404(tx, ctx, req);
    if (!tag || !repo::remove_tag(tx, ctx.community_id, account, *tag)) throw NotFound("tag");
    return tags_response(tx, ctx.community_id, account);
  });
}

}  // namespace

std::int64_t segment_owner(db::Tx& tx, Request const& req, std::int64_t cid) {
  for (auto const& [k, v] : req.params)
    if (k == "mid") {
      std::int64_t mid = req.id("mid");
      if (!shops::merchant_owner(tx, cid, mid)) throw NotFound("merchant");
      return mid;
    }
  return 0;
}

void add_segment_routes(http::Router& r) {
  r.get("/v1/communities/{cid}/segments", Access::manager(), list_segments);
  r.post("/v1/communities/{cid}/segments", Access::manager(), create_segment);
  r.get("/v1/communities/{cid}/segments/{sid}", Access::manager(), get_segment);
  r.put("/v1/communities/{cid}/segments/{sid}", Access::manager(), put_segment);
  r.get("/v1/communities/{cid}/merchants/{mid}/segments", Access::merchant("coupons:read"), list_segments);
  r.post("/v1/communities/{cid}/merchants/{mid}/segments", Access::merchant("coupons:write"), create_segment);
  r.get("/v1/communities/{cid}/merchants/{mid}/segments/{sid}", Access::merchant("coupons:read"), get_segment);
  r.put("/v1/communities/{cid}/merchants/{mid}/segments/{sid}", Access::merchant("coupons:write"), put_segment);
  r.get("/v1/communities/{cid}/members/{account_id}/tags", Access::manager(), get_tags);
  r.post("/v1/communities/{cid}/members/{account_id}/tags", Access::manager(), add_tag);
  r.del("/v1/communities/{cid}/members/{account_id}/tags/{tag}", Access::manager(), remove_tag);
}

}  // namespace courtyard::members
