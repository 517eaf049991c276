#include "services/notifications/service.hpp"

#include "services/notifications/logic.hpp"
#include "services/notifications/routes.hpp"

namespace courtyard::notifications {

void NotificationsService::routes(http::Router& r) { add_notification_routes(r); }

void NotificationsService::subscribe(events::Bus& bus) {
  for (auto const& topic : topics()) bus.subscribe("notifications." + topic, topic, on_event);
  for (auto const* topic : {"points.expiring", "tier.changed"})
    bus.subscribe(std::string("notifications.") + topic, topic, on_member_notice);
}

}  // namespace courtyard::notifications
