#include "db/tx.hpp"
#include "tests/support/test_app.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>

using namespace courtyard;
using test::TestApp;
namespace bj = boost::json;

namespace {

std::string str(std::int64_t v) { return std::to_string(v); }

bool contains_id(test::Result const& list, std::int64_t id) {
  auto const& items = list.json.at("items").as_array();
  return std::any_of(items.begin(), items.end(), [&](bj::value const& v) { return v.at("id").as_int64() == id; });
}

// Every id in a paginated list, following next_cursor.
std::vector<std::int64_t> all_ids(TestApp& t, std::string const& path, std::string const& token, int limit) {
  std::vector<std::int64_t> ids;
  std::string cursor;
  for (int pages = 0; pages < 10000; ++pages) {
    auto sep = path.find('?') == std::string::npos ? "?" : "&";
    auto r = t.get(path + sep + "limit=" + std::to_string(limit) + (cursor.empty() ? "" : "&cursor=" + cursor), token);
    REQUIRE(r.status == 200);
    auto const& items = r.json.at("items").as_array();
    CHECK(items.size() <= static_cast<std::size_t>(limit));
    for (auto const& v : items) ids.push_back(v.at("id").as_int64());
    auto const& next = r.json.at("next_cursor");
    if (next.is_null()) break;
    cursor = std::string(next.as_string());
  }
  return ids;
}

std::int64_t apply(TestApp& t, test::Community const& c, test::Actor const& who, std::size_t unit = 0) {
  auto r = t.post(c.base() + "/residency-applications", {{"unit_id", c.unit_ids.at(unit)}}, who.token);
  REQUIRE(r.status == 201);
  return r.id();
}

std::string application_path(test::Community const& c, std::int64_t id) {
  return c.base() + "/residency-applications/" + str(id);
}

long long event_count(TestApp& t, std::string const& topic, std::int64_t cid) {
  return db::read(t.app().db(), [&](soci::session& s) {
    long long n = 0;
    s << "SELECT COUNT(*) FROM events WHERE topic = :t AND community_id = :c", soci::into(n), soci::use(topic),
        soci::use(cid);
    return n;
  });
}

}  // namespace

TEST_CASE("admin creates communities; members read theirs", "[identity][communities]") {
  auto& t = TestApp::get();
  auto admin = t.admin();
  auto created =
      t.post("/v1/communities",
             {{"name", "  Maple Court "}, {"address", "12 Maple Road"}, {"timezone", "America/Argentina/Buenos_Aires"}},
             admin.token);
  REQUIRE(created.status == 201);
  auto cid = created.id();
  CHECK(created.header("Location") == "/v1/communities/" + str(cid));
  CHECK(created.json.at("name").as_string() == "Maple Court");
  CHECK(created.json.at("timezone").as_string() == "America/Argentina/Buenos_Aires");
  CHECK(t.get("/v1/communities/" + str(cid), admin.token).status == 200);

  auto a = t.account("plain");
  CHECK(t.post("/v1/communities", {{"name", "x"}, {"address", "y"}, {"timezone", "UTC"}}, a.token).status == 403);
  CHECK(t.post("/v1/communities", {{"name", "x"}, {"address", "y"}, {"timezone", "UTC"}}).status == 401);
  CHECK(t.get("/v1/communities/" + str(cid), a.token).status == 404);

  auto bad = t.post("/v1/communities", {{"name", ""}, {"address", "y"}, {"timezone", "Not a zone!"}}, admin.token);
  CHECK(bad.status == 422);
  CHECK(bad.json.at("errors").as_array().size() == 2);
  CHECK(t.post("/v1/communities", {{"name", "x"}, {"address", "y"}, {"timezone", 5}}, admin.token).status == 400);
  CHECK(t.get("/v1/communities/999999999", admin.token).status == 404);
  CHECK(t.get("/v1/communities/abc", admin.token).status == 404);
}

TEST_CASE("GET /v1/communities: all for admins, their own for others, paginated", "[identity][communities]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto other = t.community();

  auto mine = t.get("/v1/communities", c.manager.token);
  REQUIRE(mine.status == 200);
  CHECK(mine.json.at("items").as_array().size() == 1);
  CHECK(contains_id(mine, c.id));
  CHECK(mine.json.at("next_cursor").is_null());

  auto everything = all_ids(t, "/v1/communities", t.admin().token, 1);
  CHECK(std::count(everything.begin(), everything.end(), c.id) == 1);
  CHECK(std::count(everything.begin(), everything.end(), other.id) == 1);
  CHECK(std::is_sorted(everything.begin(), everything.end()));

  CHECK(t.get("/v1/communities?limit=0", c.manager.token).status == 422);
  CHECK(t.get("/v1/communities?limit=201", c.manager.token).status == 422);
  CHECK(t.get("/v1/communities?limit=ten", c.manager.token).status == 422);
  CHECK(t.get("/v1/communities?cursor=%25%25garbage", c.manager.token).status == 422);
  CHECK(t.get("/v1/communities").status == 401);
}

TEST_CASE("buildings and units", "[identity][communities]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto m = c.manager.token;

  auto b = t.post(c.base() + "/buildings", {{"name", "Tower B"}}, m);
  REQUIRE(b.status == 201);
  auto bid = b.id();
  CHECK(b.header("Location") == c.base() + "/buildings/" + str(bid));
  CHECK(b.json.at("community_id").as_int64() == c.id);
  CHECK(t.post(c.base() + "/buildings", {{"name", "Tower B"}}, m).status == 409);
  CHECK(t.post(c.base() + "/buildings", {{"name", " "}}, m).status == 422);
  CHECK(t.post(c.base() + "/buildings", {{"name", 7}}, m).status == 400);

  auto buildings = t.get(c.base() + "/buildings", m);
  REQUIRE(buildings.status == 200);
  CHECK(buildings.json.at("items").as_array().size() == 2);
  CHECK(t.get(c.base() + "/buildings/" + str(bid), m).json.at("name").as_string() == "Tower B");

  auto units_path = c.base() + "/buildings/" + str(bid) + "/units";
  auto u = t.post(units_path, {{"number", "12A"}}, m);
  REQUIRE(u.status == 201);
  CHECK(u.json.at("number").as_string() == "12A");
  CHECK(u.json.at("building_id").as_int64() == bid);
  CHECK(u.header("Location") == units_path + "/" + str(u.id()));
  CHECK(t.post(units_path, {{"number", "12A"}}, m).status == 409);
  // The same number in another building is fine.
  CHECK(t.post(c.base() + "/buildings/" + str(c.building_id) + "/units", {{"number", "12A"}}, m).status == 201);
  CHECK(t.post(units_path, {{"number", std::string(33, '9')}}, m).status == 422);

  auto units = t.get(units_path, m);
  REQUIRE(units.status == 200);
  REQUIRE(units.json.at("items").as_array().size() == 1);
  CHECK(t.get(units_path + "/" + str(u.id()), m).status == 200);
  // A unit exists only under its own building.
  CHECK(t.get(c.base() + "/buildings/" + str(c.building_id) + "/units/" + str(u.id()), m).status == 404);

  // Residents read the structure; only managers (and admins) change it.
  auto r = t.resident(c);
  CHECK(t.get(units_path, r.token).status == 200);
  CHECK(t.post(c.base() + "/buildings", {{"name", "Nope"}}, r.token).status == 403);
  CHECK(t.post(units_path, {{"number", "99"}}, r.token).status == 403);
  CHECK(t.post(c.base() + "/buildings", {{"name", "By admin"}}, t.admin().token).status == 201);
  CHECK(t.post("/v1/communities/999999999/buildings", {{"name", "Ghost"}}, t.admin().token).status == 404);
  CHECK(t.get("/v1/communities/999999999/buildings", t.admin().token).status == 404);
}

TEST_CASE("residency: apply, review, approve grants the resident role", "[identity][residency]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto a = t.account("applicant");
  auto m = c.manager.token;

  // Not a member yet: the community is not visible, but applying is allowed.
  CHECK(t.get(c.base(), a.token).status == 404);
  auto app = t.post(c.base() + "/residency-applications", {{"unit_id", c.unit_ids[1]}}, a.token);
  REQUIRE(app.status == 201);
  auto id = app.id();
  CHECK(app.header("Location") == application_path(c, id));
  CHECK(app.json.at("status").as_string() == "pending");
  CHECK(app.json.at("unit_id").as_int64() == c.unit_ids[1]);
  CHECK(app.json.at("applicant").at("id").as_int64() == a.account_id);
  CHECK(app.json.at("decided_at").is_null());

  auto dup = t.post(c.base() + "/residency-applications", {{"unit_id", c.unit_ids[1]}}, a.token);
  CHECK(dup.status == 409);
  CHECK(dup.problem_type() == "/problems/duplicate");
  CHECK(t.post(c.base() + "/residency-applications", {{"unit_id", "1"}}, a.token).status == 400);
  CHECK(t.post(c.base() + "/residency-applications", bj::object{}, a.token).status == 422);
  CHECK(t.post(c.base() + "/residency-applications", {{"unit_id", -4}}, a.token).status == 422);
  // With an application open here, any further one is the same 409 (units cannot be probed);
  // an account without one gets 404 for a missing unit.
  CHECK(t.post(c.base() + "/residency-applications", {{"unit_id", 999999999}}, a.token).status == 409);
  CHECK(t.post(c.base() + "/residency-applications", {{"unit_id", 999999999}}, t.account("prober").token).status ==
        404);
  CHECK(t.post("/v1/communities/999999999/residency-applications", {{"unit_id", c.unit_ids[1]}}, a.token).status ==
        404);
  CHECK(t.post(c.base() + "/residency-applications", {{"unit_id", c.unit_ids[1]}}).status == 401);

  // The applicant follows their own application; other accounts cannot see it.
  CHECK(t.get(application_path(c, id), a.token).status == 200);
  CHECK(t.get(application_path(c, id), t.account("nosy").token).status == 404);
  auto own = t.get("/v1/me/residency-applications", a.token);
  REQUIRE(own.status == 200);
  CHECK(contains_id(own, id));

  auto pending = t.get(c.base() + "/residency-applications?status=pending", m);
  REQUIRE(pending.status == 200);
  CHECK(contains_id(pending, id));
  CHECK(t.get(c.base() + "/residency-applications?status=approved", m).json.at("items").as_array().empty());
  CHECK(t.get(c.base() + "/residency-applications?status=bogus", m).status == 422);
  CHECK(t.get(c.base() + "/residency-applications", a.token).status == 404);

  auto approved = t.call("POST", application_path(c, id) + "/approve", std::nullopt, m);
  REQUIRE(approved.status == 200);
  CHECK(approved.json.at("status").as_string() == "approved");
  CHECK(approved.json.at("decided_at").is_string());
  auto again = t.call("POST", application_path(c, id) + "/approve", std::nullopt, m);
  CHECK(again.status == 409);
  CHECK(t.call("POST", application_path(c, id) + "/reject", std::nullopt, m).status == 409);
  CHECK(t.call("POST", application_path(c, 999999999) + "/approve", std::nullopt, m).status == 404);
  CHECK(event_count(t, "resident.approved", c.id) == 1);

  auto me = t.get("/v1/me", a.token);
  REQUIRE(me.status == 200);
  auto const& roles = me.json.at("roles").as_array();
  REQUIRE(roles.size() == 1);
  CHECK(roles[0].at("community_id").as_int64() == c.id);
  CHECK(roles[0].at("role").as_string() == "resident");
  CHECK(roles[0].at("unit_id").as_int64() == c.unit_ids[1]);
  CHECK(t.get(c.base(), a.token).status == 200);
  CHECK(t.get(c.base() + "/buildings", a.token).status == 200);

  // Living there already: no second application for the same unit; another unit is fine.
  auto live = t.post(c.base() + "/residency-applications", {{"unit_id", c.unit_ids[1]}}, a.token);
  CHECK(live.status == 409);
  CHECK(live.problem_type() == "/problems/already-resident");
  CHECK(t.post(c.base() + "/residency-applications", {{"unit_id", c.unit_ids[2]}}, a.token).status == 201);
}

TEST_CASE("residency: rejection, and applying again afterwards", "[identity][residency]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto a = t.account("rejected");
  auto id = apply(t, c, a);
  auto rejected = t.call("POST", application_path(c, id) + "/reject", std::nullopt, c.manager.token);
  REQUIRE(rejected.status == 200);
  CHECK(rejected.json.at("status").as_string() == "rejected");
  CHECK(t.call("POST", application_path(c, id) + "/approve", std::nullopt, c.manager.token).status == 409);
  CHECK(t.get("/v1/me", a.token).json.at("roles").as_array().empty());
  CHECK(event_count(t, "resident.rejected", c.id) == 1);
  CHECK(event_count(t, "resident.approved", c.id) == 0);
  // Only the open application blocks a new one.
  CHECK(apply(t, c, a) != id);
}

TEST_CASE("staff: managers add managers and couriers", "[identity][staff]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto courier = t.account("courier");
  auto path = c.base() + "/staff";

  auto added = t.post(path, {{"account_id", courier.account_id}, {"role", "courier"}}, c.manager.token);
  REQUIRE(added.status == 201);
  CHECK(added.json.at("role").as_string() == "courier");
  CHECK(added.json.at("account_id").as_int64() == courier.account_id);
  // Granting again changes nothing.
  CHECK(t.post(path, {{"account_id", courier.account_id}, {"role", "courier"}}, c.manager.token).status == 200);

  auto roles = t.get("/v1/me", courier.token).json.at("roles").as_array();
  REQUIRE(roles.size() == 1);
  CHECK(roles[0].at("role").as_string() == "courier");
  CHECK_FALSE(roles[0].as_object().contains("unit_id"));

  auto bad_role = t.post(path, {{"account_id", courier.account_id}, {"role", "janitor"}}, c.manager.token);
  CHECK(bad_role.status == 422);
  CHECK(bad_role.json.at("errors").at(0).at("field").as_string() == "role");
  CHECK(t.post(path, {{"account_id", courier.account_id}, {"role", "resident"}}, c.manager.token).status == 422);
  CHECK(t.post(path, {{"account_id", 999999999}, {"role", "courier"}}, c.manager.token).status == 404);
  CHECK(t.post(path, {{"account_id", "7"}, {"role", "courier"}}, c.manager.token).status == 400);

  auto second = t.account("second-manager");
  CHECK(t.post(path, {{"account_id", second.account_id}, {"role", "manager"}}, c.manager.token).status == 201);
  CHECK(t.post(c.base() + "/buildings", {{"name", "By second manager"}}, second.token).status == 201);

  auto list = t.get(path, c.manager.token);
  REQUIRE(list.status == 200);
  auto const& items = list.json.at("items").as_array();
  CHECK(items.size() == 3);
  CHECK(t.get(path, courier.token).status == 403);
  CHECK(t.post(path, {{"account_id", courier.account_id}, {"role", "manager"}}, courier.token).status == 403);
}

TEST_CASE("tenant isolation: another community's resources are 404", "[identity][isolation]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto other = t.community();
  auto stranger = t.account("stranger");
  auto foreign_app = apply(t, other, stranger);
  auto m = c.manager.token;
  auto foreign_building = c.base() + "/buildings/" + str(other.building_id);

  // Through our own community, with the other community's ids.
  CHECK(t.get(foreign_building, m).status == 404);
  CHECK(t.get(foreign_building + "/units", m).status == 404);
  CHECK(t.post(foreign_building + "/units", {{"number", "1"}}, m).status == 404);
  CHECK(t.get(foreign_building + "/units/" + str(other.unit_ids[0]), m).status == 404);
  CHECK(t.get(application_path(c, foreign_app), m).status == 404);
  CHECK(t.call("POST", application_path(c, foreign_app) + "/approve", std::nullopt, m).status == 404);
  CHECK(t.call("POST", application_path(c, foreign_app) + "/reject", std::nullopt, m).status == 404);
  CHECK(t.post(c.base() + "/residency-applications", {{"unit_id", other.unit_ids[0]}}, stranger.token).status == 404);
  CHECK_FALSE(contains_id(t.get(c.base() + "/buildings", m), other.building_id));
  CHECK_FALSE(contains_id(t.get(c.base() + "/residency-applications", m), foreign_app));

  // Directly under the other community: not a member, so it does not exist.
  CHECK(t.get(other.base(), m).status == 404);
  CHECK(t.get(other.base() + "/buildings", m).status == 404);
  CHECK(t.post(other.base() + "/buildings", {{"name", "x"}}, m).status == 404);
  CHECK(t.get(application_path(other, foreign_app), m).status == 404);
  CHECK(t.call("POST", application_path(other, foreign_app) + "/approve", std::nullopt, m).status == 404);
  CHECK(t.post(other.base() + "/staff", {{"account_id", stranger.account_id}, {"role", "manager"}}, m).status == 404);

  // Nothing changed on the other side.
  auto still = t.get(application_path(other, foreign_app), other.manager.token);
  REQUIRE(still.status == 200);
  CHECK(still.json.at("status").as_string() == "pending");
}

TEST_CASE("wrong role is 403", "[identity][access]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c);
  auto courier = t.courier(c);
  auto a = t.account("applicant");
  auto id = apply(t, c, a, 2);

  CHECK(t.post(c.base() + "/buildings", {{"name", "x"}}, r.token).status == 403);
  CHECK(t.get(c.base() + "/residency-applications", r.token).status == 403);
  CHECK(t.call("POST", application_path(c, id) + "/approve", std::nullopt, courier.token).status == 403);
  CHECK(t.call("POST", application_path(c, id) + "/reject", std::nullopt, r.token).status == 403);
  CHECK(t.post(c.base() + "/staff", {{"account_id", r.account_id}, {"role", "manager"}}, r.token).status == 403);
  CHECK(t.post("/v1/communities", {{"name", "x"}, {"address", "y"}, {"timezone", "UTC"}}, c.manager.token).status ==
        403);
  auto forbidden = t.get(c.base() + "/staff", r.token);
  CHECK(forbidden.status == 403);
  CHECK(forbidden.problem_type() == "/problems/forbidden");
}
