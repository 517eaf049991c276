// Accounts and sessions: register, login (with the per-email failure limit), logout, me.
#include "http/session_cookie.hpp"
#include "services/identity/credentials.hpp"
#include "services/identity/logic.hpp"
#include "services/identity/routes.hpp"

namespace courtyard::identity {

namespace {

std::optional<std::string> read_email(Fields& f) {
  auto email = f.string("email");
  if (!email) return std::nullopt;
  email = normalize_email(*email);
  f.check("email", email_problem(*email));
  return email;
}

Response register_account(Settings const& settings, Request const& req, Context& ctx) {
  Fields f(req);
  auto email = read_email(f);
  auto password = f.string("password");
  if (password) f.check("password", password_problem(*password));
  auto name = f.text("display_name", kMaxDisplayNameChars);
  f.done();

  std::string hash = hash_password(*password, settings.password_cost);
  auto account = unique_or_conflict("an account with this email already exists", [&] {
    return ctx.tx([&](db::Tx& tx) {
      auto id = repo::insert_account(tx, *email, *name, hash, false);
      tx.publish("account.registered", 0, bj::object{{"account_id", id}});
      return *repo::account_by_id(tx.sql(), id);
    });
  });
  return Response::created(account_json(account), "/v1/me");
}

Response login(Settings const& settings, Request const& req, Context& ctx) {
  Fields f(req);
  auto email = read_email(f);
  auto password = f.string("password");
  auto session = json::opt_str(req.json(), "session", 16);
  f.check("session", session && *session != "cookie" && *session != "token"
                         ? std::optional<std::string>("must be \"token\" or \"cookie\"")
                         : std::nullopt);
  f.done();

  // Counted in the database, so the limit holds across every gateway instance.
  std::int64_t now = db::now_ms();
  if (settings.login_max_failures > 0) {
    auto recent = db::read(ctx.db, [&](soci::session& s) {
      return repo::recent_failures(s, *email, now - settings.login_window_ms, settings.login_max_failures);
    });
    auto throttle = login_throttle(recent, settings.login_max_failures, settings.login_window_ms, now);
    if (throttle.locked)
      throw TooManyRequests(static_cast<int>(throttle.retry_after_s), "too many failed logins; try again later");
  }

  auto account = db::read(ctx.db, [&](soci::session& s) { return repo::account_by_email(s, *email); });
  bool ok = false;
  if (account) {
    ok = verify_password(account->password_hash, *password);
  } else {
    verify_dummy_password(*password, settings.password_cost);
  }
  if (!ok) {
    ctx.tx([&](db::Tx& tx) { repo::record_failure(tx, *email); });
    throw Unauthorized("invalid email or password");
  }

  std::optional<std::string> rehashed;
  if (needs_rehash(account->password_hash, settings.password_cost))
    rehashed = hash_password(*password, settings.password_cost);
  std::string token = new_session_token();
  std::string digest = token_digest(token);
  std::int64_t expires_at = ctx.tx([&](db::Tx& tx) {
    std::int64_t expires = tx.now_ms() + settings.token_ttl_ms;
    repo::insert_session(tx, digest, account->id, expires);
    repo::clear_failures(tx, *email);
    if (rehashed) repo::set_password(tx, account->id, *rehashed);
    return expires;
  });
  if (session && *session == "cookie") {
    // A browser: the token goes into an HttpOnly cookie, never into script's reach.
    auto r = Response::json(bj::object{{"csrf_token", http::session_cookie::csrf_for(token)},
                                       {"expires_at", json::rfc3339(expires_at)},
                                       {"account", account_json(*account)}});
    http::session_cookie::set(r, req, token, settings.token_ttl_ms / 1000);
    return r;
  }
  return Response::json(
      bj::object{{"token", token}, {"expires_at", json::rfc3339(expires_at)}, {"account", account_json(*account)}});
}

Response logout(Request const& req, Context& ctx) {
  if (ctx.principal.kind != Principal::Kind::Session) throw Forbidden("only a session can be logged out");
  ctx.tx([&](db::Tx& tx) { repo::revoke_session(tx, ctx.principal.token_hash); });
  auto r = Response::no_content();
  if (http::session_cookie::read(req, http::session_cookie::kSession)) http::session_cookie::clear(r, req);
  return r;
}

Response me(Request const&, Context& ctx) {
  auto account = db::read(ctx.db, [&](soci::session& s) { return repo::account_by_id(s, ctx.principal.account_id); });
  if (!account) throw Unauthorized();
  bj::object out = account_json(*account);
  out["roles"] = roles_json(ctx.principal.memberships);
  return Response::json(out);
}

Response my_applications(Request const& req, Context& ctx) {
  auto page = req.page();
  auto rows =
      db::read(ctx.db, [&](soci::session& s) { return repo::applications_of(s, ctx.principal.account_id, page); });
  return Response::json(json::page_of_rows(rows, page, application_json));
}

}  // namespace

void add_account_routes(http::Router& r, Settings const& settings) {
  r.post("/v1/auth/register", Access::public_(),
         [settings](Request const& req, Context& ctx) { return register_account(settings, req, ctx); });
  r.post("/v1/auth/login", Access::public_(),
         [settings](Request const& req, Context& ctx) { return login(settings, req, ctx); });
  r.post("/v1/auth/logout", Access::authenticated(), logout);
  r.get("/v1/me", Access::authenticated(), me);
  r.get("/v1/me/residency-applications", Access::authenticated(), my_applications);
}

}  // namespace courtyard::identity
