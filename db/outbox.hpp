#pragma once
// Events: the transactional outbox. Publishing inserts an `events` row in the publisher's
// transaction, and one `event_deliveries` row per row subscriber (transactional and detached
// ones). A Dispatcher claims due deliveries with a lease (so several instances never
// double-process), runs the subscriber in its own transaction that also marks the delivery
// done (only if the lease is still ours), or reschedules with backoff. At-least-once;
// subscribers must be idempotent (key on event.id).
//
// Batch subscribers (subscribe_batch) are streams, not rows: publishing writes nothing for
// them. A sequencer (any dispatcher, one at a time: it locks `event_sequencer`) gives the
// committed events of the topics that have streams a number, `events.seq`, in one UPDATE per
// round; numbers are handed out only under that lock and commit together, so whatever a
// reader sees of them has no holes that fill in later (which ids, allocated before commit,
// do not promise on MariaDB). Each stream keeps a cursor (`event_cursors`: the last seq it
// applied); one turn locks its cursor row (SKIP LOCKED on MariaDB: another instance's turn is
// skipped, not waited for), reads up to its batch size of events after it, runs the handler
// and moves the cursor in the same transaction. A failing batch is run again one event at a
// time; an event that fails alone is parked as an ordinary pending delivery row (attempts 1,
// backed off) and the cursor moves past it, so retries, dead letters and retry_dead work on
// it as on any delivery. Per order of a flash sale that is one row write (the seq) instead of
// a delivery row inserted and marked done per batch subscriber.
//
// Subscriptions are a cluster-wide fact: every instance writes its (subscriber, topic)
// pairs to `event_subscribers` (install(), then a heartbeat from its Dispatcher), and
// publishing creates a delivery for every row subscriber known there as well as the local
// ones, so an event published on an instance that lacks a subscriber still reaches it (a
// stream's cursor is shared by all instances). A stream's cursor is opened at install() by
// the first instance that runs it, at the events published since that instance's Bus began.
// A Dispatcher claims only deliveries for subscribers it has handlers for, round-robin
// across (subscriber, topic) queues so one stuck or slow subscriber never holds back
// another, leases each item from the moment it is claimed, backs failures off
// exponentially with jitter and marks them `dead` after max_attempts. A stream's batch is
// one turn of the round-robin like a single delivery, and so are up to `group` deliveries of
// a transactional subscriber's queue. Deliveries no running instance handles for
// `orphan_after` go `dead` too (a stream's events older than that become dead delivery rows
// and its cursor moves past them). Dead letters are listed and re-queued through
// dead_letters()/retry_dead(); counts per subscriber feed /metrics.
#include <boost/json/value.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace courtyard::db {
class Database;
class Tx;
struct Migration;
}  // namespace courtyard::db
namespace courtyard::jobs {
class Scheduler;
}

namespace courtyard::events {

struct Event {
  std::int64_t id = 0;
  std::string topic;
  std::int64_t community_id = 0;
  boost::json::value payload;
  std::int64_t created_at = 0;  // epoch ms
};

// A subscriber runs inside a transaction; what it writes commits together with the
// delivery being marked done.
using Handler = std::function<void(Event const&, db::Tx&)>;
// A detached subscriber runs with no transaction open and no pooled session held: code
// that is not Courtyard's (plugins) must never run under the write lock (SQLite's
// BEGIN IMMEDIATE) or keep a connection from the pool. The delivery stays leased while it
// runs and is marked done in a short transaction after it returns. Still at least once:
// an exception reschedules it with backoff (dead after max_attempts); a crash, or a lease
// that ran out before the mark, runs it again. It writes nothing with the delivery.
using DetachedHandler = std::function<void(Event const&)>;
// A batch subscriber (a stream, see above) gets up to its batch size of its topic's events at
// once, in sequence order, in one transaction that locks its cursor, runs the handler and
// moves the cursor: what it writes commits with all of them or with none, and the cursor's
// row lock keeps other dispatchers out until then. When the handler throws, the events are
// delivered again one by one, each in a vector of its own with its own transaction, so a
// poison event is parked (a pending delivery row), retried, backed off and dead-lettered
// alone while the rest are done. Parked deliveries come to the same handler, one at a time or
// a batch of them. Idempotent per event, as any subscriber.
using BatchHandler = std::function<void(std::vector<Event> const&, db::Tx&)>;

class Bus {
 public:
  // `subscriber` is a stable name stored in delivery rows, e.g. "notifications.order".
  void subscribe(std::string subscriber, std::string topic, Handler h);
  void subscribe_detached(std::string subscriber, std::string topic, DetachedHandler h);
  // max_batch >= 1: the most deliveries one handler call gets.
  void subscribe_batch(std::string subscriber, std::string topic, BatchHandler h, int max_batch);
  // Row subscribers of a topic (names: not the streams), for the outbox insert.
  // Thread-safe after start-up.
  std::vector<std::string> subscribers_of(std::string const& topic) const;
  // Every local stream (batch subscriber): (subscriber, topic).
  std::vector<std::pair<std::string, std::string>> streams() const;
  // When this bus began (epoch ms, by the clock this instance stamps its events with): a
  // stream opened by this instance starts at the events published since.
  std::int64_t since_ms() const { return since_ms_; }
  // The subscriber's handler; nullptr when unknown or detached.
  Handler const* handler(std::string const& subscriber, std::string const& topic) const;
  // The subscriber's detached handler; nullptr when unknown or transactional.
  DetachedHandler const* detached_handler(std::string const& subscriber, std::string const& topic) const;
  // The subscriber's batch handler and its batch size; {nullptr, 1} when unknown or not a batch one.
  std::pair<BatchHandler const*, int> batch_handler(std::string const& subscriber, std::string const& topic) const;
  // Every topic someone published or subscribed to, for docs/tests.
  std::vector<std::string> topics() const;
  // Every local (subscriber, topic) pair.
  std::vector<std::pair<std::string, std::string>> subscriptions() const;

  // Cluster mode: set by install() once `event_subscribers` exists and this bus's
  // subscriptions are in it. Publishing then also creates deliveries for the
  // subscribers other instances registered. Off: local subscribers only.
  void set_cluster(bool on) { cluster_.store(on); }
  bool cluster() const { return cluster_.load(); }

  // Cluster mode's subscribers per topic (from `event_subscribers`) are kept for
  // subscriber_cache_ttl() after they were read, so publishing does not read them in every
  // transaction. A subscriber another instance registers meanwhile misses the events
  // published with the old list; the dispatchers' catch-up (catch_up_registrations) gives
  // it a delivery for every event of its topic created since its registration.
  std::optional<std::vector<std::string>> cached_subscribers(std::string const& topic) const;
  // `read_at`: steady-clock time taken before the list was read.
  void cache_subscribers(std::string const& topic, std::vector<std::string> subs,
                         std::chrono::steady_clock::time_point read_at);
  void set_subscriber_cache_ttl(std::chrono::milliseconds ttl) { cache_ttl_ms_.store(ttl.count()); }
  std::chrono::milliseconds subscriber_cache_ttl() const { return std::chrono::milliseconds(cache_ttl_ms_.load()); }

  // Called after a publishing transaction commits: wakes local dispatchers.
  void notify_published();
  // Dispatchers wait on this.
  bool wait_for_publish(std::chrono::milliseconds max_wait);

 private:
  struct Sub {
    std::string name;
    Handler handler;            // one of these three is set
    DetachedHandler detached;
    BatchHandler batch;
    int max_batch = 1;
  };
  Sub const* find(std::string const& subscriber, std::string const& topic) const;
  void add(std::string topic, Sub sub);
  std::map<std::string, std::vector<Sub>> by_topic_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::uint64_t generation_ = 0;
  std::uint64_t seen_ = 0;
  std::atomic<bool> cluster_{false};
  std::atomic<std::int64_t> cache_ttl_ms_{1000};
  std::int64_t since_ms_ = bus_since_now();
  static std::int64_t bus_since_now();
  mutable std::mutex cache_mu_;
  std::map<std::string, std::pair<std::chrono::steady_clock::time_point, std::vector<std::string>>> cache_;
};

// ---- schema and cluster-wide subscriptions

// Migration set "outbox": `event_subscribers`, the delivery indexes, and the streams'
// `events.seq`, `event_sequencer` and `event_cursors`. Run after the platform migrations (it
// indexes `event_deliveries` and alters `events`).
std::vector<db::Migration> migrations();
// Migrates "outbox", registers the bus's subscriptions, opens its streams' cursors and turns
// on cluster mode. Call once every subscriber is on the bus. A Dispatcher does it on its
// first run.
void install(db::Database& db, Bus& bus);
// Opens a cursor for each of the bus's streams that has none: at the events of its topic
// published since `since` (epoch ms). The first stream of a topic marks the topic's older
// unnumbered events as before every cursor (seq 0).
void open_cursors(db::Database& db, Bus const& bus, std::int64_t since);
// Numbers (events.seq) up to `limit` committed events of the topics that have streams, in id
// order, under the sequencer's lock. Returns how many. A dispatcher calls it every round.
long long sequence(db::Database& db, int limit = 5000);
// Upserts the bus's (subscriber, topic) pairs with last_seen_at = now (heartbeat).
void register_subscribers(db::Database& db, Bus const& bus, std::int64_t now_ms);
// Pending deliveries due for longer than `orphan_after` whose (subscriber, topic) no
// instance has heartbeated within `orphan_after` become `dead`, and so do a stream's events
// created before then that are after its cursor (dead delivery rows; the cursor moves past
// them). Returns how many.
long long dead_letter_orphans(db::Database& db, std::int64_t now_ms, std::chrono::milliseconds orphan_after);
// For every row subscriber's (subscriber, topic) registered within `recent` of now: a pending delivery for
// each event of the topic created since its registration (less `margin`, for publishers
// whose cached subscriber list predates it and for clock skew) that has none. Idempotent;
// returns how many deliveries it created.
long long catch_up_registrations(db::Database& db, std::int64_t now_ms, std::chrono::milliseconds recent,
                                 std::chrono::milliseconds margin);

// ---- dead letters and counts

struct DeliveryCount {
  std::string subscriber;
  long long pending = 0;
  long long dead = 0;
};
// Pending and dead deliveries per subscriber (every registered subscriber appears); a
// stream's pending count includes the events after its cursor.
std::vector<DeliveryCount> delivery_counts(db::Database& db);
// Prometheus text for the counts (gauges courtyard_event_deliveries{subscriber,status}).
std::string render_metrics(std::vector<DeliveryCount> const& counts);

struct DeadLetter {
  std::int64_t id = 0;  // the delivery
  std::int64_t event_id = 0;
  std::string subscriber;
  std::string topic;
  std::int64_t community_id = 0;
  int attempts = 0;
  std::string last_error;
  std::int64_t published_at = 0;  // epoch ms
  std::int64_t dead_at = 0;       // epoch ms
};
// Dead deliveries by id, after `after_id`, at most `limit` rows; optionally one subscriber.
std::vector<DeadLetter> dead_letters(db::Database& db, std::optional<std::string> const& subscriber,
                                     std::optional<std::int64_t> after_id, std::int64_t limit);
enum class RetryResult { Requeued, NotFound, NotDead };
// Puts a dead delivery back to pending (attempts 0, due now). Wakes local dispatchers.
RetryResult retry_dead(db::Database& db, Bus* bus, std::int64_t delivery_id);

// ---- retention

struct Pruned {
  long long deliveries = 0;
  long long events = 0;
};
// Deletes the events created before now - retention with their `done` deliveries; an event
// with a pending or dead delivery is kept, and so is that delivery, and so is an event a
// stream of its topic has not passed yet. Works in batches of
// `batch` events, one short transaction each.
Pruned prune(db::Database& db, std::int64_t now_ms, std::chrono::milliseconds retention, int batch = 500);
// Registers the job "events.prune" (every `every`) that calls prune() with `retention`.
void schedule_pruning(jobs::Scheduler& s, std::chrono::milliseconds retention,
                      std::chrono::milliseconds every = std::chrono::hours(1));

struct DispatcherOptions {
  std::string owner;                          // unique per instance (lease owner)
  std::chrono::milliseconds lease{30000};
  std::chrono::milliseconds poll{250};
  int batch = 64;                             // turns per run: a delivery, a group or a stream's batch
  // Deliveries of one transactional (not batch, not detached) subscriber's queue taken in one
  // turn and one transaction; a failure among them redelivers each alone. 1: one per turn.
  // As large as the largest batch subscriber's batch (analytics: 100), so that under a stream
  // of events every queue advances about as far per round and none falls behind the others.
  int group = 100;
  // Queues delivered at once in a run, each by one thread at a time (so a queue keeps its
  // order) on its own pooled connection. Worth it where transactions run side by side
  // (MariaDB); SQLite has one writer, so the server uses 1 there.
  int parallel = 1;
  int max_attempts = 12;                      // then the delivery is marked 'dead'
  std::chrono::milliseconds backoff_base{1000};   // 1st retry after 1-1.5 s, then doubling
  std::chrono::milliseconds backoff_cap{300000};  // (plus up to 50% jitter) up to 5 min
  std::chrono::milliseconds housekeeping{30000};  // heartbeat, orphan sweep, metrics refresh
  // After a round that delivered something but left nothing due behind it, the background
  // thread waits this long (not woken by publishes) before the next round, so that under a
  // stream of events a round takes what arrived meanwhile in one read, one claim and one
  // batch per queue, instead of one round per commit. It delays a delivery by at most this
  // much; the first event after an idle spell is still delivered at once. 0: no pause.
  std::chrono::milliseconds coalesce{20};
  std::chrono::milliseconds orphan_after{24LL * 3600 * 1000};
};

class Dispatcher {
 public:
  Dispatcher(db::Database& db, Bus& bus, DispatcherOptions opts);
  ~Dispatcher();
  // Claims and runs one batch of due deliveries; returns how many were processed.
  int run_once();
  // Whether the last run_once left due deliveries it had no turn for (or read as many
  // as its limit): the next round should not wait.
  bool backlog() const { return backlog_; }
  // Runs until no delivery is due (tests).
  int drain(int max_rounds = 100);
  void start();  // background thread
  void stop();

  // Cached Prometheus lines (refreshed by housekeeping on the dispatcher's thread, so
  // /metrics never touches the database). Empty until the first refresh.
  std::string metrics_text() const;
  // Refreshes the cache now (tests; housekeeping).
  void refresh_metrics();

 private:
  struct Claimed;
  // Leases those of `ids` that are due and free, in one statement; returns them with their events.
  std::vector<Claimed> claim(std::vector<std::int64_t> const& ids, std::string const& topic);
  // Exactly one of h, detached and batch is set; returns how many were done.
  int process(std::vector<std::int64_t> const& ids, std::string const& subscriber, std::string const& topic,
              Handler const* h, DetachedHandler const* detached, BatchHandler const* batch);
  // One delivery of a transactional or batch subscriber, taken, run and marked done in one
  // transaction (its row lock keeps other dispatchers out until it commits; no separate
  // claim). A failure rolls it all back and reschedules it with backoff or marks it dead.
  bool deliver_owned(std::int64_t id, std::string const& subscriber, std::string const& topic,
                     std::function<void(Event const&, db::Tx&)> const& work);
  // Several deliveries of one queue, taken, run (all of them in one call of `work`) and marked
  // done in one transaction as deliver_owned does for one (a group of one is just that). If it
  // fails the whole group rolls back and each is delivered alone, so only the failing one is
  // rescheduled.
  int deliver_owned_group(std::vector<std::int64_t> const& ids, std::string const& subscriber,
                          std::string const& topic, BatchHandler const& work);
  // The rescheduling after a failed attempt (`attempts` before it); `owned`: the delivery
  // is leased to us, else it must still be as the failed transaction found it.
  void reschedule(std::int64_t id, std::string const& subscriber, std::string const& topic, int attempts,
                  std::exception const& e, bool owned);
  // One claimed delivery of a detached subscriber: the handler runs outside any transaction,
  // then a short one marks it done; a failure reschedules it with backoff or marks it dead.
  bool deliver_detached(Claimed& c, std::string const& subscriber, DetachedHandler const& h);
  // One turn of a stream: up to `max_batch` events after its cursor, in one transaction
  // (none if another dispatcher holds the cursor); a failure runs them one by one and parks
  // one that fails alone. Returns how many were applied (not the parked); `full`: it read a
  // whole batch (more may be waiting).
  int deliver_stream(std::string const& subscriber, std::string const& topic, BatchHandler const& work,
                     int max_batch, bool& full);
  // Parks the stream's next event, `event_id` (the failed one), as a pending delivery after
  // one failed attempt and moves the cursor past it, unless another dispatcher has meanwhile.
  void park(std::string const& subscriber, std::string const& topic, std::int64_t event_id, std::int64_t seq,
            std::exception const& e);
  void housekeeping(std::int64_t now);
  void catch_up(std::int64_t now);
  db::Database& db_;
  Bus& bus_;
  DispatcherOptions opts_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  bool installed_ = false;
  std::int64_t last_housekeeping_ = 0;
  std::int64_t catch_up_at_ = 0;  // a catch-up soon after install (stale caches have expired)
  std::size_t rotate_ = 0;
  bool backlog_ = false;
  std::mutex pause_mu_;  // the coalescing pause, cut short by stop()
  std::condition_variable pause_cv_;
  mutable std::mutex metrics_mu_;
  std::string metrics_;
};

// The retry delay after `attempts` failures: base * 2^(attempts-1), capped, plus up to 50% jitter.
std::int64_t backoff_ms(int attempts, std::chrono::milliseconds base, std::chrono::milliseconds cap);

}  // namespace courtyard::events
