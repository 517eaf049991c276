#pragma once
#include "db/tx.hpp"
#include "tests/support/test_app.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

namespace courtyard::test::notif {

namespace bj = boost::json;

inline void publish(TestApp& t, std::string const& topic, std::int64_t cid, bj::object payload) {
  payload["community_id"] = cid;
  db::transact(t.app().db(), &t.app().bus(), [&](db::Tx& tx) { tx.publish(topic, cid, payload); });
  t.drain_events();
}

inline bj::array items(Result const& r) {
  REQUIRE(r.status == 200);
  return r.json.at("items").as_array();
}

inline bj::array mine(TestApp& t, Actor const& a, std::string const& query = "") {
  return items(t.get("/v1/me/notifications?limit=200" + query, a.token));
}

}  // namespace courtyard::test::notif
