// Every clubs route against every role, and against the OpenAPI document.
#include "tests/clubs/helpers.hpp"

#include <algorithm>
#include <cctype>

using namespace courtyard::test;

TEST_CASE("clubs: access walk", "[clubs][access]") {
  auto& t = TestApp::get();
  walk_access(t, "clubs");
}

TEST_CASE("clubs: every route is in the OpenAPI document", "[clubs][openapi]") {
  auto& t = TestApp::get();
  auto doc = boost::json::parse(t.app().openapi());
  auto const& paths = doc.at("paths").as_object();
  int routes = 0;
  for (auto const& r : t.app().router().routes()) {
    if (r->service != "clubs") continue;
    ++routes;
    std::string method = r->method;
    std::transform(method.begin(), method.end(), method.begin(), [](unsigned char ch) { return std::tolower(ch); });
    INFO(r->method << " " << r->pattern);
    auto const* item = paths.if_contains(r->pattern);
    REQUIRE(item);
    auto const* op = item->as_object().if_contains(method);
    REQUIRE(op);
    auto const& responses = op->at("responses").as_object();
    CHECK(responses.if_contains("401"));
    CHECK(responses.if_contains("404"));
  }
  CHECK(routes == 24);
}
