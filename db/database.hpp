#pragma once
// Storage: a pool of SOCI sessions over sqlite3 (embedded default) or mysql
// (MariaDB/MySQL/TiDB), picked by the connection URL.
//   sqlite3://courtyard.db      sqlite3:///abs/path.db     sqlite3://:memory: (tests only, pool of 1)
//   mysql://user:pw@127.0.0.1:3306/courtyard[?unix_socket=/path]
#include "db/mysql_rows.hpp"
#include "db/statement_cache.hpp"

#include <soci/soci.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace courtyard::db {

enum class Backend { Sqlite, MySql };

struct DbUrl {
  Backend backend = Backend::Sqlite;
  std::string soci_backend;      // "sqlite3" | "mysql"
  std::string connect_string;    // what SOCI's backend takes
  std::string database;          // mysql: schema name; sqlite: file path
  static DbUrl parse(std::string const& url);  // throws std::invalid_argument
};

class Database;

// A session borrowed from the pool; returned on destruction.
class Lease {
 public:
  Lease(Database& db, std::size_t slot);
  Lease(Lease&& o) noexcept;
  Lease(Lease const&) = delete;
  Lease& operator=(Lease const&) = delete;
  ~Lease();
  soci::session& operator*() const;
  soci::session* operator->() const { return &**this; }
  // The session's prepared-statement cache (SQLite), or nullptr.
  StatementCache* statement_cache() const;
  // The session's prepared SELECTs (MariaDB, db/mysql_rows.hpp), or nullptr.
  MysqlStatements* mysql_statements() const;
  // The connection is in an unknown state (a failed ROLLBACK, a lost connection): the pool
  // reconnects it, re-applying the session settings, before lending it again, and pings the
  // pool's other sessions before it lends them (one lost connection often means all are).
  void mark_broken();

 private:
  Database* db_;
  std::size_t slot_;
};

class Database {
 public:
  Database(std::string const& url, std::size_t pool_size);
  ~Database();
  Database(Database const&) = delete;
  Database& operator=(Database const&) = delete;

  Backend backend() const { return url_.backend; }
  DbUrl const& url() const { return url_; }
  std::size_t pool_size() const { return sessions_.size(); }

  // Waits up to `timeout` for a free session; throws db::Unavailable after, or when a broken
  // session cannot be reconnected.
  Lease acquire(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  // Runs `SELECT 1`; false when storage is unreachable.
  bool ping();
  // Re-opens a session whose connection was lost and re-applies session settings; throws
  // db::Unavailable (leaving the session closed) when the server cannot be reached.
  void reconnect(soci::session& s);

 private:
  friend class Lease;
  void release(std::size_t slot);
  void connect(soci::session& s);

  DbUrl url_;
  std::vector<std::unique_ptr<soci::session>> sessions_;
  // One per session on SQLite (db/statement_cache.hpp); declared after sessions_ so they are
  // destroyed first, while their connections are open.
  std::vector<std::unique_ptr<StatementCache>> caches_;
  // The same on MariaDB (db/mysql_rows.hpp), one per session.
  std::vector<std::unique_ptr<MysqlStatements>> prepared_;
  std::vector<bool> busy_;
  std::vector<bool> broken_;
  // Set on every session when one is found broken (MySQL): a server restart drops them all,
  // so the others are checked (a ping) before they are lent, not found dead by a request.
  std::vector<bool> suspect_;
  std::mutex mu_;
  std::condition_variable cv_;
};

// SQL dialect helpers (all values still go through bound parameters).
std::string_view pk(Backend b);             // auto-increment BIGINT primary key column type
std::string_view for_update(Backend b);     // " FOR UPDATE" on MySQL, "" on SQLite
std::string_view insert_ignore(Backend b);  // "INSERT IGNORE" / "INSERT OR IGNORE"
// Goes after the table name: the query reads through that index ("FORCE INDEX (i)" on
// MySQL, "INDEXED BY i" on SQLite). Only where the planner was seen to choose worse.
std::string use_index(Backend b, std::string_view index);
// True when the error is a uniqueness violation (duplicate key).
bool is_unique_violation(std::exception const& e);
// True when the whole transaction should be retried (deadlock, lock wait timeout, SQLITE_BUSY).
bool is_retryable(std::exception const& e);
// True when the error says the connection to the server is gone (MySQL 2006, 2013, 1927).
bool is_connection_lost(std::exception const& e);

// Fault injection for tests: the next COMMIT on MySQL first has its connection killed from
// another session, so it fails with "lost connection" and its outcome is unknown.
namespace fault {
void kill_connection_at_next_commit();
bool take_kill_at_commit();
}  // namespace fault

}  // namespace courtyard::db
