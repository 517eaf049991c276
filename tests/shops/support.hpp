#pragma once
// Shared fixtures for the shops tests: a community with an approved merchant and products,
// topped-up residents, and direct looks at the outbox.
#include "db/row.hpp"
#include "db/tx.hpp"
#include "http/json.hpp"
#include "services/shops/api.hpp"
#include "tests/support/prelude.hpp"

#include <optional>
#include <tuple>

namespace shops_test {

using namespace courtyard::test::prelude;

inline courtyard::http::Headers idem(std::string k) { return {{"Idempotency-Key", std::move(k)}}; }

struct Shop {
  Community c;
  Actor owner;
  std::int64_t mid = 0;
  std::string merchant_base() const { return c.base() + "/merchants/" + std::to_string(mid); }
  std::string products() const { return merchant_base() + "/products"; }
  std::string product(std::int64_t pid) const { return products() + "/" + std::to_string(pid); }
  std::string orders() const { return c.base() + "/orders"; }
  std::string order(std::int64_t oid) const { return orders() + "/" + std::to_string(oid); }
};

// A new approved merchant in the community.
inline Shop shop_in(Community const& c, std::string const& category = "grocery") {
  auto [owner, mid] = TestApp::get().merchant(c, category);
  return Shop{c, owner, mid};
}

inline Shop shop(std::string const& category = "grocery") { return shop_in(TestApp::get().community(), category); }

// Another approved merchant in the same community.
inline Shop second_shop(Shop const& s) { return shop_in(s.c, "bakery"); }

// The shop creates a coupon on `terms` (its code, discount and max_redemptions) that expires
// in a day. Requires 201.
inline void add_coupon(Shop const& s, bj::object terms) {
  terms["expires_at"] = courtyard::json::rfc3339(courtyard::db::now_ms() + 86'400'000);
  REQUIRE(TestApp::get().post(s.merchant_base() + "/coupons", terms, s.owner.token).status == 201);
}

inline std::int64_t product(Shop const& s, std::string const& name, std::int64_t price, std::int64_t stock,
                            std::string const& category = "") {
  auto& t = TestApp::get();
  bj::object body{{"name", name}, {"price_cents", price}, {"stock", stock}};
  if (!category.empty()) body["category"] = category;
  auto r = t.post(s.products(), body, s.owner.token);
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

inline bj::object order_body(std::int64_t mid, std::vector<std::pair<std::int64_t, std::int64_t>> items,
                             std::string fulfilment = "pickup") {
  bj::array arr;
  for (auto [pid, q] : items) arr.push_back(bj::object{{"product_id", pid}, {"quantity", q}});
  return bj::object{{"merchant_id", mid}, {"items", arr}, {"fulfilment", fulfilment}};
}

inline Result place(Shop const& s, Actor const& who, bj::object body, std::string key = "") {
  auto& t = TestApp::get();
  return t.post(s.orders(), std::move(body), who.token, key.empty() ? courtyard::http::Headers{} : idem(key));
}

// A pickup order of `items` by `who`, placed and accepted by the merchant; returns its id
// and redemption code.
inline std::pair<std::int64_t, std::string> accepted_order(Shop const& s, Actor const& who,
                                                           std::vector<std::pair<std::int64_t, std::int64_t>> items,
                                                           std::string const& coupon = "") {
  auto& t = TestApp::get();
  auto body = order_body(s.mid, std::move(items));
  if (!coupon.empty()) body["coupon_code"] = coupon;
  auto placed = place(s, who, body);
  INFO(placed.body);
  REQUIRE(placed.status == 201);
  std::int64_t oid = placed.id();
  REQUIRE(t.call("POST", s.order(oid) + "/accept", std::nullopt, s.owner.token).status == 200);
  return {oid, std::string(placed.json.at("redemption_code").as_string())};
}

// The same order with its code redeemed: completed. Returns its id.
inline std::int64_t completed_order(Shop const& s, Actor const& who,
                                    std::vector<std::pair<std::int64_t, std::int64_t>> items,
                                    std::string const& coupon = "") {
  auto [oid, code] = accepted_order(s, who, std::move(items), coupon);
  REQUIRE(TestApp::get().post(s.merchant_base() + "/redemptions", {{"code", code}}, s.owner.token).status == 200);
  return oid;
}

inline std::int64_t stock(Shop const& s, std::int64_t pid) {
  auto r = TestApp::get().get(s.product(pid) + "/stock-movements?limit=1", s.owner.token);
  REQUIRE(r.status == 200);
  return r.json.at("stock").as_int64();
}

inline std::int64_t movements_total(Shop const& s, std::int64_t pid) {
  auto r = TestApp::get().get(s.product(pid) + "/stock-movements?limit=1", s.owner.token);
  REQUIRE(r.status == 200);
  return r.json.at("movements_total").as_int64();
}

inline std::int64_t merchant_balance(Shop const& s) {
  auto r = TestApp::get().get(s.merchant_base() + "/wallet", s.owner.token);
  REQUIRE(r.status == 200);
  return r.json.at("balance_cents").as_int64();
}

inline bool ledger_balanced(Community const& c) {
  auto r = TestApp::get().get(c.base() + "/ledger/summary", c.manager.token);
  REQUIRE(r.status == 200);
  return r.json.at("balanced").as_bool() && r.json.at("total_cents").as_int64() == 0;
}

// Payloads of the events with this topic published in the community, oldest first.
inline std::vector<bj::object> events(Community const& c, std::string const& topic) {
  auto& t = TestApp::get();
  std::vector<bj::object> out;
  courtyard::db::transact(t.app().db(), nullptr, [&](courtyard::db::Tx& tx) {
    out.clear();
    soci::rowset<soci::row> rs = (tx.sql().prepare << "SELECT payload FROM events WHERE community_id = :c AND "
                                                      "topic = :t ORDER BY id",
                                  soci::use(c.id, "c"), soci::use(topic, "t"));
    for (auto const& r : rs) out.push_back(bj::parse(courtyard::db::as_text(r, 0)).as_object());
  });
  return out;
}

// Events of the topic that concern one order.
inline std::vector<bj::object> order_events(Community const& c, std::string const& topic, std::int64_t oid) {
  std::vector<bj::object> out;
  for (auto& e : events(c, topic))
    if (e.at("order_id").as_int64() == oid) out.push_back(e);
  return out;
}

// An order.* payload's facts (shops::order_facts_of_event) are the order's as read from its
// rows (shops::order_facts), field by field.
inline void event_facts_match(Community const& c, bj::object const& payload) {
  auto& t = TestApp::get();
  auto oid = payload.at("order_id").as_int64();
  INFO("order " << oid << " event " << bj::serialize(payload));
  auto carried = courtyard::shops::order_facts_of_event(c.id, payload);
  REQUIRE(carried);
  std::optional<courtyard::shops::OrderFacts> read;
  courtyard::db::transact(t.app().db(), nullptr,
                          [&](courtyard::db::Tx& tx) { read = courtyard::shops::order_facts(tx, c.id, oid); });
  REQUIRE(read);
  auto const& a = *carried;
  auto const& b = *read;
  CHECK(std::tuple{a.id, a.community_id, a.merchant_id, a.buyer_id, a.created_at, a.subtotal_cents, a.discount_cents,
                   a.total_cents, a.coupon_id, a.group_buy_id, a.campaign_id} ==
        std::tuple{b.id, b.community_id, b.merchant_id, b.buyer_id, b.created_at, b.subtotal_cents, b.discount_cents,
                   b.total_cents, b.coupon_id, b.group_buy_id, b.campaign_id});
  REQUIRE(a.lines.size() == b.lines.size());
  for (std::size_t i = 0; i < a.lines.size(); ++i)
    CHECK(std::tuple{a.lines[i].product_id, a.lines[i].category, a.lines[i].quantity, a.lines[i].line_cents} ==
          std::tuple{b.lines[i].product_id, b.lines[i].category, b.lines[i].quantity, b.lines[i].line_cents});
}

// Publishes an event as another service would (e.g. delivery.delivered).
inline void publish(Community const& c, std::string const& topic, bj::object payload) {
  auto& t = TestApp::get();
  courtyard::db::transact(t.app().db(), &t.app().bus(),
                          [&](courtyard::db::Tx& tx) { tx.publish(topic, c.id, payload); });
}

}  // namespace shops_test
