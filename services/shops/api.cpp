// The shops functions other services call (api.hpp) that are not a job's body.
#include "services/shops/api.hpp"

#include "services/shops/logic.hpp"
#include "services/shops/demand_repository.hpp"
#include "services/shops/repository.hpp"

#include "http/json.hpp"

#include <map>

namespace courtyard::shops {

std::optional<std::int64_t> merchant_owner(db::Tx& tx, std::int64_t cid, std::int64_t mid) {
  auto m = repo::find_merchant(tx, cid, mid);
  if (!m) return std::nullopt;
  return m->owner_id;
}

namespace {

repo::Coupon coupon_of(MemberCoupon const& m) {
  repo::Coupon c;
  c.community_id = m.community_id;
  c.merchant_id = m.merchant_id;
  c.code = m.code;
  c.percent_off = m.percent_off;
  c.amount_off_cents = m.amount_off_cents;
  c.min_spend_cents = m.min_spend_cents;
  c.max_redemptions = 1;
  c.expires_at = m.expires_at;
  return c;
}

}  // namespace

std::optional<std::pair<std::string, std::string>> member_coupon_problem(MemberCoupon const& m, std::int64_t now_ms) {
  if (!logic::normalize_coupon_code(m.code)) return std::pair<std::string, std::string>{"code", "is not a coupon code"};
  logic::CouponTerms t;
  t.percent_off = m.percent_off;
  t.amount_off_cents = m.amount_off_cents;
  t.min_spend_cents = m.min_spend_cents;
  t.max_redemptions = 1;
  t.expires_at = m.expires_at;
  return logic::coupon_definition_problem(t, now_ms);
}

std::int64_t issue_member_coupon(db::Tx& tx, MemberCoupon const& m) {
  return repo::insert_account_coupon(tx, coupon_of(m), m.account_id, m.campaign_id);
}

CouponUse campaign_coupon_use(db::Tx& tx, std::int64_t cid, std::int64_t campaign_id) {
  auto [orders, revenue] = repo::campaign_coupon_orders(tx, cid, campaign_id);
  return {orders, revenue};
}

std::optional<AccountCoupon> campaign_coupon_of(db::Tx& tx, std::int64_t cid, std::int64_t campaign_id,
                                                std::int64_t account_id) {
  return repo::campaign_coupon_of(tx, cid, campaign_id, account_id);
}

std::vector<std::pair<std::string, std::int64_t>> order_category_cents(db::Tx& tx, std::int64_t cid,
                                                                       std::int64_t order_id) {
  return repo::order_category_cents(tx, cid, order_id);
}

std::vector<std::int64_t> wish_joiners(db::Tx& tx, std::int64_t cid, std::int64_t wish_id, std::int64_t after,
                                       std::int64_t limit) {
  return repo::wish_joiners(tx, cid, wish_id, after, limit);
}

std::optional<CompletedOrder> completed_order(db::Tx& tx, std::int64_t cid, std::int64_t oid) {
  auto o = repo::find_order(tx, cid, oid);
  if (!o || o->status != "completed" || !o->completed_at) return std::nullopt;
  auto m = repo::find_merchant(tx, cid, o->merchant_id);
  CompletedOrder c;
  c.order_id = o->id;
  c.merchant_id = o->merchant_id;
  c.category = m ? m->category : "";
  c.total_cents = o->total_cents;
  c.points_cents = repo::order_points(tx, cid, oid).points_cents;
  c.completed_at = *o->completed_at;
  return c;
}

std::optional<std::string> merchant_category(db::Tx& tx, std::int64_t cid, std::int64_t mid) {
  auto m = repo::find_merchant(tx, cid, mid);
  if (!m) return std::nullopt;
  return m->category;
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
std::vector<OrderFacts> order_facts_in(db::Tx& tx, std::int64_t cid, std::vector<std::int64_t> const& ids) {
  return repo::order_facts_in(tx, cid, ids);
}
std::optional<OrderFacts> order_facts_of_event(std::int64_t cid, boost::json::value const& payload) {
  namespace bj = boost::json;
  if (!payload.is_object()) return std::nullopt;
  auto const& p = payload.as_object();
  auto const* items = p.if_contains("items");
  auto const* status = p.if_contains("status");
  if (!items || !items->is_array() || items->as_array().empty() || !status || !status->is_string())
    return std::nullopt;
  auto num = [&](bj::object const& o, std::string_view key) { return json::int_field(o, key); };
  auto created = num(p, "created_at_ms"), coupon = num(p, "coupon_id");
  if (!created || *created <= 0 || !coupon || *coupon != 0) return std::nullopt;
  OrderFacts f;
  f.community_id = cid;
  f.created_at = *created;
  f.status = std::string(status->as_string());
  for (auto [field, key] : {std::pair{&f.id, "order_id"}, {&f.merchant_id, "merchant_id"}, {&f.buyer_id, "buyer_id"},
                            {&f.subtotal_cents, "subtotal_cents"}, {&f.discount_cents, "discount_cents"},
                            {&f.total_cents, "total_cents"}, {&f.group_buy_id, "group_buy_id"}}) {
    auto v = num(p, key);
    if (!v) return std::nullopt;
    *field = *v;
  }
  for (auto const& item : items->as_array()) {
    auto const* i = item.if_object();
    auto const* category = i ? i->if_contains("category") : nullptr;
    if (!category || !category->is_string()) return std::nullopt;
    OrderFacts::Line l;
    l.category = std::string(category->as_string());
    for (auto [field, key] : {std::pair{&l.product_id, "product_id"}, {&l.quantity, "quantity"},
                              {&l.line_cents, "line_total_cents"}}) {
      auto v = num(*i, key);
      if (!v) return std::nullopt;
      *field = *v;
    }
    f.lines.push_back(std::move(l));
  }
  return f;
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
                                      std::int64_t to_ms, std::int64_t after_id, std::int64_t limit) {
  return repo::stock_period(tx, cid, mid, from_ms, to_ms, after_id, limit);
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
