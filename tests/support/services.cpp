#include "tests/support/services.hpp"

#include <algorithm>

namespace courtyard::test {

std::vector<gateway::ServiceEntry> services_named(std::initializer_list<std::string_view> names) {
  std::vector<gateway::ServiceEntry> out;
  for (auto& e : gateway::all_services())
    if (std::find(names.begin(), names.end(), std::string_view(e.name)) != names.end())
      out.push_back(std::move(e));
  return out;
}

}  // namespace courtyard::test
