#pragma once
// What the outbox tests (outbox_stall_test, outbox_batch_test) share: the test database, a
// table of handled events, counts, publishing, and forgetting a test's leftover deliveries.
#include "db/migration.hpp"
#include "db/outbox.hpp"
#include "db/tx.hpp"
#include "tests/support/test_app.hpp"

#include <boost/json.hpp>

#include <string>

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

// A COUNT(*) query with one or two bound strings.
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

// Test leftovers must not stay pending in the shared database.
inline void forget(std::string const& topic) {
  db::transact(database(), nullptr, [&](db::Tx& tx) {
    tx.exec("DELETE FROM event_deliveries WHERE topic = :t AND status <> 'done'", soci::use(topic, "t"));
  });
}

}  // namespace outbox_test
