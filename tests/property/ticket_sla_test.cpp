// Ticket SLA: the community's targets (defaults, a manager replaces them, validation, access)
// and the ticket.* events that measure each step of a ticket against them.
#include "tests/property/support.hpp"

#include <catch2/catch.hpp>

using namespace courtyard;
using namespace courtyard::test;
using namespace courtyard::test::property;

namespace {

std::string sla(Community const& c) { return c.base() + "/ticket-sla"; }

bj::object category_of(bj::value const& view, std::string const& category) {
  for (auto const& row : view.at("categories").as_array())
    if (row.at("category") == category.c_str()) return row.as_object();
  FAIL("no category " << category);
  return {};
}

// The payload of the community's only event on `topic` for the ticket.
bj::object only_event(TestApp& t, Community const& c, std::string const& topic, std::int64_t ticket) {
  std::vector<bj::object> found;
  for (auto const& e : events_of(t, topic, c.id))
    if (e.at("ticket_id").as_int64() == ticket) found.push_back(e);
  INFO(topic);
  REQUIRE(found.size() == 1);
  return found[0];
}

}  // namespace

TEST_CASE("ticket SLA targets: defaults, a manager replaces them, validation and access",
          "[property][tickets][sla]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto other = t.community();
  auto r = t.resident(c, 0);

  auto d = t.get(sla(c), r.token);
  REQUIRE(d.status == 200);
  CHECK(d.json.at("first_response_hours").as_int64() == 24);
  CHECK(d.json.at("resolution_hours").as_int64() == 72);
  CHECK(d.json.at("updated_at").is_null());
  CHECK(d.json.at("categories").as_array().size() == 6);
  CHECK(category_of(d.json, "plumbing").at("own") == false);

  bj::object body{{"first_response_hours", 8},
                  {"resolution_hours", 48},
                  {"categories", bj::object{{"plumbing", bj::object{{"first_response_hours", 2}, {"resolution_hours", 24}}}}}};
  auto put = t.call("PUT", sla(c), body, c.manager.token);
  INFO(put.body);
  REQUIRE(put.status == 200);
  CHECK(put.json.at("first_response_hours").as_int64() == 8);
  CHECK(put.json.at("updated_at").is_string());
  auto plumbing = category_of(put.json, "plumbing");
  CHECK(plumbing.at("own") == true);
  CHECK(plumbing.at("first_response_hours").as_int64() == 2);
  CHECK(plumbing.at("resolution_hours").as_int64() == 24);
  auto electrical = category_of(put.json, "electrical");
  CHECK(electrical.at("own") == false);
  CHECK(electrical.at("first_response_hours").as_int64() == 8);
  CHECK(electrical.at("resolution_hours").as_int64() == 48);

  auto refused = [&](bj::object b, int status, std::string const& field = "") {
    auto res = t.call("PUT", sla(c), b, c.manager.token);
    INFO(res.body);
    CHECK(res.status == status);
    if (!field.empty()) CHECK(res.body.find(field) != std::string::npos);
  };
  refused({{"first_response_hours", 0}, {"resolution_hours", 48}}, 422, "first_response_hours");
  refused({{"first_response_hours", 8}, {"resolution_hours", 8761}}, 422, "resolution_hours");
  refused({{"first_response_hours", 8}, {"resolution_hours", 4}}, 422, "resolution_hours");
  refused({{"resolution_hours", 48}}, 422, "first_response_hours");
  refused({{"first_response_hours", "8"}, {"resolution_hours", 48}}, 400);
  refused({{"first_response_hours", 8}, {"resolution_hours", 48}, {"categories", "plumbing"}}, 400);
  refused({{"first_response_hours", 8},
           {"resolution_hours", 48},
           {"categories", bj::object{{"gardening", bj::object{{"first_response_hours", 1}, {"resolution_hours", 2}}}}}},
          422, "categories.gardening");
  refused({{"first_response_hours", 8},
           {"resolution_hours", 48},
           {"categories", bj::object{{"plumbing", bj::object{{"first_response_hours", 5}, {"resolution_hours", 2}}}}}},
          422, "categories.plumbing.resolution_hours");
  // Nothing changed by the refusals.
  auto after = t.get(sla(c), c.manager.token);
  CHECK(after.json.at("first_response_hours").as_int64() == 8);
  CHECK(category_of(after.json, "plumbing").at("first_response_hours").as_int64() == 2);

  // Access: a resident may read but not change; another community's manager gets 404.
  CHECK(t.call("PUT", sla(c), body, r.token).status == 403);
  CHECK(t.call("PUT", sla(c), body, t.courier(c).token).status == 403);
  CHECK(t.get(sla(c), other.manager.token).status == 404);
  CHECK(t.call("PUT", sla(c), body, other.manager.token).status == 404);
  CHECK(t.get(sla(c)).status == 401);
  // The other community still has the defaults.
  CHECK(t.get(sla(other), other.manager.token).json.at("first_response_hours").as_int64() == 24);

  // Dropping the categories returns plumbing to the community's targets.
  REQUIRE(t.call("PUT", sla(c), bj::object{{"first_response_hours", 6}, {"resolution_hours", 36}}, c.manager.token).status == 200);
  auto plain = t.get(sla(c), r.token);
  CHECK(category_of(plain.json, "plumbing").at("own") == false);
  CHECK(category_of(plain.json, "plumbing").at("first_response_hours").as_int64() == 6);
}

TEST_CASE("each step of a ticket is measured against the targets it was opened under",
          "[property][tickets][sla]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c, 0);
  REQUIRE(t.call("PUT", sla(c),
                 bj::object{{"first_response_hours", 4},
                  {"resolution_hours", 48},
                  {"categories", bj::object{{"plumbing", bj::object{{"first_response_hours", 1}, {"resolution_hours", 2}}}}}},
                 c.manager.token)
              .status == 200);

  std::int64_t opened_at = now();
  auto id = open_ticket(t, c, r, c.unit_ids[0], "plumbing");
  auto quick = open_ticket(t, c, r, c.unit_ids[0], "electrical");
  auto view = t.get(tickets(c) + "/" + std::to_string(id), r.token);
  CHECK(view.json.at("sla").at("first_response_hours").as_int64() == 1);
  CHECK(view.json.at("sla").at("resolution_hours").as_int64() == 2);
  CHECK(view.json.at("first_response_at").is_null());
  auto opened = only_event(t, c, "ticket.opened", id);
  CHECK(opened.at("category") == "plumbing");
  CHECK(opened.at("history_id").as_int64() > 0);
  CHECK(opened.at("opened_at_ms").as_int64() >= opened_at);
  CHECK(opened.at("first_response_due_at_ms").as_int64() == opened.at("opened_at_ms").as_int64() + kHour);
  CHECK(opened.at("resolution_due_at_ms").as_int64() == opened.at("opened_at_ms").as_int64() + 2 * kHour);

  // Changing the targets later does not move the tickets already open.
  REQUIRE(t.call("PUT", sla(c), bj::object{{"first_response_hours", 100}, {"resolution_hours", 200}}, c.manager.token).status ==
          200);

  // The electrical ticket is answered within its 4 hours; the plumbing one after 90 minutes,
  // past its one hour.
  REQUIRE(t.post(verb(c, quick, "assign"), {{"staff_id", c.manager.account_id}}, c.manager.token).status == 200);
  auto in_time = only_event(t, c, "ticket.first_response", quick);
  CHECK(in_time.at("within_sla") == true);
  CHECK(in_time.at("target_hours").as_int64() == 4);
  t.advance_clock_ms(90 * kMinute);
  auto assigned = t.post(verb(c, id, "assign"), {{"staff_id", c.manager.account_id}}, c.manager.token);
  REQUIRE(assigned.status == 200);
  CHECK(assigned.json.at("first_response_at").is_string());
  auto first = only_event(t, c, "ticket.first_response", id);
  CHECK(first.at("within_sla") == false);
  CHECK(first.at("target_hours").as_int64() == 1);
  CHECK(first.at("minutes").as_int64() >= 90);
  CHECK(first.at("minutes").as_int64() < 100);
  CHECK(first.at("history_id").as_int64() > opened.at("history_id").as_int64());

  // Re-assigning is not a second first response.
  REQUIRE(t.post(verb(c, id, "assign"), {{"staff_id", c.manager.account_id}}, c.manager.token).status == 200);
  only_event(t, c, "ticket.first_response", id);

  REQUIRE(t.call("POST", verb(c, id, "start"), std::nullopt, c.manager.token).status == 200);
  REQUIRE(t.post(verb(c, id, "resolve"), {{"note", "New washer"}}, c.manager.token).status == 200);
  auto resolved = only_event(t, c, "ticket.resolved", id);
  CHECK(resolved.at("within_sla") == true);  // 90 minutes of 2 hours
  CHECK(resolved.at("target_hours").as_int64() == 2);
  CHECK(resolved.at("status") == "resolved");
  CHECK(resolved.at("opened_by").as_int64() == r.account_id);

  REQUIRE(t.post(verb(c, id, "close"), {{"rating", 4}}, r.token).status == 200);
  auto closed = only_event(t, c, "ticket.closed", id);
  CHECK(closed.at("rating").as_int64() == 4);

  REQUIRE(t.call("POST", verb(c, id, "reopen"), std::nullopt, r.token).status == 200);
  auto reopened = only_event(t, c, "ticket.reopened", id);
  CHECK(reopened.at("history_id").as_int64() > closed.at("history_id").as_int64());

  // Resolved again an hour later: measured from the opening, now past the 2 hours.
  t.advance_clock_ms(kHour);
  REQUIRE(t.call("POST", verb(c, id, "start"), std::nullopt, c.manager.token).status == 200);
  REQUIRE(t.post(verb(c, id, "resolve"), {{"note", "New tap"}}, c.manager.token).status == 200);
  auto again = events_of(t, "ticket.resolved", c.id);
  REQUIRE(again.size() == 2);
  CHECK(again[1].at("within_sla") == false);
  CHECK(again[1].at("minutes").as_int64() >= 150);
  // Starting work published nothing of its own.
  CHECK(events_of(t, "ticket.first_response", c.id).size() == 2);
  t.drain_events();
}
