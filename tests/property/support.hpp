#pragma once
// Helpers shared by the property tests.
#include "db/tx.hpp"
#include "http/json.hpp"
#include "tests/support/test_app.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace courtyard::test::property {

namespace bj = boost::json;

inline http::Headers idem(std::string k) { return {{"Idempotency-Key", std::move(k)}}; }

// Payloads of the events published on `topic` for the community, oldest first.
inline std::vector<bj::object> events_of(TestApp& t, std::string const& topic, std::int64_t cid) {
  std::vector<bj::object> out;
  auto lease = t.app().db().acquire();
  soci::rowset<std::string> rs =
      (lease->prepare << "SELECT payload FROM events WHERE topic = :t AND community_id = :c ORDER BY id",
       soci::use(topic, "t"), soci::use(cid, "c"));
  for (auto const& p : rs) out.push_back(bj::parse(p).as_object());
  return out;
}

inline bool contains_id(bj::value const& arr, std::int64_t id) {
  for (auto const& v : arr.as_array())
    if (v.as_int64() == id) return true;
  return false;
}

inline std::string at(std::int64_t ms) { return json::rfc3339(ms); }
inline std::int64_t now() { return db::now_ms(); }
constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;

inline std::string id_path(std::string const& base, std::int64_t id) { return base + "/" + std::to_string(id); }

// A second building with one unit added to the community; returns {building_id, unit_id}
// and appends the unit to c.unit_ids (so t.resident(c, index) can move someone in).
inline std::pair<std::int64_t, std::int64_t> add_building(TestApp& t, Community& c) {
  auto b = t.post(c.base() + "/buildings", {{"name", t.unique("B")}}, c.manager.token);
  if (b.status != 201) throw std::runtime_error("create building: " + b.body);
  auto u = t.post(c.base() + "/buildings/" + std::to_string(b.id()) + "/units", {{"number", "201"}}, c.manager.token);
  if (u.status != 201) throw std::runtime_error("create unit: " + u.body);
  c.unit_ids.push_back(u.id());
  return {b.id(), u.id()};
}

inline std::string tickets(Community const& c) { return c.base() + "/tickets"; }
// The path of an action (assign, start, resolve, close, ...) on a ticket.
inline std::string verb(Community const& c, std::int64_t id, std::string const& v) {
  return tickets(c) + "/" + std::to_string(id) + "/" + v;
}

// `who` opens a ticket about the unit; returns its id. Requires 201.
inline std::int64_t open_ticket(TestApp& t, Community const& c, Actor const& who, std::int64_t unit,
                                std::string const& category = "plumbing") {
  auto r = t.post(tickets(c), {{"unit_id", unit}, {"category", category}, {"description", "The tap drips"}}, who.token);
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.id();
}

// A community with two residents (units 0 and 1) and a courier, and another community.
struct Neighbours {
  TestApp& t = TestApp::get();
  Community c = t.community();
  Community other = t.community();
  Actor r = t.resident(c, 0);
  Actor n = t.resident(c, 1);
  Actor courier = t.courier(c);
};

// Another manager of the community (maintenance staff for tickets).
inline Actor add_manager(TestApp& t, Community const& c) {
  auto a = t.account("staff");
  auto r = t.post(c.base() + "/staff", {{"account_id", a.account_id}, {"role", "manager"}}, c.manager.token);
  if (r.status != 201) throw std::runtime_error("add staff: " + r.body);
  return a;
}

}  // namespace courtyard::test::property
