// Statements: the merchant's (owner or a key with the `statements` scope; never staff) and
// the manager's view of every merchant; the open period's running figures; closing periods;
// payouts. Lists and statements answer CSV for ?format=csv or Accept: text/csv.
#include "http/csv.hpp"
#include "services/settlement/routes.hpp"
#include "services/shops/api.hpp"
#include "services/wallet/api.hpp"

namespace courtyard::settlement {

namespace {

void merchant_or_404(db::Tx& tx, std::int64_t cid, std::int64_t mid) {
  if (!shops::merchant_category(tx, cid, mid)) throw NotFound("merchant");
}

// A statement the caller may see: the managers', or its merchant's; anyone else is told it
// does not exist.
repo::Statement statement_or_404(db::Tx& tx, Context const& ctx, std::int64_t sid) {
  auto s = repo::find_statement(tx, ctx.community_id, sid);
  if (!s || !(ctx.is_manager() || ctx.acts_for(s->merchant_id))) throw NotFound("statement");
  return *s;
}

Response merchant_statements(Request const& req, Context& ctx) {
  std::int64_t mid = req.id("mid");
  auto page = req.page();
  bool as_csv = http::csv::wanted(req);
  return ctx.tx([&](db::Tx& tx) {
    merchant_or_404(tx, ctx.community_id, mid);
    auto rows = repo::statements_of_merchant(tx, ctx.community_id, mid, page);
    if (as_csv) {
      if (rows.size() > static_cast<std::size_t>(page.limit)) rows.resize(page.limit);
      return http::csv::download(statements_csv(rows), "statements-" + std::to_string(mid) + ".csv");
    }
    return Response::json(json::page_of_rows(rows, page, statement_json));
  });
}

// The running figures of every open period of the merchant (normally the current week, and
// a week that ended and is not closed yet).
Response current_statement(Request const& req, Context& ctx) {
  std::int64_t mid = req.id("mid");
  return ctx.tx([&](db::Tx& tx) {
    merchant_or_404(tx, ctx.community_id, mid);
    bj::array items;
    for (auto const& p : repo::open_periods(tx, ctx.community_id)) {
      auto rows = repo::postings(tx, p.id, mid);
      if (rows.empty()) continue;
      items.push_back(preview_json(mid, p, logic::sums(logic_postings(rows)), rows));
    }
    if (items.empty()) {
      auto week = week_for(tx, ctx.community_id, tx.now_ms());
      repo::Period p{0, ctx.community_id, week.start_ms, week.end_ms, "open", std::nullopt};
      items.push_back(preview_json(mid, p, logic::Sums{}, {}));
    }
    return Response::json(bj::object{{"items", std::move(items)}});
  });
}

Response get_statement(Request const& req, Context& ctx) {
  std::int64_t sid = req.id("sid");
  bool as_csv = http::csv::wanted(req);
  return ctx.tx([&](db::Tx& tx) {
    auto s = statement_or_404(tx, ctx, sid);
    auto rows = repo::postings(tx, s.period_id, s.merchant_id);
    if (as_csv) return http::csv::download(postings_csv(s, rows), "statement-" + std::to_string(s.id) + ".csv");
    auto out = statement_json(s);
    bj::array lines;
    for (auto const& p : rows) lines.push_back(posting_json(p));
    out["postings"] = std::move(lines);
    return Response::json(out);
  });
}

Response community_statements(Request const& req, Context& ctx) {
  auto page = req.page();
  bool as_csv = http::csv::wanted(req);
  std::string status;
  if (auto s = req.query_param("status"); s && !s->empty()) {
    if (*s != "closed" && *s != "paid") throw Invalid("status", "must be one of closed, paid");
    status = std::string(*s);
  }
  std::int64_t mid = req.query_int("merchant_id", 0);
  return ctx.tx([&](db::Tx& tx) {
    auto rows = repo::statements_of_community(tx, ctx.community_id, status, mid, page);
    if (as_csv) {
      if (rows.size() > static_cast<std::size_t>(page.limit)) rows.resize(page.limit);
      return http::csv::download(statements_csv(rows), "statements.csv");
    }
    return Response::json(json::page_of_rows(rows, page, statement_json));
  });
}

// Closes every period of the community that has ended, as the job would now.
Response close_periods(Request const& req, Context& ctx) {
  return ctx.idempotent(req, [&](db::Tx& tx) {
    bj::array closed;
    for (auto const& p : repo::due_periods(tx, ctx.community_id, tx.now_ms(), 1000)) {
      if (auto written = close_one_period(tx, p, ctx.principal.account_id))
        for (auto const& s : *written) closed.push_back(statement_json(s));
    }
    return Response::json(bj::object{{"statements", std::move(closed)}});
  });
}

// The manager records the offline transfer: the statement is paid and its net leaves the
// merchant's wallet for the outside world (cash).
Response payout(Request const& req, Context& ctx) {
  std::int64_t sid = req.id("sid");
  std::string reference = json::str(req.json(), "reference", 1, 100);
  return ctx.idempotent(req, [&](db::Tx& tx) {
    auto s = statement_or_404(tx, ctx, sid);
    if (s.status != "closed") throw Conflict("statement-paid", "this statement has been paid already");
    if (s.net_cents <= 0) throw Conflict("nothing-to-pay", "this statement's net payable is not positive");
    if (!repo::mark_paid(tx, ctx.community_id, sid, reference, ctx.principal.account_id))
      throw Conflict("statement-paid", "this statement has been paid already");
    std::int64_t txn = wallet::transfer(tx, ctx.community_id, wallet::merchant(s.merchant_id), wallet::cash(),
                                        s.net_cents, "payout", statement_ref(sid));
    repo::set_payout_txn(tx, sid, txn);
    auto paid = *repo::find_statement(tx, ctx.community_id, sid);
    auto event = statement_event(paid);
    event["reference"] = reference;
    event["amount_cents"] = paid.net_cents;
    tx.publish("payout.made", ctx.community_id, event);
    return Response::json(statement_json(paid));
  });
}

}  // namespace

void add_statement_routes(http::Router& r) {
  auto merchant_or_manager = Access::any_of(Role::Manager | Role::Merchant).with_scope("statements");
  r.get("/v1/communities/{cid}/merchants/{mid}/statements", merchant_or_manager, merchant_statements);
  r.get("/v1/communities/{cid}/merchants/{mid}/statements/current", merchant_or_manager, current_statement);
  r.get("/v1/communities/{cid}/statements/{sid}", merchant_or_manager, get_statement);
  r.get("/v1/communities/{cid}/statements", Access::manager(), community_statements);
  r.post("/v1/communities/{cid}/settlement/close", Access::manager(), close_periods);
  r.post("/v1/communities/{cid}/statements/{sid}/payout", Access::manager(), payout);
}

}  // namespace courtyard::settlement
