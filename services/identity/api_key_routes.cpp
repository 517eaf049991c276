// Merchant API keys: created by the merchant's owner (not its staff; a key cannot mint keys),
// shown once, stored as a digest, listed without secrets but with their expiry and last use,
// revoked by id. A key may be given an expiry; past it the key answers 401.
#include "services/identity/credentials.hpp"
#include "services/identity/logic.hpp"
#include "services/identity/routes.hpp"

#include <algorithm>

namespace courtyard::identity {

namespace {

constexpr std::size_t kDisplayedKeyChars = 11;  // "ck_" and 8 hex digits: enough to tell keys apart

// Platform admins may manage any merchant's keys.
void require_acts_for(Context const& ctx, std::int64_t mid) {
  if (!ctx.principal.admin && !ctx.acts_for(mid)) throw Forbidden("you do not act for this merchant");
}

Response create_key(Request const& req, Context& ctx) {
  auto cid = req.id("cid");
  auto mid = req.id("mid");
  require_acts_for(ctx, mid);
  Fields f(req);
  auto name = f.text("name", kMaxKeyNameChars);
  auto scopes = f.strings("scopes");
  std::vector<std::string> unique_scopes;
  if (scopes) {
    if (scopes->empty()) f.check("scopes", "must list at least one scope");
    for (std::size_t i = 0; i < scopes->size(); ++i) {
      auto const& s = (*scopes)[i];
      f.check("scopes[" + std::to_string(i) + "]", scope_problem(s));
      if (std::find(unique_scopes.begin(), unique_scopes.end(), s) == unique_scopes.end()) unique_scopes.push_back(s);
    }
    if (unique_scopes.size() > kMaxScopes) f.check("scopes", "must list at most 32 scopes");
  }
  auto expires_at = f.opt_time("expires_at");
  if (expires_at && *expires_at <= db::now_ms()) f.check("expires_at", "must be in the future");
  f.done();

  std::string secret = new_api_key();
  repo::ApiKey key;
  key.community_id = cid;
  key.merchant_id = mid;
  key.name = *name;
  key.prefix = secret.substr(0, kDisplayedKeyChars);
  key.scopes = std::move(unique_scopes);
  key.created_by = ctx.principal.account_id;
  key.expires_at = expires_at;
  ctx.tx([&](db::Tx& tx) {
    if (!repo::merchant_known(tx.sql(), cid, mid)) throw NotFound("merchant");
    key.id = repo::insert_api_key(tx, key, token_digest(secret));
    key.created_at = tx.now_ms();
  });
  bj::object body = api_key_json(key);
  body["key"] = secret;
  return Response::created(body, ctx.path("/merchants/" + std::to_string(mid) + "/api-keys/" + std::to_string(key.id)));
}

Response list_keys(Request const& req, Context& ctx) {
  auto cid = req.id("cid");
  auto mid = req.id("mid");
  require_acts_for(ctx, mid);
  auto page = req.page();
  auto rows = db::read(ctx.db, [&](soci::session& s) {
    // Another community's merchant (an admin passes the rule for any {mid}): 404, not an empty list.
    if (repo::accounts_acting_for(s, cid, mid).empty()) throw NotFound("merchant");
    return repo::api_keys(s, cid, mid, page);
  });
  return Response::json(json::page_of_rows(rows, page, api_key_json));
}

Response revoke_key(Request const& req, Context& ctx) {
  auto cid = req.id("cid");
  auto mid = req.id("mid");
  require_acts_for(ctx, mid);
  auto kid = req.id("kid");
  // Refused inside the transaction, so a refused call commits nothing (not even its audit entry).
  ctx.tx([&](db::Tx& tx) {
    if (!repo::revoke_api_key(tx, cid, mid, kid)) throw NotFound("API key");
  });
  return Response::no_content();
}

}  // namespace

void add_api_key_routes(http::Router& r) {
  r.post("/v1/communities/{cid}/merchants/{mid}/api-keys", Access::merchant(), create_key);
  r.get("/v1/communities/{cid}/merchants/{mid}/api-keys", Access::merchant(), list_keys);
  r.del("/v1/communities/{cid}/merchants/{mid}/api-keys/{kid}", Access::merchant(), revoke_key);
}

}  // namespace courtyard::identity
