#pragma once
// Fixtures for the webhooks tests: the shops tests' shop (a community with an approved
// merchant) with a product and a topped-up buyer; endpoint registration; orders placed
// through the API.
#include "tests/shops/support.hpp"
#include "tests/support/prelude.hpp"

namespace webhooks_test {

using namespace courtyard::test::prelude;

// The shops tests' shop with a product (a loaf) and a topped-up buyer.
struct Shop : shops_test::Shop {
  std::int64_t bread = 0;
  Actor buyer = {};
  std::string hooks() const { return merchant_base() + "/webhooks"; }
  std::string hook(std::int64_t id) const { return hooks() + "/" + std::to_string(id); }
};

inline Shop shop() {
  Shop s{shops_test::shop()};
  s.bread = shops_test::product(s, "Bread", 250, 1000);
  s.buyer = shops_test::buyer(s, 1'000'000, 1);
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
  auto r = shops_test::place(s, s.buyer, shops_test::order_body(s.mid, {{s.bread, 1}}), TestApp::get().unique("order"));
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.id();
}

}  // namespace webhooks_test
