#include "tests/support/services.hpp"
#include "tests/support/test_app.hpp"

namespace courtyard::test {

// Settlement reads shops' orders and refunds and moves money through the wallet.
std::vector<gateway::ServiceEntry> services_under_test() {
  return services_named({"identity", "wallet", "shops", "settlement"});
}

}  // namespace courtyard::test
