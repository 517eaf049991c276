// Large CSV reports leave the real binary as a chunked stream (issue 14: "streamed for large
// ranges"): the purchase-sale-stock CSV of a shop with more products than one page, read
// page by page, framed so that the connection carries the next request; HTTP/1.0 clients,
// which have no chunked coding, get the same bytes with a Content-Length.
#include "tests/e2e/fault_support.hpp"
#include "tests/e2e/http_client.hpp"
#include "tests/e2e/server_process.hpp"
#include "tests/support/text.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace courtyard::e2e;
using courtyard::test::lines_of;
namespace bj = boost::json;

TEST_CASE("e2e: a purchase-sale-stock CSV larger than a page is streamed chunked", "[e2e][operations][csv]") {
  ServerProcess server({"--rate-limit-rps", "0", "--access-log", "false"});  // 600 products are seeded
  auto port = server.port();
  SeedOptions o;
  o.residents = 1;
  o.products = 600;  // three pages of 250
  o.stock = 40;
  o.bill_periods = 0;
  auto s = seed_community(port, o);
  REQUIRE(s.product_ids.size() == 600);
  std::string report = s.base + "/merchants/" + std::to_string(s.merchant_id) + "/analytics/stock";
  HeaderList auth{{"Authorization", "Bearer " + s.merchant_owner_token}};

  auto json = fetch(port, "GET", report, {}, auth);
  REQUIRE(json.status == 200);
  auto const doc = json.json();
  auto const& items = doc.at("items").as_array();
  REQUIRE(items.size() == 600);
  CHECK(!json.header("content-length").empty());

  HttpConnection c(port);
  auto csv = c.request("GET", report + "?format=csv", {}, auth);
  INFO(csv.body.substr(0, 300));
  REQUIRE(csv.status == 200);
  CHECK(csv.header("transfer-encoding") == "chunked");
  CHECK(csv.header("content-length").empty());
  CHECK(csv.header("content-type").rfind("text/csv", 0) == 0);
  CHECK(csv.header("content-disposition") == "attachment; filename=\"purchase-sale-stock.csv\"");
  auto lines = lines_of(csv.body, "\r\n");
  REQUIRE(lines.size() == 601);
  CHECK(lines[0].rfind("product_id,name,category,opening,received,sold,returned,adjusted,adjustments,closing,", 0) == 0);
  std::set<std::int64_t> seen;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    auto pid = std::stoll(lines[i].substr(0, lines[i].find(',')));
    CHECK(seen.insert(pid).second);
    // The same figures as the JSON answer's row for that product, in the same order.
    auto const& row = items.at(i - 1).as_object();
    CHECK(pid == row.at("product_id").as_int64());
    CHECK(lines[i].find("," + std::to_string(row.at("closing").as_int64()) + ",") != std::string::npos);
  }
  CHECK(seen.size() == 600);
  // The chunked framing ended where it should: the connection carries the next request.
  auto after = c.request("GET", "/healthz");
  CHECK(after.status == 200);

  // HTTP/1.0 has no chunked coding: the same bytes, with a Content-Length.
  HttpConnection old(port);
  old.send("GET " + report + "?format=csv HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
           s.merchant_owner_token + "\r\n\r\n");
  auto whole = old.read();
  REQUIRE(whole.status == 200);
  CHECK(whole.header("transfer-encoding").empty());
  CHECK(whole.header("content-length") == std::to_string(csv.body.size()));
  CHECK(whole.body == csv.body);

  // A report that is not paged from the database streams from its rows the same way.
  auto sales = fetch(port, "GET",
                     s.base + "/merchants/" + std::to_string(s.merchant_id) + "/analytics/sales?format=csv", {}, auth);
  REQUIRE(sales.status == 200);
  CHECK(sales.header("transfer-encoding") == "chunked");
  CHECK(lines_of(sales.body, "\r\n").size() == 31);  // the header and the last 30 days

  // Errors are still decided before the first byte: a bad format is a 422 problem, whole.
  auto bad = fetch(port, "GET", report + "?format=xml", {}, auth);
  CHECK(bad.status == 422);
  CHECK(bad.header("content-type") == "application/problem+json");
  auto stranger = fetch(port, "GET", report + "?format=csv", {}, {{"Authorization", "Bearer " + s.residents.at(0).token}});
  CHECK(stranger.status == 403);
}
