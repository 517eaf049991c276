#pragma once
// The outbox's stored events read back as the bus hands them to subscribers, for tests that
// deliver them again by hand (a redelivery, racing dispatchers, a subscriber called directly).
#include "db/outbox.hpp"
#include "db/query.hpp"
#include "db/tx.hpp"
#include "tests/support/test_app.hpp"

#include <boost/json.hpp>

#include <string>
#include <vector>

namespace courtyard::test {

// The community's events whose topic meets `topic_condition` (SQL on the column `topic`,
// e.g. "topic LIKE 'ticket.%'"), oldest first.
inline std::vector<events::Event> stored_events(TestApp& t, std::int64_t community_id,
                                                std::string const& topic_condition) {
  return db::read(t.app().db(), [&](soci::session& sql) {
    return db::all(
        sql,
        "SELECT id, topic, payload, created_at FROM events WHERE community_id = :c AND " + topic_condition +
            " ORDER BY id",
        [&](db::Row const& r) {
          db::Cols c(r);
          events::Event e;
          e.id = c.integer();
          e.topic = c.text();
          e.payload = boost::json::parse(c.text());
          e.created_at = c.integer();
          e.community_id = community_id;
          return e;
        },
        soci::use(community_id, "c"));
  });
}

}  // namespace courtyard::test
