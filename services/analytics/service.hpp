#pragma once
#include "http/service.hpp"

namespace courtyard::analytics {

// Analytics for merchants and managers: daily rollups kept from other services' events
// (each fact counted once, in the community's time zone), the merchant's sales, customers,
// promotions and ratings, the purchase-sale-stock report read from shops' stock ledger,
// low-stock thresholds with alerts, the manager's dashboard, and a backfill for data that
// existed before the rollups. Every report answers JSON or CSV.
class AnalyticsService final : public Service {
 public:
  explicit AnalyticsService(Env& env) : env_(env) {}
  std::string_view name() const override { return "analytics"; }
  std::vector<db::Migration> migrations() const override;
  void routes(http::Router& r) override;
  void subscribe(events::Bus& bus) override;

 private:
  Env& env_;
};

}  // namespace courtyard::analytics
