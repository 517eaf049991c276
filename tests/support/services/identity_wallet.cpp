// services_under_test() of the test executables that drive identity and wallet alone
// (test_db, test_identity, test_wallet; wired in tests/CMakeLists.txt).
#include "tests/support/services.hpp"
#include "tests/support/test_app.hpp"

namespace courtyard::test {

std::vector<gateway::ServiceEntry> services_under_test() { return services_named({"identity", "wallet"}); }

}  // namespace courtyard::test
