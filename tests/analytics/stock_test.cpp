// Purchase-sale-stock: reconciles exactly with shops' stock-movement ledger for random
// histories over several local days; low-stock thresholds alert once per dip.
#include "tests/analytics/helpers.hpp"

#include <random>

using namespace analytics_test;
using soci::use;

namespace {

// The ledger's own sum for the product before a UTC instant.
std::int64_t ledger_before(std::int64_t pid, std::int64_t at) {
  return scalar("SELECT COALESCE(SUM(delta), 0) FROM stock_movements WHERE product_id = :p AND at < :t",
                use(pid, "p"), use(at, "t"));
}

std::int64_t day_start(std::int64_t day) {
  return courtyard::http::TimeZone::named("Europe/Berlin")->day_start(day);
}

std::int64_t count_events(Shop const& s, std::string const& topic) {
  return scalar("SELECT COUNT(*) FROM events WHERE community_id = :c AND topic = :t", use(s.c.id, "c"),
                use(topic, "t"));
}

}  // namespace

TEST_CASE("purchase-sale-stock reconciles with the ledger for random histories", "[stock][reconcile]") {
  auto& t = TestApp::get();
  auto s = shop();
  std::mt19937 rng(20261202);
  std::vector<std::int64_t> products{product(s, "Rice", 300, 40), product(s, "Oil", 900, 15)};
  auto a = buyer(s, 10'000'000);
  std::int64_t first = today();
  std::vector<std::int64_t> open_orders;
  for (int step = 0; step < 24; ++step) {
    auto pid = products[rng() % products.size()];
    switch (rng() % 6) {
      case 0: move_stock(s, pid, 1 + rng() % 20, "purchase"); break;
      case 1: move_stock(s, pid, 1 + rng() % 3, "return"); break;
      case 2: move_stock(s, pid, 1 + rng() % 4, "adjustment"); break;
      case 3: {
        auto r = t.post(s.product(pid) + "/stock", bj::object{{"delta", -1}, {"reason", "adjustment"}}, s.owner.token);
        CHECK((r.status == 201 || r.status == 409));  // 409 when the stock is 0
        break;
      }
      case 4: {
        auto body = bj::object{{"merchant_id", s.mid},
                               {"items", bj::array{bj::object{{"product_id", pid}, {"quantity", 1 + rng() % 3}}}},
                               {"fulfilment", "pickup"}};
        auto r = t.post(s.c.base() + "/orders", body, a.token);
        if (r.status == 201) open_orders.push_back(r.id());
        else CHECK(r.status == 409);
        break;
      }
      case 5:
        if (!open_orders.empty()) {
          cancel(s, a, open_orders.back());
          open_orders.pop_back();
        }
        break;
    }
    t.advance_clock_ms((2 + rng() % 14) * 3'600'000);
  }
  t.drain_events();
  std::int64_t last = today();
  REQUIRE(last > first);

  for (int trial = 0; trial < 12; ++trial) {
    std::int64_t from = first - 1 + static_cast<std::int64_t>(rng() % (last - first + 3));
    std::int64_t to = from + static_cast<std::int64_t>(rng() % (last + 2 - from));
    auto r = ok(s.report("stock") + range(from, to), s.owner.token);
    REQUIRE(r.at("items").as_array().size() == products.size());
    std::int64_t total_closing = 0;
    for (auto const& v : r.at("items").as_array()) {
      auto const& l = v.as_object();
      std::int64_t pid = l.at("product_id").as_int64();
      INFO("product " << pid << " " << date(from) << ".." << date(to));
      CHECK(l.at("opening").as_int64() == ledger_before(pid, day_start(from)));
      CHECK(l.at("closing").as_int64() == ledger_before(pid, day_start(to + 1)));
      CHECK(l.at("opening").as_int64() + l.at("received").as_int64() - l.at("sold").as_int64() +
                l.at("returned").as_int64() + l.at("adjusted").as_int64() ==
            l.at("closing").as_int64());
      std::int64_t by_reason = 0;
      for (auto const& [k, n] : l.at("adjustments").as_object()) by_reason += n.as_int64();
      CHECK(by_reason == l.at("adjusted").as_int64());
      total_closing += l.at("closing").as_int64();
    }
    CHECK(r.at("totals").at("closing").as_int64() == total_closing);
  }
  // Up to today, closing is the stock now.
  auto now = ok(s.report("stock") + range(first, last) + "&product_id=" + std::to_string(products[0]), s.owner.token);
  REQUIRE(now.at("items").as_array().size() == 1);
  CHECK(now.at("items").at(0).at("closing").as_int64() ==
        scalar("SELECT stock FROM products WHERE id = :p", use(products[0], "p")));

  auto csv = get(s.report("stock") + range(first, last) + "&format=csv", s.owner.token);
  REQUIRE(csv.status == 200);
  CHECK(csv.streamed);
  CHECK(csv.body.rfind("product_id,name,category,opening,received,sold,returned,adjusted,adjustments,closing,", 0) == 0);
  // Page by page from the database, and still exactly the JSON's rows.
  std::size_t rows = 0;
  for (std::size_t at = csv.body.find("\r\n"); at + 2 < csv.body.size(); at = csv.body.find("\r\n", at + 2)) ++rows;
  CHECK(rows == products.size());
}

TEST_CASE("low-stock threshold: one alert per dip, with a reorder suggestion", "[stock][threshold]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto tea = product(s, "Tea", 100, 10);
  auto a = buyer(s, 1'000'000);
  auto url = s.product(tea) + "/stock-threshold";
  auto put = t.call("PUT", url, bj::value(bj::object{{"threshold", 5}}), s.owner.token);
  INFO(put.body);
  REQUIRE(put.status == 200);
  CHECK(put.json.at("low").as_bool() == false);
  CHECK(count_events(s, "stock.low") == 0);

  order(s, a, {{tea, 6}});  // 4 left
  t.drain_events();
  CHECK(count_events(s, "stock.low") == 1);
  order(s, a, {{tea, 1}});  // 3: still the same dip
  t.drain_events();
  CHECK(count_events(s, "stock.low") == 1);
  auto alerts = ok(s.report("stock-alerts") + "?low=true", s.owner.token);
  REQUIRE(alerts.at("items").as_array().size() == 1);
  auto const& al = alerts.at("items").at(0);
  CHECK(al.at("stock").as_int64() == 3);
  CHECK(al.at("sold_last_28_days").as_int64() == 7);
  CHECK(al.at("suggested_reorder").as_int64() == 1);  // ceil(7 * 14 / 28) = 4, minus 3 in stock

  // The owner is told (notifications turns stock.low into a notice).
  auto n = ok("/v1/me/notifications", s.owner.token);
  bool told = false;
  for (auto const& x : n.at("items").as_array())
    if (x.at("type").as_string() == "stock.low") told = true;
  CHECK(told);

  move_stock(s, tea, 10, "purchase");  // 13
  order(s, a, {{tea, 9}});             // 4: a new dip
  t.drain_events();
  CHECK(count_events(s, "stock.low") == 2);

  // Setting a threshold above the stock alerts at once.
  auto cake = product(s, "Cake", 100, 2);
  REQUIRE(t.call("PUT", s.product(cake) + "/stock-threshold", bj::value(bj::object{{"threshold", 2}}), s.owner.token)
              .status == 200);
  t.drain_events();
  CHECK(count_events(s, "stock.low") == 3);

  CHECK(t.call("DELETE", url, std::nullopt, s.owner.token).status == 204);
  CHECK(t.call("DELETE", url, std::nullopt, s.owner.token).status == 404);
}

TEST_CASE("low-stock threshold: bad input 400/422, another merchant's product 404, roles 403", "[stock][errors]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto other = second_shop(s);
  auto tea = product(s, "Tea", 100, 10);
  auto theirs = product(other, "Bread", 100, 10);
  auto put = [&](std::string const& url, bj::object body, std::string const& token) {
    return t.call("PUT", url, bj::value(std::move(body)), token).status;
  };
  CHECK(put(s.product(tea) + "/stock-threshold", {{"threshold", -1}}, s.owner.token) == 422);
  CHECK(put(s.product(tea) + "/stock-threshold", {{"threshold", "five"}}, s.owner.token) == 400);  // not a number
  CHECK(put(s.product(tea) + "/stock-threshold", {}, s.owner.token) == 422);
  CHECK(put(s.product(theirs) + "/stock-threshold", {{"threshold", 1}}, s.owner.token) == 404);
  CHECK(put(s.product(999999999) + "/stock-threshold", {{"threshold", 1}}, s.owner.token) == 404);
  CHECK(put(s.product(tea) + "/stock-threshold", {{"threshold", 1}}, t.resident(s.c).token) == 403);
  CHECK(put(s.product(tea) + "/stock-threshold", {{"threshold", 1}}, other.owner.token) == 403);
  auto stranger = shop();
  CHECK(put(s.product(tea) + "/stock-threshold", {{"threshold", 1}}, stranger.owner.token) == 404);
  CHECK(get(s.report("stock") + "?from=nope", s.owner.token).status == 422);
  CHECK(get(s.report("stock"), stranger.owner.token).status == 404);
  CHECK(scalar("SELECT COUNT(*) FROM analytics_stock_thresholds WHERE merchant_id = :m", use(s.mid, "m")) == 0);
}
