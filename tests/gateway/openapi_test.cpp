// The OpenAPI document (merged from gateway/openapi.json and services/*/openapi.json)
// must describe exactly the router's route table: every route documented, nothing
// documented that does not exist.
#include "tests/support/test_app.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

using namespace courtyard;

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

boost::json::object document() {
  auto& t = test::TestApp::get();
  auto res = t.get("/v1/openapi.json");
  REQUIRE(res.status == 200);
  REQUIRE(res.json.is_object());
  return res.json.as_object();
}

}  // namespace

TEST_CASE("the OpenAPI document is 3.1 with shared components", "[openapi]") {
  auto doc = document();
  CHECK(std::string(doc.at("openapi").as_string()).rfind("3.1", 0) == 0);
  CHECK(doc.at("components").at("securitySchemes").as_object().contains("bearer"));
  CHECK(doc.at("components").at("responses").as_object().contains("Problem"));
}

TEST_CASE("every route is documented and every documented operation is routed", "[openapi]") {
  auto doc = document();
  auto const& paths = doc.at("paths").as_object();
  std::set<std::pair<std::string, std::string>> routed;
  for (auto const& r : test::TestApp::get().app().router().routes()) {
    routed.insert({r->pattern, lower(r->method)});
    INFO(r->method << " " << r->pattern << " (service " << r->service << ")");
    auto it = paths.find(r->pattern);
    REQUIRE(it != paths.end());
    auto const& ops = it->value().as_object();
    REQUIRE(ops.contains(lower(r->method)));
    auto const& op = ops.at(lower(r->method)).as_object();
    REQUIRE(op.contains("responses"));
    auto const& responses = op.at("responses").as_object();
    if (r->access.level != http::Access::Level::Public) CHECK(responses.contains("401"));
    if (r->access.level == http::Access::Level::Community) {
      CHECK(responses.contains("403"));
      CHECK(responses.contains("404"));
    }
  }
  static std::set<std::string> const kMethods{"get", "post", "put", "patch", "delete"};
  for (auto const& [path, item] : paths) {
    for (auto const& [method, _] : item.as_object()) {
      if (!kMethods.count(std::string(method))) continue;
      INFO("documented: " << method << " " << path);
      CHECK(routed.count({std::string(path), std::string(method)}) == 1);
    }
  }
}
