// The outbox must not stall (issue 10, defect 9). These cases use only the Bus /
// Dispatcher / publish surface, so they also build against the old outbox and show
// what it did wrong: orphaned deliveries at the head blocked everyone, deliveries for
// subscribers of other instances were never created, one failing subscriber's backlog
// filled every batch, leases were timed from the batch start, retries had no jitter.
#include "tests/db/outbox_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

using namespace outbox_test;

TEST_CASE("orphaned deliveries never block a live subscriber, and are left alone", "[events][stall]") {
  auto& t = app();
  auto ghost_topic = t.unique("ghost-topic"), live_topic = t.unique("live-topic");
  auto ghost = t.unique("ghost"), live = t.unique("live");
  // The publishing instance runs both subscribers; the dispatching one only `live`.
  events::Bus publisher;
  publisher.subscribe(ghost, ghost_topic, [](events::Event const&, db::Tx&) {});
  publisher.subscribe(live, live_topic, [](events::Event const&, db::Tx&) {});
  for (int i = 0; i < 70; ++i) publish(publisher, ghost_topic, i);  // more than a batch
  publish(publisher, live_topic, 0);

  events::Bus instance;
  instance.subscribe(live, live_topic, recorder(live, "d"));
  events::Dispatcher d(database(), instance, {.owner = t.unique("inst")});
  d.drain(5);
  CHECK(handled(live) == 1);
  // Nobody here runs `ghost`: its deliveries were not claimed, retried or touched.
  CHECK(count("SELECT COUNT(*) FROM event_deliveries WHERE topic = :t AND status = 'pending' AND attempts = 0 "
              "AND lease_owner IS NULL",
              ghost_topic) == 70);
  forget(ghost_topic);
}

TEST_CASE("an event published on an instance without the subscriber still reaches it", "[events][stall][cluster]") {
  auto& t = app();
  auto topic = t.unique("topic");
  auto sub = t.unique("remote-sub");
  events::Bus a;  // instance A: no subscriber of `topic`
  events::Bus b;  // instance B: runs `sub`
  b.subscribe(sub, topic, recorder(sub, "b"));
  events::Dispatcher da(database(), a, {.owner = t.unique("A")});
  events::Dispatcher db_(database(), b, {.owner = t.unique("B")});
  da.run_once();  // each instance starts its dispatcher (registers what it runs)
  db_.run_once();

  for (int i = 0; i < 3; ++i) publish(a, topic, i);
  CHECK(count("SELECT COUNT(*) FROM event_deliveries WHERE topic = :t AND subscriber = :s", topic, sub) == 3);
  CHECK(da.drain() == 0);  // A has no handler: it leaves them to B
  CHECK(count("SELECT COUNT(*) FROM event_deliveries WHERE topic = :t AND lease_owner IS NOT NULL", topic) == 0);
  CHECK(db_.drain() == 3);
  CHECK(count("SELECT COUNT(*) FROM t_stall_handled WHERE subscriber = :s AND handled_by = 'b'", sub) == 3);
  forget(topic);
}

TEST_CASE("one failing subscriber's backlog does not fill the batch", "[events][stall]") {
  auto& t = app();
  auto topic_stuck = t.unique("stuck-topic"), topic_ok = t.unique("ok-topic");
  auto stuck = t.unique("stuck"), ok = t.unique("ok");
  events::Bus bus;
  bus.subscribe(stuck, topic_stuck, [](events::Event const&, db::Tx&) { throw std::runtime_error("always down"); });
  bus.subscribe(ok, topic_ok, recorder(ok, "d"));
  for (int i = 0; i < 40; ++i) publish(bus, topic_stuck, i);  // older than the healthy subscriber's events
  for (int i = 0; i < 10; ++i) publish(bus, topic_ok, i);

  events::Dispatcher d(database(), bus, {.owner = t.unique("inst"), .batch = 16});
  d.run_once();
  // Round-robin: the healthy subscriber gets its share of the very first batch.
  CHECK(handled(ok) >= 5);
  d.drain(10);
  CHECK(handled(ok) == 10);
  forget(topic_stuck);
}

TEST_CASE_METHOD(OwnTopic, "each delivery's lease is timed from its own claim", "[events][stall][lease]") {
  auto sub = t.unique("slow");
  std::vector<std::pair<std::int64_t, std::int64_t>> seen;  // (lease_until, now) per call
  bus.subscribe(sub, topic, [&](events::Event const& e, db::Tx& tx) {
    long long until = 0;
    tx.sql() << "SELECT lease_until FROM event_deliveries WHERE event_id = :e AND subscriber = :s", soci::use(e.id),
        soci::use(sub), soci::into(until);
    seen.emplace_back(until, db::now_ms());
    t.advance_clock_ms(10'000);  // each item takes longer than the lease
  });
  for (int i = 0; i < 3; ++i) publish(bus, topic, i);
  // One by one (groups of 1): a group's deliveries share its transaction, whose row locks,
  // not the lease, keep other dispatchers out until it commits.
  events::Dispatcher d(database(), bus,
                       {.owner = t.unique("inst"), .lease = std::chrono::milliseconds(2000), .group = 1});
  CHECK(d.run_once() == 3);
  REQUIRE(seen.size() == 3);
  for (auto [until, now] : seen) CHECK(until > now);
}

TEST_CASE_METHOD(OwnTopic, "failed deliveries back off with jitter", "[events][stall][backoff]") {
  auto sub = t.unique("failing");
  std::mutex mu;
  std::map<std::int64_t, std::int64_t> failed_at;  // event id -> clock at failure
  bus.subscribe(sub, topic, [&](events::Event const& e, db::Tx&) {
    std::lock_guard lk(mu);
    failed_at[e.id] = db::now_ms();
    throw std::runtime_error("down");
  });
  constexpr int kEvents = 12;
  for (int i = 0; i < kEvents; ++i) publish(bus, topic, i);
  events::Dispatcher d(database(), bus, {.owner = t.unique("inst")});
  CHECK(d.run_once() == 0);
  REQUIRE(failed_at.size() == kEvents);
  std::vector<std::int64_t> delays;
  for (auto [event_id, at] : failed_at) {
    auto due = db::read(database(), [&](soci::session& s) {
      long long v = 0;
      s << "SELECT due_at FROM event_deliveries WHERE event_id = :e AND subscriber = :s", soci::use(event_id),
          soci::use(sub), soci::into(v);
      return static_cast<std::int64_t>(v);
    });
    delays.push_back(due - at);
  }
  auto [lo, hi] = std::minmax_element(delays.begin(), delays.end());
  CHECK(*lo >= 1000);       // first retry: 1 s ...
  CHECK(*hi <= 1500 + 250);  // ... plus up to 50% jitter (and the time the failure took)
  CHECK(*hi - *lo > 100);   // spread out, so a burst of failures does not retry in lockstep
  forget(topic);
}

TEST_CASE("two instances with different subscribers apply each event once per subscriber",
          "[events][stall][cluster][concurrency]") {
  auto& t = app();
  auto topic = t.unique("topic");
  auto sa = t.unique("sa"), sb = t.unique("sb"), sc = t.unique("sc");
  events::Bus p, b1, b2;  // p publishes and runs none of them
  b1.subscribe(sa, topic, recorder(sa, "d1"));
  b1.subscribe(sb, topic, recorder(sb, "d1"));
  b2.subscribe(sb, topic, recorder(sb, "d2"));
  b2.subscribe(sc, topic, recorder(sc, "d2"));
  events::Dispatcher dp(database(), p, {.owner = t.unique("p")});
  events::Dispatcher d1(database(), b1, {.owner = t.unique("d1"), .batch = 8});
  events::Dispatcher d2(database(), b2, {.owner = t.unique("d2"), .batch = 8});
  dp.run_once();
  d1.run_once();
  d2.run_once();

  constexpr int kEvents = 40;
  race([&] {
    for (int i = 0; i < kEvents; ++i) publish(p, topic, i);
  }, {&d1, &d2}, topic, std::chrono::seconds(60), std::chrono::milliseconds(5));

  for (auto const& s : {sa, sb, sc}) check_applied_once(s, kEvents);
  CHECK(count("SELECT COUNT(*) FROM t_stall_handled WHERE subscriber = :s AND handled_by = 'd1'", sa) == kEvents);
  CHECK(count("SELECT COUNT(*) FROM t_stall_handled WHERE subscriber = :s AND handled_by = 'd2'", sc) == kEvents);
  CHECK(count("SELECT COUNT(*) FROM event_deliveries WHERE topic = :t AND status = 'done'", topic) == 3 * kEvents);
}
