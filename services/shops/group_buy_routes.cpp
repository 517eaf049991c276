// Group buys (C2B): a merchant offers a product at a group price; residents join with their
// money held in escrow until the closer job (jobs.cpp) settles the group buy at closes_at.
#include "db/database.hpp"
#include "services/shops/routes.hpp"
#include "services/wallet/api.hpp"

namespace courtyard::shops {

namespace {

std::string group_buy_suffix(std::int64_t gid) { return "/group-buys/" + std::to_string(gid); }

bj::object group_buy_view(db::Tx& tx, Context const& ctx, repo::GroupBuy const& g) {
  auto out = group_buy_json(g);
  auto mine = repo::find_participant(tx, ctx.community_id, g.id, ctx.principal.account_id);
  out["my_participation"] = mine ? bj::value(participant_json(*mine)) : bj::value(nullptr);
  return out;
}

Response create_group_buy(Request const& req, Context& ctx) {
  auto g = read_group_buy(req.json(), ctx);
  return ctx.tx([&](db::Tx& tx) {
    auto p = repo::find_product(tx, ctx.community_id, 0, g.product_id);
    if (!p) throw Invalid("product_id", "is not a product in this community");
    if (!ctx.acts_for(p->merchant_id)) throw Forbidden("you do not act for this product's merchant");
    require_approved(merchant_or_404(tx, ctx.community_id, p->merchant_id));
    if (!p->active) throw Invalid("product_id", "is not for sale");
    g.merchant_id = p->merchant_id;
    g.id = repo::insert_group_buy(tx, g);
    return Response::created(group_buy_view(tx, ctx, group_buy_or_404(tx, ctx.community_id, g.id)),
                             ctx.path(group_buy_suffix(g.id)));
  });
}

Response list_group_buys(Request const& req, Context& ctx) {
  auto page = req.page();
  std::string status = query_filter(req, "status", {"open", "closing", "closed"});
  return ctx.tx([&](db::Tx& tx) {
    return Response::json(json::page_of_rows(repo::list_group_buys(tx, ctx.community_id, status, page), page,
                                             [&](repo::GroupBuy const& g) { return group_buy_view(tx, ctx, g); }));
  });
}

Response get_group_buy(Request const& req, Context& ctx) {
  std::int64_t gid = req.id("id");
  return ctx.tx([&](db::Tx& tx) {
    return Response::json(group_buy_view(tx, ctx, group_buy_or_404(tx, ctx.community_id, gid)));
  });
}

Response join_group_buy(Request const& req, Context& ctx) {
  std::int64_t gid = req.id("id");
  auto body = req.json();
  std::int64_t quantity = json::integer(body, "quantity");
  if (quantity < 1 || quantity > logic::kMaxQuantity)
    throw Invalid("quantity", "must be between 1 and " + std::to_string(logic::kMaxQuantity));
  // Delivered orders travel in their building's batch (delivery service, groupbuy.closed).
  auto fulfilment = json::opt_str(body, "fulfilment", 16).value_or("pickup");
  if (!logic::parse_fulfilment(fulfilment)) throw Invalid("fulfilment", "must be pickup or delivery");
  return ctx.idempotent(req, [&](db::Tx& tx) {
    std::int64_t cid = ctx.community_id;
    auto g = group_buy_or_404(tx, cid, gid);
    if (repo::find_participant(tx, cid, gid, ctx.principal.account_id))
      throw Conflict("already-joined", "you have joined this group buy already");
    if (!repo::take_group_buy_slot(tx, cid, gid, quantity, tx.now_ms()))
      throw Conflict("group-buy-closed", "this group buy is closed");
    repo::Participant p;
    p.community_id = cid;
    p.group_buy_id = gid;
    p.account_id = ctx.principal.account_id;
    p.unit_id = ctx.principal.unit_in(cid);
    p.quantity = quantity;
    p.amount_cents = g.unit_price_cents * quantity;
    p.fulfilment = fulfilment;
    try {
      p.id = repo::insert_participant(tx, p);
    } catch (std::exception const& e) {
      if (db::is_unique_violation(e)) throw Conflict("already-joined", "you have joined this group buy already");
      throw;
    }
    // The money waits in an escrow account of this participation until the group buy closes.
    wallet::transfer(tx, cid, wallet::resident(p.account_id), wallet::hold(p.id), p.amount_cents, "group_buy_hold",
                     hold_ref(gid, p.id));
    auto stored = repo::find_participant(tx, cid, gid, p.account_id);
    return Response::created(participant_json(*stored), ctx.path(group_buy_suffix(gid)));
  });
}

}  // namespace

repo::GroupBuy read_group_buy(bj::object const& body, Context const& ctx) {
  std::vector<FieldError> errors;
  repo::GroupBuy g;
  g.community_id = ctx.community_id;
  g.product_id = json::integer(body, "product_id");
  g.unit_price_cents = json::integer(body, "unit_price_cents");
  g.min_participants = json::integer(body, "min_participants");
  g.closes_at = json::time_ms(body, "closes_at");
  g.created_by = ctx.principal.account_id;
  if (g.product_id <= 0) errors.push_back({"product_id", "must be a product id"});
  if (g.unit_price_cents < 1 || g.unit_price_cents > logic::kMaxPriceCents)
    errors.push_back({"unit_price_cents", "must be between 1 and " + std::to_string(logic::kMaxPriceCents)});
  if (g.min_participants < 1 || g.min_participants > 10000)
    errors.push_back({"min_participants", "must be between 1 and 10000"});
  if (g.closes_at <= db::now_ms()) errors.push_back({"closes_at", "must be in the future"});
  if (!errors.empty()) throw Invalid(std::move(errors));
  return g;
}

void add_group_buy_routes(http::Router& r) {
  r.post("/v1/communities/{cid}/group-buys", Access::merchant("groupbuys:write"), create_group_buy);
  r.get("/v1/communities/{cid}/group-buys", Access::member(), list_group_buys);
  r.get("/v1/communities/{cid}/group-buys/{id}", Access::member(), get_group_buy);
  r.post("/v1/communities/{cid}/group-buys/{id}/join", Access::resident(), join_group_buy);
}

}  // namespace courtyard::shops
