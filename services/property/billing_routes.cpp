// Fee schedules, billing runs, bills, payments and collection figures.
#include "db/tx.hpp"
#include "http/errors.hpp"
#include "services/identity/api.hpp"
#include "services/members/api.hpp"
#include "services/property/logic.hpp"
#include "services/property/routes.hpp"
#include "services/wallet/api.hpp"

namespace courtyard::property {

using http::Access;
using http::Request;
using http::Response;

namespace {

std::optional<std::string> status_filter(Request const& req) {
  auto s = req.query_param("status");
  if (!s) return std::nullopt;
  if (!logic::parse_bill_status(*s)) throw Invalid("status", "must be unpaid, paid or overdue");
  return std::string(*s);
}

std::optional<std::string> period_filter(Request const& req) {
  auto s = req.query_param("period");
  if (!s) return std::nullopt;
  if (!logic::parse_period(*s)) throw Invalid("period", "must be a month like 2026-11");
  return std::string(*s);
}

repo::Bill load_bill(db::Tx& tx, Context const& ctx, std::int64_t id) {
  auto b = repo::bill(tx, ctx.community_id, id);
  // Residents of other units do not learn that the bill exists.
  if (!b || !(ctx.is_manager() || ctx.lives_in(b->unit_id))) throw NotFound("bill");
  return *b;
}

// ---- fee schedules

Response create_schedule(Request const& req, Context& ctx) {
  auto body = req.json();
  repo::FeeSchedule s;
  s.community_id = ctx.community_id;
  s.name = json::str(body, "name", 1, 200);
  s.amount_cents = json::integer(body, "amount_cents");
  if (s.amount_cents < 1 || s.amount_cents > logic::kMaxFeeCents)
    throw Invalid("amount_cents", "must be between 1 and " + std::to_string(logic::kMaxFeeCents));
  auto scope = logic::parse_scope(json::str(body, "scope", 1, 16));
  if (!scope) throw Invalid("scope", "must be community or building");
  s.scope = std::string(logic::scope_name(*scope));
  auto building = json::opt_integer(body, "building_id");
  if (*scope == logic::FeeScope::Building) {
    if (!building || *building <= 0) throw Invalid("building_id", "is required for scope building");
    s.building_id = *building;
  } else if (building && *building != 0) {
    throw Invalid("building_id", "is only allowed with scope building");
  }
  s.created_by = ctx.principal.account_id;
  return ctx.tx([&](db::Tx& tx) {
    if (s.building_id && !repo::building_in_community(tx, ctx.community_id, s.building_id))
      throw Invalid("building_id", "is not a building of this community");
    s.created_at = tx.now_ms();
    s.id = repo::insert_schedule(tx, s);
    return Response::created(fee_schedule_view(s), ctx.path("/fee-schedules/" + std::to_string(s.id)));
  });
}

Response list_schedules(Request const& req, Context& ctx) {
  auto page = req.page();
  std::optional<bool> active;
  if (auto a = req.query_param("active")) {
    if (*a != "true" && *a != "false") throw Invalid("active", "must be true or false");
    active = *a == "true";
  }
  return ctx.tx([&](db::Tx& tx) {
    auto rows = repo::schedules(tx, ctx.community_id, active, page);
    return Response::json(json::page_of_rows(rows, page, fee_schedule_view));
  });
}

Response get_schedule(Request const& req, Context& ctx) {
  auto id = req.id("id");
  return ctx.tx([&](db::Tx& tx) {
    return Response::json(fee_schedule_view(found(repo::schedule(tx, ctx.community_id, id), "fee schedule")));
  });
}

Response deactivate_schedule(Request const& req, Context& ctx) {
  auto id = req.id("id");
  return ctx.tx([&](db::Tx& tx) {
    found(repo::schedule(tx, ctx.community_id, id), "fee schedule");
    if (!repo::deactivate_schedule(tx, ctx.community_id, id))
      throw Conflict("already-inactive", "the fee schedule is already inactive");
    return Response::json(fee_schedule_view(*repo::schedule(tx, ctx.community_id, id)));
  });
}

// ---- billing runs

// One bill per occupied unit per applicable active schedule, once per period: the unique
// key (community, unit, schedule, period) with INSERT IGNORE makes reruns and concurrent
// runs create nothing twice.
Response run_billing(Request const& req, Context& ctx) {
  auto body = req.json();
  auto period = logic::parse_period(json::str(body, "period", 1, 16));
  if (!period) throw Invalid("period", "must be a month like 2026-11");
  std::string period_text = period->text();
  std::int64_t due_at = logic::due_at_ms(*period);
  std::int64_t cid = ctx.community_id;
  return ctx.idempotent(req, [&](db::Tx& tx) {
    auto schedules = repo::active_schedules(tx, cid);
    auto units = repo::occupied_units(tx, cid);
    std::int64_t created = 0;
    for (auto const& u : units) {
      for (auto const& s : schedules) {
        auto scope = logic::parse_scope(s.scope).value_or(logic::FeeScope::Community);
        if (!logic::schedule_applies(scope, s.building_id, u.building_id)) continue;
        repo::Bill b;
        b.community_id = cid;
        b.unit_id = u.unit_id;
        b.building_id = u.building_id;
        b.schedule_id = s.id;
        b.name = s.name;
        b.period = period_text;
        b.amount_cents = s.amount_cents;
        b.status = "unpaid";
        b.due_at = due_at;
        b.issued_at = tx.now_ms();
        auto id = repo::insert_bill_once(tx, b);
        if (!id) continue;
        ++created;
        tx.publish("bill.issued", cid,
                   bj::object{{"community_id", cid},
                              {"bill_id", *id},
                              {"unit_id", u.unit_id},
                              {"account_ids", ids_json(identity::residents_of_unit(tx, u.unit_id))},
                              {"amount_cents", s.amount_cents},
                              {"period", period_text},
                              {"due_at_ms", due_at}});
      }
    }
    return Response::created(bj::object{{"period", period_text},
                                        {"bills_created", created},
                                        {"bills_total", repo::count_bills(tx, cid, period_text)},
                                        {"due_at", json::rfc3339(due_at)}},
                             ctx.path("/bills?period=" + period_text));
  });
}

// ---- bills

Response list_bills(Request const& req, Context& ctx) {
  auto page = req.page();
  repo::BillFilter f;
  f.status = status_filter(req);
  f.period = period_filter(req);
  if (req.query_param("unit_id")) {
    auto u = req.query_int("unit_id", 0);
    if (u <= 0) throw Invalid("unit_id", "must be a positive id");
    f.unit_id = u;
  }
  return ctx.tx([&](db::Tx& tx) {
    return Response::json(json::page_of_rows(repo::bills(tx, ctx.community_id, f, page), page, bill_view));
  });
}

Response get_bill(Request const& req, Context& ctx) {
  auto id = req.id("id");
  return ctx.tx([&](db::Tx& tx) { return Response::json(bill_view(load_bill(tx, ctx, id))); });
}

// The status flip (unpaid|overdue -> paid) and the ledger posting commit together: a
// concurrent second payment finds the bill paid (0 rows) and charges nothing.
Response pay_bill(Request const& req, Context& ctx) {
  auto id = req.id("id");
  auto body = req.json();
  auto method = logic::parse_method(json::str(body, "method", 1, 16));
  if (!method) throw Invalid("method", "must be wallet or offline");
  std::int64_t points = json::opt_integer(body, "points").value_or(0);
  if (points < 0) throw Invalid("points", "must be 0 or more");
  if (points > 0 && *method != logic::PaymentMethod::Wallet)
    throw Invalid("points", "only a wallet payment takes points");
  std::int64_t cid = ctx.community_id;
  std::int64_t me = ctx.principal.account_id;
  return ctx.idempotent(req, [&](db::Tx& tx) {
    auto b = load_bill(tx, ctx, id);
    if (*method == logic::PaymentMethod::Offline && !ctx.is_manager())
      throw Forbidden("only a manager records offline payments");
    if (*method == logic::PaymentMethod::Wallet && !ctx.lives_in(b.unit_id))
      throw Forbidden("only a resident of the bill's unit pays it from their wallet");
    std::string method_text(logic::method_name(*method));
    if (!repo::mark_paid(tx, cid, id, method_text, me, tx.now_ms()))
      throw Conflict("already-paid", "the bill is already paid");
    std::string ref = "bill:" + std::to_string(id);
    // Points first (members' terms; the programme must let bills take them), then the rest
    // from the wallet: both or neither.
    std::int64_t money = b.amount_cents;
    if (points > 0) {
      auto paid = members::pay_with_points(tx, cid, me, points, b.amount_cents, members::SpendOn::Bill, ref);
      repo::set_bill_points(tx, cid, id, paid.points, paid.cents);
      money -= paid.cents;
    }
    auto from = *method == logic::PaymentMethod::Wallet ? wallet::resident(me) : wallet::cash();
    if (money > 0) {
      std::int64_t txn = wallet::transfer(tx, cid, from, wallet::community(), money, "bill_payment", ref);
      repo::set_bill_transaction(tx, cid, id, txn);
    }
    tx.publish("bill.paid", cid,
               bj::object{{"community_id", cid},
                          {"bill_id", id},
                          {"unit_id", b.unit_id},
                          {"account_ids", ids_json(identity::residents_of_unit(tx, b.unit_id))},
                          {"amount_cents", b.amount_cents},
                          {"points_spent", points},
                          {"method", method_text},
                          {"paid_by", me},
                          {"due_at_ms", b.due_at},
                          {"paid_at_ms", tx.now_ms()}});
    return Response::created(bill_view(*repo::bill(tx, cid, id)), ctx.path("/bills/" + std::to_string(id)));
  });
}

// The caller's bills across their resident units (optionally one community's).
Response my_bills(Request const& req, Context& ctx) {
  auto page = req.page();
  auto status = status_filter(req);
  std::int64_t only = 0;
  if (req.query_param("community_id")) {
    only = req.query_int("community_id", 0);
    if (only <= 0) throw Invalid("community_id", "must be a positive id");
    if (!ctx.principal.in_community(only)) throw NotFound("community");
  }
  std::vector<repo::UnitRef> units;
  for (auto const& m : ctx.principal.memberships)
    if (m.role == Role::Resident && m.unit_id && (only == 0 || m.community_id == only))
      units.push_back({m.community_id, m.unit_id});
  return ctx.tx([&](db::Tx& tx) {
    return Response::json(json::page_of_rows(repo::bills_of_units(tx, units, status, page), page, bill_view));
  });
}

Response billing_summary(Request const& req, Context& ctx) {
  auto period = period_filter(req);
  return ctx.tx([&](db::Tx& tx) {
    bj::array periods;
    for (auto const& s : repo::billing_summary(tx, ctx.community_id, period)) periods.push_back(summary_view(s));
    if (period && periods.empty()) periods.push_back(summary_view(repo::PeriodSummary{*period}));
    return Response::json(bj::object{{"community_id", ctx.community_id}, {"periods", std::move(periods)}});
  });
}

}  // namespace

void add_billing_routes(http::Router& r) {
  r.post("/v1/communities/{cid}/fee-schedules", Access::manager(), create_schedule);
  r.get("/v1/communities/{cid}/fee-schedules", Access::manager(), list_schedules);
  r.get("/v1/communities/{cid}/fee-schedules/{id}", Access::manager(), get_schedule);
  r.post("/v1/communities/{cid}/fee-schedules/{id}/deactivate", Access::manager(), deactivate_schedule);
  r.post("/v1/communities/{cid}/billing-runs", Access::manager(), run_billing);
  r.get("/v1/communities/{cid}/bills", Access::manager(), list_bills);
  r.get("/v1/communities/{cid}/bills/{id}", resident_or_manager(), get_bill);
  r.post("/v1/communities/{cid}/bills/{id}/payments", resident_or_manager(), pay_bill);
  r.get("/v1/me/bills", Access::authenticated(), my_bills);
  r.get("/v1/communities/{cid}/billing-summary", Access::manager(), billing_summary);
}

}  // namespace courtyard::property
