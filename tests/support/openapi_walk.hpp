#pragma once
// OpenAPI walk (the companion of walk_access): a service's routes against the document.
#include "tests/support/test_app.hpp"

#include <boost/json.hpp>

#include <functional>
#include <string>

namespace courtyard::test {

// For every route of `service`, REQUIREs that `paths` (an OpenAPI document's "paths")
// documents its pattern and method, and calls check(route, operation) under an INFO naming
// the route. Returns how many routes the service has.
int for_each_documented_route(TestApp& t, boost::json::object const& paths, std::string const& service,
                              std::function<void(http::Route const&, boost::json::object const&)> const& check);

}  // namespace courtyard::test
