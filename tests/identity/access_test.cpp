#include "tests/support/test_app.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>

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
  for (auto const& route : t.app().router().routes()) {
    if (route->service != "identity") continue;
    std::string method = route->method;
    std::transform(method.begin(), method.end(), method.begin(), [](unsigned char c) { return std::tolower(c); });
    INFO(route->method << " " << route->pattern);
    auto const* item = paths.if_contains(route->pattern);
    REQUIRE(item != nullptr);
    auto const* op = item->as_object().if_contains(method);
    REQUIRE(op != nullptr);
    CHECK(op->at("summary").is_string());
    auto const& responses = op->at("responses").as_object();
    CHECK(responses.contains("default"));
    bool is_public = route->access.level == http::Access::Level::Public;
    if (!is_public) CHECK(responses.contains("401"));
    CHECK(op->as_object().contains("security") == is_public);
  }
}
