#include "tests/support/services.hpp"
#include "tests/support/test_app.hpp"

namespace courtyard::test {

// Delivery is linked for parcels, whose events the WebSocket tests use as the change made
// on another instance; property for announcements to large communities.
std::vector<gateway::ServiceEntry> services_under_test() {
  return services_named({"identity", "wallet", "delivery", "property", "notifications"});
}

}  // namespace courtyard::test
