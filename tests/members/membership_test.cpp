// The resident's membership, consents and export; the manager's consent-gated
// member view; the access walk.
#include "gateway/demo.hpp"
#include "tests/members/helpers.hpp"

#include <cstdlib>

using namespace members_test;
using soci::use;

TEST_CASE("members: access walk", "[members][access]") { courtyard::test::walk_access(TestApp::get(), "members"); }

TEST_CASE("consents: defaults, partial updates, validation", "[members][consents]") {
  auto& t = TestApp::get();
  auto a = t.account("consent");
  auto got = t.get("/v1/me/consents", a.token);
  REQUIRE(got.status == 200);
  CHECK(got.json.at("marketing") == false);
  CHECK(got.json.at("recommendations") == true);
  CHECK(got.json.at("analytics") == true);
  CHECK(t.get("/v1/me/consents").status == 401);

  auto set = t.call("PUT", "/v1/me/consents", bj::value(bj::object{{"marketing", true}}), a.token);
  REQUIRE(set.status == 200);
  CHECK(set.json.at("marketing") == true);
  CHECK(set.json.at("analytics") == true);
  CHECK(t.call("PUT", "/v1/me/consents", bj::value(bj::object{{"analytics", false}}), a.token).json.at("marketing") ==
        true);
  auto unknown =
      t.call("PUT", "/v1/me/consents", bj::value(bj::object{{"sales", true}, {"marketing", false}}), a.token);
  CHECK(unknown.status == 422);
  CHECK(t.call("PUT", "/v1/me/consents", bj::value(bj::object{{"marketing", "yes"}}), a.token).status == 400);
  CHECK(t.call("PUT", "/v1/me/consents", bj::value(bj::object{}), a.token).status == 422);
  auto after = t.get("/v1/me/consents", a.token);
  CHECK(after.json.at("marketing") == true);  // the refused calls wrote nothing
  CHECK(after.json.at("analytics") == false);
}

TEST_CASE("the manager's member view shows only what the member consented to", "[members][consents][manager]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c);
  auto neighbour = t.resident(c, 1);
  set_rule(c, {{"kind", "event_attended"}, {"points", 7}});
  checked_in(c, r, 1);
  t.drain_events();
  auto path = c.base() + "/members/" + std::to_string(r.account_id);

  auto v = t.get(path, c.manager.token);
  REQUIRE(v.status == 200);
  CHECK(v.json.at("points").as_int64() == 7);
  CHECK(v.json.at("history").as_array().size() == 1);   // analytics: on by default
  CHECK_FALSE(v.json.as_object().contains("contact"));  // marketing: off by default
  CHECK(v.json.at("withheld").as_array().size() == 1);

  REQUIRE(t.call("PUT", "/v1/me/consents", bj::value(bj::object{{"marketing", true}, {"analytics", false}}), r.token)
              .status == 200);
  v = t.get(path, c.manager.token);
  CHECK(v.json.at("contact").at("email").as_string() == r.email);
  CHECK_FALSE(v.json.as_object().contains("history"));
  CHECK(v.json.at("withheld").at(0) == "history");

  CHECK(t.get(path, neighbour.token).status == 403);
  CHECK(t.get(c.base() + "/members/999999999", c.manager.token).status == 404);
  auto list = t.get(c.base() + "/members?limit=1", c.manager.token);
  REQUIRE(list.status == 200);
  REQUIRE(list.json.at("items").as_array().size() == 1);
  CHECK(list.json.at("items").at(0).at("account_id").as_int64() == r.account_id);
  CHECK(t.get(c.base() + "/members", neighbour.token).status == 403);
}

TEST_CASE("my membership lists each community I live in", "[members][membership]") {
  auto& t = TestApp::get();
  auto c1 = t.community();
  auto c2 = t.community();
  auto r = t.resident(c1);
  auto app = t.post(c2.base() + "/residency-applications", {{"unit_id", c2.unit_ids[0]}}, r.token);
  REQUIRE(app.status == 201);
  REQUIRE(t.call("POST", c2.base() + "/residency-applications/" + std::to_string(app.id()) + "/approve", std::nullopt,
                 c2.manager.token)
              .status == 200);
  set_rule(c2, {{"kind", "event_attended"}, {"points", 3}});
  checked_in(c2, r, 9);
  t.drain_events();
  auto all = t.get("/v1/me/membership", r.token);
  REQUIRE(all.status == 200);
  REQUIRE(all.json.at("communities").as_array().size() == 2);
  std::int64_t total = 0;
  for (auto const& m : all.json.at("communities").as_array()) total += m.at("points").as_int64();
  CHECK(total == 3);
  CHECK(t.get("/v1/me/membership?community_id=0", r.token).status == 422);
  CHECK(t.get("/v1/me/membership", "").status == 401);
  auto stranger = t.account("stranger");
  CHECK(t.get("/v1/me/membership", stranger.token).json.at("communities").as_array().empty());
}

TEST_CASE("the export is one document with every service's data about me", "[members][export]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c);
  t.top_up(c, r, 500);
  set_rule(c, {{"kind", "event_attended"}, {"points", 4}});
  checked_in(c, r, 1);
  t.drain_events();
  REQUIRE(t.call("PUT", "/v1/me/consents", bj::value(bj::object{{"marketing", true}}), r.token).status == 200);
  auto x = t.get("/v1/me/export", r.token);
  REQUIRE(x.status == 200);
  auto const& doc = x.json.as_object();
  CHECK(doc.at("account_id").as_int64() == r.account_id);
  CHECK(doc.at("identity").at("email").as_string() == r.email);
  CHECK(doc.at("members").at("consents").at("marketing") == true);
  REQUIRE(doc.at("members").at("points_postings").as_array().size() == 1);
  CHECK(doc.at("members").at("points_lots").at(0).at("remaining").as_int64() == 4);
  // Every service has its section, from its own rows.
  for (auto const* service :
       {"wallet", "property", "shops", "clubs", "delivery", "notifications", "members", "recommendations"})
    CHECK(doc.contains(service));
  REQUIRE(doc.at("wallet").at("entries").as_array().size() == 1);
  CHECK(doc.at("wallet").at("entries").at(0).at("amount_cents").as_int64() == 500);
  CHECK(doc.at("wallet").at("entries").at(0).at("kind") == "top_up");
  CHECK(doc.at("shops").at("orders").as_array().empty());
  CHECK(doc.at("notifications").at("notifications").as_array().size() >= 1);  // the top-up notice
  CHECK(doc.at("identity").at("roles").at(0).at("role") == "resident");
  // Nobody else's data.
  auto other = t.resident(c, 1);
  auto theirs = t.get("/v1/me/export", other.token);
  REQUIRE(theirs.status == 200);
  CHECK(theirs.json.at("members").at("points_postings").as_array().empty());
  CHECK(theirs.json.at("wallet").at("entries").as_array().empty());
  CHECK(t.get("/v1/me/export").status == 401);
}

TEST_CASE("--demo seeds the loyalty programme: earn rules and tiers", "[members][demo]") {
  auto& t = TestApp::get();
  // The demo community is created by the platform admin, as `courtyard --demo` does.
  setenv("COURTYARD_ADMIN_EMAIL", t.admin().email.c_str(), 1);
  setenv("COURTYARD_ADMIN_PASSWORD", "correct-horse-battery-staple", 1);
  courtyard::gateway::seed_demo(t.app());
  auto login = t.post("/v1/auth/login", {{"email", "manager@demo.courtyard.local"}, {"password", "courtyard-demo"}});
  REQUIRE(login.status == 200);
  std::string token(login.json.at("token").as_string());
  auto me = t.get("/v1/me", token);
  REQUIRE(me.status == 200);
  auto cid = me.json.at("roles").at(0).at("community_id").as_int64();
  auto base = "/v1/communities/" + std::to_string(cid) + "/loyalty/";
  auto rules = t.get(base + "earn-rules", token);
  REQUIRE(rules.status == 200);
  CHECK(rules.json.at("items").as_array().size() == 5);
  auto tiers = t.get(base + "tiers", token);
  REQUIRE(tiers.status == 200);
  CHECK(tiers.json.at("items").as_array().size() == 3);
}
