// A merchant's accounts: the owner (granted when a manager approves the merchant) adds and
// removes staff accounts by email. Staff handle orders and redemptions only (http/scopes.hpp:
// the gateway refuses them every other merchant route, these included).
#include "services/identity/logic.hpp"
#include "services/identity/routes.hpp"

namespace courtyard::identity {

namespace {

std::string staff_path(std::int64_t mid) { return "/merchants/" + std::to_string(mid) + "/staff"; }

// The merchant's accounts, or 404 when {mid} is not an approved merchant of {cid} (an admin
// passes the route's rule for any {mid}).
void require_merchant(soci::session& s, std::int64_t cid, std::int64_t mid) {
  if (!repo::merchant_known(s, cid, mid)) throw NotFound("merchant");
}

Response list_merchant_staff(Request const& req, Context& ctx) {
  auto cid = req.id("cid"), mid = req.id("mid");
  auto page = req.page();
  auto rows = db::read(ctx.db, [&](soci::session& s) {
    require_merchant(s, cid, mid);
    return repo::merchant_accounts(s, cid, mid, page);
  });
  return Response::json(
      json::page_of_rows(rows, page, [&](repo::StaffMember const& m) { return merchant_account_json(cid, mid, m); }));
}

Response add_merchant_staff(Request const& req, Context& ctx) {
  auto cid = req.id("cid"), mid = req.id("mid");
  Fields f(req);
  auto email = f.string("email");
  std::string normalized = email ? normalize_email(*email) : "";
  if (email) f.check("email", email_problem(normalized));
  auto body = req.json();
  if (auto const* role = body.if_contains("role"); role && !role->is_null()) {
    if (!role->is_string()) throw BadRequest("field 'role' must be a string");
    if (role->get_string() != "staff") f.check("role", "must be staff (a merchant has one owner)");
  }
  f.done();
  return ctx.tx([&](db::Tx& tx) {
    require_merchant(tx.sql(), cid, mid);
    auto account = repo::account_by_email(tx.sql(), normalized);
    if (!account) throw Invalid("email", "no account uses this email; ask them to register first");
    if (!repo::grant_merchant_staff(tx, account->id, cid, mid))
      throw Conflict("already-merchant-staff", "this account already acts for the merchant");
    repo::StaffMember m{0, account->id, "staff", account->email, account->display_name, tx.now_ms()};
    return Response::created(merchant_account_json(cid, mid, m),
                             ctx.path(staff_path(mid) + "/" + std::to_string(account->id)));
  });
}

Response remove_merchant_staff(Request const& req, Context& ctx) {
  auto cid = req.id("cid"), mid = req.id("mid"), account_id = req.id("account_id");
  // Refused inside the transaction, so a refused call commits nothing (not even its audit entry).
  ctx.tx([&](db::Tx& tx) {
    require_merchant(tx.sql(), cid, mid);
    if (!repo::remove_merchant_staff(tx, account_id, cid, mid)) throw NotFound("staff account");
  });
  return Response::no_content();
}

}  // namespace

void add_merchant_staff_routes(http::Router& r) {
  // Access::merchant() with no scope: the owner (and platform admins); never staff or API keys.
  r.get("/v1/communities/{cid}/merchants/{mid}/staff", Access::merchant(), list_merchant_staff);
  r.post("/v1/communities/{cid}/merchants/{mid}/staff", Access::merchant(), add_merchant_staff);
  r.del("/v1/communities/{cid}/merchants/{mid}/staff/{account_id}", Access::merchant(), remove_merchant_staff);
}

}  // namespace courtyard::identity
