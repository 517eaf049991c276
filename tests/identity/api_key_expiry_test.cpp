// API keys (issue 13, item 6): an optional expiry (past it the key answers 401) and the
// last-used time, recorded at most once a minute per key.
#include "tests/identity/api_keys.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace courtyard;
using test::TestApp;
namespace bj = boost::json;
using namespace api_keys_test;

namespace {

bj::object key_in_list(TestApp& t, std::string const& path, std::string const& token, std::int64_t id) {
  auto r = t.get(path, token);
  REQUIRE(r.status == 200);
  for (auto const& k : r.json.at("items").as_array())
    if (k.at("id").as_int64() == id) return k.as_object();
  FAIL("key " << id << " not listed");
  return {};
}

}  // namespace

TEST_CASE_METHOD(MerchantKeys, "API keys: an expiry, after which the key answers 401", "[identity][api-keys][expiry]") {
  auto in = [](std::int64_t ms) { return json::rfc3339(db::now_ms() + ms); };
  CHECK(t.post(path, {{"name", "old"}, {"scopes", bj::array{"orders:read"}}, {"expires_at", in(-1000)}}, owner.token).status ==
        422);
  CHECK(t.post(path, {{"name", "bad"}, {"scopes", bj::array{"orders:read"}}, {"expires_at", "tomorrow"}}, owner.token).status ==
        422);
  CHECK(t.post(path, {{"name", "num"}, {"scopes", bj::array{"orders:read"}}, {"expires_at", 5}}, owner.token).status == 400);

  auto created = t.post(path, {{"name", "till"}, {"scopes", bj::array{"orders:read"}}, {"expires_at", in(10 * 60'000)}},
                        owner.token);
  REQUIRE(created.status == 201);
  CHECK(created.json.at("expires_at").is_string());
  auto key = std::string(created.json.at("key").as_string());
  auto forever = t.post(path, {{"name", "forever"}, {"scopes", bj::array{"orders:read"}}}, owner.token);
  REQUIRE(forever.status == 201);
  CHECK(forever.json.at("expires_at").is_null());
  auto forever_key = std::string(forever.json.at("key").as_string());

  REQUIRE(identity::authenticate(t.app().db(), key).has_value());
  // Authenticated, but /v1/me is no route for keys: 403, not 401.
  CHECK(t.get("/v1/me", key).status == 403);

  t.advance_clock_ms(11 * 60'000);
  CHECK_FALSE(identity::authenticate(t.app().db(), key).has_value());
  auto expired = t.get("/v1/me", key);
  CHECK(expired.status == 401);
  CHECK(identity::authenticate(t.app().db(), forever_key).has_value());
  // An expired key stays listed, with its expiry, until it is revoked.
  CHECK(key_in_list(t, path, owner.token, created.id()).at("expires_at").as_string() ==
        created.json.at("expires_at").as_string());
}

TEST_CASE_METHOD(MerchantKeys, "API keys: last use, written at most once a minute", "[identity][api-keys][last-used]") {
  auto created = t.post(path, {{"name", "POS"}, {"scopes", bj::array{"orders:read"}}}, owner.token);
  REQUIRE(created.status == 201);
  auto key = std::string(created.json.at("key").as_string());
  auto id = created.id();
  CHECK(key_in_list(t, path, owner.token, id).at("last_used_at").is_null());

  auto used_at = [&] {
    return db::read(t.app().db(), [&](soci::session& s) {
      long long v = 0;
      soci::indicator ind = soci::i_null;
      s << "SELECT last_used_at FROM api_key_usage WHERE key_id = :id", soci::into(v, ind), soci::use(id);
      return ind == soci::i_null ? std::int64_t(0) : std::int64_t(v);
    });
  };

  REQUIRE(identity::authenticate(t.app().db(), key).has_value());
  auto first = used_at();
  CHECK(first > 0);
  CHECK(key_in_list(t, path, owner.token, id).at("last_used_at").as_string() == json::rfc3339(first));
  // Within the minute: many requests, no new write.
  for (int i = 0; i < 20; ++i) REQUIRE(identity::authenticate(t.app().db(), key).has_value());
  t.advance_clock_ms(30'000);
  REQUIRE(identity::authenticate(t.app().db(), key).has_value());
  CHECK(used_at() == first);
  // A minute on: written again.
  t.advance_clock_ms(31'000);
  REQUIRE(identity::authenticate(t.app().db(), key).has_value());
  CHECK(used_at() > first);
  // Unknown or revoked keys write nothing.
  REQUIRE(t.del(path + "/" + std::to_string(id), owner.token).status == 204);
  auto before = used_at();
  t.advance_clock_ms(61'000);
  CHECK_FALSE(identity::authenticate(t.app().db(), key).has_value());
  CHECK(used_at() == before);
}
