// The resident's wallet (/v1/me/wallet), manager top-ups with Idempotency-Key and member
// statements, a merchant's takings, and the community ledger summary.
#include "services/identity/api.hpp"
#include "services/wallet/api.hpp"
#include "services/wallet/logic.hpp"
#include "services/wallet/routes.hpp"

namespace courtyard::wallet {

namespace bj = boost::json;
using http::Access;
using http::Request;
using http::Response;

namespace {

// The account's balance and its entries, newest first, one page. A merchant's entries are
// spread over its sub-accounts, each storing its own balance after the entry, so the
// merchant's running balance is derived from its balance now, read in the same statement
// as the page: the balance after an entry is the balance now less everything newer.
bj::object statement(db::Tx& tx, std::int64_t cid, AccountRef ref, json::Page const& page) {
  std::string kind(logic::kind_name(ref.kind));
  if (ref.kind == Owner::Merchant) {
    auto sp = repo::statement_page(tx, cid, kind, ref.owner_id, page);
    if (sp.rows.empty()) return statement_json(cid, balance(tx, cid, ref), sp.rows, page);
    std::vector<std::int64_t> amounts;
    for (auto const& e : sp.rows) amounts.push_back(e.amount_cents);
    auto after = logic::running_balances(sp.balance_cents, sp.newer_cents, amounts);
    for (std::size_t i = 0; i < sp.rows.size(); ++i) sp.rows[i].balance_after_cents = after[i];
    return statement_json(cid, sp.balance_cents, sp.rows, page);
  }
  std::int64_t bal = balance(tx, cid, ref);
  auto rows = repo::entries(tx, cid, kind, ref.owner_id, page);
  return statement_json(cid, bal, rows, page);
}

Response my_wallet(Request const& req, Context& ctx) {
  auto cid = req.query_int("community_id", 0);
  if (cid <= 0) throw Invalid("community_id", "is required");
  auto page = req.page();
  return ctx.tx([&](db::Tx& tx) {
    if (!identity::is_member(tx, ctx.principal.account_id, cid)) throw NotFound("community");
    return Response::json(statement(tx, cid, resident(ctx.principal.account_id), page));
  });
}

Response top_up(Request const& req, Context& ctx) {
  std::int64_t cid = ctx.community_id;
  std::int64_t target = req.id("account_id");
  auto body = req.json();
  std::int64_t amount = json::integer(body, "amount_cents");
  if (auto why = logic::top_up_problem(amount)) throw Invalid("amount_cents", *why);
  return ctx.idempotent(req, [&](db::Tx& tx) {
    if (!identity::is_member(tx, target, cid)) throw NotFound("account");
    std::int64_t txn = transfer(tx, cid, cash(), resident(target), amount, "top_up",
                                "top_up:by:" + std::to_string(ctx.principal.account_id));
    std::int64_t bal = balance(tx, cid, resident(target));
    tx.publish("wallet.topped_up", cid,
               bj::object{{"community_id", cid}, {"account_id", target}, {"amount_cents", amount},
                          {"transaction_id", txn}, {"balance_cents", bal}});
    return Response::created(
        bj::object{{"transaction_id", txn}, {"account_id", target}, {"amount_cents", amount}, {"balance_cents", bal}},
        ctx.path("/wallets/" + std::to_string(target)));
  });
}

Response member_wallet(Request const& req, Context& ctx) {
  std::int64_t target = req.id("account_id");
  auto page = req.page();
  return ctx.tx([&](db::Tx& tx) {
    if (!identity::is_member(tx, target, ctx.community_id)) throw NotFound("account");
    auto out = statement(tx, ctx.community_id, resident(target), page);
    out["account_id"] = target;
    return Response::json(out);
  });
}

Response merchant_wallet(Request const& req, Context& ctx) {
  std::int64_t mid = req.id("mid");
  auto page = req.page();
  return ctx.tx([&](db::Tx& tx) {
    // A merchant of another community (managers and admins pass the rule for any {mid}).
    if (identity::accounts_acting_for(tx, ctx.community_id, mid).empty()) throw NotFound("merchant");
    auto out = statement(tx, ctx.community_id, merchant(mid), page);
    out["merchant_id"] = mid;
    return Response::json(out);
  });
}

Response ledger_summary(Request const&, Context& ctx) {
  return ctx.tx([&](db::Tx& tx) {
    auto totals = repo::totals_by_kind(tx, ctx.community_id);
    auto transactions = repo::transaction_count(tx, ctx.community_id);
    return Response::json(ledger_summary_json(ctx.community_id, totals, transactions));
  });
}

}  // namespace

void add_wallet_routes(http::Router& r) {
  r.get("/v1/me/wallet", Access::authenticated(), my_wallet);
  r.post("/v1/communities/{cid}/wallets/{account_id}/top-ups", Access::manager(), top_up);
  r.get("/v1/communities/{cid}/wallets/{account_id}", Access::manager(), member_wallet);
  r.get("/v1/communities/{cid}/merchants/{mid}/wallet",
        Access::any_of(Role::Merchant | Role::Manager).with_scope("statements"), merchant_wallet);
  r.get("/v1/communities/{cid}/ledger/summary", Access::manager(), ledger_summary);
}

}  // namespace courtyard::wallet
