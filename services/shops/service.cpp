#include "services/shops/service.hpp"

namespace courtyard::shops {

std::vector<db::Migration> ShopsService::migrations() const { return {}; }
void ShopsService::routes(gateway::Router&) {}

}  // namespace courtyard::shops
