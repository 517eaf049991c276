// The shops functions other services call (api.hpp) that are not a job's body.
#include "services/shops/api.hpp"

#include "services/shops/repository.hpp"

namespace courtyard::shops {

std::optional<std::int64_t> merchant_owner(db::Tx& tx, std::int64_t cid, std::int64_t mid) {
  auto m = repo::find_merchant(tx, cid, mid);
  if (!m) return std::nullopt;
  return m->owner_id;
}

}  // namespace courtyard::shops

// ---- facts for analytics
namespace courtyard::shops {

std::optional<OrderFacts> order_facts(db::Tx& tx, std::int64_t cid, std::int64_t order_id) {
  return repo::order_facts(tx, cid, order_id);
}
std::vector<OrderFacts> order_facts_after(db::Tx& tx, std::int64_t cid, std::int64_t after_id, std::int64_t limit) {
  return repo::order_facts_after(tx, cid, after_id, limit);
}
std::vector<ReviewFacts> review_facts_after(db::Tx& tx, std::int64_t cid, std::int64_t after_id, std::int64_t limit) {
  return repo::review_facts_after(tx, cid, after_id, limit);
}
std::optional<GroupBuyFacts> closed_group_buy(db::Tx& tx, std::int64_t cid, std::int64_t group_buy_id) {
  auto v = repo::closed_group_buys(tx, cid, 0, group_buy_id, 1);
  if (v.empty()) return std::nullopt;
  return v.front();
}
std::vector<GroupBuyFacts> closed_group_buys_after(db::Tx& tx, std::int64_t cid, std::int64_t after_id,
                                                   std::int64_t limit) {
  return repo::closed_group_buys(tx, cid, after_id, 0, limit);
}
std::vector<StockPeriod> stock_period(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::int64_t from_ms,
                                      std::int64_t to_ms) {
  return repo::stock_period(tx, cid, mid, from_ms, to_ms);
}
std::optional<ProductStock> product_stock(db::Tx& tx, std::int64_t cid, std::int64_t product_id) {
  return repo::product_stock(tx, cid, product_id);
}
std::vector<ProductStock> active_products(db::Tx& tx, std::int64_t cid, std::int64_t mid) {
  return repo::active_products(tx, cid, mid);
}
std::vector<std::pair<std::int64_t, std::int64_t>> units_sold(db::Tx& tx, std::int64_t cid, std::int64_t mid,
                                                              std::int64_t from_ms, std::int64_t to_ms) {
  return repo::units_sold(tx, cid, mid, from_ms, to_ms);
}
std::vector<std::pair<std::int64_t, std::string>> merchant_names(db::Tx& tx, std::int64_t cid) {
  return repo::merchant_names(tx, cid);
}

}  // namespace courtyard::shops
