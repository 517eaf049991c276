#pragma once
// Shared fixtures for the analytics tests: the shops tests' shop, products, buyers and order
// placement, report URLs, events published straight into the outbox, and direct sums over
// shops' stock ledger to reconcile against.
#include "db/query.hpp"
#include "db/tx.hpp"
#include "http/json.hpp"
#include "services/analytics/logic.hpp"
#include "http/time_zone.hpp"
#include "tests/shops/support.hpp"
#include "tests/support/prelude.hpp"

namespace analytics_test {

using namespace courtyard::test::prelude;

constexpr std::int64_t kDay = 86'400'000;

// The shops tests' shop (community, owner, merchant), with the report URLs on top.
struct Shop : shops_test::Shop {
  std::string base() const { return merchant_base(); }
  std::string report(std::string const& name) const { return base() + "/analytics/" + name; }
};

inline Shop shop(std::string const& category = "grocery") { return {shops_test::shop(category)}; }
inline Shop second_shop(Shop const& s) { return {shops_test::second_shop(s)}; }
using shops_test::buyer;
using shops_test::product;

// Places a pickup order; requires 201; returns its id.
inline std::int64_t order(Shop const& s, Actor const& who, std::vector<std::pair<std::int64_t, std::int64_t>> items,
                          std::string const& coupon = "") {
  auto body = shops_test::order_body(s.mid, std::move(items));
  if (!coupon.empty()) body["coupon_code"] = coupon;
  auto r = shops_test::place(s, who, std::move(body));
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
