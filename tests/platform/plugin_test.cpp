// Native plugins: the C ABI adapted into a Service (plugins/loader).
#include "courtyard/plugin.h"
#include "db/database.hpp"
#include "db/errors.hpp"
#include "db/outbox.hpp"
#include "db/tx.hpp"
#include "gateway/plugins/loader.hpp"
#include "services/identity/api.hpp"
#include "tests/support/test_app.hpp"
#include "tests/support/text.hpp"

#include <catch2/catch.hpp>
#include <dlfcn.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

using courtyard::http::Access;
using courtyard::plugins::PluginError;
using courtyard::test::lines_of;
using courtyard::test::TestApp;
namespace json = boost::json;

namespace {

// Plugins are loaded once into the process-wide test app (their routes cannot be added twice).
TestApp& app_with_plugins() {
  static bool loaded = [] {
    courtyard::plugins::load_all(TestApp::get().app(), {COURTYARD_TEST_PLUGIN_HELLO, COURTYARD_TEST_PLUGIN_KITCHEN,
                                                       COURTYARD_TEST_PLUGIN_FIXTURE});
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
  CHECK(ok.json.at("caller").at("kind").as_string() == "account");
  CHECK(ok.json.at("caller").at("account_id").as_int64() == c.manager.account_id);
  CHECK(ok.json.at("caller").at("manager").as_bool());
  CHECK_FALSE(ok.json.at("caller").at("resident").as_bool());
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
    CHECK(e.find("speaks version " + std::to_string(COURTYARD_PLUGIN_ABI_VERSION)) != std::string::npos);
    CHECK(e.find(COURTYARD_TEST_PLUGIN_WRONG_ABI) != std::string::npos);
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

namespace {

// The merchant role as shops grants it on approval (this test binary runs identity only).
std::int64_t make_merchant(TestApp& t, courtyard::test::Community const& c, courtyard::test::Actor const& owner) {
  static std::int64_t next = 810000;
  std::int64_t mid = ++next;
  courtyard::db::transact(t.app().db(), &t.app().bus(), [&](courtyard::db::Tx& tx) {
    courtyard::identity::grant_role(tx, owner.account_id, c.id, courtyard::Role::Merchant, 0, mid);
  });
  return mid;
}

std::string fixture_path(courtyard::test::Community const& c, std::string const& rule) {
  return c.base() + "/plugin-fixture/" + rule;
}

}  // namespace

TEST_CASE("a plugin gets community_id only when its access rule checked it", "[plugins][principal]") {
  auto& t = app_with_plugins();
  auto c = t.community();
  auto resident = t.resident(c);
  auto outsider = t.account("plugin-outsider");

  SECTION("public and authenticated rules: the caller is in no such community, community_id is 0") {
    for (auto const& token : {std::string(), outsider.token}) {
      auto r = t.get(fixture_path(c, "public"), token);
      REQUIRE(r.status == 200);
      CHECK(r.json.at("community_id").as_int64() == 0);
      CHECK(r.json.at("roles").as_int64() == 0);
      CHECK(r.json.at("kind").as_string() == (token.empty() ? "anonymous" : "account"));
      CHECK(r.json.at("account_id").as_int64() == (token.empty() ? 0 : outsider.account_id));
    }
    auto r = t.get(fixture_path(c, "authenticated"), outsider.token);
    REQUIRE(r.status == 200);
    CHECK(r.json.at("community_id").as_int64() == 0);
    CHECK(r.json.at("roles").as_int64() == 0);
    // Even a member of {cid} gets 0 there: the rule did not check the community.
    auto member = t.get(fixture_path(c, "authenticated"), resident.token);
    REQUIRE(member.status == 200);
    CHECK(member.json.at("community_id").as_int64() == 0);
    CHECK(member.json.at("roles").as_int64() == 0);
  }
  SECTION("an admin rule checks no community either") {
    auto r = t.get(fixture_path(c, "admin"), t.admin().token);
    REQUIRE(r.status == 200);
    CHECK(r.json.at("community_id").as_int64() == 0);
    CHECK(r.json.at("admin").as_bool());
  }
  SECTION("a member rule: the checked id and the caller's roles there") {
    auto r = t.get(fixture_path(c, "member"), resident.token);
    REQUIRE(r.status == 200);
    CHECK(r.json.at("community_id").as_int64() == c.id);
    CHECK(r.json.at("kind").as_string() == "account");
    CHECK(r.json.at("account_id").as_int64() == resident.account_id);
    CHECK(r.json.at("roles").as_int64() == COURTYARD_ROLE_RESIDENT);
    CHECK_FALSE(r.json.at("admin").as_bool());
    CHECK(r.json.at("scopes").as_array().empty());

    auto m = t.get(fixture_path(c, "member"), c.manager.token);
    REQUIRE(m.status == 200);
    CHECK(m.json.at("community_id").as_int64() == c.id);
    CHECK(m.json.at("roles").as_int64() == COURTYARD_ROLE_MANAGER);

    // Roles are those held in this community, not in another one.
    auto other = t.community();
    auto both = t.resident(other);
    courtyard::db::transact(t.app().db(), &t.app().bus(), [&](courtyard::db::Tx& tx) {
      courtyard::identity::grant_role(tx, both.account_id, c.id, courtyard::Role::Courier);
    });
    auto b = t.get(fixture_path(c, "member"), both.token);
    REQUIRE(b.status == 200);
    CHECK(b.json.at("roles").as_int64() == COURTYARD_ROLE_COURIER);

    CHECK(t.get(fixture_path(c, "member"), outsider.token).status == 404);
    CHECK(t.get(fixture_path(c, "member")).status == 401);
  }
  SECTION("a merchant rule: the merchant the caller acts for") {
    auto owner = t.resident(c, 1);
    auto mid = make_merchant(t, c, owner);
    auto r = t.get(fixture_path(c, "merchant"), owner.token);
    REQUIRE(r.status == 200);
    CHECK(r.json.at("community_id").as_int64() == c.id);
    CHECK(r.json.at("roles").as_int64() == (COURTYARD_ROLE_RESIDENT | COURTYARD_ROLE_MERCHANT));
    CHECK(r.json.at("merchant_id").as_int64() == mid);
  }
}

TEST_CASE("an API-key call reaches a plugin as the key, not as the account that created it",
          "[plugins][principal]") {
  auto& t = app_with_plugins();
  auto c = t.community();
  auto owner = t.resident(c);
  auto mid = make_merchant(t, c, owner);
  auto created = t.post(c.base() + "/merchants/" + std::to_string(mid) + "/api-keys",
                        {{"name", "plugin test"}, {"scopes", {"orders:read"}}}, owner.token);
  REQUIRE(created.status == 201);
  std::string key(created.json.at("key").as_string());

  for (auto const& path : {fixture_path(c, "merchant"), c.base() + "/merchants/" + std::to_string(mid) + "/plugin-fixture"}) {
    auto r = t.get(path, key);
    REQUIRE(r.status == 200);
    CHECK(r.json.at("kind").as_string() == "api_key");
    CHECK(r.json.at("account_id").as_int64() == 0);
    CHECK(r.json.at("community_id").as_int64() == c.id);
    CHECK(r.json.at("merchant_id").as_int64() == mid);
    CHECK(r.json.at("roles").as_int64() == COURTYARD_ROLE_MERCHANT);
    CHECK_FALSE(r.json.at("admin").as_bool());
    REQUIRE(r.json.at("scopes").as_array().size() == 1);
    CHECK(r.json.at("scopes").as_array()[0].as_string() == "orders:read");
  }
  // The scope-gated authenticated rule: the key, with no community checked.
  auto a = t.get(fixture_path(c, "authenticated"), key);
  REQUIRE(a.status == 200);
  CHECK(a.json.at("kind").as_string() == "api_key");
  CHECK(a.json.at("account_id").as_int64() == 0);
  CHECK(a.json.at("community_id").as_int64() == 0);
  CHECK(a.json.at("merchant_id").as_int64() == 0);
  // A member rule names no scope: keys are refused before the plugin runs.
  CHECK(t.get(fixture_path(c, "member"), key).status == 403);
}

TEST_CASE("a plugin event callback runs with no transaction open", "[plugins][events]") {
  auto& t = app_with_plugins();
  auto c = t.community();
  auto& db = t.app().db();
  t.drain_events();
  auto before = t.get("/v1/plugin-fixture/blocking").json;
  publish(t, "fixture.blocking", c.id, {{"n", 1}});

  std::thread dispatcher([&] { t.drain_events(); });
  // Wait until the callback is blocked inside the plugin.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (t.get("/v1/plugin-fixture/blocking").json.at("entered").as_int64() == before.at("entered").as_int64() &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));

  // The dispatcher holds no pooled session while the callback runs (so no transaction)...
  bool pool_free = true;
  {
    std::vector<courtyard::db::Lease> all;
    try {
      for (std::size_t i = 0; i < db.pool_size(); ++i) all.push_back(db.acquire(std::chrono::milliseconds(300)));
    } catch (courtyard::db::Unavailable const&) {
      pool_free = false;
    }
  }
  // ...and another writer commits meanwhile (on SQLite a dispatcher transaction would hold
  // the write lock until the callback returned).
  auto started = std::chrono::steady_clock::now();
  courtyard::db::transact(db, &t.app().bus(), [&](courtyard::db::Tx& tx) { tx.publish("fixture.unrelated", c.id, {{"n", 2}}); });
  auto waited = std::chrono::steady_clock::now() - started;
  t.post("/v1/plugin-fixture/blocking/release", json::object{});
  dispatcher.join();

  auto after = t.get("/v1/plugin-fixture/blocking").json;
  CHECK(pool_free);
  CHECK(waited < std::chrono::seconds(2));
  CHECK(after.at("entered").as_int64() == before.at("entered").as_int64() + 1);
  CHECK(after.at("released").as_int64() == before.at("released").as_int64() + 1);
  CHECK(after.at("timed_out").as_int64() == before.at("timed_out").as_int64());
  // And the delivery was recorded after the callback: nothing is left to run.
  CHECK(t.drain_events() == 0);
  CHECK(t.get("/v1/plugin-fixture/blocking").json.at("entered").as_int64() == after.at("entered").as_int64());
}

namespace {

// The order.placed payload as shops publishes it (services/shops/views.cpp order_event); this
// binary runs identity only, so the event is published as the shops service would after
// an order commits.
json::value order_placed(std::int64_t cid, std::int64_t oid, std::int64_t mid, std::int64_t buyer, std::int64_t cents,
                         std::string const& fulfilment, std::int64_t unit, json::array items = {}) {
  json::object o{{"community_id", cid},     {"order_id", oid},   {"merchant_id", mid},
                 {"buyer_id", buyer},       {"total_cents", cents}, {"fulfilment", fulfilment},
                 {"unit_id", unit},         {"status", "placed"},   {"group_buy_id", 0}};
  if (!items.empty()) o["items"] = std::move(items);  // an event stored before items were published has none
  return o;
}

json::object line(std::int64_t quantity, std::string const& name) {
  return {{"product_id", 7}, {"name", name}, {"category", "food"}, {"quantity", quantity}, {"unit_price_cents", 100},
          {"line_total_cents", quantity * 100}};
}

std::string tickets_path(courtyard::test::Community const& c, std::int64_t mid) {
  return c.base() + "/merchants/" + std::to_string(mid) + "/kitchen-tickets";
}

}  // namespace

TEST_CASE("the kitchen plugin turns placed orders into tickets only their merchant reads", "[plugins][kitchen]") {
  auto& t = app_with_plugins();
  auto c = t.community();
  auto owner = t.resident(c, 1);
  auto mid = make_merchant(t, c, owner);
  auto rival = t.resident(c, 2);
  auto rival_mid = make_merchant(t, c, rival);
  auto buyer = t.resident(c, 0);
  auto path = tickets_path(c, mid);
  t.drain_events();

  // Nothing placed yet: an empty feed, not an error.
  auto empty = t.get(path, owner.token);
  REQUIRE(empty.status == 200);
  CHECK(empty.body.empty());

  static std::int64_t next_order = 920000;
  auto first = ++next_order, second = ++next_order, theirs = ++next_order;
  // A name with quotes, a backslash, accents and a brace; a long one; and lines past the twelve printed.
  json::array lines{line(3, "Dumplings"), line(1, "Caf\u00e9 \"Cr\u00e8me\" {big}\\"),
                    line(2, "A very long name for a dish that does not fit on one receipt line at all")};
  for (int i = 0; i < 11; ++i) lines.push_back(line(1, "Side " + std::to_string(i)));
  publish(t, "order.placed", c.id, order_placed(c.id, first, mid, buyer.account_id, 1250, "pickup", 0, lines));
  publish(t, "order.placed", c.id, order_placed(c.id, second, mid, buyer.account_id, 899, "delivery", 31));
  publish(t, "order.placed", c.id, order_placed(c.id, theirs, rival_mid, buyer.account_id, 100, "pickup", 0));
  t.drain_events();

  SECTION("plain text: 42-column receipts, newest first, this merchant's orders only") {
    auto r = t.get(path, owner.token);
    REQUIRE(r.status == 200);
    CHECK(r.header("Content-Type").find("text/plain") == 0);
    auto at_second = r.body.find("Order #" + std::to_string(second));
    auto at_first = r.body.find("Order #" + std::to_string(first));
    REQUIRE(at_second != std::string::npos);
    REQUIRE(at_first != std::string::npos);
    CHECK(at_second < at_first);
    CHECK(r.body.find("Order #" + std::to_string(theirs)) == std::string::npos);
    CHECK(r.body.find("DELIVERY") != std::string::npos);
    CHECK(r.body.find("PICKUP") != std::string::npos);
    CHECK(r.body.find("12.50") != std::string::npos);
    CHECK(r.body.find("8.99") != std::string::npos);
    CHECK(r.body.find("#31") != std::string::npos);
    CHECK(r.body.find(" UTC") != std::string::npos);
    // The first order's lines, as plain ASCII; the second (an older event) has none.
    CHECK(r.body.find("\n  3 x Dumplings\n") != std::string::npos);
    CHECK(r.body.find("\n  1 x Caf? 'Cr?me' {big}/\n") != std::string::npos);
    CHECK(r.body.find("\n  2 x A very long name for a dish that doe\n") != std::string::npos);  // 42 columns
    CHECK(r.body.find("\n  1 x Side 8\n") != std::string::npos);
    CHECK(r.body.find("Side 9") == std::string::npos);
    CHECK(r.body.find("\n  + 2 more lines\n") != std::string::npos);
    CHECK(r.body.substr(0, at_first).find(" x ") == std::string::npos);
    int full = 0;
    for (auto const& l : lines_of(r.body)) {
      CHECK(l.size() <= 42);
      if (l.size() == 42) ++full;
    }
    CHECK(full > 10);  // rules and two-column lines fill the width exactly

    auto narrow = t.get(path + "?width=32", owner.token);
    REQUIRE(narrow.status == 200);
    for (auto const& l : lines_of(narrow.body)) CHECK(l.size() <= 32);
    CHECK(narrow.body.find(std::string(32, '=')) != std::string::npos);
  }
  SECTION("JSON: the same tickets with their fields and text") {
    auto r = t.get(path + "?format=json&width=32", owner.token);
    REQUIRE(r.status == 200);
    CHECK(r.header("Content-Type").find("application/json") == 0);
    CHECK(r.json.at("merchant_id").as_int64() == mid);
    CHECK(r.json.at("community_id").as_int64() == c.id);
    auto const& tickets = r.json.at("tickets").as_array();
    REQUIRE(tickets.size() == 2);
    CHECK(tickets[0].at("order_id").as_int64() == second);
    CHECK(tickets[0].at("total_cents").as_int64() == 899);
    CHECK(tickets[0].at("fulfilment").as_string() == "delivery");
    CHECK(tickets[0].at("unit_id").as_int64() == 31);
    CHECK(tickets[0].at("buyer_id").as_int64() == buyer.account_id);
    CHECK(tickets[0].at("placed_at_ms").as_int64() > 0);
    CHECK(tickets[1].at("order_id").as_int64() == first);
    CHECK(tickets[1].at("fulfilment").as_string() == "pickup");
    CHECK(tickets[0].at("items").as_array().empty());
    auto const& items = tickets[1].at("items").as_array();
    REQUIRE(items.size() == 12);
    CHECK(items[1] == json::value(json::object{{"quantity", 1}, {"name", "Caf? 'Cr?me' {big}/"}}));
    CHECK(items[2].at("name") == "A very long name for a dish that does n");  // kept: 39 characters
    CHECK(tickets[1].at("items_more").as_int64() == 2);
    std::string text(tickets[1].at("text").as_string());
    CHECK(text.find("Order #" + std::to_string(first)) != std::string::npos);
    for (auto const& l : lines_of(text)) CHECK(l.size() <= 32);
  }
  SECTION("a merchant API key with orders:read reads it too (a kitchen printer)") {
    auto created = t.post(c.base() + "/merchants/" + std::to_string(mid) + "/api-keys",
                          {{"name", "kitchen printer"}, {"scopes", {"orders:read"}}}, owner.token);
    REQUIRE(created.status == 201);
    auto r = t.get(path + "?format=json", std::string(created.json.at("key").as_string()));
    REQUIRE(r.status == 200);
    CHECK(r.json.at("tickets").as_array().size() == 2);
  }
  SECTION("another merchant, a resident, an outsider and nobody are refused") {
    auto other = t.get(path, rival.token);
    CHECK(other.status == 403);
    CHECK(other.header("Content-Type").find("application/problem+json") == 0);
    CHECK(other.body.find(std::to_string(first)) == std::string::npos);
    // The rival reads its own feed, with its order only.
    auto own = t.get(tickets_path(c, rival_mid) + "?format=json", rival.token);
    REQUIRE(own.status == 200);
    REQUIRE(own.json.at("tickets").as_array().size() == 1);
    CHECK(own.json.at("tickets").as_array()[0].at("order_id").as_int64() == theirs);

    CHECK(t.get(path, buyer.token).status == 403);
    CHECK(t.get(path, c.manager.token).status == 403);
    CHECK(t.get(path, t.account("kitchen-outsider").token).status == 404);
    CHECK(t.get(path).status == 401);
    // Same merchant id, another community: the feed is per community.
    auto elsewhere = t.community();
    CHECK(t.get(tickets_path(elsewhere, mid), owner.token).status == 404);
  }
  SECTION("bad format or width is a 400") {
    auto bad = t.get(path + "?format=xml", owner.token);
    CHECK(bad.status == 400);
    CHECK(bad.header("Content-Type").find("application/problem+json") == 0);
    CHECK(t.get(path + "?width=80", owner.token).status == 400);
  }
}

TEST_CASE("the kitchen plugin prints a redelivered order.placed once", "[plugins][kitchen]") {
  auto& t = app_with_plugins();
  auto c = t.community();
  auto owner = t.resident(c, 1);
  auto mid = make_merchant(t, c, owner);
  t.drain_events();

  // The plugin's subscriber, as the dispatcher calls it.
  auto& bus = t.app().bus();
  courtyard::events::DetachedHandler const* deliver = nullptr;
  for (auto const& [name, topic] : bus.subscriptions())
    if (topic == "order.placed" && name.find("kitchen") != std::string::npos)
      deliver = bus.detached_handler(name, topic);
  REQUIRE(deliver != nullptr);

  auto oid = std::int64_t(930001) + c.id;
  courtyard::events::Event e;
  e.id = 990000000 + c.id;
  e.topic = "order.placed";
  e.community_id = c.id;
  e.payload = order_placed(c.id, oid, mid, owner.account_id, 500, "pickup", 0);
  e.created_at = 1764662400000;  // 2025-12-02 08:00 UTC
  (*deliver)(e);
  (*deliver)(e);  // the dispatcher ran it, then stopped before recording the delivery

  auto r = t.get(tickets_path(c, mid) + "?format=json", owner.token);
  REQUIRE(r.status == 200);
  auto const& tickets = r.json.at("tickets").as_array();
  REQUIRE(tickets.size() == 1);
  CHECK(tickets[0].at("event_id").as_int64() == e.id);
  CHECK(tickets[0].at("placed_at_ms").as_int64() == e.created_at);
  CHECK(std::string(tickets[0].at("text").as_string()).find("2025-12-02 08:00 UTC") != std::string::npos);

  // Delivered concurrently from several threads: still one ticket.
  e.id += 1;
  e.payload.as_object()["order_id"] = oid + 1;
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back([&] { (*deliver)(e); });
  for (auto& th : threads) th.join();
  CHECK(t.get(tickets_path(c, mid) + "?format=json", owner.token).json.at("tickets").as_array().size() == 2);
}
