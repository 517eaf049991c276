#pragma once
// Fixtures for the recommendations tests: the shops tests' shop with products, residents who
// buy through the real checkout and pickup redemption (so order.completed comes from shops),
// and reads.
#include "tests/shops/support.hpp"
#include "tests/support/prelude.hpp"

#include <algorithm>

namespace recs_test {

using namespace courtyard::test::prelude;

using shops_test::Shop;
using shops_test::shop_in;

inline std::int64_t product(Shop const& s, std::string const& name, std::int64_t price = 100) {
  return shops_test::product(s, name, price, 100'000);
}

inline Actor resident(Community const& c, std::size_t unit = 0) {
  auto& t = TestApp::get();
  auto a = t.resident(c, unit);
  t.top_up(c, a, 1'000'000);
  return a;
}

// Places a pickup order for one of each product and has the merchant redeem it: the order
// completes. Returns the order id.
inline std::int64_t buy(Shop const& s, Actor const& who, std::vector<std::int64_t> const& products) {
  std::vector<std::pair<std::int64_t, std::int64_t>> items;
  for (auto p : products) items.emplace_back(p, 1);
  return shops_test::completed_order(s, who, std::move(items));
}

inline std::vector<std::int64_t> ids(bj::value const& list) {
  std::vector<std::int64_t> out;
  for (auto const& v : list.as_array()) out.push_back(v.at("product_id").as_int64());
  return out;
}

inline bool has(std::vector<std::int64_t> const& v, std::int64_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }

inline bj::object mine(Community const& c, Actor const& who) {
  auto r = TestApp::get().get("/v1/me/recommendations?community_id=" + std::to_string(c.id), who.token);
  INFO(r.body);
  REQUIRE(r.status == 200);
  return r.json.as_object();
}

inline std::vector<std::int64_t> also_bought(Community const& c, Actor const& who, std::int64_t pid) {
  auto r = TestApp::get().get(c.base() + "/products/" + std::to_string(pid) + "/recommendations", who.token);
  INFO(r.body);
  REQUIRE(r.status == 200);
  return ids(r.json.at("neighbours_also_bought"));
}

// PUT /v1/me/consents without asserting: for worker threads (Catch's assertions are not
// thread-safe), whose callers check the answers after joining them.
inline courtyard::test::Result put_consent(Actor const& who, bool recommendations) {
  return TestApp::get().call("PUT", "/v1/me/consents", bj::value(bj::object{{"recommendations", recommendations}}),
                             who.token);
}

inline void set_consent(Actor const& who, bool recommendations) {
  auto r = put_consent(who, recommendations);
  INFO(r.body);
  REQUIRE(r.status == 200);
}

}  // namespace recs_test
