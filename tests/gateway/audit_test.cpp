// The audit trail (the hardening issue): a privileged action writes exactly one entry in the
// same transaction as its change; a refused call writes none; managers read their community's
// entries, admins all; nobody can change them through the API.
#include "tests/support/test_app.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace courtyard;
using courtyard::test::TestApp;

namespace {

boost::json::array entries(TestApp& t, std::string const& url, std::string const& token) {
  auto r = t.get(url, token);
  REQUIRE(r.status == 200);
  return r.json.at("items").as_array();
}

// The action as a query value (percent-encoded).
std::string top_up_action() { return "POST%20/v1/communities/%7Bcid%7D/wallets/%7Baccount_id%7D/top-ups"; }

}  // namespace

TEST_CASE("a privileged action writes exactly one audit entry with who, what and where", "[audit]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto resident = t.resident(c);
  auto url = c.base() + "/audit?action=" + top_up_action();
  CHECK(entries(t, url, c.manager.token).empty());

  t.top_up(c, resident, 2500);
  auto got = entries(t, url, c.manager.token);
  REQUIRE(got.size() == 1);
  auto const& e = got[0].as_object();
  CHECK(e.at("actor_id").as_int64() == c.manager.account_id);
  CHECK(e.at("community_id").as_int64() == c.id);
  CHECK(e.at("principal_kind").as_string() == "session");
  CHECK(std::string(e.at("actor_roles").as_string()).find("manager") != std::string::npos);
  CHECK(e.at("target").as_string() == c.base() + "/wallets/" + std::to_string(resident.account_id) + "/top-ups");
  CHECK(e.at("changes").at("amount_cents").as_int64() == 2500);
  CHECK_FALSE(e.at("request_id").as_string().empty());
  CHECK(e.at("client_ip").as_string() == "127.0.0.1");

  // A replay of the same Idempotency-Key changes nothing and writes nothing.
  auto key = t.unique("audit-replay");
  auto path = c.base() + "/wallets/" + std::to_string(resident.account_id) + "/top-ups";
  REQUIRE(t.post(path, {{"amount_cents", 100}}, c.manager.token, {{"Idempotency-Key", key}}).status / 100 == 2);
  REQUIRE(t.post(path, {{"amount_cents", 100}}, c.manager.token, {{"Idempotency-Key", key}}).status / 100 == 2);
  CHECK(entries(t, url, c.manager.token).size() == 2);
}

TEST_CASE("refused calls write no audit entry", "[audit]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto resident = t.resident(c);
  auto path = c.base() + "/wallets/" + std::to_string(resident.account_id) + "/top-ups";
  CHECK(t.post(path, {{"amount_cents", 100}}, resident.token).status == 403);   // wrong role
  CHECK(t.post(path, {{"amount_cents", -5}}, c.manager.token).status == 422);   // invalid
  CHECK(t.post(path, {{"amount_cents", "x"}}, c.manager.token).status == 400);  // malformed
  CHECK(entries(t, c.base() + "/audit?action=" + top_up_action(), c.manager.token).empty());
  // A resident's own actions are not privileged: nothing by the resident is in the log.
  CHECK(t.post("/v1/auth/logout", boost::json::object{}, t.account("other").token).status == 204);
  CHECK(entries(t, c.base() + "/audit?actor=" + std::to_string(resident.account_id), c.manager.token).empty());
}

TEST_CASE("who may read the audit trail, filters, CSV, and no way to change it", "[audit]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto other = t.community();
  auto resident = t.resident(c);
  t.top_up(c, resident, 700);

  CHECK(t.get(c.base() + "/audit", resident.token).status == 403);
  CHECK(t.get(c.base() + "/audit", other.manager.token).status == 404);
  CHECK(t.get(c.base() + "/audit").status == 401);
  CHECK(t.get("/v1/admin/audit", c.manager.token).status == 403);

  auto admin = t.admin();
  auto mine = entries(t, "/v1/admin/audit?community_id=" + std::to_string(c.id) + "&actor=" +
                             std::to_string(c.manager.account_id),
                      admin.token);
  CHECK_FALSE(mine.empty());
  for (auto const& e : mine) CHECK(e.at("community_id").as_int64() == c.id);
  // Another community's log does not show this community's entries.
  CHECK(entries(t, other.base() + "/audit?actor=" + std::to_string(c.manager.account_id), other.manager.token).empty());

  auto csv = t.get(c.base() + "/audit?format=csv", c.manager.token);
  REQUIRE(csv.status == 200);
  CHECK(csv.header("Content-Type").rfind("text/csv", 0) == 0);
  CHECK(csv.body.rfind("id,created_at,community_id,actor_id", 0) == 0);
  CHECK(csv.body.find("top-ups") != std::string::npos);

  CHECK(t.get(c.base() + "/audit?from=yesterday", c.manager.token).status == 422);
  CHECK(t.get(c.base() + "/audit?format=xml", c.manager.token).status == 422);
  CHECK(t.call("DELETE", c.base() + "/audit", std::nullopt, c.manager.token).status == 405);
  CHECK(t.call("POST", c.base() + "/audit", boost::json::object{}, c.manager.token).status == 405);
}
