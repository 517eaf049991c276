#pragma once
// `--demo`: a demo community with residents, staff, merchants, products, a club and an
// event, created once (idempotent) through the services' public paths; prints the logins.
#include "gateway/app.hpp"

namespace courtyard::gateway {

void seed_demo(App& app);

}  // namespace courtyard::gateway
