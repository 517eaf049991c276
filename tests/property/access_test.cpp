#include "tests/property/support.hpp"
#include "tests/support/openapi_walk.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>

using namespace courtyard;
using namespace courtyard::test;

TEST_CASE("every property route enforces its access rule for every role", "[property][access]") {
  auto& t = TestApp::get();
  walk_access(t, "property");
}

TEST_CASE("every property route is in the OpenAPI document with its problem responses", "[property][openapi]") {
  auto& t = TestApp::get();
  auto doc = boost::json::parse(t.app().openapi()).as_object();
  auto const& paths = doc.at("paths").as_object();
  auto routes = for_each_documented_route(t, paths, "property", [](auto const& r, auto const& op) {
    auto const& responses = op.at("responses").as_object();
    CHECK(responses.contains("401"));
    if (r.access.level == http::Access::Level::Community) {
      CHECK(responses.contains("403"));  // also API keys, which no property route accepts
      CHECK(responses.contains("404"));
    }
  });
  CHECK(routes > 30);
  // And no documented property path without a route.
  for (auto const& [path, item] : paths) {
    auto const& ops = item.as_object();
    bool property = false;
    for (auto const& [m, op] : ops) {
      if (!op.is_object() || !op.as_object().contains("tags")) continue;
      for (auto const& tag : op.at("tags").as_array())
        if (tag == "property") property = true;
    }
    if (!property) continue;
    for (auto const& [m, op] : ops) {
      std::string method(m);
      std::transform(method.begin(), method.end(), method.begin(), [](unsigned char ch) { return std::toupper(ch); });
      auto match = t.app().router().match(method, std::string(path));
      INFO(method << " " << std::string(path));
      CHECK(match.route != nullptr);
    }
  }
}
