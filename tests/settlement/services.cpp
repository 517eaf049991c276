#include "gateway/service_list.hpp"
#include "tests/support/test_app.hpp"

namespace courtyard::test {

// Settlement reads shops' orders and refunds and moves money through the wallet.
std::vector<gateway::ServiceEntry> services_under_test() {
  std::vector<gateway::ServiceEntry> out;
  for (auto& e : gateway::all_services())
    if (e.name == "identity" || e.name == "wallet" || e.name == "shops" || e.name == "settlement")
      out.push_back(std::move(e));
  return out;
}

}  // namespace courtyard::test
