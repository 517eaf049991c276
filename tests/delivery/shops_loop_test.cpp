// The closed loop through the real shops service: a delivery order made ready becomes a
// task; delivering it with the resident's code completes the order.
#include "tests/delivery/helpers.hpp"

using namespace courtyard;
using namespace courtyard::test;
using namespace courtyard::test::delivery;

TEST_CASE("shops order -> delivery task -> delivered -> order completed", "[delivery][shops][e2e]") {
  auto& t = TestApp::get();
  auto const& enabled = t.app().services();
  if (std::none_of(enabled.begin(), enabled.end(), [](auto const& s) { return s->name() == "shops"; })) {
    WARN("shops is not linked: end-to-end loop skipped");
    return;
  }
  auto c = t.community();
  auto [owner, mid] = t.merchant(c);
  auto buyer = t.resident(c, 1);
  auto courier = t.courier(c);
  t.top_up(c, buyer, 10'000);
  auto shop = c.base() + "/merchants/" + std::to_string(mid);
  auto product = t.post(shop + "/products", {{"name", "Bread"}, {"price_cents", 350}, {"stock", 10}}, owner.token);
  REQUIRE(product.status == 201);
  auto order = t.post(c.base() + "/orders",
                      {{"merchant_id", mid},
                       {"items", bj::array{bj::object{{"product_id", product.id()}, {"quantity", 2}}}},
                       {"fulfilment", "delivery"}},
                      buyer.token, {{"Idempotency-Key", t.unique("order")}});
  REQUIRE(order.status == 201);
  auto oid = order.id();
  auto opath = c.base() + "/orders/" + std::to_string(oid);
  REQUIRE(t.post(opath + "/accept", bj::object{}, owner.token).status == 200);
  REQUIRE(t.post(opath + "/ready", bj::object{}, owner.token).status == 200);
  t.drain_events();

  auto task = task_of_order(t, buyer, oid);
  CHECK(task.at("status") == "pending");
  CHECK(task.at("merchant_id").as_int64() == mid);
  CHECK(task.at("unit_id").as_int64() == c.unit_ids[1]);
  auto path = task_path(c, task.at("id").as_int64());
  REQUIRE(t.post(path + "/claim", bj::object{}, courier.token).status == 200);
  REQUIRE(t.post(path + "/pick-up", bj::object{}, courier.token).status == 200);
  REQUIRE(t.post(path + "/deliver", {{"proof_code", task.at("proof_code")}}, courier.token).status == 200);
  t.drain_events();

  auto done = t.get(opath, buyer.token);
  REQUIRE(done.status == 200);
  CHECK(done.json.at("status") == "completed");
}
