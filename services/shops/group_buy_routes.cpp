// Group buys (C2B): a merchant offers a product at a group price; residents join with their
// money held in escrow; at closes_at the closer job turns the holds into orders (enough
// participants and stock) or releases every hold.
#include "db/database.hpp"
#include "services/shops/api.hpp"
#include "services/shops/routes.hpp"
#include "services/wallet/api.hpp"

#include <spdlog/spdlog.h>

namespace courtyard::shops {

using http::Access;
using http::Request;
using http::Response;

namespace {

std::string group_buy_path(std::int64_t cid, std::int64_t gid) {
  return base_path(cid) + "/group-buys/" + std::to_string(gid);
}
std::string hold_ref(std::int64_t gid, std::int64_t pid) {
  return "group_buy:" + std::to_string(gid) + ":participant:" + std::to_string(pid);
}

repo::GroupBuy group_buy_or_404(db::Tx& tx, std::int64_t cid, std::int64_t gid) {
  auto g = repo::find_group_buy(tx, cid, gid);
  if (!g) throw NotFound("group buy");
  return *g;
}

bj::object group_buy_view(db::Tx& tx, Context const& ctx, repo::GroupBuy const& g) {
  auto out = group_buy_json(g);
  auto mine = repo::find_participant(tx, ctx.community_id, g.id, ctx.principal.account_id);
  out["my_participation"] = mine ? bj::value(participant_json(*mine)) : bj::value(nullptr);
  return out;
}

// Settles one claimed group buy inside the caller's transaction.
bool close_one(db::Tx& tx, std::int64_t gid, std::int64_t cid) {
  if (!repo::claim_group_buy(tx, gid)) return false;  // another closer has it
  auto g = group_buy_or_404(tx, cid, gid);
  auto people = repo::participants_for_close(tx, cid, gid);
  std::int64_t quantity = 0;
  for (auto const& p : people) quantity += p.quantity;

  bool enough = static_cast<std::int64_t>(people.size()) >= g.min_participants && !people.empty();
  bool stock_taken = enough && repo::change_stock(tx, cid, g.product_id, -quantity);
  auto outcome = logic::group_buy_outcome(static_cast<std::int64_t>(people.size()), g.min_participants, stock_taken);

  bj::array order_ids, participant_ids;
  if (outcome == logic::GroupBuyOutcome::Reached) {
    auto product = repo::find_product(tx, cid, g.merchant_id, g.product_id);
    std::string name = product ? product->name : "product " + std::to_string(g.product_id);
    std::string category = product ? product->category : "";
    for (auto const& p : people) {
      repo::Order o;
      o.community_id = cid;
      o.merchant_id = g.merchant_id;
      o.buyer_id = p.account_id;
      o.unit_id = p.unit_id;
      o.status = logic::to_string(logic::OrderStatus::Placed);
      o.fulfilment = logic::to_string(logic::Fulfilment::Pickup);
      o.subtotal_cents = o.total_cents = p.amount_cents;
      o.redemption_code = new_redemption_code();
      o.group_buy_id = gid;
      o.items.push_back({g.product_id, name, category, g.unit_price_cents, p.quantity, p.amount_cents});
      o.id = repo::insert_order(tx, o);
      repo::insert_movement(tx, cid, g.merchant_id, g.product_id, -p.quantity, "sale", o.id, p.account_id);
      wallet::transfer(tx, cid, wallet::hold(p.id), wallet::merchant(g.merchant_id), p.amount_cents,
                       "group_buy_payment", "order:" + std::to_string(o.id));
      repo::settle_participant(tx, p.id, "ordered", o.id);
      tx.publish("order.placed", cid, order_event(*repo::find_order(tx, cid, o.id)));
      order_ids.push_back(o.id);
      participant_ids.push_back(p.account_id);
    }
  } else {
    for (auto const& p : people) {
      wallet::transfer(tx, cid, wallet::hold(p.id), wallet::resident(p.account_id), p.amount_cents,
                       "group_buy_release", hold_ref(gid, p.id));
      repo::settle_participant(tx, p.id, "released", std::nullopt);
      participant_ids.push_back(p.account_id);
    }
  }
  repo::close_group_buy(tx, gid, std::string(logic::to_string(outcome)));
  tx.publish("groupbuy.closed", cid,
             bj::object{{"community_id", cid},
                        {"group_buy_id", gid},
                        {"merchant_id", g.merchant_id},
                        {"reached", outcome == logic::GroupBuyOutcome::Reached},
                        {"outcome", logic::to_string(outcome)},
                        {"order_ids", std::move(order_ids)},
                        {"participant_ids", std::move(participant_ids)}});
  return true;
}

}  // namespace

int close_due_group_buys(db::Database& db, events::Bus& bus, std::int64_t now_ms) {
  auto due = db::transact(db, &bus, [&](db::Tx& tx) { return repo::due_group_buys(tx, now_ms, 100); });
  int closed = 0;
  for (auto const& [gid, cid] : due) {
    try {
      // The claim and the settlement commit together: a closer that fails leaves it open.
      if (db::transact(db, &bus, [&, gid = gid, cid = cid](db::Tx& tx) { return close_one(tx, gid, cid); })) ++closed;
    } catch (std::exception const& e) {
      spdlog::error("shops.close_group_buys: group buy {} failed: {}", gid, e.what());
    }
  }
  return closed;
}

void add_group_buy_routes(http::Router& r) {
  r.post("/v1/communities/{cid}/group-buys", Access::merchant("groupbuys:write"), [](Request const& req, Context& ctx) {
    auto body = req.json();
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
    return ctx.tx([&](db::Tx& tx) {
      auto p = repo::find_product(tx, ctx.community_id, 0, g.product_id);
      if (!p) throw Invalid("product_id", "is not a product in this community");
      if (!acts_for(ctx, p->merchant_id)) throw Forbidden("you do not act for this product's merchant");
      require_approved(merchant_or_404(tx, ctx.community_id, p->merchant_id));
      if (!p->active) throw Invalid("product_id", "is not for sale");
      g.merchant_id = p->merchant_id;
      g.id = repo::insert_group_buy(tx, g);
      return Response::created(group_buy_view(tx, ctx, group_buy_or_404(tx, ctx.community_id, g.id)),
                               group_buy_path(ctx.community_id, g.id));
    });
  });

  r.get("/v1/communities/{cid}/group-buys", Access::member(), [](Request const& req, Context& ctx) {
    auto page = page_of(req);
    std::string status = query_filter(req, "status", {"open", "closing", "closed"});
    return ctx.tx([&](db::Tx& tx) {
      return Response::json(page_json(repo::list_group_buys(tx, ctx.community_id, status, page), page,
                                      [&](repo::GroupBuy const& g) { return group_buy_view(tx, ctx, g); }));
    });
  });

  r.get("/v1/communities/{cid}/group-buys/{id}", Access::member(), [](Request const& req, Context& ctx) {
    std::int64_t gid = req.id("id");
    return ctx.tx([&](db::Tx& tx) {
      return Response::json(group_buy_view(tx, ctx, group_buy_or_404(tx, ctx.community_id, gid)));
    });
  });

  r.post("/v1/communities/{cid}/group-buys/{id}/join", Access::resident(), [](Request const& req, Context& ctx) {
    std::int64_t gid = req.id("id");
    auto body = req.json();
    std::int64_t quantity = json::integer(body, "quantity");
    if (quantity < 1 || quantity > logic::kMaxQuantity)
      throw Invalid("quantity", "must be between 1 and " + std::to_string(logic::kMaxQuantity));
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
      return Response::created(participant_json(*stored), group_buy_path(cid, gid));
    });
  });
}

}  // namespace courtyard::shops
