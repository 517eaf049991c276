// Dead letters, orphans, the /metrics gauges, the admin routes and retention pruning
// of the outbox (db/outbox.hpp, gateway/outbox_admin.hpp).
#include "db/jobs.hpp"
#include "db/outbox.hpp"
#include "db/tx.hpp"
#include "gateway/outbox_admin.hpp"
#include "tests/support/test_app.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <atomic>

using namespace courtyard;

namespace {

db::Database& database() { return test::TestApp::get().app().db(); }

std::int64_t count(std::string const& sql, std::string const& a) {
  return db::read(database(), [&](soci::session& s) {
    long long v = 0;
    s << sql, soci::use(a), soci::into(v);
    return static_cast<std::int64_t>(v);
  });
}

std::int64_t publish(events::Bus& bus, std::string const& topic) {
  return db::transact(database(), &bus,
                      [&](db::Tx& tx) { return tx.publish(topic, 1, boost::json::object{{"x", 1}}); });
}

events::DeliveryCount counts_of(std::string const& sub) {
  for (auto const& c : events::delivery_counts(database()))
    if (c.subscriber == sub) return c;
  return {};
}

void ensure_admin_routes() {
  auto& r = test::TestApp::get().app().router();
  if (!r.match("GET", "/v1/admin/events/dead-letters").route) gateway::add_outbox_admin_routes(r);
}

}  // namespace

TEST_CASE("a failing subscriber backs off, goes dead, shows in the counts and can be retried by an admin",
          "[events][dead]") {
  auto& t = test::TestApp::get();
  ensure_admin_routes();
  auto topic = t.unique("topic");
  auto sub = t.unique("flaky");
  std::atomic<bool> healthy{false};
  std::atomic<int> calls{0};
  events::Bus bus;
  bus.subscribe(sub, topic, [&](events::Event const&, db::Tx&) {
    ++calls;
    if (!healthy) throw std::runtime_error("payment gateway timeout");
  });
  auto event_id = publish(bus, topic);
  events::Dispatcher d(database(), bus,
                       {.owner = t.unique("inst"), .max_attempts = 3, .backoff_base = std::chrono::milliseconds(50)});
  for (int i = 0; i < 10 && count("SELECT COUNT(*) FROM event_deliveries WHERE topic = :t AND status = 'dead'", topic) == 0;
       ++i) {
    d.run_once();
    CHECK(d.run_once() == 0);  // backed off: not due again at once
    t.advance_clock_ms(1000);
  }
  CHECK(calls == 3);
  CHECK(count("SELECT COUNT(*) FROM event_deliveries WHERE topic = :t AND status = 'dead' AND attempts = 3", topic) == 1);
  d.run_once();
  CHECK(calls == 3);  // dead letters are not retried on their own

  auto c = counts_of(sub);
  CHECK(c.dead == 1);
  CHECK(c.pending == 0);
  d.refresh_metrics();
  auto metrics = gateway::outbox_metrics_text(d);
  CHECK_THAT(metrics, Catch::Contains("courtyard_event_deliveries{subscriber=\"" + sub + "\",status=\"dead\"} 1"));
  CHECK_THAT(metrics, Catch::Contains("# TYPE courtyard_event_dead_letters gauge"));

  // The admin route lists it; nobody else may.
  auto admin = t.admin();
  auto list = t.get("/v1/admin/events/dead-letters?subscriber=" + sub, admin.token);
  REQUIRE(list.status == 200);
  auto const& items = list.json.at("items").as_array();
  REQUIRE(items.size() == 1);
  auto const& item = items[0].as_object();
  CHECK(item.at("event_id").as_int64() == event_id);
  CHECK(item.at("topic").as_string() == topic);
  CHECK(item.at("attempts").as_int64() == 3);
  CHECK(item.at("last_error").as_string() == "payment gateway timeout");
  auto delivery_id = item.at("id").as_int64();
  auto path = "/v1/admin/events/dead-letters/" + std::to_string(delivery_id) + "/retry";

  CHECK(t.get("/v1/admin/events/dead-letters").status == 401);
  auto user = t.account();
  CHECK(t.get("/v1/admin/events/dead-letters", user.token).status == 403);
  CHECK(t.post(path, boost::json::object{}, user.token).status == 403);
  auto bad = t.get("/v1/admin/events/dead-letters?cursor=not*a*cursor", admin.token);
  CHECK(bad.status == 422);
  CHECK_THAT(bad.header("content-type"), Catch::Contains("application/problem+json"));
  CHECK(t.get("/v1/admin/events/dead-letters?subscriber=" + std::string(200, 'x'), admin.token).status == 422);
  CHECK(t.post("/v1/admin/events/dead-letters/999999999/retry", boost::json::object{}, admin.token).status == 404);
  CHECK(count("SELECT COUNT(*) FROM event_deliveries WHERE topic = :t AND status = 'dead'", topic) == 1);

  // Retry: back to pending with a fresh budget; a second retry is a conflict.
  auto retried = t.post(path, boost::json::object{}, admin.token);
  CHECK(retried.status == 200);
  auto again = t.post(path, boost::json::object{}, admin.token);
  CHECK(again.status == 409);
  CHECK(again.problem_type() == "/problems/not-dead");
  CHECK(count("SELECT COUNT(*) FROM event_deliveries WHERE topic = :t AND status = 'pending' AND attempts = 0", topic) ==
        1);
  healthy = true;
  CHECK(d.drain() == 1);
  CHECK(count("SELECT COUNT(*) FROM event_deliveries WHERE topic = :t AND status = 'done'", topic) == 1);
  CHECK(counts_of(sub).dead == 0);
}

TEST_CASE("deliveries no running instance handles go dead after orphan_after", "[events][dead][orphan]") {
  auto& t = test::TestApp::get();
  auto topic = t.unique("topic");
  auto ghost = t.unique("ghost"), live = t.unique("live");
  events::Bus old_version;  // an instance that ran `ghost`, since retired
  old_version.subscribe(ghost, topic, [](events::Event const&, db::Tx&) {});
  events::Bus current;  // the running instance, whose dispatcher is behind
  current.subscribe(live, topic, [](events::Event const&, db::Tx&) {});
  events::install(database(), old_version);
  events::install(database(), current);
  publish(current, topic);
  CHECK(count("SELECT COUNT(*) FROM event_deliveries WHERE topic = :t", topic) == 2);

  auto hour = std::chrono::hours(1);
  auto now = db::now_ms();
  CHECK(events::dead_letter_orphans(database(), now + 1000, hour) == 0);  // too young to judge
  auto later = now + 2 * 3600 * 1000;
  events::register_subscribers(database(), current, later);  // heartbeat of the live instance
  CHECK(events::dead_letter_orphans(database(), later, hour) >= 1);
  CHECK(count("SELECT COUNT(*) FROM event_deliveries WHERE subscriber = :s AND status = 'dead' "
              "AND last_error LIKE 'orphaned%'",
              ghost) == 1);
  CHECK(count("SELECT COUNT(*) FROM event_deliveries WHERE subscriber = :s AND status = 'pending'", live) == 1);
  CHECK(counts_of(ghost).dead == 1);
  db::transact(database(), nullptr, [&](db::Tx& tx) {
    tx.exec("DELETE FROM event_deliveries WHERE topic = :t AND status <> 'done'", soci::use(topic, "t"));
  });
}

TEST_CASE("pruning removes only done deliveries and fully delivered events older than the retention",
          "[events][prune]") {
  auto& t = test::TestApp::get();
  auto topic = t.unique("topic");
  auto sub = t.unique("sub"), other = t.unique("other");
  events::Bus bus;
  std::atomic<bool> other_fails{false};
  bus.subscribe(sub, topic, [](events::Event const&, db::Tx&) {});
  bus.subscribe(other, topic, [&](events::Event const&, db::Tx&) {
    if (other_fails) throw std::runtime_error("down");
  });
  events::Dispatcher d(database(), bus, {.owner = t.unique("inst"), .max_attempts = 1});

  auto old_done = publish(bus, topic);  // both delivered
  d.drain();
  other_fails = true;
  auto old_partial = publish(bus, topic);  // `other` goes dead (max_attempts 1)
  d.drain();
  auto old_bare = db::transact(database(), nullptr,  // stored without any delivery
                               [&](db::Tx& tx) { return tx.publish(topic, 1, boost::json::object{}); });
  t.advance_clock_ms(8LL * 24 * 3600 * 1000);
  other_fails = false;
  auto recent = publish(bus, topic);
  d.drain();

  auto exists = [&](std::int64_t event_id) {
    return db::read(database(), [&](soci::session& s) {
      long long n = 0;
      s << "SELECT COUNT(*) FROM events WHERE id = :id", soci::use(event_id), soci::into(n);
      return n;
    });
  };
  auto deliveries = [&](std::int64_t event_id) {
    return db::read(database(), [&](soci::session& s) {
      long long n = 0;
      s << "SELECT COUNT(*) FROM event_deliveries WHERE event_id = :id", soci::use(event_id), soci::into(n);
      return n;
    });
  };
  REQUIRE(deliveries(old_done) == 2);
  REQUIRE(deliveries(old_partial) == 2);

  auto pruned = events::prune(database(), db::now_ms(), std::chrono::hours(24 * 7), 2);  // small batches
  CHECK(pruned.deliveries >= 3);
  CHECK(pruned.events >= 2);
  CHECK(exists(old_done) == 0);
  CHECK(deliveries(old_done) == 0);
  CHECK(exists(old_bare) == 0);
  CHECK(exists(old_partial) == 1);      // its dead delivery keeps it (and the dead letter)
  CHECK(deliveries(old_partial) == 1);  // only the done one went
  CHECK(exists(recent) == 1);
  CHECK(deliveries(recent) == 2);

  // The job runs it with the configured retention.
  jobs::Scheduler s(database(), bus, t.unique("sched"));
  events::schedule_pruning(s, std::chrono::hours(1));
  t.advance_clock_ms(2 * 3600 * 1000);
  CHECK(s.run_now("events.prune"));
  CHECK(exists(recent) == 0);
  CHECK(exists(old_partial) == 1);
}

TEST_CASE("a stream no running instance runs: its old events go dead as deliveries and its cursor moves past",
          "[events][dead][orphan][stream]") {
  auto& t = test::TestApp::get();
  auto topic = t.unique("topic");
  auto ghost = t.unique("ghost_stream"), live = t.unique("live");
  events::Bus old_version;  // an instance that ran the stream `ghost`, since retired
  old_version.subscribe_batch(ghost, topic, [](std::vector<events::Event> const&, db::Tx&) {}, 10);
  events::Bus current;
  current.subscribe(live, topic, [](events::Event const&, db::Tx&) {});
  events::install(database(), old_version);
  events::install(database(), current);
  auto event_id = publish(current, topic);
  // Publishing wrote a row for the ordinary subscriber only; the stream waits at its cursor.
  CHECK(count("SELECT COUNT(*) FROM event_deliveries WHERE topic = :t", topic) == 1);
  CHECK(events::sequence(database()) >= 1);
  CHECK(counts_of(ghost).pending == 1);

  auto hour = std::chrono::hours(1);
  auto now = db::now_ms();
  CHECK(events::dead_letter_orphans(database(), now + 1000, hour) == 0);  // too young to judge
  auto later = now + 2 * 3600 * 1000;
  events::register_subscribers(database(), current, later);
  CHECK(events::dead_letter_orphans(database(), later, hour) >= 1);  // the stream's event (live is heartbeating)
  CHECK(count("SELECT COUNT(*) FROM event_deliveries WHERE subscriber = :s AND status = 'dead' "
              "AND last_error LIKE 'orphaned%'",
              ghost) == 1);
  CHECK(counts_of(ghost).dead == 1);
  CHECK(counts_of(ghost).pending == 0);
  // Listed and re-queued like any dead letter.
  auto dead = events::dead_letters(database(), ghost, std::nullopt, 10);
  REQUIRE(dead.size() == 1);
  CHECK(dead[0].event_id == event_id);
  CHECK(events::retry_dead(database(), nullptr, dead[0].id) == events::RetryResult::Requeued);
  // A later sweep makes the re-queued row dead again (nobody runs the stream), but finds no
  // new event after the cursor: still one row.
  events::dead_letter_orphans(database(), later, hour);
  CHECK(count("SELECT COUNT(*) FROM event_deliveries WHERE subscriber = :s", ghost) == 1);
  db::transact(database(), nullptr, [&](db::Tx& tx) {
    tx.exec("DELETE FROM event_deliveries WHERE topic = :t AND status <> 'done'", soci::use(topic, "t"));
  });
}

TEST_CASE("pruning keeps an old event a stream of its topic has not read yet", "[events][prune][stream]") {
  auto& t = test::TestApp::get();
  auto topic = t.unique("topic");
  auto stream = t.unique("stream");
  std::atomic<int> applied{0};
  events::Bus bus;
  bus.subscribe_batch(stream, topic, [&](std::vector<events::Event> const& batch, db::Tx&) {
    applied += static_cast<int>(batch.size());
  }, 10);
  events::install(database(), bus);
  auto old_event = publish(bus, topic);
  CHECK(events::sequence(database()) >= 1);
  t.advance_clock_ms(8LL * 24 * 3600 * 1000);
  auto exists = [&] {
    return db::read(database(), [&](soci::session& s) {
      long long n = 0;
      s << "SELECT COUNT(*) FROM events WHERE id = :id", soci::use(old_event), soci::into(n);
      return n;
    });
  };
  events::prune(database(), db::now_ms(), std::chrono::hours(24 * 7));
  CHECK(exists() == 1);  // the stream is still before it
  events::Dispatcher d(database(), bus, {.owner = t.unique("inst")});
  d.drain();
  CHECK(applied == 1);
  events::prune(database(), db::now_ms(), std::chrono::hours(24 * 7));
  CHECK(exists() == 0);
}
