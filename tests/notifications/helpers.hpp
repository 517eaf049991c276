#pragma once
#include "db/outbox.hpp"
#include "db/tx.hpp"
#include "tests/support/test_app.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

namespace courtyard::test::notif {

namespace bj = boost::json;

// A new community, and two accounts (alice, bob) that belong to no community.
struct AliceAndBob {
  TestApp& t = TestApp::get();
  Community c = t.community();
  Actor a = t.account("alice");
  Actor b = t.account("bob");
};

inline void publish(TestApp& t, std::string const& topic, std::int64_t cid, bj::object payload) {
  payload["community_id"] = cid;
  db::transact(t.app().db(), &t.app().bus(), [&](db::Tx& tx) { tx.publish(topic, cid, payload); });
  t.drain_events();
}

// Makes `account` staff of shop `merchant` (a shop that exists only as this row).
inline void make_staff(TestApp& t, std::int64_t account, std::int64_t community_id, std::int64_t merchant) {
  db::transact(t.app().db(), nullptr, [&](db::Tx& tx) {
    tx.exec("INSERT INTO memberships (account_id, community_id, role, unit_id, merchant_id, created_at) VALUES (" +
            std::to_string(account) + ", " + std::to_string(community_id) + ", 'merchant', 0, " +
            std::to_string(merchant) + ", 0)");
  });
}

// An order.placed event as the outbox hands it to a batch subscriber (its order id = its id).
inline events::Event order_placed(std::int64_t id, std::int64_t community_id, std::int64_t merchant,
                                  std::int64_t buyer, std::int64_t total_cents, char const* fulfilment) {
  events::Event e;
  e.id = id;
  e.topic = "order.placed";
  e.community_id = community_id;
  e.payload = bj::object{{"community_id", community_id}, {"order_id", id},           {"merchant_id", merchant},
                         {"buyer_id", buyer},            {"total_cents", total_cents}, {"fulfilment", fulfilment}};
  return e;
}

inline bj::array items(Result const& r) {
  REQUIRE(r.status == 200);
  return r.json.at("items").as_array();
}

inline bj::array mine(TestApp& t, Actor const& a, std::string const& query = "") {
  return items(t.get("/v1/me/notifications?limit=200" + query, a.token));
}

}  // namespace courtyard::test::notif
