#pragma once
#include "http/service.hpp"

namespace courtyard::delivery {

// Delivery tasks for shop orders with fulfilment "delivery" (created from order.ready),
// claimed, picked up and delivered by the community's couriers against the resident's proof
// code, auto-assigned to the least-loaded courier when nobody claims them in time; and
// parcels logged by managers, picked up by residents with a code. A failed delivery is
// re-dispatched until delivery.max-attempts attempts failed; the last failure is final.
class DeliveryService final : public Service {
 public:
  explicit DeliveryService(Env& env);
  // The delivery.* configuration section.
  static std::vector<settings::Key> settings_keys();
  std::string_view name() const override { return "delivery"; }
  std::vector<db::Migration> migrations() const override;
  void routes(http::Router& r) override;
  void subscribe(events::Bus& bus) override;
  void jobs(jobs::Scheduler& s) override;

 private:
  std::int64_t auto_assign_delay_ms_;
  std::int64_t max_attempts_;
};

}  // namespace courtyard::delivery
