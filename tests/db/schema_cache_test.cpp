// db::has_schema keeps a positive answer per database (a service's schema does not go away
// while the process runs): checkout asks whether members is enabled in every order.
#include "db/json_rows.hpp"
#include "db/migration.hpp"
#include "db/schema_cache.hpp"
#include "db/tx.hpp"
#include "tests/support/test_app.hpp"

#include <catch2/catch.hpp>

#include <functional>

using namespace courtyard;

TEST_CASE("has_schema asks again until a service is migrated, then remembers it", "[db][schema]") {
  auto& t = test::TestApp::get();
  auto& database = t.app().db();
  auto service = t.unique("svc");
  std::string table = "t_schema_cache_" + std::to_string(std::hash<std::string>{}(service) % 1000000000);
  auto has = [&] { return db::transact(database, nullptr, [&](db::Tx& tx) { return db::has_schema(tx, service); }); };
  CHECK_FALSE(has());
  auto known = [&] {
    return db::transact(database, nullptr, [&](db::Tx& tx) { return db::schema_known(tx.sql(), service); });
  };
  CHECK_FALSE(known());  // a negative answer is not kept
  db::migrate(database, service, {{1, "a table", "CREATE TABLE IF NOT EXISTS " + table + " (id {pk}){engine};"}});
  CHECK(has());
  CHECK(known());
  // Remembered: answered without the table (the row removed behind its back still reads true).
  db::transact(database, nullptr, [&](db::Tx& tx) {
    tx.exec("DELETE FROM schema_migrations WHERE service = :s", soci::use(service, "s"));
    tx.exec("DROP TABLE " + table);
  });
  CHECK(has());
}
