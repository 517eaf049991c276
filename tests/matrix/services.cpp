#include "gateway/service_list.hpp"
#include "tests/support/test_app.hpp"

namespace courtyard::test {

std::vector<gateway::ServiceEntry> services_under_test() { return gateway::all_services(); }

}  // namespace courtyard::test
