#include "tests/support/services.hpp"
#include "tests/support/test_app.hpp"

namespace courtyard::test {

std::vector<gateway::ServiceEntry> services_under_test() {
  return services_named({"identity", "wallet", "property"});
}

}  // namespace courtyard::test
