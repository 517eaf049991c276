// What publishing and dispatching keep between transactions (issue 11, flash sale): the
// cluster's subscriber list per topic (cached for a short while, with a catch-up for a
// subscriber another instance registers meanwhile) and the dispatcher's one-statement
// search for due queues.
#include "tests/db/outbox_support.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <thread>

using namespace outbox_test;

namespace {

std::int64_t handled(std::string const& sub, std::int64_t event_id) {
  return count("SELECT COUNT(*) FROM t_stall_handled WHERE subscriber = :s AND event_id = " + std::to_string(event_id),
               sub);
}

std::int64_t deliveries(std::string const& sub, std::int64_t event_id) {
  return count("SELECT COUNT(*) FROM event_deliveries WHERE subscriber = :s AND event_id = " + std::to_string(event_id),
               sub);
}

// An instance's dispatcher on `bus` (its owner a unique name from `name`), started: its first
// round registers the bus's subscribers with the cluster.
std::unique_ptr<events::Dispatcher> started(events::Bus& bus, std::string const& name) {
  auto d = std::make_unique<events::Dispatcher>(database(), bus, events::DispatcherOptions{.owner = app().unique(name)});
  d->run_once();
  return d;
}

}  // namespace

TEST_CASE("a subscriber registered during a rolling deploy gets the events published with a stale list",
          "[events][cluster][cache]") {
  auto& t = app();
  auto topic = t.unique("topic");
  auto old_sub = t.unique("old"), fresh = t.unique("fresh");
  // Instance A publishes and runs no subscriber of the topic; it keeps lists for an hour here.
  events::Bus a;
  a.set_subscriber_cache_ttl(std::chrono::hours(1));
  auto da = started(a, "A");
  // Instance B (old version) runs `old`.
  events::Bus b;
  b.subscribe(old_sub, topic, recorder(old_sub, "b"));
  auto dbb = started(b, "B");

  auto before = publish(a, topic, 0);  // A reads and caches [old]
  CHECK(deliveries(old_sub, before) == 1);

  // Instance C (new version) starts with the new subscriber `fresh` (a few ms later: the
  // catch-up takes events from the registration's millisecond on).
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  events::Bus c;
  c.subscribe(fresh, topic, recorder(fresh, "c"));
  auto dc = started(c, "C");
  auto stale = publish(a, topic, 1);
  // A's cached list is in use: no delivery for `fresh` was written with the event...
  CHECK(deliveries(old_sub, stale) == 1);
  CHECK(deliveries(fresh, stale) == 0);

  // ...and C's dispatcher catches it up once the publishers' lists have expired (2 x ttl
  // after it registered; the clock is moved instead of waiting).
  t.advance_clock_ms(3000);
  dc->drain();
  CHECK(deliveries(fresh, stale) == 1);
  CHECK(handled(fresh, stale) == 1);
  // Idempotent: a second catch-up adds nothing.
  CHECK(events::catch_up_registrations(database(), db::now_ms(), std::chrono::minutes(2), std::chrono::milliseconds(0)) ==
        0);
  CHECK(deliveries(fresh, stale) == 1);
  CHECK(deliveries(fresh, before) == 0);  // published before it registered: not its event
  dbb->drain();
  CHECK(handled(old_sub, before) == 1);
  CHECK(handled(old_sub, stale) == 1);
  forget(topic);
}

TEST_CASE("a publisher's cached subscriber list expires after its ttl", "[events][cluster][cache]") {
  auto& t = app();
  auto topic = t.unique("topic");
  auto first = t.unique("first"), second = t.unique("second");
  events::Bus a;
  a.set_subscriber_cache_ttl(std::chrono::milliseconds(100));
  auto da = started(a, "A");
  events::Bus b;
  b.subscribe(first, topic, recorder(first, "b"));
  auto dbb = started(b, "B");
  publish(a, topic, 0);  // cached: [first]

  events::Bus c;
  c.subscribe(second, topic, recorder(second, "c"));
  auto dc = started(c, "C");
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  auto e = publish(a, topic, 1);
  // Read again after the ttl: the delivery is written with the event, no catch-up needed.
  CHECK(deliveries(first, e) == 1);
  CHECK(deliveries(second, e) == 1);
  forget(topic);
}

TEST_CASE_METHOD(OwnTopic, "an idle dispatcher finds due queues with one statement, and a backed-off queue is not due",
                 "[events][cache]") {
  auto sub = t.unique("flaky");
  int calls = 0;
  bus.subscribe(sub, topic, [&](events::Event const& e, db::Tx& tx) {
    if (++calls == 1) throw std::runtime_error("down once");
    record(e, tx, sub, "d");
  });
  auto e = publish(bus, topic, 0);
  events::Dispatcher d(database(), bus, {.owner = t.unique("inst")});
  CHECK(d.run_once() == 0);  // failed: due again in 1-1.5 s
  CHECK(calls == 1);
  CHECK(d.run_once() == 0);  // not due yet: not read, not run
  CHECK(calls == 1);
  t.advance_clock_ms(2000);
  CHECK(d.run_once() == 1);
  CHECK(handled(sub, e) == 1);
  CHECK(d.run_once() == 0);
}
