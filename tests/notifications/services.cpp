#include "gateway/service_list.hpp"
#include "tests/support/test_app.hpp"

namespace courtyard::test {

// Delivery is linked for parcels, whose events the WebSocket tests use as the change made
// on another instance; property for announcements to large communities.
std::vector<gateway::ServiceEntry> services_under_test() {
  std::vector<gateway::ServiceEntry> out;
  for (auto& e : gateway::all_services())
    if (e.name == "identity" || e.name == "wallet" || e.name == "delivery" || e.name == "property" ||
        e.name == "notifications")
      out.push_back(std::move(e));
  return out;
}

}  // namespace courtyard::test
