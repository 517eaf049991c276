// Queues delivered side by side (DispatcherOptions::parallel): a slow queue holds up only its
// own thread, each queue is run by one thread at a time so it keeps its order, and two
// instances with several threads each still apply every event once per subscriber.
#include "tests/db/outbox_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <future>
#include <map>
#include <mutex>
#include <vector>

using namespace outbox_test;

TEST_CASE("with parallel queues a slow subscriber does not hold up another one", "[events][parallel]") {
  if (database().backend() == db::Backend::Sqlite) {
    // One writer: a second queue's transaction waits for the slow one's whatever the threads.
    WARN("SQLite runs one write transaction at a time; this case runs on MariaDB");
    return;
  }
  auto& t = app();
  // In the round-robin's order (by topic) the slow queue comes first.
  auto topic_a = t.unique("a-topic"), topic_b = t.unique("b-topic");
  auto slow = t.unique("slow"), quick = t.unique("quick");
  std::promise<void> quick_ran;
  auto quick_ran_f = quick_ran.get_future();
  bool overlapped = false;
  events::Bus bus;
  // The slow subscriber waits (in its open transaction) until the quick one has run.
  bus.subscribe(slow, topic_a, [&](events::Event const& e, db::Tx& tx) {
    overlapped = quick_ran_f.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
    record(e, tx, slow, "d");
  });
  bus.subscribe(quick, topic_b, [&](events::Event const& e, db::Tx& tx) {
    record(e, tx, quick, "d");
    try {
      quick_ran.set_value();
    } catch (std::future_error const&) {  // a retried transaction runs the handler again
    }
  });
  publish(bus, topic_a, 0);
  publish(bus, topic_b, 0);
  events::Dispatcher d(database(), bus, {.owner = t.unique("inst"), .parallel = 2});
  CHECK(d.run_once() == 2);
  CHECK(overlapped);
  CHECK(handled(slow) == 1);
  CHECK(handled(quick) == 1);
}

TEST_CASE("two instances with three dispatcher threads each apply streams on several queues once, in order per queue",
          "[events][parallel][concurrency]") {
  auto& t = app();
  constexpr int kTopics = 3, kEvents = 60;
  std::vector<std::string> topics, singles, batched;
  for (int k = 0; k < kTopics; ++k) {
    topics.push_back(t.unique("topic"));
    singles.push_back(t.unique("single"));
    batched.push_back(t.unique("batched"));
  }
  struct Instance {
    events::Bus bus;
    std::mutex mu;
    std::map<std::string, std::vector<std::int64_t>> seen;  // per subscriber, in commit order
  };
  Instance a, b;
  for (auto* in : {&a, &b}) {
    std::string by = in == &a ? "a" : "b";
    for (int k = 0; k < kTopics; ++k) {
      auto const& single = singles[static_cast<std::size_t>(k)];
      auto const& batch_sub = batched[static_cast<std::size_t>(k)];
      in->bus.subscribe(single, topics[static_cast<std::size_t>(k)],
                        [in, single, by](events::Event const& e, db::Tx& tx) {
                          record(e, tx, single, by);
                          tx.after_commit([in, single, id = e.id] {
                            std::lock_guard lk(in->mu);
                            in->seen[single].push_back(id);
                          });
                        });
      in->bus.subscribe_batch(
          batch_sub, topics[static_cast<std::size_t>(k)],
          [in, batch_sub, by](std::vector<events::Event> const& batch, db::Tx& tx) {
            std::vector<std::int64_t> ids;
            for (auto const& e : batch) {
              record(e, tx, batch_sub, by);
              ids.push_back(e.id);
            }
            tx.after_commit([in, batch_sub, ids] {
              std::lock_guard lk(in->mu);
              auto& v = in->seen[batch_sub];
              v.insert(v.end(), ids.begin(), ids.end());
            });
          },
          7);
    }
  }
  events::DispatcherOptions opts{.owner = t.unique("A"), .group = 5, .parallel = 3,
                                 .coalesce = std::chrono::milliseconds(5)};
  events::Dispatcher da(database(), a.bus, opts);
  opts.owner = t.unique("B");
  events::Dispatcher dbb(database(), b.bus, opts);
  da.run_once();
  dbb.run_once();
  da.start();
  dbb.start();
  std::thread pub([&] {  // publishing on both instances, round the topics, while both deliver
    for (int i = 0; i < kEvents * kTopics; ++i)
      publish(i % 2 ? b.bus : a.bus, topics[static_cast<std::size_t>(i % kTopics)], i);
  });
  pub.join();
  auto delivered = [&] {
    std::int64_t n = 0;
    for (auto const& topic : topics)  // the ordinary subscribers' rows done, the streams' cursors at the end
      n += count("SELECT COUNT(*) FROM event_deliveries WHERE topic = :t AND status = 'done'", topic) +
           (waiting(topic) == 0 ? kEvents : 0);
    return n == 2 * kEvents * kTopics;
  };
  CHECK(eventually(delivered, std::chrono::seconds(60)));
  da.stop();
  dbb.stop();
  for (int k = 0; k < kTopics; ++k) {
    for (auto const& sub : {singles[static_cast<std::size_t>(k)], batched[static_cast<std::size_t>(k)]}) {
      INFO(sub);
      check_applied_once(sub, kEvents);
    }
  }
  // Each instance saw its share of each queue oldest first.
  for (auto* in : {&a, &b})
    for (auto const& [sub, ids] : in->seen) {
      INFO(sub);
      CHECK(std::is_sorted(ids.begin(), ids.end()));
    }
  for (auto const& topic : topics) forget(topic);
}
