#pragma once
#include "http/service.hpp"

namespace courtyard::recommendations {

// Recommendations: a read model of completed orders, kept incrementally from
// order.completed (once per order) in maintained tables, so a read never scans orders:
// "neighbours also bought" (item-to-item co-occurrence counted in distinct buyers, shown
// only from k = 5 buyers), "popular in your building" (also k = 5) and "new from shops you
// buy from". Residents who opted out of the `recommendations` consent are neither profiled
// nor counted; opting out later removes what they contributed (consent.changed).
class RecommendationsService final : public Service {
 public:
  explicit RecommendationsService(Env&) {}
  std::string_view name() const override { return "recommendations"; }
  std::vector<db::Migration> migrations() const override;
  void routes(http::Router& r) override;
  void subscribe(events::Bus& bus) override;
};

}  // namespace courtyard::recommendations
