// The dashboard's tickets section: volume, time to first response and to resolution against
// the SLA, breaches and ratings, from property's ticket.* events (each step once) and from the
// backfill of existing tickets; access.
#include "services/analytics/routes.hpp"
#include "tests/analytics/helpers.hpp"
#include "tests/support/stored_events.hpp"

#include <thread>

using namespace analytics_test;

namespace {

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 60 * kMinute;

std::string tickets(Community const& c) { return c.base() + "/tickets"; }
std::string verb(Community const& c, std::int64_t id, std::string const& v) {
  return tickets(c) + "/" + std::to_string(id) + "/" + v;
}

std::int64_t open_ticket(Community const& c, Actor const& who, std::string const& category = "plumbing") {
  auto r = TestApp::get().post(tickets(c), {{"unit_id", c.unit_ids[0]}, {"category", category}, {"description", "Leak"}},
                               who.token);
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.id();
}

void step(Community const& c, std::int64_t id, std::string const& v, bj::object body, Actor const& who) {
  auto r = TestApp::get().post(verb(c, id, v), body, who.token);
  INFO(v << ": " << r.body);
  REQUIRE(r.status == 200);
}

void set_sla(Community const& c, std::int64_t first_response, std::int64_t resolution) {
  auto r = TestApp::get().call("PUT", c.base() + "/ticket-sla",
                               bj::object{{"first_response_hours", first_response}, {"resolution_hours", resolution}},
                               c.manager.token);
  INFO(r.body);
  REQUIRE(r.status == 200);
}

bj::object tickets_section(Community const& c, std::int64_t from, std::int64_t to) {
  return ok(c.base() + "/analytics/dashboard" + range(from, to), c.manager.token).at("tickets").as_object();
}

// Two plumbing tickets opened together under 2 h / 24 h targets: A answered after 1 h and
// resolved after 3 h (both in time, rated 5); B answered after 3 h and resolved after 27 h
// (both breached, rated 2). Returns the local day range covering them.
std::pair<std::int64_t, std::int64_t> two_tickets(Community const& c, Actor const& r) {
  auto& t = TestApp::get();
  set_sla(c, 2, 24);
  std::int64_t first_day = today();
  auto a = open_ticket(c, r), b = open_ticket(c, r);
  t.advance_clock_ms(kHour);
  step(c, a, "assign", {{"staff_id", c.manager.account_id}}, c.manager);
  t.advance_clock_ms(2 * kHour);
  step(c, b, "assign", {{"staff_id", c.manager.account_id}}, c.manager);
  step(c, a, "start", {}, c.manager);
  step(c, a, "resolve", {{"note", "Fixed"}}, c.manager);
  step(c, a, "close", {{"rating", 5}}, r);
  t.advance_clock_ms(24 * kHour);
  step(c, b, "start", {}, c.manager);
  step(c, b, "resolve", {{"note", "Fixed at last"}}, c.manager);
  step(c, b, "close", {{"rating", 2}}, r);
  t.drain_events();
  return {first_day - 1, today()};
}

void check_two_tickets(bj::object const& s) {
  CHECK(s.at("opened").as_int64() == 2);
  auto const& fr = s.at("first_response").as_object();
  CHECK(fr.at("count").as_int64() == 2);
  CHECK(fr.at("within_sla").as_int64() == 1);
  CHECK(fr.at("breaches").as_int64() == 1);
  CHECK(fr.at("within_sla_rate").as_double() == Approx(0.5));
  CHECK(fr.at("mean_minutes").as_int64() == 120);  // (60 + 180) / 2
  auto const& res = s.at("resolution").as_object();
  CHECK(res.at("count").as_int64() == 2);
  CHECK(res.at("breaches").as_int64() == 1);
  CHECK(res.at("mean_minutes").as_int64() == 900);  // (180 + 1620) / 2
  CHECK(s.at("ratings").at("count").as_int64() == 2);
  CHECK(s.at("ratings").at("average").as_double() == Approx(3.5));
  REQUIRE(s.at("by_category").as_array().size() == 1);
  auto const& plumbing = s.at("by_category").at(0).as_object();
  CHECK(plumbing.at("category") == "plumbing");
  CHECK(plumbing.at("opened").as_int64() == 2);
  CHECK(plumbing.at("targets").at("first_response_hours").as_int64() == 2);
  CHECK(plumbing.at("resolution").at("breaches").as_int64() == 1);
}

}  // namespace

TEST_CASE("tickets against the SLA on the manager dashboard, JSON and CSV", "[manager][tickets]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c, 0);
  // Another community's tickets never count here.
  auto other = t.community();
  auto neighbour = t.resident(other, 0);
  auto foreign = open_ticket(other, neighbour);
  step(other, foreign, "assign", {{"staff_id", other.manager.account_id}}, other.manager);

  auto [from, to] = two_tickets(c, r);
  auto s = tickets_section(c, from, to);
  check_two_tickets(s);
  CHECK(s.at("resolved").as_int64() == 2);
  CHECK(s.at("closed").as_int64() == 2);
  CHECK(s.at("reopened").as_int64() == 0);
  CHECK(s.at("targets").at("first_response_hours").as_int64() == 2);
  CHECK(s.at("targets").at("resolution_hours").as_int64() == 24);

  // The range decides: the day before the tickets has none of them.
  auto before = tickets_section(c, from - 5, from - 1);
  CHECK(before.at("opened").as_int64() == 0);
  CHECK(before.at("first_response").at("mean_minutes").is_null());
  CHECK(before.at("ratings").at("average").is_null());

  auto csv = get(c.base() + "/analytics/dashboard" + range(from, to) + "&format=csv", c.manager.token);
  REQUIRE(csv.status == 200);
  CHECK(csv.header("content-type").find("text/csv") == 0);
  CHECK(csv.body.find("tickets.first_response,breaches,1\r\n") != std::string::npos);
  CHECK(csv.body.find("tickets.resolution,mean_minutes,900\r\n") != std::string::npos);
  CHECK(csv.body.find("tickets.ratings,average,3.5\r\n") != std::string::npos);

  // The other community sees only its own ticket.
  auto theirs = tickets_section(other, from, to);
  CHECK(theirs.at("opened").as_int64() == 1);
  CHECK(theirs.at("first_response").at("count").as_int64() == 1);
  CHECK(theirs.at("resolution").at("count").as_int64() == 0);
}

TEST_CASE("each ticket step counts once: redelivered events, copies and the backfill", "[manager][tickets]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c, 0);
  auto [from, to] = two_tickets(c, r);
  check_two_tickets(tickets_section(c, from, to));

  // Every ticket event delivered again, from two threads at once (a redelivery racing a second
  // dispatcher), and then a copy of each published anew: nothing counts twice.
  auto seen = courtyard::test::stored_events(t, c.id, "topic LIKE 'ticket.%'");
  CHECK(seen.size() == 8);  // 2 opened, 2 first responses, 2 resolved, 2 closed
  auto deliver = [&](courtyard::events::Event const& e) {
    courtyard::db::transact(t.app().db(), &t.app().bus(),
                            [&](courtyard::db::Tx& tx) { courtyard::analytics::on_ticket_step(e, tx); });
  };
  for (auto const& e : seen) {
    std::thread one([&] { deliver(e); }), two([&] { deliver(e); });
    one.join();
    two.join();
  }
  check_two_tickets(tickets_section(c, from, to));
  for (auto const& e : seen) publish(c.id, e.topic, e.payload.as_object());
  t.drain_events();
  check_two_tickets(tickets_section(c, from, to));
  CHECK(scalar("SELECT COUNT(*) FROM analytics_facts WHERE community_id = :c AND fact LIKE 'ticket-sla:%'",
               soci::use(c.id, "c")) == 8);

  // The backfill rebuilds the same figures from the tickets' history, twice over.
  for (int i = 0; i < 2; ++i) {
    auto b = t.post(c.base() + "/analytics/backfill", bj::object{}, c.manager.token);
    INFO(b.body);
    REQUIRE(b.status == 200);
    CHECK(b.json.at("ticket_steps").as_int64() == 8);  // 2 opened, 2 responses, 2 resolved, 2 closed
    check_two_tickets(tickets_section(c, from, to));
  }
}

TEST_CASE("the backfill covers tickets whose steps no event announced", "[manager][tickets]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c, 0);
  auto [from, to] = two_tickets(c, r);
  // As if the tickets predated the SLA: no rollups, no facts, no targets kept on the tickets
  // (they are measured against the community's targets now: 2 h / 24 h).
  courtyard::db::transact(t.app().db(), &t.app().bus(), [&](courtyard::db::Tx& tx) {
    tx.exec("DELETE FROM analytics_ticket_days WHERE community_id = :c", soci::use(c.id, "c"));
    tx.exec("DELETE FROM analytics_facts WHERE community_id = :c AND fact LIKE 'ticket-sla:%'", soci::use(c.id, "c"));
    tx.exec("UPDATE property_tickets SET sla_first_response_hours = NULL, sla_resolution_hours = NULL "
            "WHERE community_id = :c",
            soci::use(c.id, "c"));
  });
  CHECK(tickets_section(c, from, to).at("opened").as_int64() == 0);
  auto b = t.post(c.base() + "/analytics/backfill", bj::object{}, c.manager.token);
  REQUIRE(b.status == 200);
  check_two_tickets(tickets_section(c, from, to));
}

TEST_CASE("the tickets section: resident 403, another community 404, bad range 422", "[manager][tickets][access]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c, 0);
  auto url = c.base() + "/analytics/dashboard";
  CHECK(get(url, r.token).status == 403);
  CHECK(get(url, t.community().manager.token).status == 404);
  CHECK(get(url + "?from=2026-13-01", c.manager.token).status == 422);
  CHECK(get(url + "?from=2026-02-01&to=2026-01-01", c.manager.token).status == 422);
  CHECK(get(url + "?format=xml", c.manager.token).status == 422);
}
