#pragma once
// Fixtures for the recommendations tests: a shop with products, residents who buy through
// the real checkout and pickup redemption (so order.completed comes from shops), and reads.
#include "tests/support/test_app.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace recs_test {

namespace bj = boost::json;
using courtyard::test::Actor;
using courtyard::test::Community;
using courtyard::test::Result;
using courtyard::test::TestApp;

struct Shop {
  Community c;
  Actor owner;
  std::int64_t mid = 0;
  std::string base() const { return c.base() + "/merchants/" + std::to_string(mid); }
};

inline Shop shop_in(Community const& c) {
  auto& t = TestApp::get();
  auto [owner, mid] = t.merchant(c);
  return Shop{c, owner, mid};
}

inline std::int64_t product(Shop const& s, std::string const& name, std::int64_t price = 100) {
  auto& t = TestApp::get();
  auto r = t.post(s.base() + "/products", bj::object{{"name", name}, {"price_cents", price}, {"stock", 100000}},
                  s.owner.token);
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.id();
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
  auto& t = TestApp::get();
  bj::array items;
  for (auto p : products) items.push_back(bj::object{{"product_id", p}, {"quantity", 1}});
  auto r = t.post(s.c.base() + "/orders", bj::object{{"merchant_id", s.mid}, {"items", items}, {"fulfilment", "pickup"}},
                  who.token);
  INFO(r.body);
  REQUIRE(r.status == 201);
  auto code = std::string(r.json.at("redemption_code").as_string());
  REQUIRE(t.post(s.c.base() + "/orders/" + std::to_string(r.id()) + "/accept", bj::object{}, s.owner.token).status ==
          200);
  auto done = t.post(s.base() + "/redemptions", bj::object{{"code", code}}, s.owner.token);
  INFO(done.body);
  REQUIRE(done.status == 200);
  return r.id();
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

inline void set_consent(Actor const& who, bool recommendations) {
  auto r = TestApp::get().call("PUT", "/v1/me/consents", bj::value(bj::object{{"recommendations", recommendations}}),
                               who.token);
  INFO(r.body);
  REQUIRE(r.status == 200);
}

}  // namespace recs_test
