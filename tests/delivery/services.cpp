#include "tests/support/services.hpp"
#include "tests/support/test_app.hpp"

namespace courtyard::test {

// Shops is linked when it is there, for the end-to-end order -> delivery -> completed (or
// failed -> cancelled and refunded) tests, and notifications for what the buyer and the
// merchant are told; the other tests publish order.ready themselves. Property for the signed
// visitor-pass tokens (codes_test.cpp).
std::vector<gateway::ServiceEntry> services_under_test() {
  return services_named({"identity", "wallet", "shops", "delivery", "notifications", "property"});
}

}  // namespace courtyard::test
