// The resident's side (my membership in each community, my consents, my data
// export) and the manager's member view, which shows only what the member
// consented to.
#include "services/identity/api.hpp"
#include "services/members/api.hpp"
#include "services/members/ledger.hpp"
#include "services/members/routes.hpp"

#include <set>

namespace courtyard::members {

namespace {

constexpr std::int64_t kHistory = 20;

bool consented(std::vector<std::pair<std::string, bool>> const& stored, logic::Purpose p) {
  for (auto const& [purpose, granted] : stored)
    if (purpose == logic::purpose_name(p)) return granted;
  return logic::default_consent(p);
}

bj::array history(db::Tx& tx, std::int64_t cid, std::int64_t account) {
  json::Page page;
  page.limit = kHistory;
  bj::array out;
  auto rows = repo::postings(tx, cid, account, page);
  for (std::size_t i = 0; i < rows.size() && static_cast<std::int64_t>(i) < kHistory; ++i)
    out.push_back(posting_json(rows[i]));
  return out;
}

// What the community's and its merchants' campaigns delivered to the member, newest first:
// each coupon with its state in shops (available, used by which order, expired).
bj::array received(db::Tx& tx, std::int64_t cid, std::int64_t account) {
  bj::array out;
  for (auto const& r : repo::received_campaigns(tx, cid, account, kHistory)) {
    std::optional<shops::AccountCoupon> coupon;
    if (r.kind == "coupon") coupon = shops::campaign_coupon_of(tx, cid, r.campaign_id, account);
    out.push_back(received_json(r, coupon, tx.now_ms()));
  }
  return out;
}

// One community's membership as its member sees it.
bj::object membership(db::Tx& tx, std::int64_t cid, std::int64_t account) {
  auto tiers = repo::tiers(tx, cid);
  auto st = repo::status(tx, cid, account);
  auto out = standing_json(tiers, st ? st->tier_id : std::nullopt, ledger::earned_12m(tx, cid, account, tx.now_ms()));
  out["community_id"] = cid;
  out["points"] = repo::member_balance(tx, cid, account);
  out["expiring"] = expiring_json(repo::open_lots(tx, cid, account));
  out["history"] = history(tx, cid, account);
  out["campaigns"] = received(tx, cid, account);
  return out;
}

Response my_membership(Request const& req, Context& ctx) {
  std::set<std::int64_t> communities;
  if (req.query_param("community_id")) {
    auto cid = req.query_int("community_id", 0);
    if (cid <= 0) throw Invalid("community_id", "must be a positive id");
    if (!ctx.principal.has(Role::Resident, cid)) throw NotFound("community");
    communities.insert(cid);
  } else {
    for (auto const& m : ctx.principal.memberships)
      if (m.role == Role::Resident) communities.insert(m.community_id);
  }
  return ctx.tx([&](db::Tx& tx) {
    bj::array items;
    for (auto cid : communities) items.push_back(membership(tx, cid, ctx.principal.account_id));
    return Response::json(bj::object{{"account_id", ctx.principal.account_id}, {"communities", std::move(items)}});
  });
}

Response my_consents(Request const&, Context& ctx) {
  return ctx.tx(
      [&](db::Tx& tx) { return Response::json(consents_json(repo::consents(tx, ctx.principal.account_id))); });
}

// Sets the purposes named in the body (the others keep their value).
Response put_consents(Request const& req, Context& ctx) {
  auto body = req.json();
  std::vector<std::pair<std::string, bool>> changes;
  std::vector<FieldError> errs;
  for (auto const& [key, value] : body) {
    std::string k(key);
    if (!logic::parse_purpose(k)) {
      errs.push_back({k, "is not a consent purpose (marketing, recommendations, analytics)"});
      continue;
    }
    if (!value.is_bool()) throw BadRequest(k + " must be true or false");
    changes.emplace_back(k, value.as_bool());
  }
  if (!errs.empty()) throw Invalid(std::move(errs));
  if (changes.empty()) throw Invalid("body", "name at least one purpose");
  return ctx.tx([&](db::Tx& tx) {
    bj::object purposes;
    for (auto const& [purpose, granted] : changes) {
      repo::set_consent(tx, ctx.principal.account_id, purpose, granted, tx.now_ms());
      purposes[purpose] = granted;
    }
    // Not one community's: consents are the account's. Recommendations drops the evidence of
    // an account that opted out (services/EVENTS.md).
    tx.publish("consent.changed", 0,
               bj::object{{"community_id", 0}, {"account_id", ctx.principal.account_id}, {"purposes", purposes}});
    return Response::json(consents_json(repo::consents(tx, ctx.principal.account_id)));
  });
}

Response my_export(Request const&, Context& ctx) {
  return ctx.tx([&](db::Tx& tx) { return Response::json(export_document(tx, ctx.principal)); });
}

Response list_members(Request const& req, Context& ctx) {
  auto page = req.page();
  return ctx.tx([&](db::Tx& tx) {
    auto tiers = repo::tiers(tx, ctx.community_id);
    auto rows = repo::members(tx, ctx.community_id, page);
    return Response::json(json::page_of_rows(rows, page, [&](repo::MemberRow const& m) {
      auto st = repo::status(tx, ctx.community_id, m.id);
      return bj::object{{"account_id", m.id},
                        {"points", m.balance},
                        {"tier", tier_or_null(tiers, logic::position(tiers, st ? st->tier_id : std::nullopt))}};
    }));
  });
}

// Points and tier always (they run the programme); contact details only with
// marketing consent, the activity history only with analytics consent.
Response get_member(Request const& req, Context& ctx) {
  auto account = req.id("account_id");
  return ctx.tx([&](db::Tx& tx) {
    if (!identity::is_member(tx, account, ctx.community_id)) throw NotFound("member");
    std::int64_t cid = ctx.community_id;
    auto stored = repo::consents(tx, account);
    auto tiers = repo::tiers(tx, cid);
    auto st = repo::status(tx, cid, account);
    auto out = standing_json(tiers, st ? st->tier_id : std::nullopt, ledger::earned_12m(tx, cid, account, tx.now_ms()));
    out["account_id"] = account;
    out["community_id"] = cid;
    out["points"] = repo::member_balance(tx, cid, account);
    out["consents"] = consents_json(stored);
    bj::array withheld;
    if (consented(stored, logic::Purpose::Marketing)) {
      auto info = identity::account(tx, account);
      out["contact"] = bj::object{{"display_name", info ? info->display_name : ""}, {"email", info ? info->email : ""}};
    } else {
      withheld.push_back("contact");
    }
    if (consented(stored, logic::Purpose::Analytics))
      out["history"] = history(tx, cid, account);
    else
      withheld.push_back("history");
    out["withheld"] = std::move(withheld);
    return Response::json(out);
  });
}

}  // namespace

void add_membership_routes(http::Router& r) {
  r.get("/v1/me/membership", Access::authenticated(), my_membership);
  r.get("/v1/me/consents", Access::authenticated(), my_consents);
  r.put("/v1/me/consents", Access::authenticated(), put_consents);
  r.get("/v1/me/export", Access::authenticated(), my_export);
  r.get("/v1/communities/{cid}/members", Access::manager(), list_members);
  r.get("/v1/communities/{cid}/members/{account_id}", Access::manager(), get_member);
}

}  // namespace courtyard::members
