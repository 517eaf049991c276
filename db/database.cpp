#include "db/database.hpp"

#include <atomic>

#include "db/errors.hpp"
#include "db/schema_cache.hpp"

#include <boost/url/parse.hpp>
#include <soci/sqlite3/soci-sqlite3.h>
#ifdef COURTYARD_WITH_MYSQL
#include <soci/mysql/soci-mysql.h>
#endif

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>

namespace courtyard::db {

namespace {

// Values inside a SOCI connect string are space separated; quote those with spaces.
std::string quoted(std::string const& v) {
  if (v.find_first_of(" '\"") == std::string::npos) return v;
  std::string out = "'";
  for (char c : v) {
    if (c == '\'') out += "\\'";
    else out += c;
  }
  return out + "'";
}

}  // namespace

DbUrl DbUrl::parse(std::string const& url) {
  DbUrl out;
  constexpr std::string_view kSqlite = "sqlite3://";
  if (url.rfind(kSqlite, 0) == 0) {
    out.backend = Backend::Sqlite;
    out.soci_backend = "sqlite3";
    out.database = url.substr(kSqlite.size());
    if (out.database.empty()) throw std::invalid_argument("sqlite3:// URL needs a file path");
    out.connect_string = "db=" + quoted(out.database) + " timeout=10 shared_cache=false";
    return out;
  }
  if (url.rfind("mysql://", 0) == 0 || url.rfind("mariadb://", 0) == 0) {
#ifndef COURTYARD_WITH_MYSQL
    throw std::invalid_argument("this build has no MySQL backend (COURTYARD_WITH_MYSQL=OFF)");
#else
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed) throw std::invalid_argument("invalid mysql:// URL");
    auto const& u = *parsed;
    out.backend = Backend::MySql;
    out.soci_backend = "mysql";
    std::string path = u.path();
    if (!path.empty() && path.front() == '/') path.erase(0, 1);
    out.database = path;
    std::string cs;
    if (!out.database.empty()) cs += "db=" + quoted(out.database) + " ";
    cs += "user=" + quoted(u.has_userinfo() ? std::string(u.user()) : std::string("root"));
    if (u.has_password()) cs += " password=" + quoted(std::string(u.password()));
    cs += " host=" + quoted(u.host().empty() ? std::string("127.0.0.1") : std::string(u.host()));
    if (u.has_port()) cs += " port=" + std::string(u.port());
    for (auto p : u.params()) {
      if (p.key == "unix_socket" || p.key == "sslca" || p.key == "sslcert" || p.key == "sslkey" ||
          p.key == "connect_timeout" || p.key == "read_timeout" || p.key == "write_timeout")
        cs += " " + std::string(p.key) + "=" + quoted(std::string(p.value));
      else
        throw std::invalid_argument("unknown mysql:// URL option: " + std::string(p.key));
    }
    // No libmysql auto-reconnect: it would silently drop the session settings applied in
    // Database::connect (isolation, sql_mode, lock wait). A lost connection fails the
    // statement; the pool reconnects through connect().
    cs += " charset=utf8mb4";
    out.connect_string = cs;
    return out;
#endif
  }
  throw std::invalid_argument("database URL must start with sqlite3:// or mysql://");
}

Lease::Lease(Database& db, std::size_t slot) : db_(&db), slot_(slot) {}
Lease::Lease(Lease&& o) noexcept : db_(o.db_), slot_(o.slot_) { o.db_ = nullptr; }
Lease::~Lease() {
  if (db_) db_->release(slot_);
}
soci::session& Lease::operator*() const { return *db_->sessions_[slot_]; }
StatementCache* Lease::statement_cache() const { return db_->caches_[slot_].get(); }
MysqlStatements* Lease::mysql_statements() const { return db_->prepared_[slot_].get(); }
void Lease::mark_broken() {
  if (!db_) return;
  std::lock_guard lk(db_->mu_);
  db_->broken_[slot_] = true;
  if (db_->backend() == Backend::MySql) db_->suspect_.assign(db_->suspect_.size(), true);
}

namespace {
// db/schema_cache.hpp: each pooled session -> its Database's number; the services seen per number.
std::mutex g_schemas_mu;
std::uint64_t g_next_database = 0;
std::map<soci::session const*, std::uint64_t> g_database_of;
std::set<std::pair<std::uint64_t, std::string>> g_schemas;
}  // namespace

bool schema_known(soci::session const& s, std::string const& service) {
  std::lock_guard lk(g_schemas_mu);
  auto it = g_database_of.find(&s);
  return it != g_database_of.end() && g_schemas.contains({it->second, service});
}

void remember_schema(soci::session const& s, std::string const& service) {
  std::lock_guard lk(g_schemas_mu);
  auto it = g_database_of.find(&s);
  if (it != g_database_of.end()) g_schemas.emplace(it->second, service);
}

// COURTYARD_TEST_STATEMENT_CACHE=0 turns the statement caches off, SQLite's and MariaDB's
// prepared SELECTs (A/B benchmarks; the configuration leaves COURTYARD_TEST_* to tests and
// benchmarks).
static bool statement_cache_disabled() {
  char const* v = std::getenv("COURTYARD_TEST_STATEMENT_CACHE");
  return v && std::string_view(v) == "0";
}

Database::Database(std::string const& url, std::size_t pool_size) : url_(DbUrl::parse(url)) {
  if (url_.backend == Backend::Sqlite && url_.database == ":memory:") pool_size = 1;
  if (pool_size == 0) pool_size = 1;
  for (std::size_t i = 0; i < pool_size; ++i) {
    auto s = std::make_unique<soci::session>();
    connect(*s);
    sessions_.push_back(std::move(s));
    busy_.push_back(false);
    broken_.push_back(false);
    suspect_.push_back(false);
  }
  for (auto const& s : sessions_) {
    caches_.push_back(url_.backend == Backend::Sqlite && !statement_cache_disabled()
                          ? std::make_unique<StatementCache>(*s)
                          : nullptr);
    prepared_.push_back(url_.backend == Backend::MySql && !statement_cache_disabled()
                            ? std::make_unique<MysqlStatements>()
                            : nullptr);
  }
  std::lock_guard lk(g_schemas_mu);
  auto number = ++g_next_database;
  for (auto const& s : sessions_) g_database_of[s.get()] = number;
}

Database::~Database() {
  std::lock_guard lk(g_schemas_mu);
  for (auto const& s : sessions_) {
    auto it = g_database_of.find(s.get());
    if (it == g_database_of.end()) continue;
    std::erase_if(g_schemas, [n = it->second](auto const& e) { return e.first == n; });
    g_database_of.erase(it);
  }
}

void Database::connect(soci::session& s) {
  if (url_.backend == Backend::Sqlite) {
    // SQLite counts every allocation under one process-wide mutex unless told not to: with 8
    // workers on 2 cores, a 20-product page spent about a fifth of its time in sqlite3Malloc,
    // mostly waking threads that waited on that mutex (perf, 2026-12-03). It only takes effect
    // before SQLite initialises (the first open); later calls are refused and change nothing.
    //
    // Multi-thread mode, not serialized: a session is used by one thread at a time (the pool
    // lends it to one holder; the dispatcher, notifier and jobs take their own), so SQLite's
    // per-connection mutex, taken on every sqlite3_column_* call, only cost: 11% of a
    // 20-order page's CPU in pthread_mutex_lock/unlock (perf, 2026-12-04).
    static bool const configured = [] {
      bool ok = sqlite_api::sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;
      return sqlite_api::sqlite3_config(SQLITE_CONFIG_MULTITHREAD) == SQLITE_OK && ok;
    }();
    (void)configured;
    s.open(soci::sqlite3, url_.connect_string);
    s << "PRAGMA journal_mode=WAL";
    s << "PRAGMA synchronous=NORMAL";
    s << "PRAGMA foreign_keys=ON";
    s << "PRAGMA busy_timeout=10000";
    // SQLite's own default is a 2 MB page cache per connection. Reads are memory-mapped
    // instead (mmap_size), so the pool's connections share the operating system's page
    // cache rather than each holding copies; a larger private cache keeps the hot interior
    // pages of the rollup and index B-trees that writes touch at random keys.
    s << "PRAGMA mmap_size=1073741824";
    s << "PRAGMA cache_size=-32768";
    s << "PRAGMA temp_store=MEMORY";
  } else {
#ifdef COURTYARD_WITH_MYSQL
    s.open(soci::mysql, url_.connect_string);
    // READ COMMITTED keeps gap locks (and so deadlocks) rare; correctness never depends on
    // snapshot reads: shared counters move by conditional UPDATEs.
    s << "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED";
    s << "SET SESSION time_zone = '+00:00'";
    s << "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION,ONLY_FULL_GROUP_BY'";
    s << "SET SESSION innodb_lock_wait_timeout = 10";
#endif
  }
}

void Database::reconnect(soci::session& s) {
  for (std::size_t i = 0; i < sessions_.size(); ++i)  // its statements go with the connection
    if (sessions_[i].get() == &s) {
      if (caches_[i]) caches_[i]->clear();
      if (prepared_[i]) prepared_[i]->clear();
    }
  try {
    s.close();
  } catch (...) {
  }
  try {
    connect(s);
  } catch (std::exception const& e) {
    // The server is down or refusing: a 503 for the caller, not an internal error. The
    // session stays closed; acquire() opens it again before lending it.
    throw Unavailable(std::string("storage is not reachable: ") + e.what(), 2);
  }
}

Lease Database::acquire(std::chrono::milliseconds timeout) {
  std::unique_lock lk(mu_);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    for (std::size_t i = 0; i < busy_.size(); ++i) {
      if (!busy_[i]) {
        busy_[i] = true;
        Lease lease(*this, i);
        // Broken, or left closed by a reconnect that failed while the server was down.
        bool broken = broken_[i] || !sessions_[i]->get_backend(), suspect = suspect_[i];
        if (broken || suspect) {
          lk.unlock();
          // is_connected() pings the server (mysql_ping); a dead one is reopened.
          if (broken || !sessions_[i]->is_connected())
            reconnect(*sessions_[i]);  // db::Unavailable when the server cannot be reached
          lk.lock();
          broken_[i] = false;
          suspect_[i] = false;
        }
        return lease;
      }
    }
    if (cv_.wait_until(lk, deadline) == std::cv_status::timeout) {
      throw Unavailable("storage is busy; try again");
    }
  }
}

void Database::release(std::size_t slot) {
  {
    std::lock_guard lk(mu_);
    busy_[slot] = false;
  }
  cv_.notify_one();
}

bool Database::ping() {
  try {
    Lease l = acquire(std::chrono::milliseconds(2000));
    int one = 0;
    try {
      *l << "SELECT 1", soci::into(one);
    } catch (std::exception const&) {
      reconnect(*l);
      *l << "SELECT 1", soci::into(one);
    }
    return one == 1;
  } catch (std::exception const&) {
    return false;
  }
}

std::string_view pk(Backend b) {
  return b == Backend::Sqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGINT PRIMARY KEY AUTO_INCREMENT";
}
std::string_view for_update(Backend b) { return b == Backend::Sqlite ? "" : " FOR UPDATE"; }
std::string_view insert_ignore(Backend b) { return b == Backend::Sqlite ? "INSERT OR IGNORE" : "INSERT IGNORE"; }

std::string use_index(Backend b, std::string_view index) {
  return b == Backend::Sqlite ? "INDEXED BY " + std::string(index) : "FORCE INDEX (" + std::string(index) + ")";
}

namespace {

int mysql_errno(std::exception const& e) {
#ifdef COURTYARD_WITH_MYSQL
  if (auto const* m = dynamic_cast<soci::mysql_soci_error const*>(&e)) return static_cast<int>(m->err_num_);
#endif
  return 0;
}

bool contains(std::exception const& e, char const* needle) { return std::strstr(e.what(), needle) != nullptr; }

}  // namespace

bool is_unique_violation(std::exception const& e) {
  if (mysql_errno(e) == 1062) return true;
  if (auto const* s = dynamic_cast<soci::sqlite3_soci_error const*>(&e)) {
    return (s->result() & 0xff) == 19 /* SQLITE_CONSTRAINT */ && (contains(e, "UNIQUE") || contains(e, "PRIMARY KEY"));
  }
  return contains(e, "UNIQUE constraint failed") || contains(e, "Duplicate entry");
}

bool is_connection_lost(std::exception const& e) {
  switch (mysql_errno(e)) {
    case 2006:  // CR_SERVER_GONE_ERROR
    case 2013:  // CR_SERVER_LOST
    case 1927:  // ER_CONNECTION_KILLED
    case 2055:  // CR_SERVER_LOST_EXTENDED
      return true;
    default:
      return contains(e, "MySQL server has gone away") || contains(e, "Lost connection to MySQL server");
  }
}

namespace fault {
namespace {
std::atomic<bool> g_kill_at_commit{false};
}
void kill_connection_at_next_commit() { g_kill_at_commit = true; }
bool take_kill_at_commit() { return g_kill_at_commit.exchange(false); }
}  // namespace fault

bool is_retryable(std::exception const& e) {
  switch (mysql_errno(e)) {
    case 1213:  // ER_LOCK_DEADLOCK
    case 1205:  // ER_LOCK_WAIT_TIMEOUT
    case 2006:  // CR_SERVER_GONE_ERROR
    case 2013:  // CR_SERVER_LOST
    case 1927:  // ER_CONNECTION_KILLED
      return true;
    default:
      break;
  }
  if (auto const* s = dynamic_cast<soci::sqlite3_soci_error const*>(&e)) {
    int rc = s->result() & 0xff;
    if (rc == 5 /* SQLITE_BUSY */ || rc == 6 /* SQLITE_LOCKED */) return true;
  }
  return contains(e, "database is locked") || contains(e, "Deadlock found");
}

}  // namespace courtyard::db
