// Referral codes: a resident shares a product or a group buy with a code of their own; a
// neighbour who orders with it (`referral_code` on POST /orders) credits the referrer, and
// members awards the points when that order completes (members "referral" earn rule).
#include "services/shops/routes.hpp"

#include <sodium.h>

namespace courtyard::shops {

namespace {

std::string new_referral_code() {
  std::vector<unsigned char> bytes(logic::kReferralCodeLength);
  randombytes_buf(bytes.data(), bytes.size());
  return logic::redemption_code_from(bytes);
}

// The caller's code, created on first use (a concurrent creator, or a code already taken,
// makes the insert a no-op; the stored row is the answer). Second of the pair: created now.
std::pair<repo::ReferralCode, bool> ensure_code(db::Tx& tx, std::int64_t cid, std::int64_t account) {
  if (auto mine = repo::referral_code_of(tx, cid, account)) return {*mine, false};
  for (int attempt = 0; attempt < 4; ++attempt) {
    bool inserted = repo::insert_referral_code(tx, cid, account, new_referral_code());
    if (auto mine = repo::referral_code_of(tx, cid, account)) return {*mine, inserted};
  }
  throw Conflict("referral-code-unavailable", "no referral code could be made; try again");
}

// What the caller shares: a product of a merchant, or a group buy, with the code attached.
bj::value share_json(db::Tx& tx, std::int64_t cid, bj::object const& body, std::string const& code) {
  auto product = json::opt_integer(body, "product_id");
  auto group_buy = json::opt_integer(body, "group_buy_id");
  if (product && group_buy) throw Invalid("group_buy_id", "share either a product or a group buy, not both");
  std::string base = "/v1/communities/" + std::to_string(cid);
  if (product) {
    auto mid = json::opt_integer(body, "merchant_id");
    if (!mid || *mid <= 0) throw Invalid("merchant_id", "is required with product_id");
    auto m = merchant_or_404(tx, cid, *mid);
    require_approved(m);
    auto p = product_or_404(tx, cid, m.id, *product);
    if (!p.active) throw NotFound("product");
    return bj::object{{"kind", "product"},
                      {"merchant_id", m.id},
                      {"product_id", p.id},
                      {"path", base + "/merchants/" + std::to_string(m.id) + "/products/" + std::to_string(p.id) +
                                   "?referral_code=" + code}};
  }
  if (group_buy) {
    auto g = group_buy_or_404(tx, cid, *group_buy);
    return bj::object{{"kind", "group_buy"},
                      {"group_buy_id", g.id},
                      {"merchant_id", g.merchant_id},
                      {"path", base + "/group-buys/" + std::to_string(g.id) + "?referral_code=" + code}};
  }
  return nullptr;
}

bj::object referral_code_json(repo::ReferralCode const& k) {
  return bj::object{{"community_id", k.community_id}, {"code", k.code}, {"created_at", json::rfc3339(k.created_at)}};
}

Response get_referral_code(Request const&, Context& ctx) {
  return ctx.tx([&](db::Tx& tx) {
    auto mine = repo::referral_code_of(tx, ctx.community_id, ctx.principal.account_id);
    if (!mine) throw NotFound("referral code");
    return Response::json(referral_code_json(*mine));
  });
}

// Creates the caller's code (201) or returns it (200); with product_id + merchant_id or
// group_buy_id in the body, also the share link.
Response share_with_referral_code(Request const& req, Context& ctx) {
  bj::object body = req.body.empty() ? bj::object{} : req.json();
  return ctx.tx([&](db::Tx& tx) {
    auto [code, created] = ensure_code(tx, ctx.community_id, ctx.principal.account_id);
    auto out = referral_code_json(code);
    out["share"] = share_json(tx, ctx.community_id, body, code.code);
    if (created) return Response::created(out, ctx.path("/referral-code"));
    return Response::json(out);
  });
}

}  // namespace

std::optional<repo::OrderReferral> referral_for_checkout(db::Tx& tx, std::int64_t cid, std::int64_t buyer_id,
                                                         std::string const& code) {
  auto k = repo::find_referral_code(tx, cid, code);
  if (!k) throw Invalid("referral_code", "is not a referral code of this community");
  if (k->account_id == buyer_id) throw Invalid("referral_code", "is your own referral code");
  repo::OrderReferral r;
  r.community_id = cid;
  r.buyer_id = buyer_id;
  r.referrer_id = k->account_id;
  r.code = k->code;
  return r;
}

void add_referral_routes(http::Router& r) {
  r.get("/v1/communities/{cid}/referral-code", Access::resident(), get_referral_code);
  r.post("/v1/communities/{cid}/referral-code", Access::resident(), share_with_referral_code);
}

}  // namespace courtyard::shops
