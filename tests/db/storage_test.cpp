// Storage layer on the backend under test: transactions, retry, migrations, dialect.
#include "db/migration.hpp"
#include "db/row.hpp"
#include "db/tx.hpp"
#include "http/errors.hpp"
#include "tests/support/test_app.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <thread>

using namespace courtyard;

namespace {

db::Database& database() { return test::TestApp::get().app().db(); }

void ensure_test_tables() {
  static bool done = [] {
    db::migrate(database(), "test_storage",
                {{1, "counters", R"SQL(
CREATE TABLE IF NOT EXISTS t_counters (
  id {pk},
  name VARCHAR(64) NOT NULL,
  value BIGINT NOT NULL,
  UNIQUE (name)
){engine};
)SQL"}});
    return true;
  }();
  (void)done;
}

std::int64_t counter(std::string const& name) {
  return db::read(database(), [&](soci::session& s) {
    long long v = -1;
    s << "SELECT value FROM t_counters WHERE name = :n", soci::use(name), soci::into(v);
    return static_cast<std::int64_t>(v);
  });
}

std::int64_t make_counter(std::string const& name, std::int64_t value = 0) {
  return db::transact(database(), nullptr, [&](db::Tx& tx) {
    return tx.insert("t_counters", "INSERT INTO t_counters (name, value) VALUES (:n, :v)", soci::use(name, "n"),
                     soci::use(value, "v"));
  });
}

// A new counter (a unique name starting with `prefix`) holding `value`; returns its name.
std::string new_counter(std::string const& prefix, std::int64_t value = 0) {
  ensure_test_tables();
  auto name = test::TestApp::get().unique(prefix);
  make_counter(name, value);
  return name;
}

}  // namespace

TEST_CASE("Tx commits on success and rolls back on an exception", "[db]") {
  auto name = new_counter("tx");
  db::transact(database(), nullptr, [&](db::Tx& tx) {
    tx.exec("UPDATE t_counters SET value = 5 WHERE name = :n", soci::use(name, "n"));
  });
  CHECK(counter(name) == 5);
  CHECK_THROWS_AS(db::transact(database(), nullptr,
                               [&](db::Tx& tx) {
                                 tx.exec("UPDATE t_counters SET value = 9 WHERE name = :n", soci::use(name, "n"));
                                 throw Conflict("nope");
                               }),
                  Conflict);
  CHECK(counter(name) == 5);
}

TEST_CASE("transact retries the whole unit on a retryable error, and only then", "[db]") {
  auto name = new_counter("retry");
  int calls = 0;
  db::transact(database(), nullptr, [&](db::Tx& tx) {
    ++calls;
    tx.exec("UPDATE t_counters SET value = value + 1 WHERE name = :n", soci::use(name, "n"));
    if (calls < 3) throw std::runtime_error("database is locked");
  });
  CHECK(calls == 3);
  CHECK(counter(name) == 1);  // the two failed attempts rolled back

  int other = 0;
  CHECK_THROWS(db::transact(database(), nullptr, [&](db::Tx&) {
    ++other;
    throw std::runtime_error("some other failure");
  }));
  CHECK(other == 1);
}

TEST_CASE("conditional updates hold under concurrent writers", "[db][concurrency]") {
  auto name = new_counter("stock", 10);
  std::atomic<int> taken{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < 2; ++k) {
        bool ok = db::transact(database(), nullptr, [&](db::Tx& tx) {
          return tx.exec("UPDATE t_counters SET value = value - 1 WHERE name = :n AND value >= 1",
                         soci::use(name, "n")) == 1;
        });
        if (ok) ++taken;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(taken == 10);
  CHECK(counter(name) == 0);
}

TEST_CASE("opposite lock order deadlocks are retried until both units commit", "[db][concurrency]") {
  auto a = new_counter("lock_a");
  auto b = new_counter("lock_b");
  std::atomic<int> done{0};
  auto worker = [&](std::string const& first, std::string const& second) {
    for (int i = 0; i < 10; ++i) {
      db::transact(database(), nullptr, [&](db::Tx& tx) {
        tx.exec("UPDATE t_counters SET value = value + 1 WHERE name = :n", soci::use(first, "n"));
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        tx.exec("UPDATE t_counters SET value = value + 1 WHERE name = :n", soci::use(second, "n"));
      }, db::RetryPolicy{.max_attempts = 50});
      ++done;
    }
  };
  std::thread t1(worker, a, b), t2(worker, b, a);
  t1.join();
  t2.join();
  CHECK(done == 20);
  CHECK(counter(a) == 20);
  CHECK(counter(b) == 20);
}

TEST_CASE("migrations apply once, in version order, and a failed one is not recorded", "[db][migrations]") {
  auto& db = database();
  auto svc = test::TestApp::get().unique("svc");
  std::replace(svc.begin(), svc.end(), '-', '_');  // spliced into DDL as an identifier
  std::vector<db::Migration> ms{
      {2, "add rows", "INSERT INTO t_mig_" + svc + " (v) VALUES (2);"},
      {1, "create", "CREATE TABLE t_mig_" + svc + " (id {pk}, v BIGINT NOT NULL){engine};"},
  };
  CHECK(db::migrate(db, svc, ms) == 2);
  CHECK(db::migrate(db, svc, ms) == 0);
  auto rows = db::read(db, [&](soci::session& s) {
    long long n = 0;
    s << "SELECT COUNT(*) FROM t_mig_" + svc, soci::into(n);
    return n;
  });
  CHECK(rows == 1);

  ms.push_back({3, "broken", "INSERT INTO no_such_table_" + svc + " VALUES (1);"});
  CHECK_THROWS(db::migrate(db, svc, ms));
  ms.pop_back();
  ms.push_back({3, "fixed", "INSERT INTO t_mig_" + svc + " (v) VALUES (3);"});
  CHECK(db::migrate(db, svc, ms) == 1);
}

TEST_CASE("dialect expansion and statement splitting", "[db][migrations]") {
  auto sqlite = db::expand_dialect("CREATE TABLE x (id {pk}){engine};", db::Backend::Sqlite);
  CHECK(sqlite == "CREATE TABLE x (id INTEGER PRIMARY KEY AUTOINCREMENT);");
  auto mysql = db::expand_dialect("CREATE TABLE x (id {pk}){engine};", db::Backend::MySql);
  CHECK(mysql == "CREATE TABLE x (id BIGINT PRIMARY KEY AUTO_INCREMENT) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;");
  auto drops = "DROP INDEX i_a ON a;\nDROP INDEX i_b ON b;\n";
  CHECK(db::expand_dialect(drops, db::Backend::Sqlite) == "DROP INDEX i_a;\nDROP INDEX i_b;\n");
  CHECK(db::expand_dialect(drops, db::Backend::MySql) == drops);
  auto parts = db::split_statements("CREATE TABLE a (x INT);\nCREATE INDEX i ON a (x);\n\n");
  REQUIRE(parts.size() == 2);
  CHECK(parts[1].find("CREATE INDEX") != std::string::npos);
}

TEST_CASE("database URLs", "[db]") {
  auto s = db::DbUrl::parse("sqlite3://courtyard.db");
  CHECK(s.backend == db::Backend::Sqlite);
  CHECK(s.database == "courtyard.db");
  auto m = db::DbUrl::parse("mysql://app:p%40ss@10.0.0.5:3307/courtyard?unix_socket=/run/m.sock");
  CHECK(m.backend == db::Backend::MySql);
  CHECK(m.database == "courtyard");
  CHECK(m.connect_string.find("password=p@ss") != std::string::npos);
  CHECK(m.connect_string.find("port=3307") != std::string::npos);
  CHECK(m.connect_string.find("unix_socket=/run/m.sock") != std::string::npos);
  CHECK_THROWS_AS(db::DbUrl::parse("postgres://x"), std::invalid_argument);
  CHECK_THROWS_AS(db::DbUrl::parse("mysql://h/db?evil=1"), std::invalid_argument);
}

TEST_CASE("uniqueness violations are recognised on this backend", "[db]") {
  auto name = new_counter("dup");
  try {
    make_counter(name);
    FAIL("duplicate insert succeeded");
  } catch (std::exception const& e) {
    CHECK(db::is_unique_violation(e));
    CHECK_FALSE(db::is_retryable(e));
  }
}
