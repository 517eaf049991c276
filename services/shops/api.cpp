// The shops functions other services call (api.hpp) that are not a job's body.
#include "services/shops/api.hpp"

#include "services/shops/repository.hpp"

#include <map>

namespace courtyard::shops {

std::optional<std::int64_t> merchant_owner(db::Tx& tx, std::int64_t cid, std::int64_t mid) {
  auto m = repo::find_merchant(tx, cid, mid);
  if (!m) return std::nullopt;
  return m->owner_id;
}

std::optional<OrderReferral> order_referral(db::Tx& tx, std::int64_t cid, std::int64_t oid) {
  auto r = repo::order_referral(tx, cid, oid);
  if (!r) return std::nullopt;
  return OrderReferral{r->order_id, r->merchant_id, r->buyer_id, r->referrer_id};
}

std::vector<std::int64_t> order_product_ids(db::Tx& tx, std::int64_t cid, std::int64_t oid) {
  return repo::order_product_ids(tx, cid, oid);
}

namespace {
ProductSummary summary(repo::Product const& p) {
  return ProductSummary{p.id, p.merchant_id, p.name, p.category, p.price_cents, p.created_at};
}
}  // namespace

std::vector<ProductSummary> products_for_sale(db::Tx& tx, std::int64_t cid, std::vector<std::int64_t> const& ids) {
  std::map<std::int64_t, ProductSummary> found;
  for (auto const& p : repo::products_for_sale(tx, cid, ids)) found[p.id] = summary(p);
  std::vector<ProductSummary> out;
  for (auto id : ids)
    if (auto it = found.find(id); it != found.end()) out.push_back(it->second);
  return out;
}

std::vector<ProductSummary> new_products(db::Tx& tx, std::int64_t cid, std::vector<std::int64_t> const& merchant_ids,
                                         std::int64_t since_ms, std::int64_t limit) {
  std::vector<ProductSummary> out;
  for (auto const& p : repo::new_products(tx, cid, merchant_ids, since_ms, limit)) out.push_back(summary(p));
  return out;
}

}  // namespace courtyard::shops
