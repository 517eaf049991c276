#include "tests/support/openapi_walk.hpp"
#include "tests/support/test_app.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace courtyard;
using test::TestApp;
namespace bj = boost::json;

TEST_CASE("every identity route enforces its access rule for every role", "[identity][access]") {
  test::walk_access(TestApp::get(), "identity");
}

TEST_CASE("every identity route is in the OpenAPI document, with problem responses", "[identity][openapi]") {
  auto& t = TestApp::get();
  auto doc = t.get("/v1/openapi.json");
  REQUIRE(doc.status == 200);
  auto const& paths = doc.json.at("paths").as_object();
  test::for_each_documented_route(t, paths, "identity", [](auto const& route, auto const& op) {
    CHECK(op.at("summary").is_string());
    auto const& responses = op.at("responses").as_object();
    CHECK(responses.contains("default"));
    bool is_public = route.access.level == http::Access::Level::Public;
    if (!is_public) CHECK(responses.contains("401"));
    CHECK(op.contains("security") == is_public);
  });
}
