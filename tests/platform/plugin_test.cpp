// Native plugins: the C ABI adapted into a Service (plugins/loader).
#include "db/tx.hpp"
#include "gateway/plugins/loader.hpp"
#include "tests/support/test_app.hpp"

#include <catch2/catch.hpp>
#include <dlfcn.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

using courtyard::http::Access;
using courtyard::plugins::PluginError;
using courtyard::test::TestApp;
namespace json = boost::json;

namespace {

// Plugins are loaded once into the process-wide test app (their routes cannot be added twice).
TestApp& app_with_plugins() {
  static bool loaded = [] {
    courtyard::plugins::load_all(TestApp::get().app(), {COURTYARD_TEST_PLUGIN_HELLO, COURTYARD_TEST_PLUGIN_FIXTURE});
    return true;
  }();
  (void)loaded;
  return TestApp::get();
}

std::string load_error(std::string const& path) {
  try {
    courtyard::plugins::load(path);
  } catch (PluginError const& e) {
    return e.what();
  }
  return "";
}

void publish(TestApp& t, std::string const& topic, std::int64_t cid, json::value payload) {
  courtyard::db::transact(t.app().db(), &t.app().bus(),
                          [&](courtyard::db::Tx& tx) { tx.publish(topic, cid, payload); });
}

}  // namespace

TEST_CASE("a plugin route runs behind its declared access rule", "[plugins]") {
  auto& t = app_with_plugins();
  auto c = t.community();
  auto path = c.base() + "/plugins/hello";

  auto ok = t.get(path, c.manager.token);
  REQUIRE(ok.status == 200);
  CHECK(ok.json.at("plugin").as_string() == "hello");
  CHECK(ok.json.at("community_id").as_int64() == c.id);
  CHECK(ok.json.at("account_id").as_int64() == c.manager.account_id);
  CHECK(ok.header("Content-Type").find("application/json") == 0);

  CHECK(t.get(path).status == 401);
  auto outsider = t.account("outsider");
  CHECK(t.get(path, outsider.token).status == 404);
}

TEST_CASE("a plugin subscription receives outbox events", "[plugins]") {
  auto& t = app_with_plugins();
  auto c = t.community();
  auto path = c.base() + "/plugins/hello";
  t.drain_events();
  auto before = t.get(path, c.manager.token).json.at("orders_completed").as_int64();

  publish(t, "order.completed", c.id, {{"order_id", 1}});
  t.drain_events();
  CHECK(t.get(path, c.manager.token).json.at("orders_completed").as_int64() == before + 1);
}

TEST_CASE("a plugin sees the request and fills the response", "[plugins]") {
  auto& t = app_with_plugins();
  auto who = t.account("plugin-caller");

  auto r = t.call("POST", "/v1/plugin-fixture/echo/abc?x=1", json::value{{"k", "v"}}, who.token);
  REQUIRE(r.status == 201);
  CHECK(r.header("Content-Type") == "text/plain");
  CHECK(r.body == "method=POST;path=/v1/plugin-fixture/echo/abc;name=abc;account=" +
                      std::to_string(who.account_id) + ";query=x=1;body={\"k\":\"v\"}");
  CHECK(t.call("POST", "/v1/plugin-fixture/echo/abc", json::value{{"k", "v"}}).status == 401);

  SECTION("an error status without a body becomes problem+json") {
    auto tea = t.get("/v1/plugin-fixture/teapot");
    CHECK(tea.status == 418);
    CHECK(tea.header("Content-Type").find("application/problem+json") == 0);
    CHECK(tea.problem_type() == "/problems/plugin-error");
  }
  SECTION("a failing callback is a 500 with no details") {
    auto bad = t.get("/v1/plugin-fixture/broken");
    CHECK(bad.status == 500);
    CHECK(bad.body.find("code 7") == std::string::npos);
    CHECK(bad.body.find("fixture") == std::string::npos);
  }
}

TEST_CASE("a plugin subscriber that fails is retried", "[plugins]") {
  auto& t = app_with_plugins();
  auto c = t.community();
  t.drain_events();
  publish(t, "fixture.flaky", c.id, {{"n", 1}});
  t.drain_events();
  auto s = t.get("/v1/plugin-fixture/stats").json;
  CHECK(s.at("attempts").as_int64() == 1);
  CHECK(s.at("handled").as_int64() == 0);

  t.advance_clock_ms(5000);  // past the first backoff
  t.drain_events();
  s = t.get("/v1/plugin-fixture/stats").json;
  CHECK(s.at("attempts").as_int64() == 2);
  CHECK(s.at("handled").as_int64() == 1);
}

TEST_CASE("a plugin that cannot be used fails start-up clearly", "[plugins]") {
  SECTION("missing file") {
    auto e = load_error("/nonexistent/libcourtyard_plugin_nope.so");
    CHECK(e.find("/nonexistent/libcourtyard_plugin_nope.so") != std::string::npos);
    CHECK(e.find("file not found") != std::string::npos);
  }
  SECTION("not a shared object") {
    auto path = std::filesystem::temp_directory_path() / "courtyard-not-a-plugin.so";
    std::ofstream(path) << "not ELF";
    auto e = load_error(path.string());
    std::filesystem::remove(path);
    CHECK(e.find("cannot load shared object") != std::string::npos);
  }
  SECTION("a shared object without the exports") {
    Dl_info info{};
    REQUIRE(dladdr(reinterpret_cast<void*>(&std::puts), &info) != 0);
    auto e = load_error(info.dli_fname);
    CHECK(e.find("not a Courtyard plugin") != std::string::npos);
  }
  SECTION("ABI version mismatch") {
    auto e = load_error(COURTYARD_TEST_PLUGIN_WRONG_ABI);
    CHECK(e.find("ABI version 999") != std::string::npos);
    CHECK(e.find("speaks version 1") != std::string::npos);
  }
  SECTION("a name already taken") {
    auto& t = app_with_plugins();
    CHECK_THROWS_AS(courtyard::plugins::load_all(t.app(), {COURTYARD_TEST_PLUGIN_HELLO}), PluginError);
  }
}

TEST_CASE("plugin access rules parse into route access", "[plugins]") {
  using courtyard::plugins::parse_access;
  CHECK(parse_access("public").level == Access::Level::Public);
  CHECK(parse_access("authenticated").level == Access::Level::Authenticated);
  CHECK(parse_access("admin").level == Access::Level::Admin);
  CHECK(parse_access("member").roles == Access::member().roles);
  auto rm = parse_access("resident|manager");
  CHECK(rm.level == Access::Level::Community);
  CHECK(rm.roles == (courtyard::Role::Resident | courtyard::Role::Manager));
  CHECK(rm.scope.empty());
  auto m = parse_access("merchant scope=orders:read");
  CHECK(m.roles == unsigned(courtyard::Role::Merchant));
  CHECK(m.scope == "orders:read");
  CHECK_THROWS_AS(parse_access(""), std::invalid_argument);
  CHECK_THROWS_AS(parse_access("owner"), std::invalid_argument);
  CHECK_THROWS_AS(parse_access("resident|"), std::invalid_argument);
  CHECK_THROWS_AS(parse_access("merchant orders:read"), std::invalid_argument);
}
