#include "tests/support/services.hpp"
#include "tests/support/test_app.hpp"

namespace courtyard::test {

// Search, wishes and demand live in shops (paying through the wallet, roles from identity);
// the gap report reads property's suggestions; notifications tells a wish's joiners.
std::vector<gateway::ServiceEntry> services_under_test() {
  return services_named({"identity", "wallet", "property", "shops", "notifications"});
}

}  // namespace courtyard::test
