#pragma once
#include "gateway/app.hpp"

#include <vector>

namespace courtyard::gateway {

std::vector<ServiceEntry> all_services();
// Every configuration key the services declare (their sections), for the config loader.
std::vector<settings::Key> all_service_keys();
Authenticator authenticator();

}  // namespace courtyard::gateway
