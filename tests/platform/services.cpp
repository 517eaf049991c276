#include "tests/support/services.hpp"
#include "tests/support/test_app.hpp"

namespace courtyard::test {

// Plugins are loaded on top of identity (accounts, communities, roles).
std::vector<gateway::ServiceEntry> services_under_test() { return services_named({"identity"}); }

}  // namespace courtyard::test
