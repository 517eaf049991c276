#include "services/shops/service.hpp"

#include "services/shops/api.hpp"
#include "services/shops/checkout.hpp"
#include "services/shops/demand.hpp"
#include "services/shops/routes.hpp"

namespace courtyard::shops {

void ShopsService::routes(http::Router& r) {
  add_merchant_routes(r);
  add_order_routes(r);
  add_group_buy_routes(r);
  add_search_routes(r);
  add_wish_routes(r);
  add_demand_routes(r);
  add_refund_routes(r);
  add_code_token_routes(r);
  add_referral_routes(r);
}

void ShopsService::subscribe(events::Bus& bus) {
  bus.subscribe("shops.delivery_completed", "delivery.delivered", on_delivery_delivered);
  bus.subscribe("shops.delivery_failed", "delivery.failed", on_delivery_failed);
}

void ShopsService::jobs(jobs::Scheduler& s) {
  s.every("shops.close_group_buys", std::chrono::seconds(5),
          [](jobs::JobContext& ctx) { close_due_group_buys(ctx.db, ctx.bus, ctx.now_ms); });
  s.every("shops.index_products", std::chrono::seconds(60),
          [](jobs::JobContext& ctx) { index_pending_products_for(ctx.db, ctx.bus, std::chrono::seconds(20)); });
}

void ShopsService::metrics(std::string& out) const { checkout_batch_metrics(out); }

}  // namespace courtyard::shops
