#include "tests/support/services.hpp"
#include "tests/support/test_app.hpp"

namespace courtyard::test {

// Webhooks reads merchants through shops (which pays through the wallet and grants roles
// through identity); property publishes the community side's events. The local receiver
// listens on loopback, so this test build allows loopback endpoints; the retry schedule is
// the default one (the tests move the clock instead of waiting).
std::vector<gateway::ServiceEntry> services_under_test() {
  auto out = services_named({"identity", "wallet", "shops", "property", "webhooks"});
  for (auto& e : out)
    for (auto& k : e.settings) {
      if (k.name == "webhooks.allow-loopback") k.fallback = "true";
      if (k.name == "webhooks.timeout-ms") k.fallback = "3000";
    }
  return out;
}

}  // namespace courtyard::test
