#include "gateway/service_list.hpp"
#include "tests/support/test_app.hpp"

namespace courtyard::test {

std::vector<gateway::ServiceEntry> services_under_test() {
  std::vector<gateway::ServiceEntry> out;
  for (auto& e : gateway::all_services())
    if (e.name == "identity" || e.name == "wallet" || e.name == "property") out.push_back(std::move(e));
  return out;
}

}  // namespace courtyard::test
