// The product's loop through the real binary with --demo data: an online pickup order paid
// from the wallet, fulfilled offline by the merchant redeeming the resident's code, then
// reviewed; the resident is notified through the outbox dispatcher running in the server.
#include "tests/e2e/http_client.hpp"
#include "tests/e2e/server_process.hpp"
#include "tests/e2e/session.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

using namespace courtyard::e2e;
namespace bj = boost::json;

TEST_CASE("e2e: demo data and the order -> redemption -> review loop", "[e2e][demo]") {
  ServerProcess server({"--demo"});
  auto port = server.port();
  auto alice = demo_login(port, "alice@demo.courtyard.local");
  auto carol = demo_login(port, "carol@demo.courtyard.local");

  auto me = fetch(port, "GET", "/v1/me", {}, bearer(carol)).json();
  std::int64_t cid = 0, mid = 0;
  for (auto const& r : me.at("roles").as_array())
    if (r.at("role").as_string() == "merchant") {
      cid = r.at("community_id").as_int64();
      mid = r.at("merchant_id").as_int64();
    }
  REQUIRE(mid > 0);
  std::string base = "/v1/communities/" + std::to_string(cid);

  auto products = fetch(port, "GET", base + "/merchants/" + std::to_string(mid) + "/products", {}, bearer(alice));
  REQUIRE(products.status == 200);
  auto const products_json = products.json();
  auto const& items = products_json.at("items").as_array();
  REQUIRE(items.size() == 3);
  auto pid = items.at(0).at("id").as_int64();
  auto price = items.at(0).at("price_cents").as_int64();

  // The demo seeds weeks of order history (analytics): compare with what was there before.
  std::string const merchant_path = base + "/merchants/" + std::to_string(mid);
  std::string const wallet_path = "/v1/me/wallet?community_id=" + std::to_string(cid);
  auto const reviews_before = fetch(port, "GET", merchant_path, {}, bearer(alice)).json().at("rating").at("count").as_int64();
  auto const balance_before = fetch(port, "GET", wallet_path, {}, bearer(alice)).json().at("balance_cents").as_int64();

  auto order_body = bj::serialize(bj::object{{"merchant_id", mid},
                                             {"items", bj::array{bj::object{{"product_id", pid}, {"quantity", 2}}}},
                                             {"fulfilment", "pickup"}});
  auto order = fetch(port, "POST", base + "/orders", order_body, bearer(alice, {{"Idempotency-Key", "e2e-order-1"}}));
  REQUIRE(order.status == 201);
  auto o = order.json();
  CHECK(o.at("total_cents").as_int64() == 2 * price);
  auto oid = o.at("id").as_int64();
  std::string code(o.at("redemption_code").as_string());
  // A retry with the same key is the same order, not a second one.
  auto replay = fetch(port, "POST", base + "/orders", order_body, bearer(alice, {{"Idempotency-Key", "e2e-order-1"}}));
  CHECK(replay.status == 201);
  CHECK(replay.body == order.body);

  std::string order_path = base + "/orders/" + std::to_string(oid);
  CHECK(fetch(port, "POST", order_path + "/accept", {}, bearer(carol)).status == 200);
  CHECK(fetch(port, "POST", order_path + "/ready", {}, bearer(carol)).status == 200);
  auto redeem = fetch(port, "POST", base + "/merchants/" + std::to_string(mid) + "/redemptions",
                      bj::serialize(bj::object{{"code", code}}), bearer(carol));
  REQUIRE(redeem.status == 200);
  CHECK(redeem.json().at("status").as_string() == "completed");
  CHECK(fetch(port, "POST", base + "/merchants/" + std::to_string(mid) + "/redemptions",
              bj::serialize(bj::object{{"code", code}}), bearer(carol))
            .status == 409);

  auto review = fetch(port, "POST", order_path + "/review",
                      bj::serialize(bj::object{{"rating", 5}, {"text", "Still warm."}}), bearer(alice));
  CHECK(review.status == 201);
  auto merchant = fetch(port, "GET", merchant_path, {}, bearer(alice)).json();
  CHECK(merchant.at("rating").at("count").as_int64() == reviews_before + 1);

  auto wallet = fetch(port, "GET", wallet_path, {}, bearer(alice)).json();
  CHECK(wallet.at("balance_cents").as_int64() == balance_before - 2 * price);

  // The server's own dispatcher turns order events into the buyer's notifications.
  bool notified = false;
  for (int i = 0; i < 50 && !notified; ++i) {
    auto n = fetch(port, "GET", "/v1/me/notifications", {}, bearer(alice)).json();
    notified = !n.at("items").as_array().empty();
    if (!notified) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(notified);
}
