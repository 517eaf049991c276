#include "gateway/service_list.hpp"
#include "tests/support/test_app.hpp"

namespace courtyard::test {

// Members earns from property, shops and clubs events, tells notifications, and
// exports every service's data: the whole list.
std::vector<gateway::ServiceEntry> services_under_test() { return gateway::all_services(); }

}  // namespace courtyard::test
