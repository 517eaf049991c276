// Every clubs route against every role, and against the OpenAPI document.
#include "tests/clubs/helpers.hpp"
#include "tests/support/openapi_walk.hpp"

using namespace courtyard::test;

TEST_CASE("clubs: access walk", "[clubs][access]") {
  auto& t = TestApp::get();
  walk_access(t, "clubs");
}

TEST_CASE("clubs: every route is in the OpenAPI document", "[clubs][openapi]") {
  auto& t = TestApp::get();
  auto doc = boost::json::parse(t.app().openapi());
  auto routes = for_each_documented_route(t, doc.at("paths").as_object(), "clubs", [](auto const&, auto const& op) {
    auto const& responses = op.at("responses").as_object();
    CHECK(responses.if_contains("401"));
    CHECK(responses.if_contains("404"));
  });
  CHECK(routes == 24);
}
