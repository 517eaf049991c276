#include "services/clubs/service.hpp"

namespace courtyard::clubs {

std::vector<db::Migration> ClubsService::migrations() const { return {}; }
void ClubsService::routes(gateway::Router&) {}

}  // namespace courtyard::clubs
