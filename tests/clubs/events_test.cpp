// Club events: creation, calendars, RSVPs, waitlist, payments, check-in, reminders.
#include "tests/clubs/helpers.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>

using namespace courtyard::test;
using namespace courtyard::test::clubs;

namespace {

Result rsvp(TestApp& t, Community const& c, std::int64_t eid, Actor const& who, std::string const& key = "") {
  courtyard::http::Headers h;
  if (!key.empty()) h.emplace_back("Idempotency-Key", key);
  return t.call("POST", event_path(c, eid) + "/rsvp", std::nullopt, who.token, h);
}

bj::value event_detail(TestApp& t, Community const& c, std::int64_t eid, Actor const& who) {
  auto r = t.get(event_path(c, eid), who.token);
  REQUIRE(r.status == 200);
  return r.json;
}

}  // namespace

TEST_CASE("events: create (single and weekly series) and validation", "[clubs][events]") {
  auto& t = TestApp::get();
  auto [c, org, bob, carol, club] = club_setup(t, true);
  auto path = club_path(c, club) + "/events";
  auto body = [&](bj::object extra) {
    bj::object o{{"title", "Blitz night"}, {"starts_at", in(2 * kDay)}, {"capacity", 8}, {"fee_cents", 0}};
    for (auto& kv : extra) o[kv.key()] = kv.value();
    return bj::value(o);
  };

  auto r = t.post(path, body({}), org.token);
  REQUIRE(r.status == 201);
  CHECK(r.header("Location") == event_path(c, r.id()));
  CHECK(str(r, "title") == "Blitz night");
  CHECK(r.json.at("capacity").as_int64() == 8);
  CHECK(r.json.at("seats_left").as_int64() == 8);
  CHECK(r.json.at("series_id").is_null());
  CHECK(r.json.at("club_id").as_int64() == club);

  // A weekly series: one row per occurrence, one series id, a week apart.
  r = t.post(path, body({{"recurrence", bj::object{{"weekly", true}, {"count", 4}}}}), org.token);
  REQUIRE(r.status == 201);
  auto const& occ = r.json.at("occurrences").as_array();
  REQUIRE(occ.size() == 4);
  auto series = r.json.at("series_id").as_int64();
  CHECK(series == r.id());
  for (std::size_t i = 0; i < occ.size(); ++i) {
    CHECK(occ[i].at("series_id").as_int64() == series);
    auto start = *courtyard::json::parse_rfc3339(std::string(occ[i].at("starts_at").as_string()));
    auto first = *courtyard::json::parse_rfc3339(std::string(occ[0].at("starts_at").as_string()));
    CHECK(start - first == static_cast<std::int64_t>(i) * 7 * kDay);
    CHECK(t.get(event_path(c, occ[i].at("id").as_int64()), bob.token).status == 200);
  }

  // 422: invalid values, with field errors.
  r = t.post(path, body({{"starts_at", in(-kHour)}}), org.token);
  CHECK(r.status == 422);
  CHECK(r.json.at("errors").at(0).at("field").as_string() == "starts_at");
  CHECK(t.post(path, body({{"capacity", 0}}), org.token).status == 422);
  CHECK(t.post(path, body({{"fee_cents", -1}}), org.token).status == 422);
  CHECK(t.post(path, body({{"title", ""}}), org.token).status == 422);
  CHECK(t.post(path, body({{"starts_at", "tomorrow"}}), org.token).status == 422);
  CHECK(t.post(path, body({{"recurrence", bj::object{{"weekly", true}, {"count", 53}}}}), org.token).status == 422);
  CHECK(t.post(path, body({{"recurrence", bj::object{{"weekly", false}, {"count", 2}}}}), org.token).status == 422);
  CHECK(t.post(path, bj::object{{"title", "x"}, {"capacity", 2}}, org.token).status == 422);
  // 400: wrong JSON types.
  CHECK(t.post(path, body({{"capacity", "8"}}), org.token).status == 400);
  CHECK(t.post(path, body({{"recurrence", "weekly"}}), org.token).status == 400);
  CHECK(t.post(path, body({{"recurrence", bj::object{{"weekly", true}, {"count", "4"}}}}), org.token).status == 400);
  // 403: members who do not organise the club, including managers.
  CHECK(t.post(path, body({}), bob.token).status == 403);
  CHECK(t.post(path, body({}), c.manager.token).status == 403);
  // 404: unknown club, another community's club.
  CHECK(t.post(club_path(c, 999999999) + "/events", body({}), org.token).status == 404);
  auto other = t.community();
  auto stranger = t.resident(other);
  auto foreign = create_club(t, other, stranger, true);
  CHECK(t.post(club_path(c, foreign) + "/events", body({}), org.token).status == 404);
  CHECK(t.post(path, body({}), stranger.token).status == 404);
  auto foreign_event = create_event(t, other, foreign, stranger, 3);
  CHECK(t.get(event_path(c, foreign_event), org.token).status == 404);
}

TEST_CASE("events: the community calendar and club lists", "[clubs][events]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto org = t.resident(c);
  auto club = create_club(t, c, org, true);
  auto a = create_event(t, c, club, org, 5, 0, 2 * kDay);
  auto r = t.post(club_path(c, club) + "/events",
                  {{"title", "Weekly"}, {"starts_at", in(kDay)}, {"capacity", 5},
                   {"recurrence", bj::object{{"weekly", true}, {"count", 3}}}},
                  org.token);
  REQUIRE(r.status == 201);
  auto s0 = r.json.at("occurrences").at(0).at("id").as_int64();
  auto s1 = r.json.at("occurrences").at(1).at("id").as_int64();
  auto other_club = create_club(t, c, org, false);
  auto b = create_event(t, c, other_club, org, 5, 0, 3 * kDay);

  auto from = in(0), to = in(10 * kDay);
  r = t.get(c.base() + "/events?from=" + from + "&to=" + to, org.token);
  REQUIRE(r.status == 200);
  std::vector<std::int64_t> ids;
  for (auto const& e : r.json.at("items").as_array()) ids.push_back(e.at("id").as_int64());
  CHECK(ids == std::vector<std::int64_t>{s0, a, b, s1});  // by start time, every club

  // Pages of two.
  r = t.get(c.base() + "/events?limit=2&from=" + from + "&to=" + to, org.token);
  REQUIRE(r.json.at("items").as_array().size() == 2);
  auto r2 = t.get(c.base() + "/events?limit=2&from=" + from + "&to=" + to + "&cursor=" + str(r, "next_cursor"),
                  org.token);
  REQUIRE(r2.status == 200);
  REQUIRE(r2.json.at("items").as_array().size() == 2);
  CHECK(r2.json.at("items").at(0).at("id").as_int64() == b);
  CHECK(r2.json.at("items").at(1).at("id").as_int64() == s1);
  CHECK(r2.json.at("next_cursor").is_null());

  // The default window is the next 31 days: the third weekly occurrence (+15 d) is in it.
  r = t.get(c.base() + "/events", org.token);
  CHECK(r.json.at("items").as_array().size() == 5);

  // One club's events.
  r = t.get(club_path(c, club) + "/events?from=" + from + "&to=" + to, org.token);
  REQUIRE(r.status == 200);
  CHECK(r.json.at("items").as_array().size() == 3);
  CHECK(t.get(club_path(c, 999999999) + "/events", org.token).status == 404);

  // Window validation.
  CHECK(t.get(c.base() + "/events?from=" + to + "&to=" + from, org.token).status == 422);
  CHECK(t.get(c.base() + "/events?from=yesterday", org.token).status == 422);
  CHECK(t.get(c.base() + "/events?from=" + from + "&to=" + in(400 * kDay), org.token).status == 422);

  auto other = t.community();
  CHECK(t.get(c.base() + "/events", other.manager.token).status == 404);
}

TEST_CASE("events: RSVP, waitlist, cancel and promotion (free event)", "[clubs][events]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto org = t.resident(c);
  std::vector<Actor> p;
  for (int i = 0; i < 4; ++i) p.push_back(t.resident(c, static_cast<std::size_t>(i % 3)));
  auto club = create_club(t, c, org, true);
  auto eid = create_event(t, c, club, org, 2);

  auto r = rsvp(t, c, eid, p[0]);
  REQUIRE(r.status == 201);
  CHECK(str(r, "status") == "going");
  CHECK(str(r, "check_in_code").size() == 10);
  CHECK(r.header("Location") == event_path(c, eid));
  CHECK(rsvp(t, c, eid, p[1]).json.at("status").as_string() == "going");
  r = rsvp(t, c, eid, p[2]);
  REQUIRE(r.status == 201);
  CHECK(str(r, "status") == "waitlisted");
  CHECK(r.json.at("position").as_int64() == 1);
  CHECK_FALSE(r.json.as_object().contains("check_in_code"));
  r = rsvp(t, c, eid, p[3]);
  CHECK(r.json.at("position").as_int64() == 2);

  r = rsvp(t, c, eid, p[0]);
  CHECK(r.status == 409);
  CHECK(r.problem_type() == "/problems/already-rsvped");
  CHECK(rsvp(t, c, eid, p[3]).status == 409);

  auto d = event_detail(t, c, eid, p[3]);
  CHECK(d.at("going_count").as_int64() == 2);
  CHECK(d.at("waitlist_count").as_int64() == 2);
  CHECK(d.at("seats_left").as_int64() == 0);
  CHECK(d.at("my_rsvp").at("status").as_string() == "waitlisted");
  CHECK(d.at("my_rsvp").at("position").as_int64() == 2);
  CHECK(event_detail(t, c, eid, org).at("my_rsvp").is_null());

  // p[0] cancels: the first waitlisted (p[2]) is promoted in the same transaction.
  r = t.del(event_path(c, eid) + "/rsvp", p[0].token);
  REQUIRE(r.status == 200);
  CHECK(str(r, "status") == "cancelled");
  CHECK(r.json.at("refunded_cents").as_int64() == 0);
  d = event_detail(t, c, eid, p[2]);
  CHECK(d.at("my_rsvp").at("status").as_string() == "going");
  CHECK(d.at("my_rsvp").at("check_in_code").as_string().size() == 10);
  CHECK(d.at("going_count").as_int64() == 2);
  CHECK(event_detail(t, c, eid, p[3]).at("my_rsvp").at("position").as_int64() == 1);
  CHECK(t.del(event_path(c, eid) + "/rsvp", p[0].token).status == 404);  // nothing left to cancel
  CHECK(t.del(event_path(c, eid) + "/rsvp", org.token).status == 404);

  // A waitlisted cancel frees nothing; a cancelled RSVP can come back (to the end of the queue).
  REQUIRE(t.del(event_path(c, eid) + "/rsvp", p[3].token).status == 200);
  CHECK(event_detail(t, c, eid, org).at("going_count").as_int64() == 2);
  r = rsvp(t, c, eid, p[0]);
  CHECK(r.status == 200);
  CHECK(str(r, "status") == "waitlisted");
  CHECK(r.json.at("position").as_int64() == 1);

  t.drain_events();
  std::map<std::string, int> statuses;
  for (auto const& e : delivered(c.id, "event.rsvp")) {
    CHECK(e.payload.at("event_id").as_int64() == eid);
    CHECK(e.payload.at("club_id").as_int64() == club);
    statuses[std::string(e.payload.at("status").as_string())]++;
  }
  CHECK(statuses["going"] == 2);
  CHECK(statuses["waitlisted"] == 3);
  CHECK(statuses["cancelled"] == 2);
  CHECK(statuses["promoted"] == 1);

  // Unknown events, other communities.
  CHECK(rsvp(t, c, 999999999, p[0]).status == 404);
  auto other = t.community();
  auto stranger = t.resident(other);
  CHECK(rsvp(t, c, eid, stranger).status == 404);
  auto foreign_club = create_club(t, other, stranger, true);
  auto foreign_event = create_event(t, other, foreign_club, stranger, 3);
  CHECK(rsvp(t, c, foreign_event, p[0]).status == 404);
  CHECK(t.del(event_path(c, foreign_event) + "/rsvp", stranger.token).status == 404);
}

TEST_CASE("events: closed clubs' events are for club members", "[clubs][events]") {
  auto& t = TestApp::get();
  auto [c, org, bob, carol, club] = club_setup(t, false);
  auto eid = create_event(t, c, club, org, 5);
  REQUIRE(t.call("POST", club_path(c, club) + "/join", std::nullopt, bob.token).status == 200);

  auto r = rsvp(t, c, eid, carol);
  CHECK(r.status == 403);
  CHECK(rsvp(t, c, eid, bob).status == 403);  // still pending
  REQUIRE(t.call("POST", club_path(c, club) + "/members/" + std::to_string(bob.account_id) + "/approve", std::nullopt,
                 org.token)
              .status == 200);
  CHECK(rsvp(t, c, eid, bob).status == 201);
  CHECK(rsvp(t, c, eid, org).status == 201);
}

TEST_CASE("events: RSVP and cancel stop at the start", "[clubs][events]") {
  auto& t = TestApp::get();
  auto [c, org, bob, carol, club] = club_setup(t, true);
  auto eid = create_event(t, c, club, org, 5, 0, 60'000);
  REQUIRE(rsvp(t, c, eid, org).status == 201);
  t.advance_clock_ms(2 * 60'000);
  auto r = rsvp(t, c, eid, bob);
  CHECK(r.status == 409);
  CHECK(r.problem_type() == "/problems/event-started");
  r = t.del(event_path(c, eid) + "/rsvp", org.token);
  CHECK(r.status == 409);
  CHECK(r.problem_type() == "/problems/event-started");
}

TEST_CASE("events: paid seats, idempotency, refunds, promotion skips who cannot pay", "[clubs][events][money]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto org = t.resident(c);
  auto rich1 = t.resident(c), rich2 = t.resident(c, 1), rich3 = t.resident(c, 2), poor = t.resident(c);
  for (auto const* a : {&rich1, &rich2, &rich3}) t.top_up(c, *a, 1000);
  auto club = create_club(t, c, org, true);
  auto eid = create_event(t, c, club, org, 2, 500);

  auto r = rsvp(t, c, eid, rich1);
  REQUIRE(r.status == 201);
  CHECK(str(r, "status") == "going");
  CHECK(r.json.at("paid_cents").as_int64() == 500);
  CHECK(t.balance(c, rich1) == 500);

  // No money: 409 and no seat taken.
  r = rsvp(t, c, eid, poor);
  CHECK(r.status == 409);
  CHECK(r.problem_type() == "/problems/insufficient-funds");
  auto d = event_detail(t, c, eid, poor);
  CHECK(d.at("seats_left").as_int64() == 1);
  CHECK(d.at("going_count").as_int64() == 1);
  CHECK(d.at("my_rsvp").is_null());

  // The same Idempotency-Key replays the first answer and charges once; on another request -> 422.
  auto key = t.unique("rsvp");
  r = rsvp(t, c, eid, rich2, key);
  REQUIRE(r.status == 201);
  auto replay = rsvp(t, c, eid, rich2, key);
  CHECK(replay.status == 201);
  CHECK(replay.body == r.body);
  CHECK(replay.header("Idempotent-Replayed") == "true");
  CHECK(t.balance(c, rich2) == 500);
  auto second = create_event(t, c, club, org, 2, 500);
  r = rsvp(t, c, second, rich2, key);
  CHECK(r.status == 422);
  CHECK(r.problem_type() == "/problems/idempotency-key-reused");

  // Full: the waitlist does not pay until promoted.
  r = rsvp(t, c, eid, poor);
  REQUIRE(r.status == 201);
  CHECK(str(r, "status") == "waitlisted");
  r = rsvp(t, c, eid, rich3);
  CHECK(str(r, "status") == "waitlisted");
  CHECK(r.json.at("position").as_int64() == 2);
  CHECK(t.balance(c, rich3) == 1000);

  // rich1 cancels: refunded; poor (first in line) cannot pay and keeps waiting; rich3 is promoted and pays.
  r = t.del(event_path(c, eid) + "/rsvp", rich1.token);
  REQUIRE(r.status == 200);
  CHECK(r.json.at("refunded_cents").as_int64() == 500);
  CHECK(t.balance(c, rich1) == 1000);
  CHECK(t.balance(c, rich3) == 500);
  CHECK(event_detail(t, c, eid, rich3).at("my_rsvp").at("status").as_string() == "going");
  d = event_detail(t, c, eid, poor);
  CHECK(d.at("my_rsvp").at("status").as_string() == "waitlisted");
  CHECK(d.at("my_rsvp").at("position").as_int64() == 1);
  CHECK(d.at("going_count").as_int64() == 2);

  // Once poor can pay, the next free seat is theirs.
  t.top_up(c, poor, 600);
  REQUIRE(t.del(event_path(c, eid) + "/rsvp", rich2.token).status == 200);
  CHECK(t.balance(c, rich2) == 1000);
  CHECK(t.balance(c, poor) == 100);
  CHECK(event_detail(t, c, eid, poor).at("my_rsvp").at("paid_cents").as_int64() == 500);

  // The ledger still balances (the skipped promotion left nothing behind).
  r = t.get(c.base() + "/ledger/summary", c.manager.token);
  REQUIRE(r.status == 200);
  CHECK(r.json.at("balanced").as_bool());
  CHECK(r.json.at("by_kind").at("community").at("balance_cents").as_int64() == 1000);

  t.drain_events();
  int promoted = 0;
  for (auto const& e : delivered(c.id, "event.rsvp"))
    if (e.payload.at("status").as_string() == "promoted") {
      ++promoted;
      CHECK((e.payload.at("account_id").as_int64() == rich3.account_id ||
             e.payload.at("account_id").as_int64() == poor.account_id));
    }
  CHECK(promoted == 2);
}

TEST_CASE("events: check-in by the organiser, once per attendee", "[clubs][events]") {
  auto& t = TestApp::get();
  auto [c, org, bob, carol, club] = club_setup(t, true);
  auto eid = create_event(t, c, club, org, 5);
  auto r = rsvp(t, c, eid, bob);
  REQUIRE(r.status == 201);
  auto code = str(r, "check_in_code");
  auto path = event_path(c, eid) + "/check-in";

  CHECK(t.post(path, {{"code", code}}, bob.token).status == 403);
  CHECK(t.post(path, {{"code", code}}, c.manager.token).status == 403);
  CHECK(t.post(path, {{"code", "NOPE2345"}}, org.token).status == 404);
  CHECK(t.post(path, bj::object{}, org.token).status == 422);
  CHECK(t.post(path, {{"code", 42}}, org.token).status == 400);
  std::string typed = code;
  std::transform(typed.begin(), typed.end(), typed.begin(), [](unsigned char ch) { return std::tolower(ch); });
  r = t.post(path, {{"code", typed}}, org.token);
  REQUIRE(r.status == 200);
  CHECK(r.json.at("account_id").as_int64() == bob.account_id);
  CHECK(r.json.at("checked_in_at").is_string());
  r = t.post(path, {{"code", code}}, org.token);
  CHECK(r.status == 409);
  CHECK(r.problem_type() == "/problems/already-checked-in");
  CHECK(event_detail(t, c, eid, bob).at("my_rsvp").at("checked_in_at").is_string());
  CHECK(t.post(event_path(c, 999999999) + "/check-in", {{"code", code}}, org.token).status == 404);

  t.drain_events();
  auto checked = delivered(c.id, "event.checked_in");
  REQUIRE(checked.size() == 1);
  CHECK(checked[0].payload.at("event_id").as_int64() == eid);
  CHECK(checked[0].payload.at("account_id").as_int64() == bob.account_id);
}

TEST_CASE("events: the reminder job publishes once, about a day before", "[clubs][events][jobs]") {
  auto& t = TestApp::get();
  auto [c, org, bob, carol, club] = club_setup(t, true);
  auto eid = create_event(t, c, club, org, 5, 0, 30 * kHour);
  REQUIRE(rsvp(t, c, eid, bob).status == 201);

  REQUIRE(t.run_job("clubs.event_reminders"));
  t.drain_events();
  CHECK(delivered(c.id, "event.reminder").empty());  // 30 h ahead: not yet

  t.advance_clock_ms(7 * kHour);
  REQUIRE(t.run_job("clubs.event_reminders"));
  REQUIRE(t.run_job("clubs.event_reminders"));  // a second run (or instance) sends nothing more
  t.drain_events();
  auto reminders = delivered(c.id, "event.reminder");
  REQUIRE(reminders.size() == 1);
  CHECK(reminders[0].payload.at("event_id").as_int64() == eid);
  CHECK(reminders[0].payload.at("title").as_string() == "Evening");
  CHECK(reminders[0].payload.at("starts_at_ms").is_int64());
  auto const& accounts = reminders[0].payload.at("account_ids").as_array();
  REQUIRE(accounts.size() == 1);
  CHECK(accounts[0].as_int64() == bob.account_id);
}

TEST_CASE("events: 20 residents RSVP at once for 5 seats", "[clubs][events][concurrency]") {
  auto& t = TestApp::get();
  auto& cr = crowd();
  auto const& org = cr.residents[0];
  auto club = create_club(t, cr.c, org, true);
  auto eid = create_event(t, cr.c, club, org, 5);

  std::mutex mu;
  std::vector<Result> results(20);
  in_parallel(20, [&](int i) {
    auto r = rsvp(t, cr.c, eid, cr.residents[static_cast<std::size_t>(i + 1)]);
    std::lock_guard lk(mu);
    results[static_cast<std::size_t>(i)] = std::move(r);
  });
  int going = 0;
  std::set<std::int64_t> positions;
  for (auto const& r : results) {
    INFO(r.body);
    REQUIRE(r.status == 201);
    if (r.json.at("status").as_string() == "going")
      ++going;
    else
      positions.insert(r.json.at("position").as_int64());
  }
  CHECK(going == 5);
  CHECK(positions.size() == 15);  // distinct
  CHECK(*positions.begin() == 1);
  CHECK(*positions.rbegin() == 15);
  auto d = event_detail(t, cr.c, eid, org);
  CHECK(d.at("going_count").as_int64() == 5);
  CHECK(d.at("waitlist_count").as_int64() == 15);
  CHECK(d.at("seats_left").as_int64() == 0);
}

TEST_CASE("events: concurrent paid RSVPs charge exactly the seated", "[clubs][events][concurrency][money]") {
  auto& t = TestApp::get();
  auto& cr = crowd();
  auto const& org = cr.residents[0];
  auto club = create_club(t, cr.c, org, true);
  auto eid = create_event(t, cr.c, club, org, 5, 300);
  std::vector<std::int64_t> before;
  for (int i = 1; i <= 20; ++i) {
    t.top_up(cr.c, cr.residents[static_cast<std::size_t>(i)], 1000);
    before.push_back(t.balance(cr.c, cr.residents[static_cast<std::size_t>(i)]));
  }

  std::vector<std::string> status(20);
  in_parallel(20, [&](int i) {
    auto r = rsvp(t, cr.c, eid, cr.residents[static_cast<std::size_t>(i + 1)], t.unique("paid"));
    status[static_cast<std::size_t>(i)] = r.status == 201 ? std::string(r.json.at("status").as_string()) : r.body;
  });
  int going = 0;
  for (int i = 0; i < 20; ++i) {
    auto s = status[static_cast<std::size_t>(i)];
    INFO(s);
    REQUIRE((s == "going" || s == "waitlisted"));
    auto delta = before[static_cast<std::size_t>(i)] - t.balance(cr.c, cr.residents[static_cast<std::size_t>(i + 1)]);
    if (s == "going") {
      ++going;
      CHECK(delta == 300);
    } else {
      CHECK(delta == 0);
    }
  }
  CHECK(going == 5);
  CHECK(event_detail(t, cr.c, eid, org).at("going_count").as_int64() == 5);
}

TEST_CASE("events: cancels, promotions and new RSVPs at once keep going <= capacity",
          "[clubs][events][concurrency][money]") {
  auto& t = TestApp::get();
  auto& cr = crowd();
  auto const& org = cr.residents[0];
  auto club = create_club(t, cr.c, org, true);
  constexpr std::int64_t kCap = 5, kFee = 100;
  auto eid = create_event(t, cr.c, club, org, kCap, kFee);
  auto who = [&](int i) -> Actor const& { return cr.residents[static_cast<std::size_t>(i)]; };
  std::map<int, std::int64_t> before;
  for (int i = 1; i <= 20; ++i) {
    t.top_up(cr.c, who(i), 500);
    before[i] = t.balance(cr.c, who(i));
  }
  // 1-5 going, 6-15 waitlisted.
  for (int i = 1; i <= 15; ++i) REQUIRE(rsvp(t, cr.c, eid, who(i)).status == 201);

  // At once: the five going cancel, three waitlisted cancel, five newcomers RSVP.
  std::vector<int> cancels{1, 2, 3, 4, 5, 6, 9, 12};
  std::vector<int> newcomers{16, 17, 18, 19, 20};
  // Each refused request with its status and body, so a failure says what was refused.
  std::mutex refused_mu;
  std::vector<std::string> refused;
  in_parallel(static_cast<int>(cancels.size() + newcomers.size()), [&](int k) {
    bool cancel = k < static_cast<int>(cancels.size());
    auto r = cancel ? t.del(event_path(cr.c, eid) + "/rsvp", who(cancels[static_cast<std::size_t>(k)]).token)
                    : rsvp(t, cr.c, eid, who(newcomers[static_cast<std::size_t>(k) - cancels.size()]), t.unique("k"));
    if (r.status != (cancel ? 200 : 201)) {
      std::lock_guard lk(refused_mu);
      refused.push_back((cancel ? "cancel: " : "rsvp: ") + std::to_string(r.status) + " " + r.body);
    }
  });
  for (auto const& why : refused) UNSCOPED_INFO(why);
  CHECK(refused.empty());

  auto d = event_detail(t, cr.c, eid, org);
  auto going = d.at("going_count").as_int64();
  CHECK(going <= kCap);
  CHECK(going == kCap);  // the queue is long enough to refill every seat
  CHECK(d.at("seats_left").as_int64() == kCap - going);
  CHECK(d.at("waitlist_count").as_int64() == 15 + 5 - 8 - kCap);

  // Money follows seats: the going paid once, everybody else is square.
  std::int64_t paid = 0;
  for (int i = 1; i <= 20; ++i) {
    auto mine = event_detail(t, cr.c, eid, who(i)).at("my_rsvp");
    bool seated = mine.is_object() && mine.at("status").as_string() == "going";
    auto delta = before[i] - t.balance(cr.c, who(i));
    INFO("resident " << i);
    CHECK(delta == (seated ? kFee : 0));
    paid += delta;
  }
  CHECK(paid == going * kFee);
  // Waitlist positions stay distinct and contiguous.
  std::set<std::int64_t> positions;
  for (int i = 1; i <= 20; ++i) {
    auto mine = event_detail(t, cr.c, eid, who(i)).at("my_rsvp");
    if (mine.is_object() && mine.at("status").as_string() == "waitlisted") positions.insert(mine.at("position").as_int64());
  }
  CHECK(static_cast<std::int64_t>(positions.size()) == d.at("waitlist_count").as_int64());
  if (!positions.empty()) CHECK(*positions.rbegin() == static_cast<std::int64_t>(positions.size()));
}
