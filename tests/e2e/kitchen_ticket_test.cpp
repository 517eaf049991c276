// The real binary with the kitchen plugin (plugins/examples/kitchen): a resident's order
// reaches the merchant's kitchen ticket with what was ordered, through the order.placed
// event alone (services/EVENTS.md: order events carry their items).
#include "tests/e2e/http_client.hpp"
#include "tests/e2e/server_process.hpp"
#include "tests/e2e/session.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

using namespace courtyard::e2e;
namespace bj = boost::json;

TEST_CASE("e2e: an order prints on the merchant's kitchen ticket with its lines", "[e2e][plugins][kitchen]") {
  ServerProcess server({"--demo", "--plugins", COURTYARD_E2E_KITCHEN_PLUGIN});
  auto port = server.port();
  auto alice = demo_login(port, "alice@demo.courtyard.local");
  auto carol = demo_login(port, "carol@demo.courtyard.local");
  std::int64_t cid = 0, mid = 0;
  auto const me = fetch(port, "GET", "/v1/me", {}, bearer(carol)).json();
  for (auto const& r : me.at("roles").as_array())
    if (r.at("role").as_string() == "merchant") {
      cid = r.at("community_id").as_int64();
      mid = r.at("merchant_id").as_int64();
    }
  REQUIRE(mid > 0);
  std::string merchant = "/v1/communities/" + std::to_string(cid) + "/merchants/" + std::to_string(mid);
  auto products = fetch(port, "GET", merchant + "/products", {}, bearer(alice)).json();
  auto const& catalogue = products.at("items").as_array();
  REQUIRE(catalogue.size() >= 2);
  std::string first(catalogue.at(0).at("name").as_string()), second(catalogue.at(1).at("name").as_string());

  auto body = bj::serialize(bj::object{
      {"merchant_id", mid},
      {"items", bj::array{bj::object{{"product_id", catalogue.at(0).at("id")}, {"quantity", 2}},
                          bj::object{{"product_id", catalogue.at(1).at("id")}, {"quantity", 1}}}},
      {"fulfilment", "pickup"}});
  auto order = fetch(port, "POST", "/v1/communities/" + std::to_string(cid) + "/orders", body,
                     bearer(alice, {{"Idempotency-Key", "e2e-kitchen-1"}}));
  REQUIRE(order.status == 201);
  auto oid = order.json().at("id").as_int64();

  // The plugin hears of it from the outbox, after the commit: wait for the ticket.
  bj::value ticket;
  for (int i = 0; i < 100 && ticket.is_null(); ++i) {
    auto feed = fetch(port, "GET", merchant + "/kitchen-tickets?format=json", {}, bearer(carol));
    REQUIRE(feed.status == 200);
    auto const tickets = feed.json();
    for (auto const& t : tickets.at("tickets").as_array())
      if (t.at("order_id").as_int64() == oid) ticket = t;
    if (ticket.is_null()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE(ticket.is_object());
  auto const& lines = ticket.at("items").as_array();
  REQUIRE(lines.size() == 2);
  CHECK(lines.at(0) == bj::value(bj::object{{"quantity", 2}, {"name", first}}));
  CHECK(lines.at(1) == bj::value(bj::object{{"quantity", 1}, {"name", second}}));
  std::string text(ticket.at("text").as_string());
  CHECK(text.find("  2 x " + first + "\n") != std::string::npos);
  CHECK(text.find("  1 x " + second + "\n") != std::string::npos);
  // The plain-text receipt a printer polls shows the same lines.
  auto receipt = fetch(port, "GET", merchant + "/kitchen-tickets", {}, bearer(carol));
  REQUIRE(receipt.status == 200);
  CHECK(receipt.body.find("  2 x " + first + "\n") != std::string::npos);
  // A resident is not the merchant.
  CHECK(fetch(port, "GET", merchant + "/kitchen-tickets", {}, bearer(alice)).status == 403);
}
