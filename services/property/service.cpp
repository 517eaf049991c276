#include "services/property/service.hpp"

namespace courtyard::property {

std::vector<db::Migration> PropertyService::migrations() const { return {}; }
void PropertyService::routes(gateway::Router&) {}

}  // namespace courtyard::property
