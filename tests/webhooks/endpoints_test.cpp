// Endpoint CRUD and who may do it: a merchant's owner or its API key with the webhooks scope
// (staff, residents, managers refused; another merchant's endpoints are not found), a
// community's managers for the property side, 404 across communities; secrets shown once;
// audit entries for create, rotate and delete; problem+json for bad input.
#include "db/tx.hpp"
#include "services/identity/api.hpp"
#include "tests/webhooks/helpers.hpp"

using namespace webhooks_test;
using courtyard::Role;

namespace {

std::string merchant_hooks(Community const& c, std::int64_t mid) {
  return c.base() + "/merchants/" + std::to_string(mid) + "/webhooks";
}

}  // namespace

TEST_CASE("a merchant's owner registers, reads, changes and deletes an endpoint", "[webhooks][endpoints]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto created = register_endpoint(s.hooks(), s.owner.token, "https://hooks.example.com/courtyard",
                                   {"order.placed", "order.cancelled", "review.posted", "order.placed"});
  INFO(created.body);
  REQUIRE(created.status == 201);
  auto id = created.id();
  CHECK(created.header("Location") == s.hook(id));
  auto secret = std::string(created.json.at("secret").as_string());
  CHECK(secret.rfind("whsec_", 0) == 0);
  CHECK(secret.size() == 6 + 44);
  CHECK(created.json.at("merchant_id").as_int64() == s.mid);
  CHECK(created.json.at("enabled").as_bool());
  CHECK(created.json.at("event_types").as_array().size() == 3);  // the duplicate is dropped

  // The secret is never shown again.
  auto got = t.get(s.hook(id), s.owner.token);
  REQUIRE(got.status == 200);
  CHECK_FALSE(got.json.as_object().contains("secret"));
  CHECK(got.body.find(secret.substr(6)) == std::string::npos);
  auto list = t.get(s.hooks(), s.owner.token);
  REQUIRE(list.status == 200);
  REQUIRE(list.json.at("items").as_array().size() == 1);
  CHECK(list.body.find(secret.substr(6)) == std::string::npos);

  auto changed = t.patch(s.hook(id), {{"event_types", bj::array{"delivery.*"}}, {"enabled", false}}, s.owner.token);
  INFO(changed.body);
  REQUIRE(changed.status == 200);
  CHECK(changed.json.at("event_types").as_array() == bj::array{"delivery.*"});
  CHECK_FALSE(changed.json.at("enabled").as_bool());
  CHECK(changed.json.at("disabled_reason") == "manual");
  changed = t.patch(s.hook(id), {{"enabled", true}, {"url", "https://hooks.example.com/v2"}}, s.owner.token);
  REQUIRE(changed.status == 200);
  CHECK(changed.json.at("enabled").as_bool());
  CHECK(changed.json.at("disabled_reason").is_null());
  CHECK(changed.json.at("url") == "https://hooks.example.com/v2");

  auto rotated = t.post(s.hook(id) + "/rotate-secret", {{"overlap_seconds", 3600}}, s.owner.token);
  INFO(rotated.body);
  REQUIRE(rotated.status == 200);
  auto next = std::string(rotated.json.at("secret").as_string());
  CHECK(next != secret);
  CHECK(next.rfind("whsec_", 0) == 0);
  CHECK(rotated.json.at("previous_secret_expires_at").is_string());

  CHECK(t.del(s.hook(id), s.owner.token).status == 204);
  CHECK(t.get(s.hook(id), s.owner.token).status == 404);
  CHECK(t.del(s.hook(id), s.owner.token).status == 404);

  // The audit trail has the create, the rotation and the delete, without the secrets.
  auto audit = t.get(s.c.base() + "/audit?limit=200", s.c.manager.token);
  REQUIRE(audit.status == 200);
  int create = 0, rotate = 0, remove = 0;
  for (auto const& e : audit.json.at("items").as_array()) {
    std::string action(e.at("action").as_string());
    if (action == "POST /v1/communities/{cid}/merchants/{mid}/webhooks") ++create;
    if (action == "POST /v1/communities/{cid}/merchants/{mid}/webhooks/{wid}/rotate-secret") ++rotate;
    if (action == "DELETE /v1/communities/{cid}/merchants/{mid}/webhooks/{wid}") ++remove;
  }
  CHECK(create == 1);
  CHECK(rotate == 1);
  CHECK(remove == 1);
  CHECK(audit.body.find(secret.substr(6)) == std::string::npos);
  CHECK(audit.body.find(next.substr(6)) == std::string::npos);
}

TEST_CASE("bad endpoint input is a problem+json with the field, and writes nothing", "[webhooks][endpoints]") {
  auto& t = TestApp::get();
  auto s = shop();
  struct Case {
    bj::value body;
    int status;
    char const* field;
  };
  Case const cases[] = {
      {bj::object{{"url", "ftp://hooks.example.com/"}, {"event_types", bj::array{"order.*"}}}, 422, "url"},
      {bj::object{{"url", "http://10.1.2.3/hook"}, {"event_types", bj::array{"order.*"}}}, 422, "url"},
      {bj::object{{"url", "http://169.254.169.254/"}, {"event_types", bj::array{"order.*"}}}, 422, "url"},
      {bj::object{{"url", "http://[fd00:ec2::254]/"}, {"event_types", bj::array{"order.*"}}}, 422, "url"},
      {bj::object{{"url", "https://u:p@hooks.example.com/"}, {"event_types", bj::array{"order.*"}}}, 422, "url"},
      {bj::object{{"event_types", bj::array{"order.*"}}}, 422, "url"},
      {bj::object{{"url", "https://hooks.example.com/"}, {"event_types", bj::array{}}}, 422, "event_types"},
      {bj::object{{"url", "https://hooks.example.com/"}, {"event_types", bj::array{"bill.issued"}}}, 422,
       "event_types[0]"},
      {bj::object{{"url", "https://hooks.example.com/"}, {"event_types", bj::array{"order.*", "nope.*"}}}, 422,
       "event_types[1]"},
      {bj::object{{"url", "https://hooks.example.com/"}, {"event_types", bj::array{7}}}, 400, nullptr},
      {bj::object{{"url", 5}, {"event_types", bj::array{"order.*"}}}, 400, nullptr},
  };
  for (auto const& c : cases) {
    auto r = t.post(s.hooks(), c.body, s.owner.token);
    INFO(bj::serialize(c.body) << " -> " << r.body);
    CHECK(r.status == c.status);
    CHECK(r.header("Content-Type") == "application/problem+json");
    if (c.field) {
      bool named = false;
      for (auto const& e : r.json.at("errors").as_array()) named |= e.at("field") == c.field;
      CHECK(named);
    }
  }
  auto bad_json = t.call("POST", s.hooks(), std::nullopt, s.owner.token);
  CHECK(bad_json.status == 400);
  CHECK(t.get(s.hooks(), s.owner.token).json.at("items").as_array().empty());

  auto ok = register_endpoint(s.hooks(), s.owner.token, "https://hooks.example.com/");
  REQUIRE(ok.status == 201);
  auto id = ok.id();
  CHECK(t.patch(s.hook(id), {{"url", "http://192.168.0.10/"}}, s.owner.token).status == 422);
  CHECK(t.patch(s.hook(id), {{"event_types", bj::array{"bill.*"}}}, s.owner.token).status == 422);
  CHECK(t.patch(s.hook(id), {{"enabled", "yes"}}, s.owner.token).status == 400);
  CHECK(t.post(s.hook(id) + "/rotate-secret", {{"overlap_seconds", -1}}, s.owner.token).status == 422);
  CHECK(t.post(s.hook(id) + "/rotate-secret", {{"overlap_seconds", 8 * 24 * 3600}}, s.owner.token).status == 422);
  CHECK(t.get(s.hook(id) + "/deliveries?status=lost", s.owner.token).status == 422);
  auto unchanged = t.get(s.hook(id), s.owner.token);
  CHECK(unchanged.json.at("url") == "https://hooks.example.com/");
}

TEST_CASE("who may manage a merchant's webhooks", "[webhooks][access]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto other = t.merchant(s.c, "bakery");  // another merchant of the same community
  auto resident = t.resident(s.c);
  auto courier = t.courier(s.c);
  auto foreign = t.community();
  auto url = std::string("https://hooks.example.com/x");

  auto mine = register_endpoint(s.hooks(), s.owner.token, url);
  REQUIRE(mine.status == 201);
  auto theirs = register_endpoint(merchant_hooks(s.c, other.second), other.first.token, url);
  REQUIRE(theirs.status == 201);

  // Residents, couriers and the community's managers are not the merchant: 403.
  for (auto const* who : {&resident, &courier, &s.c.manager}) {
    CHECK(t.get(s.hooks(), who->token).status == 403);
    CHECK(register_endpoint(s.hooks(), who->token, url).status == 403);
  }
  // Another merchant cannot use this merchant's path (403), and this merchant's endpoint is
  // not found under its own path (404).
  CHECK(t.get(s.hooks(), other.first.token).status == 403);
  CHECK(t.get(s.hook(mine.id()), other.first.token).status == 403);
  auto their_path = merchant_hooks(s.c, other.second) + "/" + std::to_string(mine.id());
  CHECK(t.get(their_path, other.first.token).status == 404);
  CHECK(t.del(their_path, other.first.token).status == 404);
  CHECK(t.post(their_path + "/rotate-secret", bj::object{}, other.first.token).status == 404);
  CHECK(t.get(s.hook(theirs.id()), s.owner.token).status == 404);
  CHECK(t.get(s.hooks(), s.owner.token).json.at("items").as_array().size() == 1);

  // Another community's members: 404 (the community is not revealed).
  CHECK(t.get(s.hooks(), foreign.manager.token).status == 404);
  CHECK(register_endpoint(s.hooks(), foreign.manager.token, url).status == 404);
  auto foreign_shop = t.merchant(foreign);
  CHECK(t.get(merchant_hooks(s.c, foreign_shop.second), s.owner.token).status == 403);
  CHECK(t.get(merchant_hooks(foreign, s.mid), s.owner.token).status == 404);
  // An admin reaching for a merchant that is not the community's: 404.
  CHECK(t.get(merchant_hooks(foreign, s.mid), t.admin().token).status == 404);
  CHECK(t.get(s.hooks(), t.admin().token).status == 200);

  // The merchant's staff (an account acting for it that is not its owner): 403.
  auto staff = t.account("staff");
  courtyard::db::transact(t.app().db(), nullptr, [&](courtyard::db::Tx& tx) {
    courtyard::identity::grant_role(tx, staff.account_id, s.c.id, Role::Merchant, 0, s.mid);
  });
  CHECK(t.get(s.hooks(), staff.token).status == 403);
  CHECK(register_endpoint(s.hooks(), staff.token, url).status == 403);
  CHECK(t.del(s.hook(mine.id()), staff.token).status == 403);

  // An API key of the merchant with the webhooks scope manages them; without it, 403.
  auto key = [&](bj::array scopes) {
    auto r = t.post(s.merchant_base() + "/api-keys", {{"name", t.unique("key")}, {"scopes", scopes}}, s.owner.token);
    REQUIRE(r.status == 201);
    return std::string(r.json.at("key").as_string());
  };
  auto hooks_key = key({"webhooks"});
  auto orders_key = key({"orders:read"});
  auto by_key = register_endpoint(s.hooks(), hooks_key, url);
  CHECK(by_key.status == 201);
  CHECK(t.get(s.hooks(), hooks_key).json.at("items").as_array().size() == 2);
  CHECK(t.get(s.hooks(), orders_key).status == 403);
  CHECK(register_endpoint(s.hooks(), orders_key, url).status == 403);
  // A key of this merchant cannot reach another merchant's endpoints.
  CHECK(t.get(merchant_hooks(s.c, other.second), hooks_key).status == 403);
  // Nor the community's.
  CHECK(t.get(s.c.base() + "/webhooks", hooks_key).status == 403);

  // Refused calls leave no audit entry behind.
  auto audit = t.get(s.c.base() + "/audit?limit=200", s.c.manager.token);
  REQUIRE(audit.status == 200);
  int creates = 0;
  for (auto const& e : audit.json.at("items").as_array())
    if (e.at("action") == "POST /v1/communities/{cid}/merchants/{mid}/webhooks") ++creates;
  CHECK(creates == 3);  // mine, theirs, by key
}

TEST_CASE("managers register the community's endpoints for the property side", "[webhooks][access]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto resident = t.resident(s.c);
  auto foreign = t.community();
  auto hooks = s.c.base() + "/webhooks";

  auto created = register_endpoint(hooks, s.c.manager.token, "https://ops.example.com/hooks", {"bill.*", "parcel.logged"});
  INFO(created.body);
  REQUIRE(created.status == 201);
  CHECK(created.json.at("merchant_id").is_null());
  CHECK(created.header("Location") == hooks + "/" + std::to_string(created.id()));
  CHECK(register_endpoint(hooks, s.c.manager.token, "https://ops.example.com/hooks", {"order.placed"}).status == 422);

  CHECK(t.get(hooks, resident.token).status == 403);
  CHECK(t.get(hooks, s.owner.token).status == 403);
  CHECK(register_endpoint(hooks, s.owner.token, "https://x.example.com/", {"bill.*"}).status == 403);
  CHECK(t.get(hooks, foreign.manager.token).status == 404);
  CHECK(t.get(foreign.base() + "/webhooks/" + std::to_string(created.id()), foreign.manager.token).status == 404);
  // The community's endpoints are not a merchant's.
  CHECK(t.get(s.hook(created.id()), s.owner.token).status == 404);

  auto list = t.get(hooks, s.c.manager.token);
  REQUIRE(list.status == 200);
  CHECK(list.json.at("items").as_array().size() == 1);
  CHECK(t.del(hooks + "/" + std::to_string(created.id()), s.c.manager.token).status == 204);
}

TEST_CASE("the access walk over every webhooks route", "[webhooks][access]") {
  courtyard::test::walk_access(TestApp::get(), "webhooks");
}
