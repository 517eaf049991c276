#pragma once
// Shared fixtures for the analytics tests: a shop with products and buyers (through the
// shops API), report URLs, events published straight into the outbox, and direct sums over
// shops' stock ledger to reconcile against.
#include "db/query.hpp"
#include "db/tx.hpp"
#include "http/json.hpp"
#include "services/analytics/logic.hpp"
#include "http/time_zone.hpp"
#include "tests/support/test_app.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace analytics_test {

namespace bj = boost::json;
using courtyard::test::Actor;
using courtyard::test::Community;
using courtyard::test::Result;
using courtyard::test::TestApp;

constexpr std::int64_t kDay = 86'400'000;

struct Shop {
  Community c;
  Actor owner;
  std::int64_t mid = 0;
  std::string base() const { return c.base() + "/merchants/" + std::to_string(mid); }
  std::string report(std::string const& name) const { return base() + "/analytics/" + name; }
  std::string product(std::int64_t pid) const { return base() + "/products/" + std::to_string(pid); }
};

inline Shop shop(std::string const& category = "grocery") {
  auto& t = TestApp::get();
  Shop s;
  s.c = t.community();
  auto [owner, mid] = t.merchant(s.c, category);
  s.owner = owner;
  s.mid = mid;
  return s;
}

inline Shop second_shop(Shop const& s) {
  auto& t = TestApp::get();
  Shop o;
  o.c = s.c;
  auto [owner, mid] = t.merchant(s.c, "bakery");
  o.owner = owner;
  o.mid = mid;
  return o;
}

inline std::int64_t product(Shop const& s, std::string const& name, std::int64_t price, std::int64_t stock,
                            std::string const& category = "") {
  auto& t = TestApp::get();
  bj::object body{{"name", name}, {"price_cents", price}, {"stock", stock}};
  if (!category.empty()) body["category"] = category;
  auto r = t.post(s.base() + "/products", body, s.owner.token);
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.id();
}

inline Actor buyer(Shop const& s, std::int64_t cents, std::size_t unit = 0) {
  auto& t = TestApp::get();
  auto a = t.resident(s.c, unit);
  if (cents > 0) t.top_up(s.c, a, cents);
  return a;
}

// Places a pickup order; requires 201; returns its id.
inline std::int64_t order(Shop const& s, Actor const& who, std::vector<std::pair<std::int64_t, std::int64_t>> items,
                          std::string const& coupon = "") {
  auto& t = TestApp::get();
  bj::array arr;
  for (auto [pid, q] : items) arr.push_back(bj::object{{"product_id", pid}, {"quantity", q}});
  bj::object body{{"merchant_id", s.mid}, {"items", arr}, {"fulfilment", "pickup"}};
  if (!coupon.empty()) body["coupon_code"] = coupon;
  auto r = t.post(s.c.base() + "/orders", body, who.token);
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.id();
}

inline void cancel(Shop const& s, Actor const& who, std::int64_t oid) {
  auto& t = TestApp::get();
  auto r = t.post(s.c.base() + "/orders/" + std::to_string(oid) + "/cancel", bj::object{}, who.token);
  INFO(r.body);
  REQUIRE(r.status == 200);
}

inline void move_stock(Shop const& s, std::int64_t pid, std::int64_t delta, std::string const& reason) {
  auto& t = TestApp::get();
  auto r = t.post(s.product(pid) + "/stock", bj::object{{"delta", delta}, {"reason", reason}}, s.owner.token);
  INFO(r.body);
  REQUIRE(r.status == 201);
}

inline Result get(std::string const& url, std::string const& token) { return TestApp::get().get(url, token); }

inline bj::object ok(std::string const& url, std::string const& token) {
  auto r = get(url, token);
  INFO(url << " -> " << r.body);
  REQUIRE(r.status == 200);
  return r.json.as_object();
}

// The local day (Europe/Berlin, the test communities' zone) of the app clock.
inline std::int64_t today() {
  return courtyard::http::TimeZone::named("Europe/Berlin")->local_day(courtyard::db::now_ms());
}
inline std::string date(std::int64_t day) { return courtyard::analytics::logic::format_date(day); }
inline std::string range(std::int64_t from, std::int64_t to) { return "?from=" + date(from) + "&to=" + date(to); }

template <class... Uses>
std::int64_t scalar(std::string const& sql, Uses&&... uses) {
  auto& t = TestApp::get();
  return courtyard::db::read(
      t.app().db(), [&](soci::session& s) { return courtyard::db::scalar(s, sql, std::forward<Uses>(uses)...); });
}

// Publishes an event as its service would; returns the event id.
inline std::int64_t publish(std::int64_t cid, std::string const& topic, bj::object payload) {
  auto& t = TestApp::get();
  payload["community_id"] = cid;
  return courtyard::db::transact(t.app().db(), &t.app().bus(),
                                 [&](courtyard::db::Tx& tx) { return tx.publish(topic, cid, payload); });
}

}  // namespace analytics_test
