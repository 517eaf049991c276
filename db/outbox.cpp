#include "db/outbox.hpp"

#include "db/jobs.hpp"
#include "db/migration.hpp"
#include "db/query.hpp"
#include "db/tx.hpp"

#include <boost/json/parse.hpp>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>
#include <set>
#include <tuple>

namespace courtyard::events {

void Bus::add(std::string topic, Sub sub) {
  std::lock_guard lk(mu_);
  auto& subs = by_topic_[topic];
  for (auto const& s : subs)
    if (s.name == sub.name) throw std::logic_error("duplicate subscriber " + sub.name + " for " + topic);
  subs.push_back(std::move(sub));
}

void Bus::subscribe(std::string subscriber, std::string topic, Handler h) {
  add(std::move(topic), {std::move(subscriber), std::move(h), {}, {}});
}

void Bus::subscribe_detached(std::string subscriber, std::string topic, DetachedHandler h) {
  add(std::move(topic), {std::move(subscriber), {}, std::move(h), {}});
}

std::vector<std::string> Bus::subscribers_of(std::string const& topic) const {
  std::vector<std::string> out;
  auto it = by_topic_.find(topic);
  if (it != by_topic_.end())
    for (auto const& s : it->second)
      if (!s.batch) out.push_back(s.name);
  return out;
}

std::vector<std::pair<std::string, std::string>> Bus::streams() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto const& [t, subs] : by_topic_)
    for (auto const& s : subs)
      if (s.batch) out.emplace_back(s.name, t);
  return out;
}

std::int64_t Bus::bus_since_now() { return db::now_ms(); }

void Bus::subscribe_batch(std::string subscriber, std::string topic, BatchHandler h, int max_batch) {
  if (max_batch < 1) throw std::logic_error("batch size of " + subscriber + " must be at least 1");
  add(std::move(topic), {std::move(subscriber), {}, {}, std::move(h), max_batch});
}

Bus::Sub const* Bus::find(std::string const& subscriber, std::string const& topic) const {
  auto it = by_topic_.find(topic);
  if (it == by_topic_.end()) return nullptr;
  for (auto const& s : it->second)
    if (s.name == subscriber) return &s;
  return nullptr;
}

Handler const* Bus::handler(std::string const& subscriber, std::string const& topic) const {
  auto const* s = find(subscriber, topic);
  return s && s->handler ? &s->handler : nullptr;
}

DetachedHandler const* Bus::detached_handler(std::string const& subscriber, std::string const& topic) const {
  auto const* s = find(subscriber, topic);
  return s && s->detached ? &s->detached : nullptr;
}

std::pair<BatchHandler const*, int> Bus::batch_handler(std::string const& subscriber, std::string const& topic) const {
  auto const* s = find(subscriber, topic);
  if (!s || !s->batch) return {nullptr, 1};
  return {&s->batch, s->max_batch};
}

std::vector<std::string> Bus::topics() const {
  std::vector<std::string> out;
  for (auto const& [t, _] : by_topic_) out.push_back(t);
  return out;
}

std::vector<std::pair<std::string, std::string>> Bus::subscriptions() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto const& [t, subs] : by_topic_)
    for (auto const& s : subs) out.emplace_back(s.name, t);
  return out;
}

std::optional<std::vector<std::string>> Bus::cached_subscribers(std::string const& topic) const {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lk(cache_mu_);
  auto it = cache_.find(topic);
  if (it == cache_.end() || now - it->second.first >= subscriber_cache_ttl()) return std::nullopt;
  return it->second.second;
}

void Bus::cache_subscribers(std::string const& topic, std::vector<std::string> subs,
                            std::chrono::steady_clock::time_point read_at) {
  std::lock_guard lk(cache_mu_);
  auto& slot = cache_[topic];
  if (slot.second.empty() || read_at >= slot.first) slot = {read_at, std::move(subs)};
}

void Bus::notify_published() {
  {
    std::lock_guard lk(mu_);
    ++generation_;
  }
  cv_.notify_all();
}

bool Bus::wait_for_publish(std::chrono::milliseconds max_wait) {
  std::unique_lock lk(mu_);
  bool woke = cv_.wait_for(lk, max_wait, [this] { return generation_ != seen_; });
  seen_ = generation_;
  return woke;
}

namespace {

struct LeaseLost : std::runtime_error {
  LeaseLost() : std::runtime_error("delivery lease lost") {}
};

constexpr char const* kOrphanError = "orphaned: no running instance handles this subscriber";

// What is stored in last_error (and shown on the admin route): the handler's message,
// but never a storage error's text (it can carry SQL); that goes to the log only.
std::string stored_error(std::exception const& e) {
  if (dynamic_cast<soci::soci_error const*>(&e)) return "storage error (details in the server log)";
  std::string err = e.what();
  if (err.size() > 500) err.resize(500);
  return err;
}

}  // namespace

std::int64_t backoff_ms(int attempts, std::chrono::milliseconds base, std::chrono::milliseconds cap) {
  std::int64_t b = std::max<std::int64_t>(1, base.count());
  std::int64_t delay = b << std::clamp(attempts - 1, 0, 20);
  delay = std::min<std::int64_t>(delay, std::max<std::int64_t>(b, cap.count()));
  std::int64_t half = delay / 2;
  std::int64_t jitter = half > 0 ? randombytes_uniform(static_cast<std::uint32_t>(std::min<std::int64_t>(half, 0x7fffffff)) + 1) : 0;
  return delay + jitter;
}

// ---- schema and cluster-wide subscriptions

std::vector<db::Migration> migrations() {
  return {
      {1, "cluster-wide event subscribers, per-subscriber claim index",
       R"SQL(
CREATE TABLE IF NOT EXISTS event_subscribers (
  topic VARCHAR(96) NOT NULL,
  subscriber VARCHAR(96) NOT NULL,
  registered_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  PRIMARY KEY (topic, subscriber)
){engine};
CREATE INDEX idx_deliveries_subscriber ON event_deliveries (subscriber, topic, status, due_at);
)SQL"},
      // The dispatcher finds its due queues with one statement per round (MIN(due_at) per
      // pending queue): a loose index scan on MariaDB, a range of the pending rows on SQLite.
      {2, "pending queues index, events by topic (registration catch-up)", R"SQL(
CREATE INDEX idx_deliveries_pending_queues ON event_deliveries (status, subscriber, topic, due_at);
CREATE INDEX idx_events_topic_created ON events (topic, created_at);
)SQL"},
      // Pruning walks what is old, not the whole table: done deliveries by when they were
      // done, events by when they were created (both scans stop at the retention's cut).
      {3, "done deliveries by done_at, events by created_at (pruning)", R"SQL(
CREATE INDEX idx_deliveries_done ON event_deliveries (status, done_at);
CREATE INDEX idx_events_created ON events (created_at);
)SQL"},
      // Every query of (status, due_at) and of (subscriber, topic, status, due_at) is served by
      // idx_deliveries_pending_queues (equalities on status, subscriber and topic, a range on
      // due_at): the two were kept up to date on every delivery's insert and mark for nothing.
      {4, "drop the delivery indexes idx_deliveries_pending_queues covers", R"SQL(
DROP INDEX idx_deliveries_due ON event_deliveries;
DROP INDEX idx_deliveries_subscriber ON event_deliveries;
)SQL"},
      // Pruning finds done deliveries by their events' age (prune), so a delivery's mark
      // no longer moves an entry of (status, done_at) as well.
      {5, "drop the done deliveries' index: pruned by event", R"SQL(
DROP INDEX idx_deliveries_done ON event_deliveries;
)SQL"},
      // Streams (batch subscribers): events numbered in commit order by the sequencer, a
      // cursor per stream. (topic, seq) serves the sequencer (a topic's unnumbered events,
      // NULL) and the streams (a topic's events after a cursor).
      {6, "streams: event sequence numbers, the sequencer, a cursor per stream", R"SQL(
ALTER TABLE events ADD COLUMN seq BIGINT;
CREATE INDEX idx_events_topic_seq ON events (topic, seq);
CREATE TABLE IF NOT EXISTS event_sequencer (
  id INT PRIMARY KEY,
  last_seq BIGINT NOT NULL
){engine};
INSERT INTO event_sequencer (id, last_seq) VALUES (1, 0);
CREATE TABLE IF NOT EXISTS event_cursors (
  subscriber VARCHAR(96) NOT NULL,
  topic VARCHAR(96) NOT NULL,
  seq BIGINT NOT NULL,
  PRIMARY KEY (subscriber, topic)
){engine};
)SQL"},
  };
}

void register_subscribers(db::Database& db, Bus const& bus, std::int64_t now) {
  auto subs = bus.subscriptions();
  if (subs.empty()) return;
  std::string ins = std::string(db::insert_ignore(db.backend())) +
                    " INTO event_subscribers (topic, subscriber, registered_at, last_seen_at) VALUES (:t, :s, :r, :l)";
  db::transact(db, nullptr, [&](db::Tx& tx) {
    for (auto const& [sub, topic] : subs) {
      tx.exec(ins, soci::use(topic, "t"), soci::use(sub, "s"), soci::use(now, "r"), soci::use(now, "l"));
      tx.exec("UPDATE event_subscribers SET last_seen_at = :l WHERE topic = :t AND subscriber = :s AND last_seen_at < :l2",
              soci::use(now, "l"), soci::use(topic, "t"), soci::use(sub, "s"), soci::use(now, "l2"));
    }
  });
}

void install(db::Database& db, Bus& bus) {
  db::migrate(db, "outbox", migrations());
  // Cursors first: once a stream is registered, publishers and catch-up must see it is one.
  open_cursors(db, bus, bus.since_ms());
  register_subscribers(db, bus, db::now_ms());
  bus.set_cluster(true);
}

namespace {

// The sequencer's last number, its row locked until the transaction ends (on SQLite the
// transaction is the writer already).
std::int64_t lock_sequencer(db::Tx& tx) {
  long long last = 0;
  tx.sql() << "SELECT last_seq FROM event_sequencer WHERE id = 1" + std::string(db::for_update(tx.backend())),
      soci::into(last);
  return last;
}

// The topics that have a stream.
template <class Src>
std::vector<std::string> stream_topics(Src& src) {
  return db::all(src, "SELECT DISTINCT topic FROM event_cursors", db::first_text);
}

// A stream's cursor, locked for this transaction; nullopt when the stream has none or, with
// `skip`, when another dispatcher holds it (MariaDB skips it rather than wait behind that
// one's batch).
std::optional<std::int64_t> lock_cursor(db::Tx& tx, std::string const& sub, std::string const& topic, bool skip) {
  db::Query q("SELECT seq FROM event_cursors WHERE subscriber = ");
  q.value(sub).sql(" AND topic = ").value(topic);
  if (tx.backend() == db::Backend::MySql) q.sql(skip ? " FOR UPDATE SKIP LOCKED" : " FOR UPDATE");
  return q.one(tx, db::first_integer);
}

// An event as a stream reads it: with its number, the payload not parsed yet.
struct Numbered {
  Event event;
  std::string payload;
  std::int64_t seq = 0;
};

// Up to `limit` of the topic's events after `cursor`, in sequence order.
std::vector<Numbered> events_after(db::Tx& tx, std::string const& topic, std::int64_t cursor, int limit) {
  db::Query q("SELECT id, community_id, payload, created_at, seq FROM events WHERE topic = ");
  q.value(topic).sql(" AND seq > ").value(cursor).sql(" ORDER BY seq LIMIT ").value(std::int64_t{limit});
  return q.all(tx, [&](db::Row const& r) {
    Numbered n;
    db::Cols(r).into(n.event.id, n.event.community_id, n.payload, n.event.created_at, n.seq);
    n.event.topic = topic;
    return n;
  });
}

// Moves a cursor this transaction has locked.
void move_cursor(db::Tx& tx, std::string const& sub, std::string const& topic, std::int64_t from, std::int64_t to) {
  auto n = tx.exec("UPDATE event_cursors SET seq = :q WHERE subscriber = :s AND topic = :t AND seq = :f",
                   soci::use(to, "q"), soci::use(sub, "s"), soci::use(topic, "t"), soci::use(from, "f"));
  if (n != 1) throw std::logic_error("stream cursor moved under its lock");
}

// Delivery rows of a stream's events that it moves past without applying them (parked after a
// failure, or dead as orphans), in one statement; a row already there is left as it is.
long long add_deliveries(db::Tx& tx, std::vector<std::int64_t> const& event_ids, std::string const& sub,
                         std::string const& topic, std::string const& status, int attempts, std::int64_t due,
                         std::string const& err) {
  db::Query q(std::string(db::insert_ignore(tx.backend())) +
              " INTO event_deliveries (event_id, subscriber, topic, status, attempts, due_at, lease_until, "
              "last_error) VALUES ");
  for (std::size_t i = 0; i < event_ids.size(); ++i) {
    q.sql(i ? ", (" : "(").value(event_ids[i]).sql(", ").value(sub).sql(", ").value(topic).sql(", ");
    q.value(status).sql(", ").value(std::int64_t{attempts}).sql(", ").value(due).sql(", 0, ").value(err).sql(")");
  }
  return q.exec(tx);
}

}  // namespace

void open_cursors(db::Database& db, Bus const& bus, std::int64_t since) {
  auto streams = bus.streams();
  if (streams.empty()) return;
  db::transact(db, nullptr, [&](db::Tx& tx) {
    // Under the sequencer's lock: no numbers are handed out meanwhile.
    std::int64_t last = lock_sequencer(tx);
    for (auto const& [sub, topic] : streams) {
      auto mine = db::Query("SELECT COUNT(*) FROM event_cursors WHERE subscriber = ")
                      .value(sub).sql(" AND topic = ").value(topic).scalar(tx);
      if (mine) continue;
      if (db::Query("SELECT COUNT(*) FROM event_cursors WHERE topic = ").value(topic).scalar(tx) == 0)
        // The topic's first stream: what was published before `since` is before every cursor.
        tx.exec("UPDATE events SET seq = 0 WHERE topic = :t AND seq IS NULL AND created_at < :s",
                soci::use(topic, "t"), soci::use(since, "s"));
      // At the first numbered event published since `since` (others of the topic's streams may
      // have passed it), or at the head; unnumbered ones get numbers after the head.
      auto first = db::Query("SELECT COALESCE(MIN(seq), 0) FROM events WHERE topic = ")
                       .value(topic).sql(" AND created_at >= ").value(since).sql(" AND seq > 0").scalar(tx);
      std::int64_t start = first > 0 ? first - 1 : last;
      tx.exec(std::string(db::insert_ignore(tx.backend())) +
                  " INTO event_cursors (subscriber, topic, seq) VALUES (:s, :t, :q)",
              soci::use(sub, "s"), soci::use(topic, "t"), soci::use(start, "q"));
    }
  });
}

long long sequence(db::Database& db, int limit) {
  // An idle round reads, and takes no lock: are there unnumbered events of a stream's topic?
  // Through (topic, seq), whose NULL entries are exactly those. Left to itself, MariaDB at
  // times answered `ORDER BY id LIMIT n` by walking the primary key in id order instead,
  // through every numbered event before the unnumbered ones at the end: 6,400 rows a round
  // at 24,000 events in a flash sale (performance_schema), a cost that grew with the table.
  auto pending = [&db](auto& src, std::vector<std::string> const& topics, int n) {
    db::Query q("SELECT id FROM events " + db::use_index(db.backend(), "idx_events_topic_seq") + " WHERE topic IN (");
    for (std::size_t i = 0; i < topics.size(); ++i) (i ? q.sql(", ") : q).value(topics[i]);
    q.sql(") AND seq IS NULL ORDER BY id LIMIT ").value(std::int64_t{n});
    return q.all(src, db::first_integer);
  };
  bool any = db::read(db, [&](soci::session& s) {
    auto topics = stream_topics(s);
    return !topics.empty() && !pending(s, topics, 1).empty();
  });
  if (!any) return 0;
  return db::transact(db, nullptr, [&](db::Tx& tx) -> long long {
    std::int64_t last = lock_sequencer(tx);
    // Read after the lock: the previous holder's numbers are committed and seen.
    auto ids = pending(tx, stream_topics(tx), limit);
    if (ids.empty()) return 0;
    // seq = id + off keeps id order within the round and starts after the last number.
    std::int64_t off = last + 1 - ids.front();
    db::Query u("UPDATE events SET seq = id + ");
    u.value(off).sql(" WHERE id IN (").values(ids).sql(") AND seq IS NULL");
    if (u.exec(tx) != static_cast<long long>(ids.size())) throw std::runtime_error("event sequencing raced");
    std::int64_t head = ids.back() + off;
    tx.exec("UPDATE event_sequencer SET last_seq = :l WHERE id = 1", soci::use(head, "l"));
    return static_cast<long long>(ids.size());
  });
}

long long dead_letter_orphans(db::Database& db, std::int64_t now, std::chrono::milliseconds orphan_after) {
  std::int64_t cut = now - orphan_after.count();
  std::string err = kOrphanError;
  // Streams no instance has run since the cut: their events from before it become dead
  // delivery rows, and the cursor moves past them (in sequence order, up to the first newer one).
  auto orphans = db::read(db, [&](soci::session& s) {
    return db::all(s,
                   "SELECT c.subscriber, c.topic FROM event_cursors c WHERE NOT EXISTS (SELECT 1 FROM "
                   "event_subscribers s WHERE s.subscriber = c.subscriber AND s.topic = c.topic AND s.last_seen_at >= :cut) "
                   "AND EXISTS (SELECT 1 FROM events e WHERE e.topic = c.topic AND e.seq > c.seq AND e.created_at < :cut2)",
                   [](db::Row const& r) {
                     std::pair<std::string, std::string> p;
                     db::Cols(r).into(p.first, p.second);
                     return p;
                   },
                   soci::use(cut, "cut"), soci::use(cut, "cut2"));
  });
  long long dead = 0;
  for (auto const& orphan : orphans) {
    std::string const& sub = orphan.first;
    std::string const& topic = orphan.second;
    dead += db::transact(db, nullptr, [&](db::Tx& tx) -> long long {
      auto cur = lock_cursor(tx, sub, topic, false);
      if (!cur) return 0;
      std::vector<std::int64_t> ids;
      std::int64_t last = *cur;
      for (auto const& n : events_after(tx, topic, *cur, 1000)) {
        if (n.event.created_at >= cut) break;
        ids.push_back(n.event.id);
        last = n.seq;
      }
      if (ids.empty()) return 0;
      auto rows = add_deliveries(tx, ids, sub, topic, "dead", 0, now, err);
      move_cursor(tx, sub, topic, *cur, last);
      return rows;
    });
  }
  return dead + db::transact(db, nullptr, [&](db::Tx& tx) {
    return tx.exec(
        "UPDATE event_deliveries SET status = 'dead', due_at = :now, last_error = :e, lease_owner = NULL, "
        "lease_until = 0 WHERE status = 'pending' AND due_at < :cut AND lease_until < :now2 AND NOT EXISTS ("
        "SELECT 1 FROM event_subscribers s WHERE s.subscriber = event_deliveries.subscriber "
        "AND s.topic = event_deliveries.topic AND s.last_seen_at >= :cut2)",
        soci::use(now, "now"), soci::use(err, "e"), soci::use(cut, "cut"), soci::use(now, "now2"),
        soci::use(cut, "cut2"));
  });
}

long long catch_up_registrations(db::Database& db, std::int64_t now, std::chrono::milliseconds recent,
                                 std::chrono::milliseconds margin) {
  std::int64_t cut = now - recent.count();
  std::vector<std::tuple<std::string, std::string, std::int64_t>> regs;
  db::read(db, [&](soci::session& s) {
    // Row subscribers only: a stream's cursor starts where its registration began.
    soci::rowset<soci::row> rs =
        (s.prepare << "SELECT subscriber, topic, registered_at FROM event_subscribers WHERE registered_at >= :c "
                      "AND NOT EXISTS (SELECT 1 FROM event_cursors c WHERE c.subscriber = event_subscribers.subscriber "
                      "AND c.topic = event_subscribers.topic)",
         soci::use(cut, "c"));
    for (auto const& r : rs) {
      std::string sub, topic;
      std::int64_t at = 0;
      db::Cols(r).into(sub, topic, at);
      regs.emplace_back(std::move(sub), std::move(topic), at);
    }
    return 0;
  });
  long long created = 0;
  for (auto const& reg : regs) {
    // Named, not a structured binding: clang 14 (the fuzz build) cannot capture one in a lambda.
    std::string const& sub = std::get<0>(reg);
    std::string const& topic = std::get<1>(reg);
    std::int64_t from = std::get<2>(reg) - margin.count();
    created += db::transact(db, nullptr, [&](db::Tx& tx) {
      return tx.exec(std::string(db::insert_ignore(tx.backend())) +
                         " INTO event_deliveries (event_id, subscriber, topic, status, attempts, due_at, lease_until) "
                         "SELECT e.id, :s, :t, 'pending', 0, :n, 0 FROM events e WHERE e.topic = :t2 "
                         "AND e.created_at >= :f AND NOT EXISTS (SELECT 1 FROM event_deliveries d "
                         "WHERE d.event_id = e.id AND d.subscriber = :s2)",
                     soci::use(sub, "s"), soci::use(topic, "t"), soci::use(now, "n"), soci::use(topic, "t2"),
                     soci::use(from, "f"), soci::use(sub, "s2"));
    });
  }
  return created;
}

// ---- dead letters and counts

std::vector<DeliveryCount> delivery_counts(db::Database& db) {
  std::map<std::string, DeliveryCount> by;
  db::read(db, [&](soci::session& s) {
    soci::rowset<soci::row> subs = (s.prepare << "SELECT DISTINCT subscriber FROM event_subscribers");
    for (auto const& r : subs) {
      auto name = db::Cols(r).text();
      by[name].subscriber = name;
    }
    soci::rowset<soci::row> rs =
        (s.prepare << "SELECT subscriber, status, COUNT(*) FROM event_deliveries WHERE status IN ('pending', 'dead') "
                      "GROUP BY subscriber, status");
    for (auto const& r : rs) {
      db::Cols cols(r);
      std::string name, status;
      std::int64_t n = 0;
      cols.into(name, status, n);
      auto& c = by[name];
      c.subscriber = name;
      (status == "dead" ? c.dead : c.pending) = n;
    }
    // A stream's events after its cursor wait as pending deliveries would. Counted cursor by
    // cursor with its position as a constant, so each count is a range of (topic, seq) after
    // it: joined on `e.seq > c.seq`, MariaDB read the topic's every event for each cursor.
    auto cursors = db::all(s, "SELECT subscriber, topic, seq FROM event_cursors", [](db::Row const& r) {
      std::tuple<std::string, std::string, std::int64_t> c;
      db::Cols(r).into(std::get<0>(c), std::get<1>(c), std::get<2>(c));
      return c;
    });
    for (auto const& [name, topic, seq] : cursors) {
      auto n = db::Query("SELECT COUNT(*) FROM events WHERE topic = ").value(topic).sql(" AND seq > ").value(seq).scalar(s);
      auto& c = by[name];
      c.subscriber = name;
      c.pending += n;
    }
    return 0;
  });
  std::vector<DeliveryCount> out;
  for (auto& [_, c] : by) out.push_back(std::move(c));
  return out;
}

namespace {
std::string label(std::string const& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\', out += c;
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}
}  // namespace

std::string render_metrics(std::vector<DeliveryCount> const& counts) {
  std::string out =
      "# HELP courtyard_event_deliveries Event deliveries waiting (pending) or given up (dead), by subscriber.\n"
      "# TYPE courtyard_event_deliveries gauge\n";
  long long dead = 0;
  for (auto const& c : counts) {
    out += "courtyard_event_deliveries{subscriber=\"" + label(c.subscriber) + "\",status=\"pending\"} " +
           std::to_string(c.pending) + "\n";
    out += "courtyard_event_deliveries{subscriber=\"" + label(c.subscriber) + "\",status=\"dead\"} " +
           std::to_string(c.dead) + "\n";
    dead += c.dead;
  }
  out += "# HELP courtyard_event_dead_letters Dead event deliveries in total (GET /v1/admin/events/dead-letters).\n"
         "# TYPE courtyard_event_dead_letters gauge\n"
         "courtyard_event_dead_letters " + std::to_string(dead) + "\n";
  return out;
}

std::vector<DeadLetter> dead_letters(db::Database& db, std::optional<std::string> const& subscriber,
                                     std::optional<std::int64_t> after_id, std::int64_t limit) {
  std::vector<DeadLetter> out;
  std::int64_t after = after_id.value_or(0);
  std::string sub = subscriber.value_or("");
  int any_sub = subscriber ? 0 : 1;
  db::read(db, [&](soci::session& s) {
    soci::rowset<soci::row> rs =
        (s.prepare << "SELECT d.id, d.event_id, d.subscriber, d.topic, e.community_id, d.attempts, d.last_error, "
                      "e.created_at, d.due_at FROM event_deliveries d JOIN events e ON e.id = d.event_id "
                      "WHERE d.status = 'dead' AND d.id > :a AND (:any = 1 OR d.subscriber = :s) "
                      "ORDER BY d.id LIMIT :l",
         soci::use(after, "a"), soci::use(any_sub, "any"), soci::use(sub, "s"), soci::use(limit, "l"));
    for (auto const& r : rs) {
      DeadLetter d;
      db::Cols(r).into(d.id, d.event_id, d.subscriber, d.topic, d.community_id, d.attempts, d.last_error, d.published_at,
                    d.dead_at);
      out.push_back(std::move(d));
    }
    return 0;
  });
  return out;
}

RetryResult retry_dead(db::Database& db, Bus* bus, std::int64_t id) {
  std::int64_t now = db::now_ms();
  auto result = db::transact(db, nullptr, [&](db::Tx& tx) {
    auto n = tx.exec("UPDATE event_deliveries SET status = 'pending', attempts = 0, due_at = :n, lease_owner = NULL, "
                     "lease_until = 0 WHERE id = :id AND status = 'dead'",
                     soci::use(now, "n"), soci::use(id, "id"));
    if (n == 1) return RetryResult::Requeued;
    long long exists = 0;
    tx.sql() << "SELECT COUNT(*) FROM event_deliveries WHERE id = :id", soci::use(id), soci::into(exists);
    return exists ? RetryResult::NotDead : RetryResult::NotFound;
  });
  if (result == RetryResult::Requeued && bus) bus->notify_published();
  return result;
}

// ---- retention

Pruned prune(db::Database& db, std::int64_t now, std::chrono::milliseconds retention, int batch) {
  Pruned out;
  std::int64_t cut = now - retention.count();
  // The events created before the cut in (created_at, id) order, a batch at a time; of each
  // batch, the done deliveries (by event, the unique (event_id, subscriber) index: no index on
  // done_at for every delivery's mark to keep up), then the events left with no delivery.
  for (std::int64_t after_at = -1, after_id = 0;;) {
    std::vector<std::pair<std::int64_t, std::int64_t>> rows;  // (created_at, id)
    db::read(db, [&](soci::session& s) {
      soci::rowset<soci::row> rs =
          (s.prepare << "SELECT created_at, id FROM events WHERE created_at < :c AND (created_at > :aa OR "
                        "(created_at = :ab AND id > :ai)) ORDER BY created_at, id LIMIT :l",
           soci::use(cut, "c"), soci::use(after_at, "aa"), soci::use(after_at, "ab"), soci::use(after_id, "ai"),
           soci::use(batch, "l"));
      for (auto const& r : rs) {
        std::int64_t at = 0, id = 0;
        db::Cols(r).into(at, id);
        rows.emplace_back(at, id);
      }
      return 0;
    });
    if (rows.empty()) break;
    std::vector<std::int64_t> ids;
    for (auto const& [at, id] : rows) ids.push_back(id);
    auto [deliveries, events] = db::transact(db, nullptr, [&](db::Tx& tx) {
      db::Query done("DELETE FROM event_deliveries WHERE event_id IN (");
      done.values(ids).sql(") AND status = 'done'");
      db::Query del("DELETE FROM events WHERE id IN (");
      del.values(ids).sql(") AND created_at < ").value(cut);
      del.sql(" AND NOT EXISTS (SELECT 1 FROM event_deliveries d WHERE d.event_id = events.id)");
      // Nor one a stream of its topic has still to read.
      del.sql(" AND NOT EXISTS (SELECT 1 FROM event_cursors c WHERE c.topic = events.topic AND (events.seq IS NULL "
              "OR events.seq > c.seq))");
      auto d = done.exec(tx);
      return std::pair{d, del.exec(tx)};
    });
    out.deliveries += deliveries;
    out.events += events;
    std::tie(after_at, after_id) = rows.back();
    if (static_cast<int>(rows.size()) < batch) break;
  }
  return out;
}

void schedule_pruning(jobs::Scheduler& s, std::chrono::milliseconds retention, std::chrono::milliseconds every) {
  s.every("events.prune", every, [retention](jobs::JobContext& jc) {
    auto p = prune(jc.db, jc.now_ms, retention);
    if (p.deliveries || p.events)
      spdlog::info("events.prune: removed {} deliveries and {} events older than {} h", p.deliveries, p.events,
                   retention.count() / 3600000);
  });
}

// ---- the dispatcher

Dispatcher::Dispatcher(db::Database& db, Bus& bus, DispatcherOptions opts) : db_(db), bus_(bus), opts_(std::move(opts)) {}

Dispatcher::~Dispatcher() { stop(); }

std::string Dispatcher::metrics_text() const {
  std::lock_guard lk(metrics_mu_);
  return metrics_;
}

void Dispatcher::refresh_metrics() {
  auto text = render_metrics(delivery_counts(db_));
  std::lock_guard lk(metrics_mu_);
  metrics_ = std::move(text);
}

void Dispatcher::housekeeping(std::int64_t now) {
  if (last_housekeeping_ && now - last_housekeeping_ < opts_.housekeeping.count()) return;
  last_housekeeping_ = now;
  try {
    register_subscribers(db_, bus_, now);
    catch_up(now);
    auto n = dead_letter_orphans(db_, now, opts_.orphan_after);
    if (n) spdlog::warn("event dispatcher: {} deliveries dead-lettered: {}", n, kOrphanError);
    refresh_metrics();
  } catch (std::exception const& e) {
    spdlog::error("event dispatcher housekeeping: {}", e.what());
  }
}

void Dispatcher::catch_up(std::int64_t now) {
  // Registrations younger than a few housekeeping periods, so every one is caught up after
  // the publishers' cached subscriber lists (and the transactions that used them) are over.
  auto recent = std::max<std::chrono::milliseconds>(std::chrono::minutes(2), 4 * opts_.housekeeping);
  // Events created since the registration (by the publishers' clocks, which leases already
  // assume agree); none from before it, as when every publish read the list.
  auto n = catch_up_registrations(db_, now, recent, std::chrono::milliseconds(0));
  if (n) spdlog::info("event dispatcher: {} deliveries created for newly registered subscribers", n);
}

int Dispatcher::run_once() {
  if (!installed_) {
    install(db_, bus_);  // throws (and is retried on the next run) while storage is down
    installed_ = true;
    catch_up_at_ = db::now_ms() + 2 * bus_.subscriber_cache_ttl().count() + 100;
  }
  if (catch_up_at_ && db::now_ms() >= catch_up_at_) {
    catch_up_at_ = 0;
    try {
      catch_up(db::now_ms());
    } catch (std::exception const& e) {
      spdlog::error("event dispatcher catch-up: {}", e.what());
    }
  }
  housekeeping(db::now_ms());
  backlog_ = false;
  auto pairs = bus_.subscriptions();
  if (pairs.empty()) return 0;
  bool const streams = !bus_.streams().empty();
  // Number what committed since the last round, so the streams below can read it.
  if (streams) sequence(db_);
  // One queue of due ids per local (subscriber, topic): only subscribers we can run, so
  // another instance's (or an orphaned) backlog is never claimed here.
  std::vector<std::deque<std::int64_t>> queues(pairs.size());
  // Each queue's handler (exactly one of the three is set for a local subscriber) and how
  // many deliveries one turn takes from it, looked up once per run.
  struct Runner {
    BatchHandler const* batch = nullptr;
    Handler const* tx = nullptr;
    DetachedHandler const* detached = nullptr;
    int per_turn = 1;
  };
  std::vector<Runner> runners(pairs.size());
  std::vector<char> stream_due(pairs.size(), 0);  // a local stream with events after its cursor
  {
    std::int64_t now = db::now_ms();
    db::Lease l = db_.acquire();
    // One statement finds the queues with a delivery due (the earliest due_at of each
    // pending queue); only those are read. An idle round is this one statement.
    std::set<std::pair<std::string, std::string>> due;
    {
      soci::rowset<soci::row> rs =
          (l->prepare << "SELECT subscriber, topic, MIN(due_at) FROM event_deliveries WHERE status = 'pending' "
                         "GROUP BY subscriber, topic");
      for (auto const& r : rs) {
        std::string sub, topic;
        std::int64_t first_due = 0;
        db::Cols(r).into(sub, topic, first_due);
        if (first_due <= now) due.emplace(std::move(sub), std::move(topic));
      }
    }
    std::set<std::pair<std::string, std::string>> ahead;
    if (streams) {
      // A stream is ahead when its topic's highest number is past its cursor: one step down
      // (topic, seq) from the end per cursor. Not `EXISTS (… e.seq > c.seq)`: MariaDB turns
      // that into a semi-join that reads the topic's every event (FirstMatch on `topic` alone,
      // the range on seq applied as a filter), each round, so a round cost grew with the table
      // (50,000 index entries read per round at 50,000 events). NULLs (not numbered yet) sort
      // last when descending, on both backends.
      soci::rowset<soci::row> rs =
          (l->prepare << "SELECT c.subscriber, c.topic FROM event_cursors c WHERE c.seq < (SELECT e.seq FROM events e "
                         "WHERE e.topic = c.topic ORDER BY e.seq DESC LIMIT 1)");
      for (auto const& r : rs) {
        std::string sub, topic;
        db::Cols(r).into(sub, topic);
        ahead.emplace(std::move(sub), std::move(topic));
      }
    }
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      bool rows_due = due.contains(pairs[i]);
      if (!rows_due && !ahead.contains(pairs[i])) continue;
      auto& run = runners[i];
      std::tie(run.batch, run.per_turn) = bus_.batch_handler(pairs[i].first, pairs[i].second);
      stream_due[i] = run.batch && ahead.contains(pairs[i]) ? 1 : 0;
      if (!rows_due) continue;
      if (!run.batch && (run.tx = bus_.handler(pairs[i].first, pairs[i].second)))
        run.per_turn = std::max(1, opts_.group);
      if (!run.batch && !run.tx) run.detached = bus_.detached_handler(pairs[i].first, pairs[i].second);
      if (!run.batch && !run.tx && !run.detached) continue;
      int limit = std::max({1, opts_.batch, run.per_turn});
      soci::rowset<long long> rs =
          (l->prepare << "SELECT id FROM event_deliveries WHERE subscriber = :s AND topic = :t AND status = 'pending' "
                         "AND due_at <= :n AND lease_until < :n2 ORDER BY due_at, id LIMIT :l",
           soci::use(pairs[i].first, "s"), soci::use(pairs[i].second, "t"), soci::use(now, "n"),
           soci::use(now, "n2"), soci::use(limit, "l"));
      for (auto id : rs) queues[i].push_back(id);
      if (queues[i].size() >= static_cast<std::size_t>(limit)) backlog_ = true;  // maybe more due
    }
  }
  // Round-robin across the queues, starting one further each run, at most `batch` turns. A
  // turn is one delivery, a group of a transactional subscriber's deliveries or one batch of
  // a batch subscriber (one transaction each).
  std::size_t start = rotate_++ % pairs.size();
  std::vector<std::size_t> order;  // the queues with work, in this run's order
  for (std::size_t k = 0; k < pairs.size(); ++k)
    if (std::size_t i = (start + k) % pairs.size(); !queues[i].empty() || stream_due[i]) order.push_back(i);
  std::atomic<int> processed{0}, attempted{0};
  // One turn of queue i; false when it has nothing left, or the run is out of turns.
  auto turn = [&](std::size_t i) {
    if ((queues[i].empty() && !stream_due[i]) || attempted.load() >= opts_.batch || stop_) return false;
    auto const& run = runners[i];
    if (queues[i].empty()) {
      // A stream's turn: its next batch (parked deliveries, in the queue, go first).
      ++attempted;
      bool full = false;
      processed += deliver_stream(pairs[i].first, pairs[i].second, *run.batch, run.per_turn, full);
      if (!full) stream_due[i] = 0;
      return true;
    }
    auto take = std::min<std::size_t>(queues[i].size(), static_cast<std::size_t>(run.per_turn));
    std::vector<std::int64_t> ids(queues[i].begin(), queues[i].begin() + static_cast<std::ptrdiff_t>(take));
    queues[i].erase(queues[i].begin(), queues[i].begin() + static_cast<std::ptrdiff_t>(take));
    ++attempted;
    processed += process(ids, pairs[i].first, pairs[i].second, run.tx, run.detached, run.batch);
    return true;
  };
  auto threads = std::min<std::size_t>(static_cast<std::size_t>(std::max(1, opts_.parallel)), order.size());
  if (threads <= 1) {
    // One thread: the queues take turns, a pass at a time.
    for (bool any = true; any;) {
      any = false;
      for (auto i : order) any = turn(i) || any;
    }
  } else {
    // Several: each queue is run by one thread at a time (its deliveries stay in order), and
    // a slow queue holds up only its own thread.
    std::atomic<std::size_t> next{0};
    std::mutex failed_mu;
    std::exception_ptr failed;
    auto work = [&] {
      try {
        for (std::size_t k; (k = next++) < order.size();)
          while (turn(order[k])) {
          }
      } catch (...) {
        std::lock_guard lk(failed_mu);
        if (!failed) failed = std::current_exception();
      }
    };
    std::vector<std::thread> helpers;
    for (std::size_t t = 1; t < threads; ++t) helpers.emplace_back(work);
    work();
    for (auto& t : helpers) t.join();
    if (failed) std::rethrow_exception(failed);  // storage down: the round fails, as one thread's would
  }
  for (std::size_t i = 0; i < pairs.size(); ++i)
    backlog_ = backlog_ || !queues[i].empty() || stream_due[i];  // out of turns
  return processed.load();
}

namespace {

// A delivery with its event, as a lease read it.
struct Leased {
  std::int64_t id = 0;  // the delivery
  int attempts = 0;     // as stored (before this one for a claim; including it once taken done)
  Event event;
  std::string payload;  // parsed into event.payload where a failure reschedules the delivery
};

// Leases those of `ids` that are due and free to `owner` until `until`, in one statement (of
// several instances exactly one wins each row). With `done_at` they are also marked done at
// once, for a handler that runs in this same transaction: its row locks keep the others out
// until it commits or rolls back. Returns how many rows it took.
long long take(db::Tx& tx, std::vector<std::int64_t> const& ids, std::string const& owner, std::int64_t now,
               std::int64_t until, std::optional<std::int64_t> done_at) {
  db::Query q("UPDATE event_deliveries SET ");
  if (done_at) q.sql("status = 'done', done_at = ").value(*done_at).sql(", attempts = attempts + 1, ");
  q.sql("lease_owner = ").value(owner).sql(", lease_until = ").value(until).sql(" WHERE id IN (").values(ids);
  q.sql(") AND status = 'pending' AND due_at <= ").value(now).sql(" AND lease_until < ").value(now);
  return q.exec(tx);
}

// Those of `ids` that `take` gave `owner` (the lease's end, unique to that moment and owner,
// names them) and that are now in `status`, with their events, in due order.
std::vector<Leased> leased(db::Tx& tx, std::vector<std::int64_t> const& ids, char const* status,
                           std::string const& owner, std::int64_t until, std::string const& topic) {
  db::Query q(
      "SELECT d.id, d.attempts, e.id, e.community_id, e.payload, e.created_at "
      "FROM event_deliveries d JOIN events e ON e.id = d.event_id WHERE d.id IN (");
  q.values(ids).sql(") AND d.status = ").value(std::string(status)).sql(" AND d.lease_owner = ").value(owner);
  q.sql(" AND d.lease_until = ").value(until).sql(" ORDER BY d.due_at, d.id");
  return q.all(tx, [&](db::Row const& r) {
    Leased l;
    db::Cols(r).into(l.id, l.attempts, l.event.id, l.event.community_id, l.payload, l.event.created_at);
    l.event.topic = topic;
    return l;
  });
}

}  // namespace

struct Dispatcher::Claimed : Leased {};

namespace {

// In the handler's transaction: the deliveries still leased to `owner` become done.
long long mark_done(db::Tx& tx, std::vector<std::int64_t> const& ids, std::string const& owner) {
  db::Query q("UPDATE event_deliveries SET status = 'done', done_at = ");
  q.value(tx.now_ms()).sql(", attempts = attempts + 1 WHERE id IN (").values(ids);
  q.sql(") AND lease_owner = ").value(owner).sql(" AND status = 'pending'");
  return q.exec(tx);
}

}  // namespace

std::vector<Dispatcher::Claimed> Dispatcher::claim(std::vector<std::int64_t> const& ids, std::string const& topic) {
  // Claim with one conditional update: of several instances exactly one wins each delivery.
  // The lease runs from this claim, not from when the ids were selected.
  std::int64_t now = db::now_ms(), until = now + opts_.lease.count();
  return db::transact(db_, nullptr, [&](db::Tx& tx) {
    std::vector<Claimed> out;
    if (take(tx, ids, opts_.owner, now, until, std::nullopt) == 0) return out;
    for (auto& l : leased(tx, ids, "pending", opts_.owner, until, topic)) out.push_back(Claimed{std::move(l)});
    return out;
  });
}

int Dispatcher::process(std::vector<std::int64_t> const& ids, std::string const& subscriber, std::string const& topic,
                        Handler const* h, DetachedHandler const* detached, BatchHandler const* batch) {
  // No separate claim: the deliveries' own transaction takes them.
  if (batch) return deliver_owned_group(ids, subscriber, topic, *batch);
  if (h)
    return deliver_owned_group(ids, subscriber, topic, [h](std::vector<Event> const& events, db::Tx& tx) {
      for (auto const& e : events) (*h)(e, tx);
    });
  // Detached: leased first (the handler runs with no transaction open), marked done after.
  int done = 0;
  for (auto& c : claim(ids, topic)) done += deliver_detached(c, subscriber, *detached) ? 1 : 0;
  return done;
}

bool Dispatcher::deliver_detached(Claimed& c, std::string const& subscriber, DetachedHandler const& h) {
  auto const id = c.id;
  auto const& topic = c.event.topic;
  try {
    c.event.payload = boost::json::parse(c.payload);
    // Outside any transaction, on no pooled session: a failure here reschedules below.
    h(c.event);
    db::transact(db_, &bus_, [&](db::Tx& tx) {
      if (mark_done(tx, {id}, opts_.owner) != 1) throw LeaseLost();
    });
    return true;
  } catch (LeaseLost const&) {
    spdlog::warn("event delivery {} ({} -> {}): lease lost, left to its new owner", id, topic, subscriber);
  } catch (std::exception const& e) {
    reschedule(id, subscriber, topic, c.attempts, e, true);
  }
  return false;
}

bool Dispatcher::deliver_owned(std::int64_t id, std::string const& subscriber, std::string const& topic,
                               std::function<void(Event const&, db::Tx&)> const& work) {
  int attempts = -1;  // before this one, once the delivery is ours
  try {
    return db::transact(db_, &bus_, [&](db::Tx& tx) {
      attempts = -1;
      // Taken and marked done at once: of several dispatchers exactly one updates the row,
      // and the others' claims wait on its lock until it commits (done) or rolls back
      // (pending again). lease_owner/lease_until say who runs it meanwhile; an older
      // instance's lease on it (lease_until in the future) keeps it out, as a claim would.
      std::int64_t now = db::now_ms(), until = now + opts_.lease.count();
      if (take(tx, {id}, opts_.owner, now, until, tx.now_ms()) != 1) return false;
      auto ours = leased(tx, {id}, "done", opts_.owner, until, topic);
      if (ours.size() != 1) throw LeaseLost();  // cannot happen: this transaction holds the row
      attempts = ours.front().attempts - 1;
      ours.front().event.payload = boost::json::parse(ours.front().payload);
      if (work) work(ours.front().event, tx);
      return true;
    });
  } catch (std::exception const& e) {
    if (attempts < 0) throw;  // not taken (storage down): the round fails, as a failed claim does
    reschedule(id, subscriber, topic, attempts, e, false);
  }
  return false;
}

int Dispatcher::deliver_owned_group(std::vector<std::int64_t> const& ids, std::string const& subscriber,
                                    std::string const& topic, BatchHandler const& work) {
  auto one = [&work](Event const& e, db::Tx& tx) { work({e}, tx); };
  if (ids.size() == 1) return deliver_owned(ids.front(), subscriber, topic, one) ? 1 : 0;
  bool taken = false;  // some of the group was ours inside the transaction that failed
  try {
    return db::transact(db_, &bus_, [&](db::Tx& tx) {
      taken = false;
      // As deliver_owned, for the whole group at once: the rows this UPDATE changes are
      // ours (the lease's end, unique to this transaction's moment and owner, names them),
      // and other dispatchers wait on their locks until this commits or rolls back.
      std::int64_t now = db::now_ms(), until = now + opts_.lease.count();
      if (take(tx, ids, opts_.owner, now, until, tx.now_ms()) == 0) return 0;
      taken = true;
      std::vector<Event> events;
      for (auto& l : leased(tx, ids, "done", opts_.owner, until, topic)) {
        l.event.payload = boost::json::parse(l.payload);
        events.push_back(std::move(l.event));
      }
      if (!events.empty()) work(events, tx);
      return static_cast<int>(events.size());
    });
  } catch (std::exception const& e) {
    if (!taken) throw;  // nothing was taken (storage down): the round fails, as a failed claim does
    spdlog::warn("event group of {} deliveries ({} -> {}) failed, delivering them one by one: {}", ids.size(), topic,
                 subscriber, e.what());
  }
  // Each alone, in its own transaction: only a failing one is rescheduled.
  int done = 0;
  for (auto id : ids) done += deliver_owned(id, subscriber, topic, one) ? 1 : 0;
  return done;
}

int Dispatcher::deliver_stream(std::string const& subscriber, std::string const& topic, BatchHandler const& work,
                               int max_batch, bool& full) {
  full = false;
  // One transaction: lock the cursor, read the events after it, run the handler, move the
  // cursor past them. `read` says how many it read, 0 when there was nothing to take.
  auto attempt = [&](int limit, std::size_t& read, std::pair<std::int64_t, std::int64_t>& first) {
    return db::transact(db_, &bus_, [&](db::Tx& tx) {
      read = 0;
      auto cursor = lock_cursor(tx, subscriber, topic, true);
      if (!cursor) return 0;
      auto rows = events_after(tx, topic, *cursor, limit);
      if (rows.empty()) return 0;
      read = rows.size();
      first = {rows.front().event.id, rows.front().seq};
      std::vector<Event> events;
      for (auto& n : rows) {
        n.event.payload = boost::json::parse(n.payload);
        events.push_back(std::move(n.event));
      }
      work(events, tx);
      move_cursor(tx, subscriber, topic, *cursor, rows.back().seq);
      return static_cast<int>(rows.size());
    });
  };
  std::size_t read = 0;
  std::pair<std::int64_t, std::int64_t> first{0, 0};  // (event id, seq) of the first event read
  try {
    int n = attempt(max_batch, read, first);
    full = read >= static_cast<std::size_t>(max_batch);
    return n;
  } catch (std::exception const& e) {
    if (read == 0) throw;  // nothing was read (storage down): the round fails, as a failed claim does
    spdlog::warn("event batch of {} ({} -> {}) failed, delivering them one by one: {}", read, topic, subscriber,
                 e.what());
  }
  // Each alone, in its own transaction, as many as the batch had: one that fails is parked.
  int done = 0;
  std::size_t batch = read;
  for (std::size_t k = 0; k < batch; ++k) {
    std::size_t got = 0;
    try {
      if (attempt(1, got, first) == 0) return done;  // another dispatcher has the stream, or it is drained
      ++done;
    } catch (std::exception const& e) {
      if (got == 0) throw;
      park(subscriber, topic, first.first, first.second, e);
    }
  }
  full = true;  // more may follow the batch
  return done;
}

void Dispatcher::park(std::string const& subscriber, std::string const& topic, std::int64_t event_id, std::int64_t seq,
                      std::exception const& e) {
  bool dead = opts_.max_attempts <= 1;
  std::int64_t now = db::now_ms();
  std::int64_t due = dead ? now : now + backoff_ms(1, opts_.backoff_base, opts_.backoff_cap);
  std::string status = dead ? "dead" : "pending";
  std::string err = stored_error(e);
  spdlog::warn("event {} ({} -> {}) failed (attempt 1), parked as a delivery: {}", event_id, topic, subscriber,
               e.what());
  try {
    db::transact(db_, nullptr, [&](db::Tx& tx) {
      // Still the stream's next event (no other dispatcher has delivered or parked it since)?
      auto cursor = lock_cursor(tx, subscriber, topic, false);
      if (!cursor || *cursor >= seq) return;
      auto next = events_after(tx, topic, *cursor, 1);
      if (next.empty() || next.front().seq != seq) return;
      add_deliveries(tx, {event_id}, subscriber, topic, status, 1, due, err);
      move_cursor(tx, subscriber, topic, *cursor, seq);
    });
  } catch (std::exception const& e2) {
    spdlog::error("event {} ({} -> {}): could not park: {}", event_id, topic, subscriber, e2.what());
  }
}

void Dispatcher::reschedule(std::int64_t id, std::string const& subscriber, std::string const& topic, int before,
                            std::exception const& e, bool owned) {
  int attempts = before + 1;
  bool dead = attempts >= opts_.max_attempts;
  std::int64_t now = db::now_ms();
  std::int64_t due = dead ? now : now + backoff_ms(attempts, opts_.backoff_base, opts_.backoff_cap);
  std::string status = dead ? "dead" : "pending";
  std::string err = stored_error(e);
  if (dead)
    spdlog::error("event delivery {} ({} -> {}) dead after {} attempts: {}", id, topic, subscriber, attempts, e.what());
  else
    spdlog::warn("event delivery {} ({} -> {}) failed (attempt {}): {}", id, topic, subscriber, attempts, e.what());
  try {
    db::Lease l = db_.acquire();
    if (owned)
      *l << "UPDATE event_deliveries SET attempts = :a, due_at = :d, lease_owner = NULL, lease_until = 0, "
            "last_error = :e, status = :s WHERE id = :id AND lease_owner = :o AND status = 'pending'",
          soci::use(attempts), soci::use(due), soci::use(err), soci::use(status), soci::use(id),
          soci::use(opts_.owner);
    else  // as the rolled-back attempt found it: nobody has run or leased it since
      *l << "UPDATE event_deliveries SET attempts = :a, due_at = :d, lease_owner = NULL, lease_until = 0, "
            "last_error = :e, status = :s WHERE id = :id AND status = 'pending' AND attempts = :b "
            "AND lease_until < :n",
          soci::use(attempts), soci::use(due), soci::use(err), soci::use(status), soci::use(id), soci::use(before),
          soci::use(now);
  } catch (std::exception const& e2) {
    spdlog::error("event delivery {}: could not reschedule: {}", id, e2.what());
  }
}

int Dispatcher::drain(int max_rounds) {
  int total = 0;
  for (int i = 0; i < max_rounds; ++i) {
    int n = run_once();
    total += n;
    if (n == 0) break;
  }
  return total;
}

void Dispatcher::start() {
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] {
    while (!stop_) {
      int n = 0;
      try {
        n = run_once();
      } catch (std::exception const& e) {
        spdlog::error("event dispatcher: {}", e.what());
      }
      if (stop_) break;
      if (n == 0) {
        bus_.wait_for_publish(opts_.poll);
      } else if (!backlog_ && opts_.coalesce.count() > 0) {
        // Let the events of the next few ms gather into the next round's batches.
        std::unique_lock lk(pause_mu_);
        pause_cv_.wait_for(lk, opts_.coalesce, [this] { return stop_.load(); });
      }
    }
  });
}

void Dispatcher::stop() {
  {
    std::lock_guard lk(pause_mu_);
    stop_ = true;
  }
  pause_cv_.notify_all();
  bus_.notify_published();
  if (thread_.joinable()) thread_.join();
}

}  // namespace courtyard::events
