#include "services/recommendations/service.hpp"

#include "services/recommendations/routes.hpp"

namespace courtyard::recommendations {

void RecommendationsService::routes(http::Router& r) { add_recommendation_routes(r); }

void RecommendationsService::subscribe(events::Bus& bus) {
  bus.subscribe("recommendations.order_completed", "order.completed", on_order_completed);
  bus.subscribe("recommendations.consent_changed", "consent.changed", on_consent_changed);
}

}  // namespace courtyard::recommendations
