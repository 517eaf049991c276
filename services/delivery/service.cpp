#include "services/delivery/service.hpp"

namespace courtyard::delivery {

std::vector<db::Migration> DeliveryService::migrations() const { return {}; }
void DeliveryService::routes(gateway::Router&) {}

}  // namespace courtyard::delivery
