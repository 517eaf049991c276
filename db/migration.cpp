#include "db/migration.hpp"

#include "db/tx.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <stdexcept>

namespace courtyard::db {

namespace {

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
}

void ensure_table(Database& db) {
  Lease l = db.acquire();
  *l << "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "service VARCHAR(64) NOT NULL, version INT NOT NULL, description VARCHAR(255) NOT NULL, "
        "applied_at BIGINT NOT NULL, PRIMARY KEY (service, version))" +
            std::string(db.backend() == Backend::MySql ? " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4" : "");
}

// Serialises migrations across instances starting at once.
class MigrationLock {
 public:
  explicit MigrationLock(Database& db) : lease_(db.acquire()), mysql_(db.backend() == Backend::MySql) {
    if (mysql_) {
      int got = 0;
      *lease_ << "SELECT GET_LOCK('courtyard_migrations', 120)", soci::into(got);
      if (got != 1) throw std::runtime_error("could not take the migration lock");
    }
  }
  ~MigrationLock() {
    if (mysql_) {
      try {
        int released = 0;
        *lease_ << "SELECT RELEASE_LOCK('courtyard_migrations')", soci::into(released);
      } catch (...) {
      }
    }
  }
  soci::session& sql() { return *lease_; }

 private:
  Lease lease_;
  bool mysql_;
};

}  // namespace

std::string expand_dialect(std::string const& sql, Backend b) {
  std::string out = sql;
  replace_all(out, "{pk}", pk(b));
  replace_all(out, "{engine}", b == Backend::MySql ? " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4" : "");
  if (b == Backend::Sqlite) {
    // `DROP INDEX name ON table` is MySQL's; SQLite's index names are the schema's own.
    constexpr std::string_view kDrop = "DROP INDEX ";
    for (std::size_t pos = 0; (pos = out.find(kDrop, pos)) != std::string::npos;) {
      auto name_end = out.find_first_of(" ;\n", pos + kDrop.size());
      if (name_end == std::string::npos) break;
      auto end = out.find_first_of(";\n", name_end);
      if (end == std::string::npos) end = out.size();
      if (out.compare(name_end, 4, " ON ") == 0) out.erase(name_end, end - name_end);
      pos = name_end;
    }
  }
  return out;
}

std::vector<std::string> split_statements(std::string const& sql) {
  std::vector<std::string> out;
  std::string cur;
  std::size_t start = 0;
  while (start < sql.size()) {
    auto nl = sql.find('\n', start);
    std::string line = sql.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    start = nl == std::string::npos ? sql.size() : nl + 1;
    auto end = line.find_last_not_of(" \t\r");
    bool terminated = end != std::string::npos && line[end] == ';';
    if (terminated) line.erase(end);
    cur += line;
    cur += '\n';
    if (terminated) {
      if (cur.find_first_not_of(" \t\r\n") != std::string::npos) out.push_back(cur);
      cur.clear();
    }
  }
  if (cur.find_first_not_of(" \t\r\n") != std::string::npos) out.push_back(cur);
  return out;
}

int migrate(Database& db, std::string const& service, std::vector<Migration> const& migrations) {
  ensure_table(db);
  MigrationLock lock(db);
  std::set<int> applied;
  {
    soci::rowset<int> rs = (lock.sql().prepare << "SELECT version FROM schema_migrations WHERE service = :s",
                            soci::use(service));
    for (int v : rs) applied.insert(v);
  }
  auto sorted = migrations;
  std::sort(sorted.begin(), sorted.end(), [](auto const& a, auto const& b) { return a.version < b.version; });
  int count = 0;
  for (auto const& m : sorted) {
    if (applied.count(m.version)) continue;
    auto statements = split_statements(expand_dialect(m.sql, db.backend()));
    // SQLite runs DDL transactionally; MySQL commits DDL implicitly, so a failed MySQL
    // migration can leave earlier statements applied: write them idempotently (IF NOT EXISTS).
    auto& s = lock.sql();
    s << (db.backend() == Backend::Sqlite ? "BEGIN IMMEDIATE" : "START TRANSACTION");
    try {
      for (auto const& st : statements) s << st;
      std::int64_t now = now_ms();
      s << "INSERT INTO schema_migrations (service, version, description, applied_at) VALUES (:s, :v, :d, :n)",
          soci::use(service), soci::use(m.version), soci::use(m.description), soci::use(now);
      s << "COMMIT";
    } catch (std::exception const& e) {
      try {
        s << "ROLLBACK";
      } catch (...) {
      }
      throw std::runtime_error("migration " + service + " v" + std::to_string(m.version) + " (" + m.description +
                               ") failed: " + e.what());
    }
    spdlog::info("migrated {} to v{}: {}", service, m.version, m.description);
    ++count;
  }
  return count;
}

std::vector<Migration> platform_migrations() {
  return {
      {1, "events outbox, job leases",
       R"SQL(
CREATE TABLE IF NOT EXISTS events (
  id {pk},
  topic VARCHAR(96) NOT NULL,
  community_id BIGINT NOT NULL,
  payload TEXT NOT NULL,
  created_at BIGINT NOT NULL
){engine};
CREATE TABLE IF NOT EXISTS event_deliveries (
  id {pk},
  event_id BIGINT NOT NULL,
  subscriber VARCHAR(96) NOT NULL,
  topic VARCHAR(96) NOT NULL,
  status VARCHAR(16) NOT NULL,
  attempts INT NOT NULL,
  due_at BIGINT NOT NULL,
  lease_owner VARCHAR(128),
  lease_until BIGINT NOT NULL,
  last_error TEXT,
  done_at BIGINT,
  UNIQUE (event_id, subscriber)
){engine};
CREATE INDEX idx_deliveries_due ON event_deliveries (status, due_at);
CREATE TABLE IF NOT EXISTS job_leases (
  name VARCHAR(96) PRIMARY KEY,
  owner VARCHAR(128),
  lease_until BIGINT NOT NULL,
  last_run_at BIGINT NOT NULL
){engine};
)SQL"},
  };
}

}  // namespace courtyard::db
