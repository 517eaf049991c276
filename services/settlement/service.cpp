#include "services/settlement/service.hpp"

#include "services/settlement/api.hpp"
#include "services/settlement/routes.hpp"

namespace courtyard::settlement {

void SettlementService::routes(http::Router& r) {
  add_commission_routes(r);
  add_statement_routes(r);
}

void SettlementService::subscribe(events::Bus& bus) {
  bus.subscribe("settlement.order_completed", "order.completed", on_order_completed);
  bus.subscribe("settlement.refund_completed", "refund.completed", on_refund_completed);
}

void SettlementService::jobs(jobs::Scheduler& s) {
  s.every("settlement.close_periods", std::chrono::minutes(5),
          [](jobs::JobContext& c) { close_due_periods(c.db, c.bus, c.now_ms); });
}

}  // namespace courtyard::settlement
