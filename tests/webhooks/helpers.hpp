#pragma once
// Fixtures for the webhooks tests: a community with an approved merchant, a product and a
// topped-up buyer; endpoint registration; orders placed through the API.
#include "tests/support/test_app.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <string>

namespace webhooks_test {

namespace bj = boost::json;
using courtyard::test::Actor;
using courtyard::test::Community;
using courtyard::test::Result;
using courtyard::test::TestApp;

struct Shop {
  Community c;
  Actor owner;
  std::int64_t mid = 0;
  std::int64_t product = 0;
  Actor buyer;
  std::string merchant_base() const { return c.base() + "/merchants/" + std::to_string(mid); }
  std::string hooks() const { return merchant_base() + "/webhooks"; }
  std::string hook(std::int64_t id) const { return hooks() + "/" + std::to_string(id); }
};

inline Shop shop() {
  auto& t = TestApp::get();
  Shop s;
  s.c = t.community();
  auto [owner, mid] = t.merchant(s.c);
  s.owner = owner;
  s.mid = mid;
  auto p = t.post(s.merchant_base() + "/products", {{"name", "Bread"}, {"price_cents", 250}, {"stock", 1000}},
                  s.owner.token);
  REQUIRE(p.status == 201);
  s.product = p.id();
  s.buyer = t.resident(s.c, 1);
  t.top_up(s.c, s.buyer, 1'000'000);
  return s;
}

// Registers an endpoint; returns the answer (201 with the secret).
inline Result register_endpoint(std::string const& collection, std::string const& token, std::string const& url,
                                bj::array types = {"order.*"}) {
  return TestApp::get().post(collection, {{"url", url}, {"event_types", types}, {"description", "test receiver"}},
                             token);
}

// Places a pickup order for one loaf; returns the order id.
inline std::int64_t place_order(Shop const& s) {
  auto& t = TestApp::get();
  bj::array items{bj::object{{"product_id", s.product}, {"quantity", 1}}};
  auto r = t.post(s.c.base() + "/orders", {{"merchant_id", s.mid}, {"items", items}, {"fulfilment", "pickup"}},
                  s.buyer.token, {{"Idempotency-Key", t.unique("order")}});
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.id();
}

}  // namespace webhooks_test
