#pragma once
// What the areas' fixture headers (tests/<area>/helpers.hpp, support.hpp) start from: the
// harness, Boost.JSON and Catch2, and the short names they use, which an area's namespace
// takes with `using namespace courtyard::test::prelude;`.
#include "tests/support/test_app.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace courtyard::test::prelude {

namespace bj = boost::json;
using courtyard::test::Actor;
using courtyard::test::Community;
using courtyard::test::Result;
using courtyard::test::TestApp;

}  // namespace courtyard::test::prelude
