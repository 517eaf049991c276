#include "gateway/service_list.hpp"
#include "tests/clubs/probe.hpp"
#include "tests/support/test_app.hpp"

namespace courtyard::test {

std::vector<gateway::ServiceEntry> services_under_test() {
  std::vector<gateway::ServiceEntry> out;
  for (auto& e : gateway::all_services())
    if (e.name == "identity" || e.name == "wallet" || e.name == "clubs") out.push_back(std::move(e));
  out.push_back(probe_entry());
  return out;
}

}  // namespace courtyard::test
