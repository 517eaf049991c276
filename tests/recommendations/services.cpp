#include "gateway/service_list.hpp"
#include "tests/support/test_app.hpp"

namespace courtyard::test {

// Recommendations reads shops' orders, members' consents and identity's buildings; members
// links every service it exports: the whole list.
std::vector<gateway::ServiceEntry> services_under_test() { return gateway::all_services(); }

}  // namespace courtyard::test
