// Unit tests drive no services.
#include "tests/support/test_app.hpp"

namespace courtyard::test {

std::vector<gateway::ServiceEntry> services_under_test() { return {}; }

}  // namespace courtyard::test
