#include "services/notifications/service.hpp"

namespace courtyard::notifications {

std::vector<db::Migration> NotificationsService::migrations() const { return {}; }
void NotificationsService::routes(gateway::Router&) {}

}  // namespace courtyard::notifications
