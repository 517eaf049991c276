// Visitor passes: a resident issues a code for a time window; the gate (a manager) checks
// it once.
#include "db/tx.hpp"
#include "http/errors.hpp"
#include "services/delivery/api.hpp"
#include "services/property/logic.hpp"
#include "services/property/routes.hpp"

#include <sodium.h>

namespace courtyard::property {

using http::Access;
using http::Request;
using http::Response;

namespace {

std::string new_pass_code() {
  std::vector<std::uint32_t> idx(logic::kPassCodeLength);
  for (auto& i : idx) i = randombytes_uniform(static_cast<std::uint32_t>(logic::kPassCodeAlphabet.size()));
  return logic::pass_code(idx);
}

Response issue_pass(Request const& req, Context& ctx) {
  auto body = req.json();
  repo::VisitorPass p;
  p.community_id = ctx.community_id;
  p.visitor_name = json::str(body, "visitor_name", 1, kMaxTitle);
  p.valid_from = json::time_ms(body, "valid_from");
  p.valid_until = json::time_ms(body, "valid_until");
  p.created_by = ctx.principal.account_id;
  p.unit_id = ctx.principal.unit_in(ctx.community_id);
  p.status = "active";
  return ctx.tx([&](db::Tx& tx) {
    if (auto why = logic::pass_window_problem(p.valid_from, p.valid_until, tx.now_ms())) throw Invalid(why->field, why->why);
    p.created_at = tx.now_ms();
    // 32^10 codes: a collision is all but impossible, but the unique key has the last word.
    for (int attempt = 0;; ++attempt) {
      p.code = new_pass_code();
      try {
        p.id = repo::insert_pass(tx, p);
        break;
      } catch (std::exception const& e) {
        if (attempt >= 4 || !db::is_unique_violation(e)) throw;
      }
    }
    return Response::created(pass_view(p, p.created_by, tx.now_ms()),
                             ctx.path("/visitor-passes/" + std::to_string(p.id)));
  });
}

// Managers see every pass; a resident the passes they issued.
Response list_passes(Request const& req, Context& ctx) {
  auto page = req.page();
  std::int64_t me = ctx.principal.account_id;
  std::int64_t only = ctx.is_manager() ? 0 : me;
  return ctx.tx([&](db::Tx& tx) {
    auto now = tx.now_ms();
    return Response::json(json::page_of_rows(repo::passes(tx, ctx.community_id, only, page), page,
                                             [&](repo::VisitorPass const& p) { return pass_view(p, me, now); }));
  });
}

Response get_pass(Request const& req, Context& ctx) {
  auto id = req.id("id");
  std::int64_t me = ctx.principal.account_id;
  return ctx.tx([&](db::Tx& tx) {
    auto p = repo::pass(tx, ctx.community_id, id);
    if (!p || !(ctx.is_manager() || p->created_by == me)) throw NotFound("visitor pass");
    return Response::json(pass_view(*p, me, tx.now_ms()));
  });
}

// Valid once, inside its window: the conditional update (active and inside the window ->
// used) lets exactly one of several simultaneous verifications through.
Response verify_pass(Request const& req, Context& ctx) {
  auto body = req.json();
  auto typed = json::str(body, "code", 1, 64);
  auto code = logic::normalize_code(typed);
  if (!code) throw NotFound("visitor pass");
  std::int64_t me = ctx.principal.account_id;
  return ctx.tx([&](db::Tx& tx) {
    auto p = found(repo::pass_by_code(tx, ctx.community_id, *code), "visitor pass");
    auto now = tx.now_ms();
    auto check = logic::check_pass(p.status == "used", p.valid_from, p.valid_until, now);
    if (check == logic::PassCheck::Valid && !repo::use_pass(tx, ctx.community_id, p.id, me, now))
      check = logic::PassCheck::Used;  // another verification got there first
    switch (check) {
      case logic::PassCheck::Used: throw Conflict("pass-used", "this pass has already been used");
      case logic::PassCheck::NotYetValid:
        throw Conflict("pass-not-valid-now", "this pass is valid from " + json::rfc3339(p.valid_from));
      case logic::PassCheck::Expired:
        throw Conflict("pass-not-valid-now", "this pass expired at " + json::rfc3339(p.valid_until));
      case logic::PassCheck::Valid: break;
    }
    auto v = pass_view(*repo::pass(tx, ctx.community_id, p.id), me, now);
    v["code"] = p.code;
    return Response::json(v);
  });
}

// The pass as a signed token (delivery service, api.hpp sign_code) for its issuer to share as
// a QR code: the gate's device verifies it offline with the community's public keys, valid
// at most 15 minutes and never past the pass's window. The short code stays valid too.
Response pass_token(Request const& req, Context& ctx) {
  auto id = req.id("id");
  return ctx.tx([&](db::Tx& tx) {
    auto p = repo::pass(tx, ctx.community_id, id);
    if (!p || p->created_by != ctx.principal.account_id) throw NotFound("visitor pass");
    if (p->status == "used") throw Conflict("pass-used", "this pass has already been used");
    if (p->valid_until <= tx.now_ms())
      throw Conflict("pass-not-valid-now", "this pass expired at " + json::rfc3339(p->valid_until));
    auto signed_code = delivery::sign_code(tx, ctx.community_id, "visitor_pass", p->id, p->valid_until);
    return Response::json(delivery::signed_code_json("visitor_pass", p->id, signed_code));
  });
}

}  // namespace

void add_visitor_pass_routes(http::Router& r) {
  r.post("/v1/communities/{cid}/visitor-passes", Access::resident(), issue_pass);
  r.get("/v1/communities/{cid}/visitor-passes", resident_or_manager(), list_passes);
  r.get("/v1/communities/{cid}/visitor-passes/{id}", resident_or_manager(), get_pass);
  r.post("/v1/communities/{cid}/visitor-passes/verify", Access::manager(), verify_pass);
  r.post("/v1/communities/{cid}/visitor-passes/{id}/code-token", Access::resident(), pass_token);
}

}  // namespace courtyard::property
