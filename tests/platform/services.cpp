#include "gateway/service_list.hpp"
#include "tests/support/test_app.hpp"

namespace courtyard::test {

// Plugins are loaded on top of identity (accounts, communities, roles).
std::vector<gateway::ServiceEntry> services_under_test() {
  std::vector<gateway::ServiceEntry> out;
  for (auto& e : gateway::all_services())
    if (e.name == "identity") out.push_back(std::move(e));
  return out;
}

}  // namespace courtyard::test
