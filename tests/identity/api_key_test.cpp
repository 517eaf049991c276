#include "tests/identity/api_keys.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace courtyard;
using test::TestApp;
namespace bj = boost::json;
using namespace api_keys_test;

TEST_CASE_METHOD(MerchantKeys, "merchant API keys: create, authenticate with scopes, list, revoke",
                 "[identity][api-keys]") {
  auto me = t.get("/v1/me", owner.token);
  REQUIRE(me.status == 200);
  bool listed = false;
  for (auto const& r : me.json.at("roles").as_array())
    if (r.at("role").as_string() == "merchant") listed = r.at("merchant_id").as_int64() == mid;
  CHECK(listed);

  auto created =
      t.post(path, {{"name", "POS terminal"}, {"scopes", {"orders:read", "orders:write", "orders:read"}}},
             owner.token);
  REQUIRE(created.status == 201);
  auto key = std::string(created.json.at("key").as_string());
  CHECK(key.rfind("ck_", 0) == 0);
  CHECK(key.size() == 3 + 64);
  CHECK(created.json.at("prefix").as_string() == key.substr(0, 11));
  CHECK(created.json.at("scopes").as_array().size() == 2);
  CHECK(created.header("Location") == path + "/" + std::to_string(created.id()));

  auto p = identity::authenticate(t.app().db(), key);
  REQUIRE(p.has_value());
  CHECK(p->kind == Principal::Kind::ApiKey);
  CHECK_FALSE(p->admin);
  CHECK(p->has_scope("orders:write"));
  CHECK_FALSE(p->has_scope("products:write"));
  CHECK(p->acts_for_merchant(c.id, mid));
  CHECK(p->has(Role::Merchant, c.id));
  CHECK_FALSE(p->has(Role::Resident, c.id));  // the owner's other roles do not carry over

  // A key is a credential: accepted by the gateway, but only on routes that name a scope.
  CHECK(t.get("/v1/me", key).status == 403);
  CHECK(t.get(c.base(), key).status == 403);
  CHECK(t.post(path, {{"name", "minted by a key"}, {"scopes", {"orders:read"}}}, key).status == 403);

  auto list = t.get(path, owner.token);
  REQUIRE(list.status == 200);
  REQUIRE(list.json.at("items").as_array().size() == 1);
  auto const& item = list.json.at("items").at(0).as_object();
  CHECK(item.at("id").as_int64() == created.id());
  CHECK_FALSE(item.contains("key"));
  CHECK(list.body.find(key) == std::string::npos);
  CHECK(list.body.find(key.substr(11)) == std::string::npos);

  auto kid = std::to_string(created.id());
  CHECK(t.del(path + "/" + kid, owner.token).status == 204);
  CHECK_FALSE(identity::authenticate(t.app().db(), key).has_value());
  CHECK(t.get("/v1/me", key).status == 401);
  CHECK(t.del(path + "/" + kid, owner.token).status == 404);
  CHECK(t.get(path, owner.token).json.at("items").as_array().empty());
}

TEST_CASE("merchant API keys: who may manage them", "[identity][api-keys][access]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto other = t.community();
  auto owner = t.resident(c);
  auto mid = make_merchant(t, c, owner);
  auto rival = t.resident(c);
  auto rival_mid = make_merchant(t, c, rival);
  auto foreign_owner = t.resident(other);
  auto foreign_mid = make_merchant(t, other, foreign_owner);

  auto created = t.post(keys_path(c, mid), {{"name", "k"}, {"scopes", {"orders:read"}}}, owner.token);
  REQUIRE(created.status == 201);
  auto kid = std::to_string(created.id());

  // Another merchant of the same community.
  CHECK(t.get(keys_path(c, mid), rival.token).status == 403);
  CHECK(t.post(keys_path(c, mid), {{"name", "k"}, {"scopes", {"orders:read"}}}, rival.token).status == 403);
  CHECK(t.del(keys_path(c, mid) + "/" + kid, rival.token).status == 403);
  // Its own merchant id does not reach our keys.
  CHECK(t.del(keys_path(c, rival_mid) + "/" + kid, rival.token).status == 404);
  // Not a merchant, or not of this community.
  CHECK(t.get(keys_path(c, mid), c.manager.token).status == 403);
  CHECK(t.get(keys_path(c, mid), t.resident(c).token).status == 403);
  CHECK(t.get(keys_path(c, mid), foreign_owner.token).status == 404);
  CHECK(t.del(keys_path(other, foreign_mid) + "/" + kid, foreign_owner.token).status == 404);
  CHECK(t.get(keys_path(c, mid)).status == 401);
  // Admins may, but only for merchants that exist.
  CHECK(t.get(keys_path(c, mid), t.admin().token).status == 200);
  CHECK(t.post(keys_path(c, 999999999), {{"name", "k"}, {"scopes", {"orders:read"}}}, t.admin().token).status == 404);

  CHECK(identity::authenticate(t.app().db(), std::string(created.json.at("key").as_string())).has_value());
}

TEST_CASE_METHOD(MerchantKeys, "merchant API keys: validation", "[identity][api-keys][errors]") {
  CHECK(t.post(path, {{"name", "k"}, {"scopes", bj::array{}}}, owner.token).status == 422);
  auto bad = t.post(path, {{"name", "k"}, {"scopes", {"orders:read", "Bad Scope"}}}, owner.token);
  CHECK(bad.status == 422);
  CHECK(bad.json.at("errors").at(0).at("field").as_string() == "scopes[1]");
  CHECK(t.post(path, {{"name", "k"}, {"scopes", "orders:read"}}, owner.token).status == 400);
  CHECK(t.post(path, {{"name", "k"}, {"scopes", {1, 2}}}, owner.token).status == 400);
  auto missing = t.post(path, bj::object{}, owner.token);
  CHECK(missing.status == 422);
  CHECK(missing.json.at("errors").as_array().size() == 2);
  bj::array many;
  for (int i = 0; i < 33; ++i) many.emplace_back("scope:" + std::string(1, char('a' + i % 26)) + std::to_string(i));
  CHECK(t.post(path, {{"name", "k"}, {"scopes", many}}, owner.token).status == 422);
}
