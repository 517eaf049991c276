// The "shops.close_group_buys" job: at closes_at a group buy turns its escrowed holds into
// orders (enough participants and stock) or releases every hold.
#include "db/database.hpp"
#include "services/shops/api.hpp"
#include "services/shops/routes.hpp"
#include "services/wallet/api.hpp"

#include <spdlog/spdlog.h>

namespace courtyard::shops {

namespace {

// One participant's hold becomes a placed order (pickup, or delivery in a batch), paid to the
// merchant from escrow.
std::int64_t order_for_participant(db::Tx& tx, repo::GroupBuy const& g, repo::Participant const& p,
                                   std::string const& name, std::string const& category) {
  std::int64_t cid = g.community_id;
  repo::Order o;
  o.community_id = cid;
  o.merchant_id = g.merchant_id;
  o.buyer_id = p.account_id;
  o.unit_id = p.unit_id;
  o.status = logic::to_string(logic::OrderStatus::Placed);
  auto f = logic::parse_fulfilment(p.fulfilment).value_or(logic::Fulfilment::Pickup);
  o.fulfilment = logic::to_string(f);
  o.subtotal_cents = o.total_cents = p.amount_cents;
  if (f == logic::Fulfilment::Pickup) o.redemption_code = new_redemption_code();
  o.group_buy_id = g.id;
  o.items.push_back({g.product_id, name, category, g.unit_price_cents, p.quantity, p.amount_cents});
  o.id = repo::insert_order(tx, o);
  repo::insert_movement(tx, cid, g.merchant_id, g.product_id, -p.quantity, "sale", o.id, p.account_id);
  wallet::transfer(tx, cid, wallet::hold(p.id), wallet::merchant_for_order(g.merchant_id, o.id), p.amount_cents,
                   "group_buy_payment", order_ref(o.id));
  repo::settle_participant(tx, p.id, "ordered", o.id);
  tx.publish("order.placed", cid, order_event(*repo::find_order(tx, cid, o.id)));
  return o.id;
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

  bj::array order_ids, participant_ids, orders;
  if (outcome == logic::GroupBuyOutcome::Reached) {
    auto product = repo::find_product(tx, cid, g.merchant_id, g.product_id);
    std::string name = product ? product->name : "product " + std::to_string(g.product_id);
    std::string category = product ? product->category : "";
    for (auto const& p : people) {
      auto oid = order_for_participant(tx, g, p, name, category);
      order_ids.push_back(oid);
      participant_ids.push_back(p.account_id);
      orders.push_back(bj::object{
          {"order_id", oid}, {"buyer_id", p.account_id}, {"unit_id", p.unit_id}, {"fulfilment", p.fulfilment}});
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
                        {"participant_ids", std::move(participant_ids)},
                        {"orders", std::move(orders)}});
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

}  // namespace courtyard::shops
