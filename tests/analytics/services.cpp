#include "gateway/service_list.hpp"
#include "tests/support/test_app.hpp"

namespace courtyard::test {

// Analytics rolls up shops, property and clubs events: the whole list.
std::vector<gateway::ServiceEntry> services_under_test() { return gateway::all_services(); }

}  // namespace courtyard::test
