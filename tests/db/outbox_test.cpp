// Transactional outbox and job leases on the backend under test.
#include "db/jobs.hpp"
#include "db/row.hpp"
#include "tests/db/outbox_support.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

using namespace outbox_test;

TEST_CASE("an event is stored with the publishing transaction, or not at all", "[events]") {
  auto topic = app().unique("topic");
  events::Bus bus;
  bus.subscribe("t.sub", topic, [](events::Event const&, db::Tx&) {});
  db::transact(database(), &bus, [&](db::Tx& tx) { tx.publish(topic, 1, boost::json::object{{"x", 1}}); });
  CHECK(count("SELECT COUNT(*) FROM event_deliveries WHERE topic = :t", topic) == 1);
  CHECK_THROWS(db::transact(database(), &bus, [&](db::Tx& tx) {
    tx.publish(topic, 1, boost::json::object{{"x", 2}});
    throw std::runtime_error("rolled back");
  }));
  CHECK(count("SELECT COUNT(*) FROM event_deliveries WHERE topic = :t", topic) == 1);
  CHECK(count("SELECT COUNT(*) FROM events WHERE topic = :t", topic) == 1);
}

TEST_CASE_METHOD(OwnTopic, "two dispatchers deliver every event exactly once per subscriber", "[events][concurrency]") {
  auto sub_a = t.unique("sa");
  auto sub_b = t.unique("sb");
  // The same subscriber code runs in both "instances"; each instance has its own Bus.
  events::Bus bus2;
  bus.subscribe(sub_a, topic, recorder(sub_a, "d1"));
  bus.subscribe(sub_b, topic, recorder(sub_b, "d1"));
  bus2.subscribe(sub_a, topic, recorder(sub_a, "d2"));
  bus2.subscribe(sub_b, topic, recorder(sub_b, "d2"));

  constexpr int kEvents = 60;
  for (int i = 0; i < kEvents; ++i) publish(bus, topic, i);

  events::Dispatcher d1(database(), bus, {.owner = "d1", .batch = 8});
  events::Dispatcher d2(database(), bus2, {.owner = "d2", .batch = 8});
  std::thread t1([&] { d1.drain(200); });
  std::thread t2([&] { d2.drain(200); });
  t1.join();
  t2.join();
  d1.drain();

  check_applied_once(sub_a, kEvents);
  check_applied_once(sub_b, kEvents);
  CHECK(count("SELECT COUNT(*) FROM event_deliveries WHERE topic = :t AND status = 'done'", topic) == 2 * kEvents);
}

TEST_CASE_METHOD(OwnTopic, "a leased delivery is not taken by another dispatcher until the lease expires", "[events]") {
  auto sub = t.unique("slow");
  std::atomic<int> calls{0};
  bus.subscribe(sub, topic, [&](events::Event const&, db::Tx&) {
    ++calls;
    throw std::runtime_error("subscriber down");
  });
  db::transact(database(), &bus, [&](db::Tx& tx) { tx.publish(topic, 1, boost::json::object{}); });

  events::Dispatcher d1(database(), bus, {.owner = "lease-1"});
  CHECK(d1.run_once() == 0);  // ran and failed: rescheduled with backoff
  CHECK(calls == 1);
  CHECK(count("SELECT attempts FROM event_deliveries WHERE topic = :t", topic) == 1);
  CHECK(d1.run_once() == 0);  // not due yet
  CHECK(calls == 1);

  // A claimed lease blocks other owners; once it lapses another instance takes over.
  std::int64_t far = db::now_ms() + 3'600'000;
  db::transact(database(), nullptr, [&](db::Tx& tx) {
    tx.exec("UPDATE event_deliveries SET due_at = 0, lease_owner = 'ghost', lease_until = :u WHERE topic = :t",
            soci::use(far, "u"), soci::use(topic, "t"));
  });
  events::Dispatcher d2(database(), bus, {.owner = "lease-2"});
  d2.run_once();
  CHECK(calls == 1);
  db::transact(database(), nullptr, [&](db::Tx& tx) {
    tx.exec("UPDATE event_deliveries SET lease_until = 1 WHERE topic = :t", soci::use(topic, "t"));
  });
  d2.run_once();
  CHECK(calls == 2);
  CHECK(count("SELECT attempts FROM event_deliveries WHERE topic = :t", topic) == 2);
}

TEST_CASE("a job runs once per interval across two schedulers", "[jobs][concurrency]") {
  auto& t = test::TestApp::get();
  auto name = t.unique("job");
  events::Bus bus;
  std::atomic<int> runs{0};
  jobs::Scheduler s1(database(), bus, "inst-1"), s2(database(), bus, "inst-2");
  auto fn = [&](jobs::JobContext&) {
    ++runs;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  };
  s1.every(name, std::chrono::hours(1), fn);
  s2.every(name, std::chrono::hours(1), fn);
  std::thread a([&] { s1.tick(); }), b([&] { s2.tick(); });
  a.join();
  b.join();
  CHECK(runs == 1);
  s1.tick();
  s2.tick();
  CHECK(runs == 1);  // interval not elapsed
  t.advance_clock_ms(3'600'001);
  s2.tick();
  CHECK(runs == 2);
}
