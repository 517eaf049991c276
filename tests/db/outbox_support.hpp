#pragma once
// What the outbox tests share: the test database, a table of handled events, counts,
// publishing, a delivery's status and attempts, and forgetting a test's leftover deliveries.
#include "db/migration.hpp"
#include "db/outbox.hpp"
#include "db/tx.hpp"
#include "tests/support/test_app.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <initializer_list>
#include <string>
#include <thread>
#include <vector>

namespace outbox_test {

using namespace courtyard;

inline db::Database& database() { return test::TestApp::get().app().db(); }

// t_stall_handled: one row per event a test subscriber applied (event, subscriber, by whom).
inline void ensure_tables() {
  static bool done = [] {
    db::migrate(database(), "test_outbox_stall", {{1, "handled events", R"SQL(
CREATE TABLE IF NOT EXISTS t_stall_handled (
  id {pk},
  event_id BIGINT NOT NULL,
  subscriber VARCHAR(96) NOT NULL,
  handled_by VARCHAR(64) NOT NULL
){engine};
)SQL"}});
    return true;
  }();
  (void)done;
}

// The test app, with t_stall_handled in place.
inline test::TestApp& app() {
  ensure_tables();
  return test::TestApp::get();
}

// The usual case's fixture: the test app, a topic of the case's own, and a bus to subscribe on.
struct OwnTopic {
  test::TestApp& t = app();
  std::string topic = t.unique("topic");
  events::Bus bus;
};

// A one-number query (a COUNT(*), a delivery's attempts) with one or two bound strings.
inline std::int64_t count(std::string const& sql, std::string const& a, std::string const& b = "") {
  return db::read(database(), [&](soci::session& s) {
    long long v = 0;
    if (b.empty())
      s << sql, soci::use(a), soci::into(v);
    else
      s << sql, soci::use(a), soci::use(b), soci::into(v);
    return static_cast<std::int64_t>(v);
  });
}

// Publishes {"i": i} on `topic` in community 1; returns the event id.
inline std::int64_t publish(events::Bus& bus, std::string const& topic, int i) {
  return db::transact(database(), &bus,
                      [&](db::Tx& tx) { return tx.publish(topic, 1, boost::json::object{{"i", i}}); });
}

// Records in t_stall_handled that `by` applied the event for `sub`, in the delivery's transaction.
inline void record(events::Event const& e, db::Tx& tx, std::string const& sub, std::string const& by) {
  tx.exec("INSERT INTO t_stall_handled (event_id, subscriber, handled_by) VALUES (:e, :s, :b)", soci::use(e.id, "e"),
          soci::use(sub, "s"), soci::use(by, "b"));
}

// A handler that records each event it applies for `sub`, done by `by`.
inline events::Handler recorder(std::string sub, std::string by) {
  return [sub, by](events::Event const& e, db::Tx& tx) { record(e, tx, sub, by); };
}

// How many events were applied for `sub`.
inline std::int64_t handled(std::string const& sub) {
  return count("SELECT COUNT(*) FROM t_stall_handled WHERE subscriber = :s", sub);
}

// `sub` applied `n` events, each of them once.
inline void check_applied_once(std::string const& sub, std::int64_t n) {
  INFO(sub);
  CHECK(handled(sub) == n);
  CHECK(count("SELECT COUNT(DISTINCT event_id) FROM t_stall_handled WHERE subscriber = :s", sub) == n);
}

// The status of the delivery of `event_id` to `sub`: its row's, or for a stream (a batch
// subscriber) with no row for it, "done" once its cursor is past the event, else "pending".
inline std::string status_of(std::int64_t event_id, std::string const& sub) {
  return db::read(database(), [&](soci::session& s) {
    std::string v;
    s << "SELECT status FROM event_deliveries WHERE event_id = :e AND subscriber = :s", soci::use(event_id),
        soci::use(sub), soci::into(v);
    if (!v.empty()) return v;
    long long passed = 0, cursors = 0;
    s << "SELECT COUNT(*) FROM event_cursors c JOIN events e ON e.topic = c.topic WHERE c.subscriber = :s "
         "AND e.id = :e AND e.seq > 0 AND e.seq <= c.seq",
        soci::use(sub), soci::use(event_id), soci::into(passed);
    s << "SELECT COUNT(*) FROM event_cursors WHERE subscriber = :s", soci::use(sub), soci::into(cursors);
    return std::string(passed ? "done" : cursors ? "pending" : "");
  });
}

// Whether `sub` has a delivery row for `event_id` (a stream has one only for an event parked
// after it failed alone).
inline bool has_row(std::int64_t event_id, std::string const& sub) {
  return db::read(database(), [&](soci::session& s) {
    long long v = 0;
    s << "SELECT COUNT(*) FROM event_deliveries WHERE event_id = :e AND subscriber = :s", soci::use(event_id),
        soci::use(sub), soci::into(v);
    return v > 0;
  });
}

inline std::int64_t attempts_of(std::int64_t event_id, std::string const& sub) {
  return db::read(database(), [&](soci::session& s) {
    long long v = 0;
    s << "SELECT attempts FROM event_deliveries WHERE event_id = :e AND subscriber = :s", soci::use(event_id),
        soci::use(sub), soci::into(v);
    return static_cast<std::int64_t>(v);
  });
}

// Deliveries of `topic` still to be made: pending rows, and each stream's events after its
// cursor (or not numbered yet).
inline std::int64_t waiting(std::string const& topic) {
  return count("SELECT COUNT(*) FROM event_deliveries WHERE topic = :t AND status = 'pending'", topic) +
         count("SELECT COUNT(*) FROM events e JOIN event_cursors c ON c.topic = e.topic WHERE e.topic = :t "
               "AND (e.seq IS NULL OR e.seq > c.seq)",
               topic);
}

// After a run in which the `poison`th of `ids` threw inside a failed group or batch: every
// other event was applied once and is done, the poison is pending after one attempt (the
// failed group or batch counted as none); after its backoff the next run makes it dead.
inline void check_only_poison_retried(test::TestApp& t, events::Dispatcher& d, std::vector<std::int64_t> const& ids,
                                      std::string const& sub, std::size_t poison) {
  auto others = static_cast<std::int64_t>(ids.size()) - 1;
  check_applied_once(sub, others);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    INFO(i);
    CHECK(status_of(ids[i], sub) == (i == poison ? "pending" : "done"));
    // A stream's applied events have no row; its poison is parked in one.
    if (i == poison || has_row(ids[i], sub)) CHECK(attempts_of(ids[i], sub) == 1);
  }
  CHECK(d.run_once() == 0);  // backed off
  t.advance_clock_ms(1000);
  CHECK(d.run_once() == 0);
  CHECK(status_of(ids[poison], sub) == "dead");
  CHECK(attempts_of(ids[poison], sub) == 2);
  CHECK(handled(sub) == others);
}

// In a handler's transaction: what another instance's committed claim would have done,
// leasing `sub`'s delivery of `event_id` (every one of `sub`'s, when 0) for an hour.
inline void lease_to_ghost(db::Tx& tx, std::string const& sub, std::int64_t event_id = 0) {
  std::int64_t far = db::now_ms() + 3'600'000;
  tx.exec("UPDATE event_deliveries SET lease_owner = 'ghost', lease_until = :u WHERE subscriber = :s AND "
          "(:any = 0 OR event_id = :e)",
          soci::use(far, "u"), soci::use(sub, "s"), soci::use(event_id, "any"), soci::use(event_id, "e"));
}

// Waits (up to `limit`) until pred() holds; returns whether it did.
template <class P>
bool eventually(P pred, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// Runs `publish_all` on a thread while each of `dispatchers` runs rounds on a thread of its
// own, until publishing is over and no delivery of `topic` is pending (or `limit` passed);
// a dispatcher with nothing to do sleeps `idle` between rounds.
template <class Publish>
void race(Publish publish_all, std::initializer_list<events::Dispatcher*> dispatchers, std::string const& topic,
          std::chrono::seconds limit, std::chrono::milliseconds idle) {
  std::atomic<bool> published{false};
  std::thread pub(publish_all);
  auto work = [&](events::Dispatcher& d) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      bool was_done = published.load();
      if (d.run_once() > 0) continue;
      if (was_done && waiting(topic) == 0) break;
      std::this_thread::sleep_for(idle);
    }
  };
  std::vector<std::thread> workers;
  for (auto* d : dispatchers) workers.emplace_back([&work, d] { work(*d); });
  pub.join();
  published = true;
  for (auto& w : workers) w.join();
}

// Test leftovers must not stay pending in the shared database.
inline void forget(std::string const& topic) {
  db::transact(database(), nullptr, [&](db::Tx& tx) {
    tx.exec("DELETE FROM event_deliveries WHERE topic = :t AND status <> 'done'", soci::use(topic, "t"));
  });
}

}  // namespace outbox_test
