// Account erasure: the resident's own (POST /v1/me/erasure, re-confirmed with the password)
// and the platform admin's, for a request that reached the operator another way
// (POST /v1/admin/accounts/{account_id}/erasure). Both run erase_everywhere (erase.cpp).
#include "services/identity/api.hpp"
#include "services/members/routes.hpp"

namespace courtyard::members {

namespace {

struct WrongPassword : ApiError {
  WrongPassword() : ApiError(403, "wrong-password", "Forbidden", "the password does not match this account") {}
};

// A POST rather than DELETE /v1/me: the password travels in a body, which DELETE requests
// often lose on the way. The password is checked before the transaction (Argon2id is slow
// and must not hold the write lock).
Response erase_me(Request const& req, Context& ctx) {
  if (ctx.principal.kind != Principal::Kind::Session)
    throw Forbidden("only the account itself, signed in, can ask for its erasure (not an API key)");
  auto body = req.json();
  auto password = json::str(body, "password", 1, 1024);
  if (!identity::password_matches(ctx.db, ctx.principal.account_id, password)) throw WrongPassword();
  return ctx.tx([&](db::Tx& tx) { return Response::json(erase_everywhere(tx, ctx.principal.account_id)); });
}

// The reason (the request's reference, e.g. a ticket number) is required, so an erasure is
// never a bare POST; the audit trail keeps it with the admin's name.
Response erase_account_as_admin(Request const& req, Context& ctx) {
  auto account = req.id("account_id");
  auto body = req.json();
  json::str(body, "reason", 1, 500);
  return ctx.tx([&](db::Tx& tx) { return Response::json(erase_everywhere(tx, account)); });
}

}  // namespace

void add_erasure_routes(http::Router& r) {
  r.post("/v1/me/erasure", Access::authenticated(), erase_me);
  r.post("/v1/admin/accounts/{account_id}/erasure", Access::admin(), erase_account_as_admin);
}

}  // namespace courtyard::members
