#include "db/tx.hpp"

#include "db/errors.hpp"
#include "db/outbox.hpp"
#include "db/query.hpp"

#include <boost/json/serialize.hpp>
#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace courtyard::db {

namespace {
std::atomic<std::int64_t> g_clock_offset{0};
}

std::int64_t now_ms() {
  auto t = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
  return t.count() + g_clock_offset.load(std::memory_order_relaxed);
}

void set_clock_offset_ms(std::int64_t offset) { g_clock_offset.store(offset); }

Tx::Tx(Database& db, events::Bus* bus, TxMode mode)
    : lease_(db.acquire()),
      backend_(db.backend()),
      mode_(mode),
      bus_(bus),
      now_ms_(db::now_ms()),
      db_url_connect_(db.url().connect_string) {
  if (mode_ == TxMode::Read && backend_ == Backend::MySql) return;  // autocommit statements
  char const* begin = backend_ == Backend::MySql ? "START TRANSACTION"
                      : mode_ == TxMode::Read    ? "BEGIN"
                                                 : "BEGIN IMMEDIATE";
  try {
    sql() << begin;
  } catch (std::exception const&) {
    if (backend_ == Backend::Sqlite) throw;
    // A pooled MySQL connection may have been dropped by the server while idle.
    db.reconnect(sql());
    sql() << begin;
  }
  open_ = true;
}

Tx::~Tx() { rollback(); }

void Tx::require_write(std::string const& query) const {
  if (mode_ == TxMode::Write) return;
  throw std::logic_error("a read-only unit tried to write (declare the route as writing): " + query.substr(0, 60));
}

void Tx::commit() {
  if (mode_ == TxMode::Read) {
    if (open_) {
      open_ = false;
      sql() << "COMMIT";  // SQLite: ends the read snapshot
    }
  } else {
    commit_write();
  }
  auto fns = std::move(after_commit_);
  after_commit_.clear();
  for (auto& fn : fns) {
    try {
      fn();
    } catch (...) {
      // after-commit work is best effort (wake-ups, caches); the commit stands.
    }
  }
}

void Tx::commit_write() {
  auto last = std::move(before_commit_);
  before_commit_.clear();
  for (auto& fn : last) fn(*this);
  if (backend_ == Backend::MySql && fault::take_kill_at_commit()) kill_own_connection();
  try {
    sql() << "COMMIT";
  } catch (std::exception const& e) {
    if (!is_connection_lost(e)) throw;  // e.g. a deadlock at commit: rolled back, safe to retry
    open_ = false;
    lease_.mark_broken();
    throw CommitUnknown(std::string("the connection was lost during COMMIT: ") + e.what());
  }
  open_ = false;
}

void Tx::rollback() noexcept {
  if (!open_) return;
  open_ = false;
  try {
    sql() << "ROLLBACK";
  } catch (...) {
    // The connection is in an unknown state; the server rolls back on disconnect. The pool
    // reopens it (re-applying the session settings) before lending it again.
    lease_.mark_broken();
  }
}

void Tx::kill_own_connection() {
  long long id = 0;
  sql() << "SELECT CONNECTION_ID()", soci::into(id);
  soci::session killer;
  killer.open(sql().get_backend_name(), db_url_connect_);
  killer << "KILL CONNECTION " + std::to_string(id);
}

std::int64_t Tx::last_insert_id(std::string const& table) {
  long long id = 0;
  if (!sql().get_last_insert_id(table, id)) throw std::runtime_error("no last insert id for " + table);
  return id;
}

std::int64_t Tx::publish(std::string const& topic, std::int64_t community_id, boost::json::value const& payload) {
  std::string body = boost::json::serialize(payload);
  std::int64_t now = now_ms_;
  std::int64_t event_id = insert("events",
                                 "INSERT INTO events (topic, community_id, payload, created_at) "
                                 "VALUES (:t, :c, :p, :n)",
                                 soci::use(topic, "t"), soci::use(community_id, "c"), soci::use(body, "p"),
                                 soci::use(now, "n"));
  insert_deliveries({event_id}, topic);
  return event_id;
}

std::vector<std::int64_t> Tx::publish_all(std::string const& topic, std::int64_t community_id,
                                          std::vector<boost::json::value> const& payloads) {
  if (payloads.empty()) return {};
  require_write("INSERT");
  // RETURNING gives the new ids; a multi-row INSERT numbers its rows in VALUES order on
  // both backends (ascending, gaps possible under Galera), so sorted ids match the payloads.
  Query q("INSERT INTO events (topic, community_id, payload, created_at) VALUES ");
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    q.sql(i ? ", (" : "(").value(topic).sql(", ").value(community_id).sql(", ");
    q.value(boost::json::serialize(payloads[i])).sql(", ").value(now_ms_).sql(")");
  }
  q.sql(" RETURNING id");
  auto ids = q.all(*this, first_integer);
  if (ids.size() != payloads.size()) throw std::runtime_error("publish_all: the events' ids did not come back");
  std::sort(ids.begin(), ids.end());
  insert_deliveries(ids, topic);
  return ids;
}

std::vector<std::string> Tx::subscribers_of(std::string const& topic) {
  // Local subscribers, plus (in cluster mode) every subscriber any instance registered
  // for the topic, so an event reaches subscribers this instance does not run.
  std::vector<std::string> subs = bus_->subscribers_of(topic);
  // The registered list is cached for a second (Bus::cached_subscribers; a subscriber
  // registered meanwhile is caught up by the dispatchers).
  if (bus_->cluster()) {
    auto known = bus_->cached_subscribers(topic);
    if (!known) {
      auto read_at = std::chrono::steady_clock::now();
      known.emplace();
      // Row subscribers: a stream (it has a cursor) reads the events themselves.
      soci::rowset<std::string> rs =
          (sql().prepare << "SELECT subscriber FROM event_subscribers s WHERE topic = :t AND NOT EXISTS (SELECT 1 "
                            "FROM event_cursors c WHERE c.subscriber = s.subscriber AND c.topic = s.topic)",
           soci::use(topic, "t"));
      for (auto const& s : rs) known->push_back(s);
      bus_->cache_subscribers(topic, *known, read_at);
    }
    for (auto& s : *known) {
      bool local = false;
      for (auto const& mine : subs) local = local || mine == s;
      if (!local) subs.push_back(std::move(s));
    }
  }
  return subs;
}

void Tx::insert_deliveries(std::vector<std::int64_t> const& event_ids, std::string const& topic) {
  if (!bus_) return;
  std::vector<std::string> subs = subscribers_of(topic);
  if (!subs.empty()) {
    // One multi-row INSERT for all the events' deliveries.
    Query q("INSERT INTO event_deliveries (event_id, subscriber, topic, status, attempts, due_at, lease_until) VALUES ");
    bool first = true;
    for (auto event_id : event_ids)
      for (auto const& sub : subs) {
        q.sql(first ? "(" : ", (").value(event_id).sql(", ").value(sub).sql(", ").value(topic);
        q.sql(", 'pending', 0, ").value(now_ms_).sql(", 0)");
        first = false;
      }
    q.exec(*this);
  }
  if (!notify_scheduled_) {
    notify_scheduled_ = true;
    auto* bus = bus_;
    after_commit([bus] { bus->notify_published(); });
  }
}

void detail_backoff(RetryPolicy const& p, int attempt) {
  // Exponential backoff with jitter so retried transactions do not collide again.
  auto base = p.base_backoff.count() << std::min(attempt, 8);
  auto jitter = static_cast<long>(randombytes_uniform(static_cast<std::uint32_t>(base + 1)));
  std::this_thread::sleep_for(std::chrono::milliseconds(base + jitter));
}

}  // namespace courtyard::db
