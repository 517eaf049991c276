// Earning from other services' events: each source once, under the rule in
// effect when the event happened, with caps and multipliers, never across
// communities; end to end from the real property, shops and clubs flows.
#include "db/outbox.hpp"
#include "services/members/api.hpp"
#include "tests/members/helpers.hpp"

#include <chrono>
#include <set>
#include <thread>
#include <vector>

using namespace members_test;
using soci::use;

namespace {

std::int64_t postings_for_event(std::int64_t event_id) {
  return scalar("SELECT COUNT(*) FROM members_points_postings WHERE source_event_id = :e", use(event_id, "e"));
}

// The version of the earn rule the event's posting was made under.
std::int64_t rule_version_of(std::int64_t event_id) {
  return scalar("SELECT rule_version FROM members_points_postings WHERE source_event_id = :e", use(event_id, "e"));
}

}  // namespace

TEST_CASE(
    "an order earns per 100 cents with the merchant's multiplier, once "
    "per event",
    "[members][earning]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto [owner, mid] = t.merchant(c);
  auto buyer = t.resident(c);
  set_rule(c, {{"kind", "order_completed"},
               {"points", 1},
               {"merchant_multipliers", bj::array{bj::object{{"merchant_id", mid}, {"multiplier_pct", 200}}}}});

  auto e1 = order_completed(c, buyer, 101, 1250, mid);   // 12 x 1 x 2
  auto e2 = order_completed(c, buyer, 102, 999, 12345);  // another merchant: 9
  t.drain_events();
  CHECK(points(c, buyer) == 24 + 9);
  CHECK(postings_for_event(e1) == 1);
  CHECK(postings_for_event(e2) == 1);

  // The same order completing "again" (a second event for the same source)
  // earns nothing.
  order_completed(c, buyer, 101, 1250, mid);
  t.drain_events();
  CHECK(points(c, buyer) == 33);

  auto m = membership(c, buyer);
  auto const& latest = m.at("history").at(0);
  CHECK(latest.at("source") == "order");
  CHECK(latest.at("source_ref").as_string() == "order:" + std::to_string(kFakeOrder + 102));
  CHECK(latest.at("kind") == "earn");
  CHECK(latest.at("rule_version").as_int64() == 1);
  CHECK(latest.at("rule_id").is_int64());
  CHECK(latest.at("source_event_id").as_int64() == e2);
  check_ledger(c.id);
}

TEST_CASE("a rule change applies to events that happen after it", "[members][earning][rules]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c);
  // No rule yet: nothing earned, and no rule later makes that event earn.
  auto before_any = checked_in(c, r, 1);
  t.drain_events();
  auto v1 = set_rule(c, {{"kind", "event_attended"}, {"points", 10}});
  CHECK(v1.at("version").as_int64() == 1);
  t.advance_clock_ms(5);
  auto early = checked_in(c, r, 2);  // happens under v1, delivered after v2 exists
  t.advance_clock_ms(5);
  auto v2 = set_rule(c, {{"kind", "event_attended"}, {"points", 25}});
  CHECK(v2.at("version").as_int64() == 2);
  t.advance_clock_ms(5);
  auto late = checked_in(c, r, 3);
  t.drain_events();
  CHECK(postings_for_event(before_any) == 0);
  CHECK(points(c, r) == 10 + 25);
  CHECK(rule_version_of(early) == 1);
  CHECK(rule_version_of(late) == 2);

  // Disabling is a version too.
  t.advance_clock_ms(5);
  set_rule(c, {{"kind", "event_attended"}, {"points", 25}, {"enabled", false}});
  t.advance_clock_ms(5);
  checked_in(c, r, 4);
  t.drain_events();
  CHECK(points(c, r) == 35);

  auto rules = t.get(loyalty(c, "earn-rules"), c.manager.token);
  REQUIRE(rules.status == 200);
  REQUIRE(rules.json.at("items").as_array().size() == 1);
  CHECK(rules.json.at("items").at(0).at("version").as_int64() == 3);
  CHECK(rules.json.at("items").at(0).at("enabled") == false);
}

TEST_CASE("the daily cap limits points per member, kind and day", "[members][earning][rules]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c);
  auto other = t.resident(c, 1);
  set_rule(c, {{"kind", "order_completed"}, {"points", 1}, {"daily_cap", 25}});
  order_completed(c, r, 1, 2000);      // 20
  order_completed(c, r, 2, 2000);      // 5 (cap)
  order_completed(c, r, 3, 2000);      // 0
  order_completed(c, other, 4, 1000);  // another member's own cap
  t.drain_events();
  CHECK(points(c, r) == 25);
  CHECK(points(c, other) == 10);
  t.advance_clock_ms(kDay);
  order_completed(c, r, 5, 1000);  // a new day
  t.drain_events();
  CHECK(points(c, r) == 35);
  check_ledger(c.id);
}

TEST_CASE(
    "earning is exactly once per source event with handlers and "
    "dispatchers racing",
    "[members][earning][concurrency]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c);
  set_rule(c, {{"kind", "order_completed"}, {"points", 1}});

  // Eight deliveries of one event at once (leases that expired mid-run): one
  // posting.
  auto id = order_completed(c, r, 77, 5000);
  courtyard::events::Event ev;
  ev.id = id;
  ev.topic = "order.completed";
  ev.community_id = c.id;
  ev.created_at = courtyard::db::now_ms();
  ev.payload = bj::object{
      {"community_id", c.id}, {"order_id", kFakeOrder + 77}, {"buyer_id", r.account_id}, {"merchant_id", 1}, {"total_cents", 5000}};
  auto const* handler = t.app().bus().handler("members.order_completed", "order.completed");
  REQUIRE(handler);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      courtyard::db::transact(t.app().db(), &t.app().bus(), [&](courtyard::db::Tx& tx) { (*handler)(ev, tx); });
    });
  for (auto& th : threads) th.join();
  CHECK(postings_for_event(id) == 1);
  CHECK(points(c, r) == 50);

  // Two dispatchers ("instances") draining forty events of several members at
  // once.
  std::vector<Actor> people{r, t.resident(c, 1), t.resident(c, 2)};
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 40; ++i) ids.push_back(order_completed(c, people[i % 3], 1000 + i, 100));
  courtyard::events::Dispatcher d1(t.app().db(), t.app().bus(), {.owner = t.unique("d1"), .batch = 4});
  courtyard::events::Dispatcher d2(t.app().db(), t.app().bus(), {.owner = t.unique("d2"), .batch = 4});
  std::thread a([&] { d1.drain(500); });
  std::thread b([&] { d2.drain(500); });
  a.join();
  b.join();
  t.drain_events();
  for (auto e : ids) CHECK(postings_for_event(e) == 1);
  CHECK(points(c, people[0]) == 50 + 14);
  CHECK(points(c, people[1]) == 13);
  CHECK(points(c, people[2]) == 13);
  check_ledger(c.id);
}

TEST_CASE("another community's events and rules never reach a member", "[members][earning][isolation]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto other = t.community();
  auto r = t.resident(c);
  set_rule(c, {{"kind", "event_attended"}, {"points", 10}});
  set_rule(other, {{"kind", "event_attended"}, {"points", 1000}});
  checked_in(c, r, 5);
  checked_in(other, r,
             5);  // an event of the other community naming her: its own ledger
  t.drain_events();
  CHECK(points(c, r) == 10);
  CHECK(scalar("SELECT COALESCE(SUM(balance), 0) FROM members_points_accounts WHERE community_id = :c "
               "AND owner_kind = 'member'",
               use(c.id, "c")) == 10);
  // She is no resident there: her membership of it is not hers to see.
  CHECK(t.get("/v1/me/membership?community_id=" + std::to_string(other.id), r.token).status == 404);
  // The other manager cannot see her.
  CHECK(t.get(other.base() + "/members/" + std::to_string(r.account_id), other.manager.token).status == 404);
  check_ledger(c.id);
  check_ledger(other.id);
}

TEST_CASE(
    "end to end: an on-time bill, a pickup order, its review, a check-in "
    "and an adopted suggestion earn",
    "[members][earning][e2e]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto [owner, mid] = t.merchant(c);
  auto r = t.resident(c, 1);
  t.top_up(c, r, 100000);
  set_rule(c, {{"kind", "bill_paid_on_time"}, {"points", 100}});
  set_rule(c, {{"kind", "order_completed"}, {"points", 1}});
  set_rule(c, {{"kind", "first_review"}, {"points", 15}});
  set_rule(c, {{"kind", "event_attended"}, {"points", 20}});
  set_rule(c, {{"kind", "suggestion_adopted"}, {"points", 40}});
  t.advance_clock_ms(5);

  // Property: one bill due in the future (on time) and one long overdue.
  auto fee = t.post(c.base() + "/fee-schedules",
                    {{"name", t.unique("fee")}, {"amount_cents", 1000}, {"scope", "community"}}, c.manager.token);
  REQUIRE(fee.status == 201);
  REQUIRE(t.post(c.base() + "/billing-runs", {{"period", "2031-01"}}, c.manager.token).status == 201);
  REQUIRE(t.post(c.base() + "/billing-runs", {{"period", "2020-01"}}, c.manager.token).status == 201);
  auto bills = t.get(c.base() + "/bills?unit_id=" + std::to_string(c.unit_ids[1]), c.manager.token);
  REQUIRE(bills.json.at("items").as_array().size() == 2);
  for (auto const& b : bills.json.at("items").as_array()) {
    auto pay = t.post(c.base() + "/bills/" + std::to_string(b.at("id").as_int64()) + "/payments",
                      {{"method", "wallet"}}, r.token, {{"Idempotency-Key", t.unique("pay")}});
    REQUIRE(pay.status == 201);
  }

  // Shops: a 12.50 pickup order, redeemed, then reviewed.
  auto order = loaf_order(c, mid, owner, r).order;
  auto oid = order.id();
  collect_order(c, mid, owner, order);
  REQUIRE(t.post(c.base() + "/orders/" + std::to_string(oid) + "/review", {{"rating", 5}}, r.token).status == 201);

  // Clubs: an event she attends, checked in by the organiser.
  auto run = club_event(c, 2);
  REQUIRE(t.post(c.base() + "/clubs/" + std::to_string(run.club) + "/join", bj::object{}, r.token).status / 100 == 2);
  attend(c, run, r);

  // Property: her suggestion, adopted by the manager (once).
  auto sug = t.post(c.base() + "/suggestions", {{"title", "Bike racks"}, {"body", "By the gate"}}, r.token);
  REQUIRE(sug.status == 201);
  auto adopt = c.base() + "/suggestions/" + std::to_string(sug.id()) + "/adopt";
  CHECK(t.call("POST", adopt, std::nullopt, r.token).status == 403);
  auto adopted = t.call("POST", adopt, std::nullopt, c.manager.token);
  REQUIRE(adopted.status == 200);
  CHECK(adopted.json.at("adopted_at").is_string());
  CHECK(t.call("POST", adopt, std::nullopt, c.manager.token).problem_type() == "/problems/already-adopted");

  t.drain_events();
  auto m = membership(c, r);
  // 100 (the 2031 bill; the 2020 one was late) + 12 + 15 + 20 + 40.
  CHECK(m.at("points").as_int64() == 100 + 12 + 15 + 20 + 40);
  std::set<std::string> sources;
  for (auto const& h : m.at("history").as_array()) sources.insert(std::string(h.at("source").as_string()));
  CHECK(sources == std::set<std::string>{"bill", "order", "review", "event", "suggestion"});
  check_ledger(c.id);
}

// Measurement, not run by default (`test_members "[.bench]"`): how fast the dispatcher turns
// order.completed events into points postings (each under its member's lock, with a cap row).
TEST_CASE("earning throughput: 1000 order.completed events for 50 members", "[.bench][members]") {
  auto& t = TestApp::get();
  auto c = t.community();
  std::vector<Actor> people;
  for (int i = 0; i < 50; ++i) people.push_back(t.resident(c, static_cast<std::size_t>(i % 3)));
  set_rule(c, {{"kind", "order_completed"}, {"points", 1}, {"daily_cap", 1000000}});
  t.drain_events();
  for (int i = 0; i < 1000; ++i) order_completed(c, people[static_cast<std::size_t>(i % 50)], 50000 + i, 1000);
  auto start = std::chrono::steady_clock::now();
  t.drain_events();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  WARN("drained 1000 order.completed (plus their notifications) in " << ms << " ms ("
                                                                      << (ms > 0 ? 1000 * 1000 / ms : 0) << " events/s)");
  CHECK(scalar("SELECT COUNT(*) FROM members_points_postings WHERE community_id = :c", use(c.id, "c")) == 1000);
  check_ledger(c.id);
}
