#include "tests/property/support.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

using namespace courtyard;
using namespace courtyard::test;
using namespace courtyard::test::property;

namespace {

Result post_empty(TestApp& t, std::string const& path, std::string const& token) {
  return t.call("POST", path, std::nullopt, token);
}

}  // namespace

TEST_CASE("ticket lifecycle: submitted -> assigned -> in_progress -> resolved -> closed, with history and events",
          "[property][tickets]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c, 0);
  auto staff = add_manager(t, c);

  auto opened = t.post(tickets(c), {{"unit_id", c.unit_ids[0]}, {"category", "electrical"}, {"description", "No power in the kitchen"}},
                       r.token);
  REQUIRE(opened.status == 201);
  auto id = opened.id();
  CHECK(opened.header("Location") == id_path(tickets(c), id));
  CHECK(opened.json.at("status") == "submitted");
  CHECK(opened.json.at("opened_by").as_int64() == r.account_id);
  CHECK(opened.json.at("assigned_to").is_null());
  REQUIRE(opened.json.at("history").as_array().size() == 1);
  CHECK(opened.json.at("history").at(0).at("from").is_null());
  CHECK(opened.json.at("history").at(0).at("to") == "submitted");

  auto assigned = t.post(verb(c, id, "assign"), {{"staff_id", staff.account_id}}, c.manager.token);
  REQUIRE(assigned.status == 200);
  CHECK(assigned.json.at("status") == "assigned");
  CHECK(assigned.json.at("assigned_to").as_int64() == staff.account_id);
  // Re-assigning to another staff member is allowed while still assigned.
  auto reassigned = t.post(verb(c, id, "assign"), {{"staff_id", c.manager.account_id}}, staff.token);
  REQUIRE(reassigned.status == 200);
  CHECK(reassigned.json.at("assigned_to").as_int64() == c.manager.account_id);

  REQUIRE(post_empty(t, verb(c, id, "start"), staff.token).status == 200);
  auto resolved = t.post(verb(c, id, "resolve"), {{"note", "Replaced the fuse"}}, staff.token);
  REQUIRE(resolved.status == 200);
  CHECK(resolved.json.at("status") == "resolved");
  CHECK(resolved.json.at("resolution_note") == "Replaced the fuse");
  CHECK(resolved.json.at("resolved_at").is_string());

  auto closed = t.post(verb(c, id, "close"), {{"rating", 5}, {"comment", "Quick, thanks"}}, r.token);
  REQUIRE(closed.status == 200);
  CHECK(closed.json.at("status") == "closed");
  CHECK(closed.json.at("rating").as_int64() == 5);
  CHECK(closed.json.at("rating_comment") == "Quick, thanks");

  auto full = t.get(id_path(tickets(c), id), r.token);
  REQUIRE(full.status == 200);
  auto const& h = full.json.at("history").as_array();
  REQUIRE(h.size() == 6);
  std::vector<std::pair<std::string, std::int64_t>> want = {
      {"submitted", r.account_id},        {"assigned", c.manager.account_id}, {"assigned", staff.account_id},
      {"in_progress", staff.account_id}, {"resolved", staff.account_id},     {"closed", r.account_id}};
  for (std::size_t i = 0; i < want.size(); ++i) {
    CHECK(std::string(h[i].at("to").as_string()) == want[i].first);
    CHECK(h[i].at("actor_id").as_int64() == want[i].second);
    CHECK(h[i].at("at").is_string());
    if (i > 0) CHECK(h[i].at("from") == h[i - 1].at("to"));
  }
  CHECK(h[4].at("note") == "Replaced the fuse");
  CHECK(h[5].at("note") == "Quick, thanks");

  auto res_events = events_of(t, "ticket.resolved", c.id);
  REQUIRE(res_events.size() == 1);
  CHECK(res_events[0].at("ticket_id").as_int64() == id);
  CHECK(res_events[0].at("opened_by").as_int64() == r.account_id);
  CHECK(res_events[0].at("unit_id").as_int64() == c.unit_ids[0]);
  CHECK(res_events[0].at("status") == "resolved");
  auto closed_events = events_of(t, "ticket.closed", c.id);
  REQUIRE(closed_events.size() == 1);
  CHECK(closed_events[0].at("status") == "closed");

  // Reopen (opener only) from closed: back to its assignee; the rating no longer applies.
  auto reopened = t.post(verb(c, id, "reopen"), {{"note", "Power is out again"}}, r.token);
  REQUIRE(reopened.status == 200);
  CHECK(reopened.json.at("status") == "assigned");
  CHECK(reopened.json.at("assigned_to").as_int64() == c.manager.account_id);
  CHECK(reopened.json.at("rating").is_null());
  CHECK(reopened.json.at("resolved_at").is_null());
  CHECK(reopened.json.at("history").as_array().size() == 7);
  CHECK(reopened.json.at("history").at(6).at("note") == "Power is out again");
  t.drain_events();
}

TEST_CASE_METHOD(Neighbours, "ticket creation validation and access", "[property][tickets][errors]") {
  auto body = [&](bj::value unit, bj::value category, bj::value description) {
    bj::object o{{"unit_id", unit}, {"category", category}, {"description", description}};
    return o;
  };
  CHECK(t.post(tickets(c), body(c.unit_ids[0], "teleporter", "x"), r.token).status == 422);
  CHECK(t.post(tickets(c), body(c.unit_ids[0], "plumbing", ""), r.token).status == 422);
  CHECK(t.post(tickets(c), body(c.unit_ids[0], "plumbing", bj::value(std::string(4001, 'x'))), r.token).status == 422);
  CHECK(t.post(tickets(c), body(0, "plumbing", "x"), r.token).status == 422);
  CHECK(t.post(tickets(c), body("1", "plumbing", "x"), r.token).status == 400);
  CHECK(t.post(tickets(c), {{"category", "plumbing"}, {"description", "x"}}, r.token).status == 422);
  CHECK(t.call("POST", tickets(c), std::nullopt, r.token).status == 400);
  // Another community's unit, or an unknown one: 422 (never reveals it); a neighbour's: 403.
  CHECK(t.post(tickets(c), body(other.unit_ids[0], "plumbing", "x"), r.token).status == 422);
  CHECK(t.post(tickets(c), body(999999999, "plumbing", "x"), r.token).status == 422);
  CHECK(t.post(tickets(c), body(c.unit_ids[1], "plumbing", "x"), r.token).status == 403);
  CHECK(t.post(tickets(c), body(c.unit_ids[0], "plumbing", "x"), c.manager.token).status == 403);
  CHECK(t.post(tickets(c), body(c.unit_ids[0], "plumbing", "x"), courier.token).status == 403);
  CHECK(t.post(tickets(c), body(c.unit_ids[0], "plumbing", "x"), other.manager.token).status == 404);
  CHECK(t.post(tickets(c), body(c.unit_ids[0], "plumbing", "x")).status == 401);
  for (auto cat : {"plumbing", "electrical", "structural", "appliance", "common_area", "other"})
    CHECK(t.post(tickets(c), body(c.unit_ids[0], cat, "x"), r.token).status == 201);
}

TEST_CASE_METHOD(Neighbours, "ticket transitions: illegal ones are 409, wrong actors 403, bad input 422",
                 "[property][tickets][errors]") {
  auto flatmate = t.resident(c, 0);
  auto stranger_manager = other.manager;
  auto id = open_ticket(t, c, r, c.unit_ids[0]);

  // From submitted only assign is legal.
  auto start = post_empty(t, verb(c, id, "start"), c.manager.token);
  CHECK(start.status == 409);
  CHECK(start.problem_type() == "/problems/invalid-transition");
  CHECK(t.post(verb(c, id, "resolve"), {{"note", "done"}}, c.manager.token).status == 409);
  CHECK(t.post(verb(c, id, "close"), {{"rating", 4}}, r.token).status == 409);
  CHECK(post_empty(t, verb(c, id, "reopen"), r.token).status == 409);

  // assign: staff must be a manager of this community.
  CHECK(t.post(verb(c, id, "assign"), {{"staff_id", courier.account_id}}, c.manager.token).status == 422);
  CHECK(t.post(verb(c, id, "assign"), {{"staff_id", r.account_id}}, c.manager.token).status == 422);
  CHECK(t.post(verb(c, id, "assign"), {{"staff_id", other.manager.account_id}}, c.manager.token).status == 422);
  CHECK(t.post(verb(c, id, "assign"), {{"staff_id", 0}}, c.manager.token).status == 422);
  CHECK(t.post(verb(c, id, "assign"), bj::object{}, c.manager.token).status == 422);
  CHECK(t.post(verb(c, id, "assign"), {{"staff_id", "x"}}, c.manager.token).status == 400);
  CHECK(t.post(verb(c, id, "assign"), {{"staff_id", c.manager.account_id}}, r.token).status == 403);
  CHECK(t.post(verb(c, id, "assign"), {{"staff_id", c.manager.account_id}}, stranger_manager.token).status == 404);
  CHECK(t.post(verb(c, 999999999, "assign"), {{"staff_id", c.manager.account_id}}, c.manager.token).status == 404);
  REQUIRE(t.post(verb(c, id, "assign"), {{"staff_id", c.manager.account_id}}, c.manager.token).status == 200);

  CHECK(t.post(verb(c, id, "resolve"), {{"note", "done"}}, c.manager.token).status == 409);  // not started
  CHECK(post_empty(t, verb(c, id, "start"), r.token).status == 403);
  REQUIRE(post_empty(t, verb(c, id, "start"), c.manager.token).status == 200);
  CHECK(post_empty(t, verb(c, id, "start"), c.manager.token).status == 409);
  CHECK(t.post(verb(c, id, "assign"), {{"staff_id", c.manager.account_id}}, c.manager.token).status == 409);
  CHECK(t.post(verb(c, id, "close"), {{"rating", 4}}, r.token).status == 409);  // not resolved
  CHECK(t.post(verb(c, id, "resolve"), bj::object{}, c.manager.token).status == 422);  // note required
  REQUIRE(t.post(verb(c, id, "resolve"), {{"note", "fixed"}}, c.manager.token).status == 200);
  CHECK(t.post(verb(c, id, "resolve"), {{"note", "fixed"}}, c.manager.token).status == 409);

  // close: the opener only; rating 1-5.
  CHECK(t.post(verb(c, id, "close"), {{"rating", 0}}, r.token).status == 422);
  CHECK(t.post(verb(c, id, "close"), {{"rating", 6}}, r.token).status == 422);
  CHECK(t.post(verb(c, id, "close"), bj::object{}, r.token).status == 422);
  CHECK(t.post(verb(c, id, "close"), {{"rating", 5}}, c.manager.token).status == 403);
  CHECK(t.post(verb(c, id, "close"), {{"rating", 5}}, flatmate.token).status == 403);
  CHECK(t.post(verb(c, id, "close"), {{"rating", 5}}, courier.token).status == 403);
  CHECK(t.post(verb(c, id, "close"), {{"rating", 5}}, stranger_manager.token).status == 404);
  CHECK(post_empty(t, verb(c, id, "reopen"), c.manager.token).status == 403);
  CHECK(post_empty(t, verb(c, id, "reopen"), flatmate.token).status == 403);
  // Reopen straight from resolved, then walk it back to closed.
  auto reopened = post_empty(t, verb(c, id, "reopen"), r.token);
  REQUIRE(reopened.status == 200);
  CHECK(reopened.json.at("status") == "assigned");
  REQUIRE(post_empty(t, verb(c, id, "start"), c.manager.token).status == 200);
  REQUIRE(t.post(verb(c, id, "resolve"), {{"note", "fixed again"}}, c.manager.token).status == 200);
  REQUIRE(t.post(verb(c, id, "close"), {{"rating", 3}}, r.token).status == 200);
  CHECK(t.post(verb(c, id, "close"), {{"rating", 3}}, r.token).status == 409);
  CHECK(events_of(t, "ticket.resolved", c.id).size() == 2);
  CHECK(events_of(t, "ticket.closed", c.id).size() == 1);
}

TEST_CASE_METHOD(Neighbours, "ticket lists and reads: residents see their own, managers all with SLA age",
                 "[property][tickets]") {
  auto flatmate = t.resident(c, 0);
  auto mine = open_ticket(t, c, r, c.unit_ids[0]);
  auto theirs = open_ticket(t, c, n, c.unit_ids[1], "appliance");
  auto foreign_resident = t.resident(other, 0);
  auto foreign = open_ticket(t, other, foreign_resident, other.unit_ids[0]);

  auto own = t.get(tickets(c), r.token);
  REQUIRE(own.status == 200);
  REQUIRE(own.json.at("items").as_array().size() == 1);
  CHECK(own.json.at("items").at(0).at("id").as_int64() == mine);
  CHECK(t.get(tickets(c), flatmate.token).json.at("items").as_array().empty());
  auto all = t.get(tickets(c), c.manager.token);
  REQUIRE(all.json.at("items").as_array().size() == 2);
  CHECK(all.json.at("items").at(0).at("id").as_int64() == theirs);
  CHECK(all.json.at("items").at(0).at("age_minutes").as_int64() >= 0);

  CHECK(t.get(id_path(tickets(c), mine), r.token).status == 200);
  CHECK(t.get(id_path(tickets(c), mine), c.manager.token).status == 200);
  CHECK(t.get(id_path(tickets(c), mine), n.token).status == 404);
  CHECK(t.get(id_path(tickets(c), mine), flatmate.token).status == 404);
  CHECK(t.get(id_path(tickets(c), foreign), c.manager.token).status == 404);
  CHECK(t.get(id_path(tickets(c), mine), other.manager.token).status == 404);
  CHECK(t.get(tickets(c), t.courier(c).token).status == 403);
  CHECK(t.get(tickets(c)).status == 401);

  REQUIRE(t.post(verb(c, mine, "assign"), {{"staff_id", c.manager.account_id}}, c.manager.token).status == 200);
  auto assigned = t.get(tickets(c) + "?status=assigned", c.manager.token);
  REQUIRE(assigned.json.at("items").as_array().size() == 1);
  CHECK(assigned.json.at("items").at(0).at("id").as_int64() == mine);
  CHECK(t.get(tickets(c) + "?status=open", c.manager.token).status == 422);
  CHECK(t.get(tickets(c) + "?limit=1", c.manager.token).json.at("next_cursor").is_string());

  // SLA age grows until resolution, then stops.
  t.advance_clock_ms(90 * kMinute);
  auto aged = t.get(id_path(tickets(c), theirs), c.manager.token);
  CHECK(aged.json.at("age_minutes").as_int64() >= 90);
  REQUIRE(post_empty(t, verb(c, mine, "start"), c.manager.token).status == 200);
  REQUIRE(t.post(verb(c, mine, "resolve"), {{"note", "ok"}}, c.manager.token).status == 200);
  auto at_resolution = t.get(id_path(tickets(c), mine), c.manager.token).json.at("age_minutes").as_int64();
  CHECK(at_resolution >= 90);
  t.advance_clock_ms(60 * kMinute);
  CHECK(t.get(id_path(tickets(c), mine), c.manager.token).json.at("age_minutes").as_int64() == at_resolution);
  CHECK(t.get(id_path(tickets(c), theirs), c.manager.token).json.at("age_minutes").as_int64() >= 150);
}

TEST_CASE("concurrent transitions of one ticket: exactly one wins", "[property][tickets][concurrency]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c, 0);
  auto id = open_ticket(t, c, r, c.unit_ids[0]);
  REQUIRE(t.post(verb(c, id, "assign"), {{"staff_id", c.manager.account_id}}, c.manager.token).status == 200);

  constexpr int kThreads = 8;
  std::atomic<int> ok{0}, conflict{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&] {
      auto res = post_empty(t, verb(c, id, "start"), c.manager.token);
      if (res.status == 200) ++ok;
      if (res.status == 409) ++conflict;
    });
  for (auto& th : threads) th.join();
  CHECK(ok == 1);
  CHECK(conflict == kThreads - 1);
  auto h = t.get(id_path(tickets(c), id), c.manager.token).json.at("history").as_array();
  CHECK(h.size() == 3);  // submitted, assigned, in_progress: one entry per real transition
}
