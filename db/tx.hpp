#pragma once
// RAII transaction. db::transact() runs the unit and retries it whole on
// deadlock / SQLITE_BUSY, so the unit must not have side effects outside the database
// (use after_commit for those).
#include "db/database.hpp"

#include <boost/json/value.hpp>

#include <functional>
#include <string>
#include <type_traits>

namespace courtyard::events {
class Bus;
}

namespace courtyard::db {

// Write: SQLite `BEGIN IMMEDIATE` (the write lock up front, so two writers never deadlock on
// lock upgrade), MySQL `START TRANSACTION`.
// Read: the unit only reads. SQLite `BEGIN` (deferred: one WAL snapshot for the whole unit,
// never the write lock, so reads run beside a writer); MySQL no statement at all: sessions
// run READ COMMITTED, where every statement takes its own snapshot inside a transaction too,
// so START TRANSACTION/COMMIT would only add two round trips. Writing in a read unit throws
// std::logic_error (on MySQL each statement would commit on its own).
enum class TxMode { Write, Read };

class Tx {
 public:
  Tx(Database& db, events::Bus* bus, TxMode mode = TxMode::Write);
  ~Tx();  // rolls back unless committed
  Tx(Tx const&) = delete;
  Tx& operator=(Tx const&) = delete;

  soci::session& sql() { return *lease_; }
  Backend backend() const { return backend_; }
  // Prepared SELECTs kept on this connection (SQLite; nullptr otherwise): db::all/one/each
  // and Query's reads use it.
  StatementCache* statement_cache() const { return lease_.statement_cache(); }
  // Prepared SELECTs kept on this connection for a read unit (MariaDB; nullptr otherwise):
  // db::all/one/each use it for the named query constants. A write transaction reads as
  // text: in the flash sale (checkout batches, the outbox streams) the prepared form gained
  // nothing and measured lower, within the run-to-run spread (tests/bench/RESULTS.md,
  // "Prepared reads on MariaDB").
  MysqlStatements* mysql_statements() const {
    return mode_ == TxMode::Read ? lease_.mysql_statements() : nullptr;
  }

  // Runs a statement with bound values (`soci::use(...)` bound via the callback-free form):
  //   auto n = tx.exec("UPDATE p SET stock = stock - :q WHERE id = :id AND stock >= :q2",
  //                    soci::use(q, "q"), soci::use(id, "id"), soci::use(q, "q2"));
  // and returns rows affected. Give every placeholder its own name (no repeats).
  template <class... Uses>
  long long exec(std::string const& query, Uses&&... uses) {
    require_write(query);
    soci::statement st = ((sql().prepare << query), ..., std::forward<Uses>(uses));
    st.execute(true);
    return st.get_affected_rows();
  }
  // INSERT with bound values; returns the new row's id.
  template <class... Uses>
  std::int64_t insert(std::string const& table, std::string const& query, Uses&&... uses) {
    exec(query, std::forward<Uses>(uses)...);
    return last_insert_id(table);
  }
  std::int64_t last_insert_id(std::string const& table);

  // Transactional outbox: one delivery row per subscriber of `topic`, committed with this tx.
  // Returns the event id.
  std::int64_t publish(std::string const& topic, std::int64_t community_id, boost::json::value const& payload);
  // The same for several events of one topic in two statements (one INSERT for the events,
  // one for all their deliveries): the events' ids, in the payloads' order.
  std::vector<std::int64_t> publish_all(std::string const& topic, std::int64_t community_id,
                                        std::vector<boost::json::value> const& payloads);

  void after_commit(std::function<void()> fn) { after_commit_.push_back(std::move(fn)); }
  // Runs in commit(), right before COMMIT and after everything else the unit (and its
  // wrappers: idempotency, audit) wrote: for the statements that lock a row every concurrent
  // unit shares, so that lock is held for as short a time as possible. An exception from it
  // rolls the transaction back and propagates as one from the unit would.
  void before_commit(std::function<void(Tx&)> fn) { before_commit_.push_back(std::move(fn)); }
  TxMode mode() const { return mode_; }
  // The connection failed mid-unit: the pool reopens it before lending it again.
  void mark_broken() { lease_.mark_broken(); }

  void commit();
  void rollback() noexcept;
  std::int64_t now_ms() const { return now_ms_; }

 private:
  void require_write(std::string const& query) const;
  void commit_write();
  std::vector<std::string> subscribers_of(std::string const& topic);  // local + (cluster) registered
  void insert_deliveries(std::vector<std::int64_t> const& event_ids, std::string const& topic);

  Lease lease_;
  Backend backend_;
  TxMode mode_;
  events::Bus* bus_;
  bool open_ = false;
  bool notify_scheduled_ = false;
  std::int64_t now_ms_;
  std::vector<std::function<void()>> after_commit_;
  std::vector<std::function<void(Tx&)>> before_commit_;
  std::string db_url_connect_;
  void kill_own_connection();  // fault injection (db::fault), MySQL only
};

struct RetryPolicy {
  int max_attempts = 8;
  std::chrono::milliseconds base_backoff{2};
};
void detail_backoff(RetryPolicy const& p, int attempt);

// Runs fn(Tx&) in a transaction, retrying the whole unit on deadlock/busy.
// Typed API errors and other exceptions roll back and propagate. A COMMIT whose outcome is
// unknown (db::CommitUnknown) is never retried.
template <class F>
auto transact(Database& db, events::Bus* bus, F&& fn, RetryPolicy policy = {}, TxMode mode = TxMode::Write) {
  using R = std::invoke_result_t<F&, Tx&>;
  for (int attempt = 1;; ++attempt) {
    try {
      Tx tx(db, bus, mode);
      try {
        if constexpr (std::is_void_v<R>) {
          fn(tx);
          tx.commit();
          return;
        } else {
          R result = fn(tx);
          tx.commit();
          return result;
        }
      } catch (std::exception const& e) {
        // A read unit on MySQL sends no statement before its first query, so a connection the
        // server dropped while idle shows up here: reopen it before the retry.
        if (is_connection_lost(e)) tx.mark_broken();
        throw;
      }
    } catch (std::exception const& e) {
      if (attempt >= policy.max_attempts || !is_retryable(e)) throw;
      detail_backoff(policy, attempt);
    }
  }
}

// A read-only unit on a plain pooled session (no transaction).
// A connection found dead is reopened (with its session settings) before it is lent again.
template <class F>
auto read(Database& db, F&& fn) {
  Lease l = db.acquire();
  try {
    return fn(*l);
  } catch (std::exception const& e) {
    if (is_connection_lost(e)) l.mark_broken();
    throw;
  }
}

std::int64_t now_ms();  // UTC epoch milliseconds (adjustable clock, see set_clock_offset_ms)
// Tests move time forward (overdue bills, group-buy deadlines) without sleeping.
void set_clock_offset_ms(std::int64_t offset);

}  // namespace courtyard::db
