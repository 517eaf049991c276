// What the shops handlers, the subscription and the job share: look-ups that throw the API's
// errors, query filters, codes and ledger references.
#include "services/shops/routes.hpp"

#include <sodium.h>

#include <vector>

namespace courtyard::shops {

std::string query_filter(http::Request const& req, std::string_view name,
                         std::initializer_list<std::string_view> allowed) {
  auto v = req.query_param(name);
  if (!v || v->empty()) return "";
  for (auto a : allowed)
    if (a == *v) return std::string(*v);
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  throw Invalid(std::string(name), "must be one of " + list);
}

Access catalogue_read(std::string scope) {
  auto a = Access::authenticated();
  if (!scope.empty()) a = a.with_scope(std::move(scope));
  return a;
}

void require_member(Context const& ctx) {
  if (ctx.principal.admin || ctx.principal.in_community(ctx.community_id)) return;
  throw NotFound("community");
}

repo::Merchant merchant_or_404(db::Tx& tx, std::int64_t cid, std::int64_t mid) {
  auto m = repo::find_merchant(tx, cid, mid);
  if (!m) throw NotFound("merchant");
  return *m;
}

void require_approved(repo::Merchant const& m) { require_approved(m.status); }

void require_approved(std::string const& merchant_status) {
  if (merchant_status == "suspended")
    throw Conflict("merchant-suspended", "the merchant is suspended by the community's management and takes no orders");
  if (merchant_status != logic::to_string(logic::MerchantStatus::Approved))
    throw Conflict("merchant-not-approved", "the merchant has not been approved to sell yet");
}

repo::Product product_or_404(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::int64_t pid) {
  auto p = repo::find_product(tx, cid, mid, pid);
  if (!p) throw NotFound("product");
  return *p;
}

repo::Order order_or_404(db::Tx& tx, std::int64_t cid, std::int64_t oid) {
  auto o = repo::find_order(tx, cid, oid);
  if (!o) throw NotFound("order");
  return *o;
}

repo::GroupBuy group_buy_or_404(db::Tx& tx, std::int64_t cid, std::int64_t gid) {
  auto g = repo::find_group_buy(tx, cid, gid);
  if (!g) throw NotFound("group buy");
  return *g;
}

logic::CouponTerms coupon_terms(repo::Coupon const& c) {
  return {c.percent_off, c.amount_off_cents, c.min_spend_cents, c.max_redemptions, c.redemptions, c.expires_at};
}

std::string new_redemption_code() {
  std::vector<unsigned char> bytes(logic::kRedemptionCodeLength);
  randombytes_buf(bytes.data(), bytes.size());
  return logic::redemption_code_from(bytes);
}

std::string order_ref(std::int64_t oid) { return "order:" + std::to_string(oid); }

std::string refund_ref(std::int64_t rid) { return "refund:" + std::to_string(rid); }

std::string hold_ref(std::int64_t gid, std::int64_t pid) {
  return "group_buy:" + std::to_string(gid) + ":participant:" + std::to_string(pid);
}

}  // namespace courtyard::shops
