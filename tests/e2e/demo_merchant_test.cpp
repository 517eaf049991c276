// --demo includes a merchant from outside the community (issue 13): Olive applied without
// living there, was approved, and added Sam as staff (orders and redemptions only).
#include "tests/e2e/http_client.hpp"
#include "tests/e2e/server_process.hpp"
#include "tests/e2e/session.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace courtyard::e2e;
namespace bj = boost::json;

TEST_CASE("e2e: the demo's outside merchant and its staff", "[e2e][demo][merchants]") {
  ServerProcess server({"--demo"});
  auto port = server.port();
  auto olive = demo_login(port, "olive@demo.courtyard.local");
  auto sam = demo_login(port, "sam@demo.courtyard.local");

  auto roles = fetch(port, "GET", "/v1/me", {}, bearer(olive)).json().at("roles").as_array();
  std::int64_t cid = 0, mid = 0;
  for (auto const& r : roles) {
    CHECK(r.at("role").as_string() != "resident");  // not a resident anywhere
    if (r.at("role").as_string() == "merchant") {
      CHECK(r.at("merchant_role").as_string() == "owner");
      cid = r.at("community_id").as_int64();
      mid = r.at("merchant_id").as_int64();
    }
  }
  REQUIRE(mid > 0);
  std::string base = "/v1/communities/" + std::to_string(cid) + "/merchants/" + std::to_string(mid);
  auto shop = fetch(port, "GET", base, {}, bearer(olive)).json();
  CHECK(shop.at("status").as_string() == "approved");
  CHECK(shop.at("service_area").is_object());
  CHECK(shop.at("opening_hours").at("mon").as_array().size() == 1);

  auto sam_roles = fetch(port, "GET", "/v1/me", {}, bearer(sam)).json().at("roles").as_array();
  REQUIRE(sam_roles.size() == 1);
  CHECK(sam_roles.at(0).at("merchant_role").as_string() == "staff");
  CHECK(fetch(port, "GET", base + "/orders", {}, bearer(sam)).status == 200);
  CHECK(fetch(port, "GET", base + "/api-keys", {}, bearer(sam)).status == 403);
  auto staff = fetch(port, "GET", base + "/staff", {}, bearer(olive));
  REQUIRE(staff.status == 200);
  CHECK(staff.json().at("items").as_array().size() == 2);
}
