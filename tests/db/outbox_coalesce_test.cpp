// How the dispatcher keeps its cost per event down under a stream of events (issue 11, flash
// sale): after a round that delivered something it pauses (DispatcherOptions::coalesce)
// instead of running a round per commit, so the next round takes what gathered meanwhile
// in one batch; with a backlog it does not pause; the first event after an idle spell is
// delivered at once; stop() cuts a pause short. A transactional subscriber's delivery is
// taken, run and marked done in one transaction (no separate claim): at least once and one
// at a time across dispatchers (real threads), a failure rolls back and backs off.
#include "tests/db/outbox_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

using namespace outbox_test;

namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

TEST_CASE_METHOD(OwnTopic,
                 "a started dispatcher delivers the first event at once, then gathers the next ones into one batch",
                 "[events][coalesce]") {
  auto sub = t.unique("batched");
  std::mutex mu;
  std::vector<std::vector<std::int64_t>> calls;  // event ids per handler call
  bus.subscribe_batch(
      sub, topic,
      [&](std::vector<events::Event> const& batch, db::Tx& tx) {
        std::vector<std::int64_t> ids;
        for (auto const& e : batch) {
          record(e, tx, sub, "d");
          ids.push_back(e.id);
        }
        tx.after_commit([&mu, &calls, ids] {
          std::lock_guard lk(mu);
          calls.push_back(ids);
        });
      },
      100);
  auto handled = [&] {
    std::lock_guard lk(mu);
    std::size_t n = 0;
    for (auto const& c : calls) n += c.size();
    return n;
  };
  // A pause long enough that nothing in this test depends on the machine being fast.
  events::Dispatcher d(database(), bus, {.owner = t.unique("inst"), .coalesce = std::chrono::seconds(3)});
  d.run_once();  // installed, idle
  d.start();
  std::vector<std::int64_t> published{publish(bus, topic, 0)};
  auto first_at = Clock::now();
  REQUIRE(eventually([&] { return handled() == 1; }));
  CHECK(Clock::now() - first_at < std::chrono::milliseconds(2500));  // at once, not after a pause

  // Now it pauses: these wake it (publish notifies) but it does not run a round for each.
  for (int i = 1; i <= 5; ++i) published.push_back(publish(bus, topic, i));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(handled() == 1);
  REQUIRE(eventually([&] { return handled() == 6; }));
  {
    std::lock_guard lk(mu);
    REQUIRE(calls.size() == 2);
    CHECK(calls[0] == std::vector<std::int64_t>{published[0]});
    // One batch, oldest first.
    CHECK(calls[1] == std::vector<std::int64_t>(published.begin() + 1, published.end()));
  }
  // A stream: its cursor is past all six, and publishing wrote no delivery rows.
  CHECK(waiting(topic) == 0);
  CHECK(count("SELECT COUNT(*) FROM event_deliveries WHERE topic = :t", topic) == 0);

  // stop() does not wait for the rest of a pause.
  publish(bus, topic, 6);
  REQUIRE(eventually([&] { return handled() == 7; }));
  auto stop_at = Clock::now();
  d.stop();
  CHECK(Clock::now() - stop_at < std::chrono::milliseconds(1500));
  forget(topic);
}

TEST_CASE_METHOD(OwnTopic, "a dispatcher with a backlog runs its rounds back to back", "[events][coalesce]") {
  auto sub = t.unique("single");
  std::atomic<int> committed{0};
  bus.subscribe(sub, topic, [&](events::Event const& e, db::Tx& tx) {
    record(e, tx, sub, "d");
    tx.after_commit([&] { ++committed; });
  });
  for (int i = 0; i < 12; ++i) publish(bus, topic, i);
  // Four turns per round: three rounds for twelve events, none of them followed by the pause.
  events::Dispatcher d(database(), bus, {.owner = t.unique("inst"), .batch = 4, .coalesce = std::chrono::seconds(5)});
  d.start();
  CHECK(eventually([&] { return committed == 12; }, std::chrono::milliseconds(4000)));
  d.stop();
  CHECK(handled(sub) == 12);
  forget(topic);
}

TEST_CASE_METHOD(OwnTopic,
                 "a transactional delivery is taken by its own transaction: a failure leaves no claim behind and backs off",
                 "[events][coalesce]") {
  auto sub = t.unique("flaky");
  int calls = 0;
  bus.subscribe(sub, topic, [&](events::Event const& e, db::Tx& tx) {
    record(e, tx, sub, "d");
    // While it runs, the delivery is ours (lease) and already marked done, uncommitted.
    std::string status, owner;
    tx.sql() << "SELECT status, lease_owner FROM event_deliveries WHERE event_id = :e AND subscriber = :s",
        soci::use(e.id), soci::use(sub), soci::into(status), soci::into(owner);
    CHECK(status == "done");
    CHECK(owner == "owned-inst");
    if (++calls == 1) throw std::runtime_error("down once");
  });
  auto e = publish(bus, topic, 0);
  events::Dispatcher d(database(), bus, {.owner = "owned-inst"});
  CHECK(d.run_once() == 0);
  CHECK(calls == 1);
  // Rolled back (nothing the handler wrote is kept), rescheduled with backoff, not leased.
  CHECK(handled(sub) == 0);
  CHECK(count("SELECT COUNT(*) FROM event_deliveries WHERE subscriber = :s AND status = 'pending' AND attempts = 1 "
              "AND lease_owner IS NULL AND lease_until = 0 AND due_at > " +
                  std::to_string(db::now_ms()),
              sub) == 1);
  CHECK(d.run_once() == 0);  // not due yet
  CHECK(calls == 1);
  t.advance_clock_ms(2000);
  CHECK(d.run_once() == 1);
  CHECK(calls == 2);
  CHECK(count("SELECT COUNT(*) FROM t_stall_handled WHERE subscriber = :s AND event_id = " + std::to_string(e), sub) ==
        1);
  CHECK(count("SELECT COUNT(*) FROM event_deliveries WHERE subscriber = :s AND status = 'done' AND attempts = 2", sub) ==
        1);
  CHECK(d.run_once() == 0);
  CHECK(calls == 2);
}

TEST_CASE("started dispatchers on two instances apply a stream of events once each, in order per queue",
          "[events][coalesce][concurrency]") {
  auto& t = app();
  auto topic = t.unique("topic");
  auto single = t.unique("single"), batched = t.unique("batched");
  // Per instance: the same two subscribers; what each saw, in order.
  struct Instance {
    events::Bus bus;
    std::mutex mu;
    std::vector<std::int64_t> single_seen, batched_seen;
  };
  Instance a, b;
  for (auto* in : {&a, &b}) {
    std::string by = in == &a ? "a" : "b";
    in->bus.subscribe(single, topic, [in, single, by](events::Event const& e, db::Tx& tx) {
      record(e, tx, single, by);
      tx.after_commit([in, id = e.id] {
        std::lock_guard lk(in->mu);
        in->single_seen.push_back(id);
      });
    });
    in->bus.subscribe_batch(
        batched, topic,
        [in, batched, by](std::vector<events::Event> const& batch, db::Tx& tx) {
          std::vector<std::int64_t> ids;
          for (auto const& e : batch) {
            record(e, tx, batched, by);
            ids.push_back(e.id);
          }
          tx.after_commit([in, ids] {
            std::lock_guard lk(in->mu);
            in->batched_seen.insert(in->batched_seen.end(), ids.begin(), ids.end());
          });
        },
        100);
  }
  events::Dispatcher da(database(), a.bus, {.owner = t.unique("A"), .coalesce = std::chrono::milliseconds(5)});
  events::Dispatcher dbb(database(), b.bus, {.owner = t.unique("B"), .coalesce = std::chrono::milliseconds(5)});
  da.run_once();
  dbb.run_once();
  da.start();
  dbb.start();
  constexpr int kEvents = 120;
  std::vector<std::int64_t> published;
  std::thread pub([&] {  // publishing on both instances while both deliver
    for (int i = 0; i < kEvents; ++i) published.push_back(publish(i % 2 ? b.bus : a.bus, topic, i));
  });
  pub.join();
  auto done = [&] {
    // The ordinary subscriber's rows done, the stream's cursor past every event.
    return count("SELECT COUNT(*) FROM event_deliveries WHERE topic = :t AND status = 'done'", topic) == kEvents &&
           waiting(topic) == 0;
  };
  CHECK(eventually(done, std::chrono::seconds(30)));
  da.stop();
  dbb.stop();
  for (auto const& sub : {single, batched}) {
    check_applied_once(sub, kEvents);
  }
  // Each instance saw its share of each queue oldest first.
  for (auto* in : {&a, &b}) {
    CHECK(std::is_sorted(in->single_seen.begin(), in->single_seen.end()));
    CHECK(std::is_sorted(in->batched_seen.begin(), in->batched_seen.end()));
  }
  forget(topic);
}

TEST_CASE("a delivery leased after the round read its queue is not taken by the delivery's own transaction",
          "[events][coalesce][lease]") {
  auto& t = app();
  // The queues in the round-robin's order (by topic): `first` runs before `second`.
  auto topic_a = t.unique("a-topic"), topic_b = t.unique("b-topic");
  auto first = t.unique("first"), second = t.unique("second");
  events::Bus bus;
  int second_calls = 0;
  // Between the round's read of the queues and the second queue's turn, another instance
  // (an older version that claims with leases) leases the second queue's delivery.
  bus.subscribe(first, topic_a, [&](events::Event const& e, db::Tx& tx) {
    record(e, tx, first, "d");
    lease_to_ghost(tx, second);
  });
  bus.subscribe(second, topic_b, [&](events::Event const& e, db::Tx& tx) {
    ++second_calls;
    record(e, tx, second, "d");
  });
  publish(bus, topic_a, 0);
  publish(bus, topic_b, 0);
  events::Dispatcher d(database(), bus, {.owner = t.unique("inst")});
  CHECK(d.run_once() == 1);
  CHECK(second_calls == 0);
  CHECK(count("SELECT COUNT(*) FROM event_deliveries WHERE subscriber = :s AND status = 'pending' "
              "AND lease_owner = 'ghost'",
              second) == 1);
  forget(topic_b);
}
