// Read units (db::TxMode::Read), which the read-only routes' ctx.tx() runs: they see committed
// data, never take SQLite's write lock (a writer commits while one is open), refuse to write,
// and a GET route's handler that writes fails loudly instead of committing piecemeal.
#include "db/tx.hpp"
#include "http/context.hpp"
#include "tests/support/test_app.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

using namespace courtyard;
using namespace std::chrono_literals;

namespace {

db::Database& database() { return test::TestApp::get().app().db(); }

void ensure_table() {
  static bool done = [] {
    db::migrate(database(), "test_read_units", {{1, "read unit rows", R"SQL(
CREATE TABLE IF NOT EXISTS t_read_units (
  id {pk},
  name VARCHAR(64) NOT NULL,
  value BIGINT NOT NULL
){engine};
)SQL"}});
    return true;
  }();
  (void)done;
}

std::int64_t value_of(db::Tx& tx, std::string const& name) {
  long long v = -1;
  tx.sql() << "SELECT value FROM t_read_units WHERE name = :n", soci::use(name), soci::into(v);
  return v;
}

}  // namespace

TEST_CASE("a read unit reads committed rows and refuses to write", "[db][read-unit]") {
  ensure_table();
  auto name = test::TestApp::get().unique("ru");
  db::transact(database(), nullptr, [&](db::Tx& tx) {
    tx.exec("INSERT INTO t_read_units (name, value) VALUES (:n, 7)", soci::use(name, "n"));
  });
  auto seen = db::transact(database(), nullptr, [&](db::Tx& tx) { return value_of(tx, name); }, {}, db::TxMode::Read);
  CHECK(seen == 7);

  CHECK_THROWS_AS(db::transact(
                      database(), nullptr,
                      [&](db::Tx& tx) {
                        tx.exec("UPDATE t_read_units SET value = 8 WHERE name = :n", soci::use(name, "n"));
                      },
                      {}, db::TxMode::Read),
                  std::logic_error);
  auto after = db::transact(database(), nullptr, [&](db::Tx& tx) { return value_of(tx, name); }, {}, db::TxMode::Read);
  CHECK(after == 7);
}

TEST_CASE("a writer commits while a read unit is open", "[db][read-unit][concurrency]") {
  ensure_table();
  auto name = test::TestApp::get().unique("ru-writer");
  db::transact(database(), nullptr, [&](db::Tx& tx) {
    tx.exec("INSERT INTO t_read_units (name, value) VALUES (:n, 1)", soci::use(name, "n"));
  });
  std::promise<void> reading, written;
  auto reader = std::async(std::launch::async, [&] {
    return db::transact(
        database(), nullptr,
        [&](db::Tx& tx) {
          auto first = value_of(tx, name);
          reading.set_value();
          // The writer below must commit while this unit is still open (on SQLite a write
          // transaction here would hold the write lock and the writer would wait ~10 s).
          written.get_future().wait_for(10s);
          return first;
        },
        {}, db::TxMode::Read);
  });
  reading.get_future().wait();
  auto started = std::chrono::steady_clock::now();
  db::transact(database(), nullptr, [&](db::Tx& tx) {
    tx.exec("UPDATE t_read_units SET value = 2 WHERE name = :n", soci::use(name, "n"));
  });
  auto waited = std::chrono::steady_clock::now() - started;
  written.set_value();
  CHECK(reader.get() == 1);
  CHECK(waited < 2s);
}

TEST_CASE("GET routes run read units; a GET handler that writes is an error, not a partial write",
          "[db][read-unit]") {
  auto& t = test::TestApp::get();
  ensure_table();
  auto name = t.unique("ru-route");
  std::string const path = "/v1/test-read-units/" + name;
  static std::atomic<int> routes{0};
  if (routes++ == 0) {
    t.app().router().get("/v1/test-read-units/{name}", http::Access::public_(), [](http::Request const& req, Context& ctx) {
      std::string n(req.param("name"));
      CHECK(ctx.read_only);
      return ctx.tx([&](db::Tx& tx) {
        tx.exec("INSERT INTO t_read_units (name, value) VALUES (:n, 1)", soci::use(n, "n"));
        return http::Response::no_content();
      });
    });
  }
  CHECK(t.get(path).status == 500);
  auto rows = db::read(database(), [&](soci::session& s) {
    long long n = 0;
    s << "SELECT COUNT(*) FROM t_read_units WHERE name = :n", soci::use(name), soci::into(n);
    return n;
  });
  CHECK(rows == 0);
}
