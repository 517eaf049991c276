#include "services/delivery/service.hpp"

#include "services/delivery/routes.hpp"

namespace courtyard::delivery {

DeliveryService::DeliveryService(Env& env)
    : auto_assign_delay_ms_(env.settings.integer("delivery.auto-assign-delay") * 1000),
      max_attempts_(env.settings.integer("delivery.max-attempts")) {}

std::vector<settings::Key> DeliveryService::settings_keys() {
  return {settings::Key::integer("delivery.auto-assign-delay", 300, 0, 7 * 24 * 3600,
                                 "seconds before an unclaimed delivery is auto-assigned", "delivery-auto-assign-delay"),
          settings::Key::integer("delivery.max-attempts", kDefaultMaxAttempts, 1, kMaxMaxAttempts,
                                 "delivery attempts per order (the first plus re-dispatches after a failure); "
                                 "when the last fails the order is cancelled and refunded")};
}

void DeliveryService::routes(http::Router& r) {
  add_task_routes(r, max_attempts_);
  add_parcel_routes(r);
  add_slot_routes(r);
  add_batch_routes(r);
  add_code_routes(r);
}

void DeliveryService::subscribe(events::Bus& bus) {
  bus.subscribe("delivery.from_order", "order.ready", on_order_ready);
  bus.subscribe("delivery.order_cancelled", "order.cancelled", on_order_cancelled);
  bus.subscribe("delivery.group_buy_batches", "groupbuy.closed", on_group_buy_closed);
  bus.subscribe("delivery.pickup_collected", "order.completed", on_order_completed);
}

void DeliveryService::jobs(jobs::Scheduler& s) {
  s.every("delivery.auto_assign", std::chrono::seconds(15),
          [delay_ms = auto_assign_delay_ms_](jobs::JobContext& jc) { auto_assign(jc, delay_ms); });
  s.every("delivery.flag_late", std::chrono::seconds(60), flag_late);
}

}  // namespace courtyard::delivery
