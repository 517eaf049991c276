#pragma once
#include "gateway/app.hpp"

#include <vector>

namespace courtyard::gateway {

std::vector<ServiceEntry> all_services();
Authenticator authenticator();

}  // namespace courtyard::gateway
