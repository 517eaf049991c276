#include "gateway/service_list.hpp"
#include "tests/support/test_app.hpp"

namespace courtyard::test {

// Search, wishes and demand live in shops (paying through the wallet, roles from identity);
// the gap report reads property's suggestions; notifications tells a wish's joiners.
std::vector<gateway::ServiceEntry> services_under_test() {
  std::vector<gateway::ServiceEntry> out;
  for (auto& e : gateway::all_services())
    if (e.name == "identity" || e.name == "wallet" || e.name == "property" || e.name == "shops" ||
        e.name == "notifications")
      out.push_back(std::move(e));
  return out;
}

}  // namespace courtyard::test
