// Accounts and sessions: register, login (with the per-address and per-email attempt limits),
// logout, me.
#include "http/session_cookie.hpp"
#include "services/identity/credentials.hpp"
#include "services/identity/logic.hpp"
#include "services/identity/routes.hpp"

namespace courtyard::identity {

void HashBuckets::take(std::string const& client, std::int64_t now_ms) {
  if (per_minute_ <= 0) return;
  std::int64_t retry = 0;
  std::lock_guard lk(mu_);
  if (buckets_.size() > 100'000) buckets_.clear();  // bounded memory: a flood resets the buckets
  if (!take_token(buckets_[client], per_minute_, burst_, now_ms, retry))
    throw TooManyRequests(static_cast<int>(retry), "too many sign-in attempts from this address; try again later");
}

namespace {

constexpr char kEveryAddress[] = "";

// Applies `decide` to the (email, client) counter by compare-and-swap, retried when another
// request changed the counter in between: the check and the count are one step.
template <class Decide>
Reservation update_counter(Context& ctx, std::string const& email, std::string const& client, Decide decide) {
  for (int i = 0; i < 100; ++i) {
    auto r = ctx.tx([&](db::Tx& tx) -> std::optional<Reservation> {
      auto row = repo::attempt_counter(tx.sql(), email, client);
      if (!row) {
        repo::ensure_attempt_counter(tx, email, client);
        row = repo::attempt_counter(tx.sql(), email, client);
      }
      Reservation res = decide(row->counter, db::now_ms());
      if (!res.allowed) return res;
      if (!repo::swap_attempt_counter(tx, row->id, row->version, res.next)) return std::nullopt;
      return res;
    });
    if (r) return *r;
  }
  throw Unavailable("too many sign-ins for this account at once; try again", 1);
}

Reservation release(AttemptCounter c, bool clear) {
  if (clear)
    c = {0, 0, 0};
  else if (c.attempts > 0)
    --c.attempts;
  else
    return {false, 0, c};  // nothing to give back
  return {true, 0, c};
}

// Reserves one attempt for (email, client) and one for the email over every address, or
// throws 429 with Retry-After. No password is hashed for a refused attempt.
void reserve_login(Settings const& settings, Context& ctx, std::string const& email, std::string const& client) {
  auto local = update_counter(ctx, email, client, [&](AttemptCounter const& c, std::int64_t now) {
    return reserve_attempt(c, settings.login_max_failures, settings.login_window_ms, now);
  });
  if (!local.allowed)
    throw TooManyRequests(static_cast<int>(local.retry_after_s),
                          "too many failed logins from this address; try again later");
  auto global = update_counter(ctx, email, kEveryAddress, [&](AttemptCounter const& c, std::int64_t now) {
    return reserve_global_attempt(c, settings.login_global_failures, settings.login_window_ms,
                                  settings.login_max_delay_ms, now);
  });
  if (!global.allowed) {
    update_counter(ctx, email, client, [](AttemptCounter const& c, std::int64_t) { return release(c, false); });
    throw TooManyRequests(static_cast<int>(global.retry_after_s),
                          "too many failed logins for this account; try again later");
  }
}

// A correct password: the client's failures are forgotten and the attempt no longer counts
// for the email (other addresses' failures still do).
void login_succeeded(Context& ctx, std::string const& email, std::string const& client) {
  update_counter(ctx, email, client, [](AttemptCounter const& c, std::int64_t) { return release(c, true); });
  update_counter(ctx, email, kEveryAddress, [](AttemptCounter const& c, std::int64_t) { return release(c, false); });
}

std::optional<std::string> read_email(Fields& f) {
  auto email = f.string("email");
  if (!email) return std::nullopt;
  email = normalize_email(*email);
  f.check("email", email_problem(*email));
  return email;
}

Response register_account(Settings const& settings, HashBuckets* buckets, Request const& req, Context& ctx) {
  Fields f(req);
  auto email = read_email(f);
  auto password = f.string("password");
  if (password) f.check("password", password_problem(*password));
  auto name = f.text("display_name", kMaxDisplayNameChars);
  f.done();

  // Existence is already public through this 409, so a duplicate costs no hash.
  auto exists = db::read(ctx.db, [&](soci::session& s) { return repo::account_by_email(s, *email).has_value(); });
  if (exists) throw Conflict("duplicate", "an account with this email already exists");
  buckets->take(req.remote_ip, db::now_ms());
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

Response login(Settings const& settings, HashBuckets* buckets, Request const& req, Context& ctx) {
  Fields f(req);
  auto email = read_email(f);
  auto password = f.string("password");
  auto session = json::opt_str(req.json(), "session", 16);
  f.check("session", session && *session != "cookie" && *session != "token"
                         ? std::optional<std::string>("must be \"token\" or \"cookie\"")
                         : std::nullopt);
  f.done();

  // Counted in the database, so the limits hold across every gateway instance. The attempt is
  // reserved before the password is checked and stays counted when it is wrong.
  std::string const& client = req.remote_ip;
  reserve_login(settings, ctx, *email, client);
  bool ok = false;
  std::optional<repo::Account> account;
  try {
    buckets->take(client, db::now_ms());
    account = db::read(ctx.db, [&](soci::session& s) { return repo::account_by_email(s, *email); });
    if (account) {
      ok = verify_password(account->password_hash, *password);
    } else {
      verify_dummy_password(*password, settings.password_cost);
    }
  } catch (...) {
    // Refused before any verdict (rate, busy hashing): the reservation is given back.
    update_counter(ctx, *email, client, [](AttemptCounter const& c, std::int64_t) { return release(c, false); });
    update_counter(ctx, *email, kEveryAddress,
                   [](AttemptCounter const& c, std::int64_t) { return release(c, false); });
    throw;
  }
  if (!ok) throw Unauthorized("invalid email or password");
  login_succeeded(ctx, *email, client);

  std::optional<std::string> rehashed;
  if (needs_rehash(account->password_hash, settings.password_cost))
    rehashed = hash_password(*password, settings.password_cost);
  std::string token = new_session_token();
  std::string digest = token_digest(token);
  std::int64_t expires_at = ctx.tx([&](db::Tx& tx) {
    std::int64_t expires = tx.now_ms() + settings.token_ttl_ms;
    repo::insert_session(tx, digest, account->id, expires);
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
  ctx.tx([&](db::Tx& tx) { repo::revoke_session(tx, ctx.principal.account_id, ctx.principal.token_hash); });
  auto r = Response::no_content();
  if (http::session_cookie::read(req, http::session_cookie::kSession)) http::session_cookie::clear(r, req);
  return r;
}

// Answered from the principal (cached, or read with the session): accounts are never deleted,
// and what it shows that can change (admin, roles) invalidates the cache.
Response me(Request const&, Context& ctx) {
  auto const& p = ctx.principal;
  repo::Account account;
  account.id = p.account_id;
  account.email = p.email;
  account.display_name = p.display_name;
  account.admin = p.admin;
  account.created_at = p.created_at;
  bj::object out = account_json(account);
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

void add_account_routes(http::Router& r, Settings const& settings, std::shared_ptr<HashBuckets> buckets) {
  r.post("/v1/auth/register", Access::public_(), [settings, buckets](Request const& req, Context& ctx) {
    return register_account(settings, buckets.get(), req, ctx);
  });
  r.post("/v1/auth/login", Access::public_(),
         [settings, buckets](Request const& req, Context& ctx) { return login(settings, buckets.get(), req, ctx); });
  r.post("/v1/auth/logout", Access::authenticated(), logout);
  r.get("/v1/me", Access::authenticated(), me);
  r.get("/v1/me/residency-applications", Access::authenticated(), my_applications);
}

}  // namespace courtyard::identity
