// Keeping the read model from events. Both subscribers lock the buyer's profile row first,
// so an order being counted and an opt-out being applied for the same buyer never
// interleave: whichever comes second sees what the first committed (the consent is read
// under the lock, after the opt-out that published consent.changed had committed).
#include "services/identity/api.hpp"
#include "services/members/api.hpp"
#include "services/recommendations/routes.hpp"

namespace courtyard::recommendations {

namespace {

std::int64_t num(bj::object const& p, std::string_view key) { return json::int_field(p, key).value_or(0); }

bool consents(db::Tx& tx, std::int64_t account) {
  return members::consents_to(tx, account, members::logic::Purpose::Recommendations);
}

}  // namespace

void on_order_completed(events::Event const& e, db::Tx& tx) {
  if (e.community_id <= 0 || !e.payload.is_object()) return;
  auto const& p = e.payload.as_object();
  std::int64_t order = num(p, "order_id"), buyer = num(p, "buyer_id"), merchant = num(p, "merchant_id");
  if (order <= 0 || buyer <= 0) return;
  std::int64_t cid = e.community_id;
  repo::lock_profile(tx, cid, buyer);
  bool counted = consents(tx, buyer);
  if (!repo::claim_order(tx, order, cid, buyer, counted) || !counted) return;

  auto bought = shops::order_product_ids(tx, cid, order);
  std::set<std::int64_t> had = repo::profile_products(tx, cid, buyer);
  std::set<std::int64_t> added(bought.begin(), bought.end());
  std::int64_t building = identity::unit_building(tx, cid, num(p, "unit_id"));
  for (auto product : added) {
    if (had.count(product)) continue;
    repo::add_profile_product(tx, cid, buyer, {product, merchant, building}, e.created_at);
    if (building > 0) repo::add_building_product(tx, cid, building, product);
  }
  for (auto const& pair : logic::pairs_added(had, added)) repo::add_pair(tx, cid, pair);
}

void on_consent_changed(events::Event const& e, db::Tx& tx) {
  if (!e.payload.is_object()) return;
  std::int64_t account = num(e.payload.as_object(), "account_id");
  if (account <= 0) return;
  for (auto cid : repo::profile_communities(tx, account)) {
    repo::lock_profile(tx, cid, account);
    if (consents(tx, account)) return;  // opted in again meanwhile: nothing to take out
    drop_profile(tx, cid, account);
  }
}

void drop_profile(db::Tx& tx, std::int64_t cid, std::int64_t account) {
  auto rows = repo::profile(tx, cid, account);
  std::set<std::int64_t> products;
  for (auto const& r : rows) products.insert(r.product_id);
  for (auto const& pair : logic::all_pairs(products)) repo::remove_pair(tx, cid, pair);
  for (auto const& r : rows)
    if (r.building_id > 0) repo::remove_building_product(tx, cid, r.building_id, r.product_id);
  repo::delete_profile(tx, cid, account);
  repo::prune_empty(tx, cid, std::vector<std::int64_t>(products.begin(), products.end()));
}

}  // namespace courtyard::recommendations
