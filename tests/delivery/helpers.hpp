#pragma once
// Helpers shared by the delivery tests.
#include "db/row.hpp"
#include "db/tx.hpp"
#include "tests/support/test_app.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <string>

namespace courtyard::test::delivery {

namespace bj = boost::json;

// Synthetic order ids, far above what a shops test in the same database would create.
inline std::int64_t next_order_id() {
  static std::atomic<std::int64_t> n{900'000'000};
  return ++n;
}

// Publishes order.ready as shops would (EVENTS.md) and runs the subscribers.
inline std::int64_t order_ready(TestApp& t, Community const& c, Actor const& buyer, std::string const& fulfilment = "delivery",
                                std::int64_t order_id = 0, std::int64_t merchant_id = 77) {
  if (order_id == 0) order_id = next_order_id();
  db::transact(t.app().db(), &t.app().bus(), [&](db::Tx& tx) {
    tx.publish("order.ready", c.id,
               bj::object{{"community_id", c.id},
                          {"order_id", order_id},
                          {"merchant_id", merchant_id},
                          {"buyer_id", buyer.account_id},
                          {"total_cents", 1250},
                          {"fulfilment", fulfilment},
                          {"unit_id", c.unit_ids.at(0)},
                          {"status", "ready"}});
  });
  t.drain_events();
  return order_id;
}

// The task created for an order, as its resident sees it (with proof code and history).
inline bj::object task_of_order(TestApp& t, Actor const& buyer, std::int64_t order_id) {
  auto list = t.get("/v1/me/deliveries?limit=200", buyer.token);
  REQUIRE(list.status == 200);
  for (auto const& it : list.json.at("items").as_array())
    if (it.at("order_id").as_int64() == order_id) {
      auto one = t.get("/v1/me/deliveries/" + std::to_string(it.at("id").as_int64()), buyer.token);
      REQUIRE(one.status == 200);
      return one.json.as_object();
    }
  FAIL("no delivery task for order " << order_id);
  return {};
}

// A new delivery order of `buyer`'s made ready (order.ready handled); returns its task's id.
inline std::int64_t ready_task(TestApp& t, Community const& c, Actor const& buyer) {
  return task_of_order(t, buyer, order_ready(t, c, buyer)).at("id").as_int64();
}

// A new community with a buyer (a resident of unit 0) and a courier.
struct BuyerAndCourier {
  TestApp& t = TestApp::get();
  Community c = t.community();
  Actor buyer = t.resident(c);
  Actor courier = t.courier(c);
};

// A list response's items, copied (so a range-for over them outlives the response).
inline bj::array items(Result const& r) {
  REQUIRE(r.status == 200);
  return r.json.at("items").as_array();
}

inline std::string deliveries(Community const& c) { return c.base() + "/deliveries"; }
inline std::string task_path(Community const& c, std::int64_t id) { return deliveries(c) + "/" + std::to_string(id); }

// Events of a topic whose payload mentions `"key":value`.
inline std::int64_t events_with(TestApp& t, std::string const& topic, std::string const& key, std::int64_t value) {
  std::string like = "%\"" + key + "\":" + std::to_string(value) + ",%";
  std::string like_end = "%\"" + key + "\":" + std::to_string(value) + "}%";
  return db::read(t.app().db(), [&](soci::session& s) {
    soci::rowset<soci::row> rs = (s.prepare << "SELECT COUNT(*) FROM events WHERE topic = :t AND "
                                               "(payload LIKE :l OR payload LIKE :l2)",
                                  soci::use(topic, "t"), soci::use(like, "l"), soci::use(like_end, "l2"));
    for (auto const& r : rs) return db::as_int(r, 0);
    return std::int64_t{0};
  });
}

// The latest event payload of a topic mentioning `"key":value`.
inline bj::object last_event(TestApp& t, std::string const& topic, std::string const& key, std::int64_t value) {
  std::string like = "%\"" + key + "\":" + std::to_string(value) + ",%";
  std::string like_end = "%\"" + key + "\":" + std::to_string(value) + "}%";
  std::string payload = db::read(t.app().db(), [&](soci::session& s) {
    soci::rowset<soci::row> rs = (s.prepare << "SELECT payload FROM events WHERE topic = :t AND "
                                               "(payload LIKE :l OR payload LIKE :l2) ORDER BY id DESC",
                                  soci::use(topic, "t"), soci::use(like, "l"), soci::use(like_end, "l2"));
    for (auto const& r : rs) return db::as_text(r, 0);
    return std::string();
  });
  REQUIRE(!payload.empty());
  return bj::parse(payload).as_object();
}

}  // namespace courtyard::test::delivery
