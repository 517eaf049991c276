// The composition root: every service the binary can run, in one explicit list
// (no static self-registration: static libraries drop such objects). The config's
// `services` setting picks which of these are enabled.
#include "gateway/service_list.hpp"

#include "services/analytics/service.hpp"
#include "services/clubs/service.hpp"
#include "services/delivery/service.hpp"
#include "services/identity/api.hpp"
#include "services/identity/service.hpp"
#include "services/members/service.hpp"
#include "services/notifications/service.hpp"
#include "services/property/service.hpp"
#include "services/recommendations/service.hpp"
#include "services/settlement/service.hpp"
#include "services/shops/service.hpp"
#include "services/wallet/service.hpp"
#include "services/webhooks/service.hpp"

namespace courtyard::gateway {

template <class S>
static ServiceEntry entry(std::string name) {
  std::vector<settings::Key> keys;
  if constexpr (requires { S::settings_keys(); }) keys = S::settings_keys();
  return {std::move(name), [](Env& env) -> std::unique_ptr<Service> { return std::make_unique<S>(env); },
          std::move(keys)};
}

std::vector<ServiceEntry> all_services() {
  return {
      entry<identity::IdentityService>("identity"),
      entry<wallet::WalletService>("wallet"),
      entry<property::PropertyService>("property"),
      entry<shops::ShopsService>("shops"),
      entry<clubs::ClubsService>("clubs"),
      entry<delivery::DeliveryService>("delivery"),
      entry<notifications::NotificationsService>("notifications"),
      entry<webhooks::WebhooksService>("webhooks"),
      entry<members::MembersService>("members"),
      entry<settlement::SettlementService>("settlement"),
      entry<analytics::AnalyticsService>("analytics"),
      entry<recommendations::RecommendationsService>("recommendations"),
  };
}

std::vector<settings::Key> all_service_keys() {
  std::vector<settings::Key> keys;
  for (auto const& e : all_services()) keys.insert(keys.end(), e.settings.begin(), e.settings.end());
  return keys;
}

Authenticator authenticator() { return &identity::authenticate; }

}  // namespace courtyard::gateway
