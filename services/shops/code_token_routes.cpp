// A pickup order's redemption code as a signed token (delivery service, api.hpp sign_code):
// the buyer's app shows it as a QR code that a shop's device verifies offline with the
// community's public keys; the short code stays valid too.
#include "services/delivery/api.hpp"
#include "services/shops/routes.hpp"

#include <cstdint>

namespace courtyard::shops {

namespace {

Response redemption_token(Request const& req, Context& ctx) {
  std::int64_t oid = req.id("oid");
  return ctx.tx([&](db::Tx& tx) {
    auto o = order_or_404(tx, ctx.community_id, oid);
    if (ctx.principal.account_id != o.buyer_id) throw NotFound("order");
    if (!o.redemption_code) throw Conflict("order-state", "only a pickup order has a redemption code");
    if (o.status == "completed" || o.status == "cancelled")
      throw Conflict("order-state", "an order that is " + o.status + " has no code to show");
    auto signed_code = delivery::sign_code(tx, ctx.community_id, "redemption", o.id, INT64_MAX);
    return Response::json(delivery::signed_code_json("redemption", o.id, signed_code));
  });
}

}  // namespace

void add_code_token_routes(http::Router& r) {
  r.post("/v1/communities/{cid}/orders/{oid}/code-token", Access::resident(), redemption_token);
}

}  // namespace courtyard::shops
