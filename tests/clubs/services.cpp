#include "tests/clubs/probe.hpp"
#include "tests/support/services.hpp"
#include "tests/support/test_app.hpp"

namespace courtyard::test {

std::vector<gateway::ServiceEntry> services_under_test() {
  auto out = services_named({"identity", "wallet", "clubs"});
  out.push_back(probe_entry());
  return out;
}

}  // namespace courtyard::test
