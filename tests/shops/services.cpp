#include "tests/support/services.hpp"
#include "tests/support/test_app.hpp"

namespace courtyard::test {

// Shops pays through the wallet and grants the merchant role through identity.
std::vector<gateway::ServiceEntry> services_under_test() {
  return services_named({"identity", "wallet", "shops"});
}

}  // namespace courtyard::test
