// Batch subscribers (Bus::subscribe_batch) are streams: a topic's events in sequence order, in
// one handler call and one transaction that moves the stream's cursor past them, with no
// delivery rows; a failing batch delivered again one by one, so a poison event is parked as a
// delivery, retried and dead-lettered alone and no claim is left behind; a stream opened by a
// later instance starts at what was published since; two dispatchers with batch handlers on
// one database apply each event once (real threads).
#include "tests/db/outbox_support.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

using namespace outbox_test;

namespace {

// A batch handler that records every event it is given (in t_stall_handled, and here in the
// order it got them) and the size of each call.
struct Recorder {
  Recorder(std::string s, std::string b) : sub(std::move(s)), by(std::move(b)) {}
  std::string sub, by;
  std::mutex mu;
  std::vector<std::size_t> calls;
  std::vector<events::Event> seen;
  events::BatchHandler handler() {
    return [this](std::vector<events::Event> const& batch, db::Tx& tx) {
      {
        std::lock_guard lk(mu);
        calls.push_back(batch.size());
        seen.insert(seen.end(), batch.begin(), batch.end());
      }
      for (auto const& e : batch) record(e, tx, sub, by);
    };
  }
  std::vector<std::int64_t> ids() {
    std::lock_guard lk(mu);
    std::vector<std::int64_t> out;
    for (auto const& e : seen) out.push_back(e.id);
    return out;
  }
};

}  // namespace

TEST_CASE_METHOD(OwnTopic,
                 "a batch subscriber gets its topic's events in few calls, oldest first, with no delivery rows",
                 "[events][batch]") {
  Recorder rec{t.unique("batched"), "d"};
  bus.subscribe_batch(rec.sub, topic, rec.handler(), 5);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 7; ++i) ids.push_back(publish(bus, topic, i));

  events::Dispatcher d(database(), bus, {.owner = t.unique("inst")});
  CHECK(d.run_once() == 7);
  CHECK(rec.calls == std::vector<std::size_t>{5, 2});
  CHECK(rec.ids() == ids);
  CHECK(count("SELECT COUNT(*) FROM event_deliveries WHERE topic = :t", topic) == 0);
  for (auto id : ids) CHECK(status_of(id, rec.sub) == "done");
  CHECK(waiting(topic) == 0);
  CHECK(count("SELECT COUNT(DISTINCT event_id) FROM t_stall_handled WHERE subscriber = :s", rec.sub) == 7);
  CHECK(d.run_once() == 0);
  // Payloads arrive parsed, and one turn of the round-robin is one batch: with a turn budget
  // of 2, the batch subscriber and an ordinary one each get one turn per run (the ordinary
  // one's turn is one delivery here, with groups of 1).
  // A second stream of the same topic, opened later, starts at what was published since its
  // instance's bus began: not the seven above.
  auto other_topic = t.unique("topic");
  Recorder rec2{t.unique("batched"), "d"};
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::atomic<int> single{0};
  events::Bus bus2;
  bus2.subscribe_batch(rec2.sub, topic, rec2.handler(), 4);
  bus2.subscribe(t.unique("single"), other_topic, [&](events::Event const&, db::Tx&) { ++single; });
  for (int i = 0; i < 8; ++i) publish(bus2, topic, i);
  for (int i = 0; i < 8; ++i) publish(bus2, other_topic, i);
  events::Dispatcher d2(database(), bus2, {.owner = t.unique("inst"), .batch = 2, .group = 1});
  CHECK(d2.run_once() == 5);  // one batch of 4 and one single delivery
  CHECK(single == 1);
  CHECK(rec2.calls == std::vector<std::size_t>{4});
  d2.drain(20);
  CHECK(single == 8);
  std::vector<std::int64_t> values;
  for (auto const& e : rec2.seen) values.push_back(e.payload.at("i").as_int64());
  CHECK(values == std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7});
  forget(topic);
  forget(other_topic);
}

TEST_CASE_METHOD(OwnTopic, "a failing batch is delivered one by one: only the poison event is retried, then dead",
                 "[events][batch][dead]") {
  auto sub = t.unique("poisoned");
  std::vector<std::size_t> calls;
  bus.subscribe_batch(sub, topic, [&](std::vector<events::Event> const& batch, db::Tx& tx) {
    calls.push_back(batch.size());
    for (auto const& e : batch) {
      record(e, tx, sub, "d");  // rolled back with the batch when a later event throws
      if (e.payload.at("i").as_int64() == 3) throw std::runtime_error("poison");
    }
  }, 10);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(publish(bus, topic, i));

  events::Dispatcher d(database(), bus,
                       {.owner = t.unique("inst"), .max_attempts = 2, .backoff_base = std::chrono::milliseconds(50)});
  CHECK(d.run_once() == 5);
  CHECK(calls == std::vector<std::size_t>{6, 1, 1, 1, 1, 1, 1});
  // The batch's writes were rolled back; each event alone committed once, the poison none.
  check_only_poison_retried(t, d, ids, sub, 3);
  CHECK(calls.size() == 8);
}

TEST_CASE_METHOD(OwnTopic,
                 "a batch is taken by its own transaction: its deliveries are ours and done until it commits, and a "
                 "failed batch leaves no claim behind",
                 "[events][batch][lease]") {
  auto sub = t.unique("taken");
  auto owner = t.unique("inst");
  bool down = true;
  std::vector<std::size_t> calls;
  bus.subscribe_batch(sub, topic, [&](std::vector<events::Event> const& batch, db::Tx& tx) {
    calls.push_back(batch.size());
    for (auto const& e : batch) {
      record(e, tx, sub, "d");
      long long rows = 0;
      tx.sql() << "SELECT COUNT(*) FROM event_deliveries WHERE event_id = :e AND subscriber = :s", soci::use(e.id),
          soci::use(sub), soci::into(rows);
      if (rows == 0) {
        // Read from the stream: the cursor, locked by this transaction, moves past it only
        // when the batch commits.
        long long ahead = 0;
        tx.sql() << "SELECT COUNT(*) FROM events ev JOIN event_cursors c ON c.topic = ev.topic "
                    "WHERE c.subscriber = :s AND ev.id = :e AND ev.seq > c.seq",
            soci::use(sub), soci::use(e.id), soci::into(ahead);
        CHECK(ahead == 1);
        continue;
      }
      // A parked delivery, taken and marked by this transaction's one statement, not yet
      // committed: no other dispatcher can claim it meanwhile (its update waits on the row lock).
      std::string status, lease_owner;
      tx.sql() << "SELECT status, lease_owner FROM event_deliveries WHERE event_id = :e AND subscriber = :s",
          soci::use(e.id), soci::use(sub), soci::into(status), soci::into(lease_owner);
      CHECK(status == "done");
      CHECK(lease_owner == owner);
    }
    if (down) throw std::runtime_error("down");
  }, 10);
  for (int i = 0; i < 4; ++i) publish(bus, topic, i);
  events::Dispatcher d(database(), bus, {.owner = owner, .backoff_base = std::chrono::milliseconds(50)});
  CHECK(d.run_once() == 0);
  CHECK(calls == std::vector<std::size_t>{4, 1, 1, 1, 1});  // the batch, then each alone
  // Everything rolled back; each event failed alone too, so each is parked: a pending delivery
  // with one failed attempt, backed off and not leased to anyone (no claim outlives the failed
  // transactions), and the stream has moved past them.
  CHECK(handled(sub) == 0);
  CHECK(count("SELECT COUNT(*) FROM event_deliveries WHERE subscriber = :s AND status = 'pending' AND attempts = 1 "
              "AND lease_owner IS NULL AND lease_until = 0",
              sub) == 4);
  down = false;
  t.advance_clock_ms(2000);
  CHECK(d.run_once() == 4);
  CHECK(calls.back() == 4);
  CHECK(handled(sub) == 4);
  CHECK(count("SELECT COUNT(*) FROM event_deliveries WHERE subscriber = :s AND status = 'done' AND attempts = 2", sub) ==
        4);
  forget(topic);
}

TEST_CASE("two dispatchers with batch handlers on one database apply each event once",
          "[events][batch][concurrency]") {
  auto& t = app();
  auto topic = t.unique("topic");
  auto sub = t.unique("shared");
  constexpr int kEvents = 120;
  // Leases shorter than a slow batch, so deliveries are taken over while a batch runs.
  auto batch_handler = [&](std::string by) {
    auto n = std::make_shared<std::atomic<int>>(0);
    return [&, by, n](std::vector<events::Event> const& batch, db::Tx& tx) {
      if (batch.size() > 1 && ++*n % 3 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(40));
      for (auto const& e : batch) record(e, tx, sub, by);
    };
  };
  events::Bus p, b1, b2;
  b1.subscribe_batch(sub, topic, batch_handler("d1"), 8);
  b2.subscribe_batch(sub, topic, batch_handler("d2"), 8);
  events::Dispatcher d1(database(), b1, {.owner = t.unique("d1"), .lease = std::chrono::milliseconds(25)});
  events::Dispatcher d2(database(), b2, {.owner = t.unique("d2"), .lease = std::chrono::milliseconds(25)});
  d1.run_once();
  d2.run_once();

  race([&] {
    for (int i = 0; i < kEvents; ++i) publish(b1, topic, i);
  }, {&d1, &d2}, topic, std::chrono::seconds(90), std::chrono::milliseconds(2));

  check_applied_once(sub, kEvents);
  CHECK(waiting(topic) == 0);
  CHECK(count("SELECT COUNT(*) FROM event_deliveries WHERE topic = :t", topic) == 0);
  // (Which dispatcher applied how many is the scheduler's business: on SQLite one of them may
  // get them all.)
}

TEST_CASE("a stream does not skip an event whose transaction commits after a later one", "[events][batch][order]") {
  if (database().backend() == db::Backend::Sqlite) {
    // One writer: the open transaction would hold every other publish back.
    WARN("SQLite runs one write transaction at a time; this case runs on MariaDB");
    return;
  }
  auto& t = app();
  auto topic = t.unique("topic");
  Recorder rec{t.unique("stream"), "d"};
  events::Bus bus;
  bus.subscribe_batch(rec.sub, topic, rec.handler(), 10);
  events::Dispatcher d(database(), bus, {.owner = t.unique("inst")});
  d.run_once();  // installed: the stream's cursor is open

  // A takes its id first but commits last; B commits in between and is delivered first.
  std::promise<std::int64_t> a_published;
  std::promise<void> may_commit;
  auto a_id = a_published.get_future();
  auto commit = may_commit.get_future().share();
  std::thread slow([&] {
    db::transact(database(), &bus, [&](db::Tx& tx) {
      auto id = tx.publish(topic, 1, boost::json::object{{"i", 0}});
      a_published.set_value(id);
      commit.wait();
      return id;
    });
  });
  auto a = a_id.get();
  auto b = publish(bus, topic, 1);
  REQUIRE(a < b);
  CHECK(d.run_once() == 1);
  CHECK(rec.ids() == std::vector<std::int64_t>{b});
  may_commit.set_value();
  slow.join();
  CHECK(d.run_once() == 1);  // numbered after B, so after the cursor
  CHECK(rec.ids() == std::vector<std::int64_t>{b, a});
  check_applied_once(rec.sub, 2);
  CHECK(waiting(topic) == 0);
}
