#pragma once
// Helpers for each test executable's services_under_test() (tests/<area>/services.cpp).
#include "gateway/service_list.hpp"

#include <initializer_list>
#include <string_view>
#include <vector>

namespace courtyard::test {

// The entries of gateway::all_services() whose names are in `names`, in all_services() order.
std::vector<gateway::ServiceEntry> services_named(std::initializer_list<std::string_view> names);

}  // namespace courtyard::test
