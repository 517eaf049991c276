// The SQLite statement cache (db/statement_cache.hpp): reads through db::all/one/each and
// Query on a Tx run from statements prepared once per connection, with the same answers as
// a fresh statement, whatever the values, nesting, errors and reconnects.
#include "db/database.hpp"
#include "db/migration.hpp"
#include "db/query.hpp"
#include "db/tx.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <tuple>

using namespace courtyard;
using soci::use;

namespace {

struct TempDb {
  std::string path;
  TempDb() {
    path = (std::filesystem::temp_directory_path() /
            ("courtyard-stmt-cache-" + std::to_string(std::random_device{}()) + ".sqlite"))
               .string();
  }
  ~TempDb() {
    for (auto const* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  }
  std::string url() const { return "sqlite3://" + path; }
};

void make_table(db::Database& d) {
  db::transact(d, nullptr, [](db::Tx& tx) {
    tx.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, owner BIGINT NOT NULL, name TEXT NOT NULL, "
            "price REAL, note TEXT)");
    for (int i = 1; i <= 50; ++i) {
      std::int64_t owner = i % 5;
      std::string name = "item " + std::to_string(i);
      double price = i * 1.25;
      tx.exec("INSERT INTO items (id, owner, name, price, note) VALUES (:i, :o, :n, :p, NULL)", use(i, "i"),
              use(owner, "o"), use(name, "n"), use(price, "p"));
    }
  });
}

// A new one-connection SQLite database with the items table, and its connection's cache
// (null when the connection has none).
struct ItemsDb {
  TempDb t;
  db::Database d{t.url(), 1};
  db::StatementCache* cache = nullptr;
  ItemsDb() {
    make_table(d);
    cache = d.acquire().statement_cache();
  }
};

struct Item {
  std::int64_t id = 0;
  std::string name;
  double price = 0;
  std::optional<std::string> note;
};
Item item_from(courtyard::db::Row const& r) {
  db::Cols c(r);
  Item i;
  c.into(i.id, i.name, i.price, i.note);
  return i;
}

constexpr char const* kOfOwner = "SELECT id, name, price, note FROM items WHERE owner = :o AND id > :a ORDER BY id";

// The owner's items after id `after` (kOfOwner, or `sql` with the same values), in a unit of
// their own; first_of_owner: only the first of them.
std::vector<Item> of_owner(db::Database& d, std::int64_t owner, std::int64_t after,
                           db::TxMode mode = db::TxMode::Write, std::string const& sql = kOfOwner) {
  return db::transact(d, nullptr, [&](db::Tx& tx) {
    return db::all(tx, sql, item_from, use(owner, "o"), use(after, "a"));
  }, {}, mode);
}
std::optional<Item> first_of_owner(db::Database& d, std::int64_t owner, std::int64_t after,
                                   db::TxMode mode = db::TxMode::Write) {
  return db::transact(d, nullptr, [&](db::Tx& tx) {
    return db::one(tx, kOfOwner, item_from, use(owner, "o"), use(after, "a"));
  }, {}, mode);
}

}  // namespace

TEST_CASE_METHOD(ItemsDb, "statement cache: repeated reads run one prepared statement with each call's values",
                 "[db][stmt-cache]") {
  REQUIRE(cache);
  auto prepared = cache->prepared();
  for (std::int64_t owner = 0; owner < 5; ++owner)
    for (std::int64_t after : {0, 20, 45}) {
      auto got = of_owner(d, owner, after, db::TxMode::Read);
      std::vector<std::int64_t> ids, want;
      for (auto const& i : got) ids.push_back(i.id);
      for (std::int64_t i = after + 1; i <= 50; ++i)
        if (i % 5 == owner) want.push_back(i);
      CHECK(ids == want);
      for (auto const& i : got) {
        CHECK(i.name == "item " + std::to_string(i.id));
        CHECK(i.price == Approx(i.id * 1.25));
        CHECK_FALSE(i.note);
      }
    }
  CHECK(cache->prepared() == prepared + 1);  // one statement for all fifteen calls
  CHECK(cache->hits() >= 14);

  // one(): the first row, and the statement is left ready for the next call.
  for (int k = 0; k < 3; ++k) {
    auto first = first_of_owner(d, 2, 0);
    REQUIRE(first);
    CHECK(first->id == 2);
  }
  auto none = first_of_owner(d, 9, 0);
  CHECK_FALSE(none);

  // Query (positional values) shares the cache.
  for (int n : {3, 3, 4}) {
    auto got = db::transact(d, nullptr, [&](db::Tx& tx) {
      db::Query q("SELECT id, name, price, note FROM items WHERE id IN (");
      std::vector<std::int64_t> ids;
      for (int i = 1; i <= n; ++i) ids.push_back(i * 7);
      q.values(ids).sql(") AND name <> ").value("nobody").sql(" ORDER BY id");
      return q.all(tx, item_from);
    });
    REQUIRE(got.size() == static_cast<std::size_t>(n));
    CHECK(got.back().id == n * 7);
  }
}

TEST_CASE_METHOD(ItemsDb, "statement cache: expressions, nesting, errors, partial reads and reconnects",
                 "[db][stmt-cache]") {
  REQUIRE(cache);

  SECTION("a SELECT of expressions is kept, and reads each value by its own type") {
    auto prepared = cache->prepared();
    for (std::int64_t owner : {7, 1, 7}) {  // 7: no rows, so SUM is NULL; then a number
      auto sum = db::transact(d, nullptr, [&](db::Tx& tx) {
        return db::one(tx, "SELECT SUM(price), MAX(name) FROM items WHERE owner = :o", [](courtyard::db::Row const& r) {
          db::Cols c(r);
          std::optional<double> s;
          std::optional<std::string> m;
          c.into(s, m);
          return std::pair{s, m};
        }, use(owner, "o"));
      });
      REQUIRE(sum);
      if (owner == 7) {
        CHECK_FALSE(sum->first);
        CHECK_FALSE(sum->second);
      } else {
        REQUIRE(sum->first);
        CHECK(*sum->first == Approx(1.25 * (1 + 6 + 11 + 16 + 21 + 26 + 31 + 36 + 41 + 46)));
        CHECK(sum->second == "item 6");  // text order
      }
    }
    CHECK(cache->prepared() == prepared + 1);
  }

  SECTION("a cached row reads as SOCI's row of the same statement, column kind by kind") {
    // Integers, reals, text, NULL and expressions, each read every way Cols reads: from the
    // cache (a Tx) and through SOCI (a bare session, never cached).
    constexpr char const* kMixed =
        "SELECT id, price, name, note, COUNT(*) OVER (), '12', owner, price, id || '' FROM items "
        "WHERE owner = :o ORDER BY id";
    using Cells = std::vector<std::tuple<std::optional<std::int64_t>, std::optional<std::string>, std::optional<double>>>;
    auto read_all = [](courtyard::db::Row const& r) {
      Cells out;
      for (std::size_t i = 0; i < r.size(); ++i) {
        std::optional<std::int64_t> n;
        std::optional<std::string> t;
        std::optional<double> x;
        if (i != 2) n = db::opt_int(r, i);  // a name is not a number
        if (i != 2) x = db::opt_double(r, i);
        t = db::opt_text(r, i);
        out.emplace_back(n, t, x);
      }
      return out;
    };
    std::int64_t owner = 3;
    auto cached = db::transact(d, nullptr, [&](db::Tx& tx) { return db::all(tx, kMixed, read_all, use(owner, "o")); });
    auto hits = cache->hits();
    auto again = db::transact(d, nullptr, [&](db::Tx& tx) { return db::all(tx, kMixed, read_all, use(owner, "o")); });
    CHECK(cache->hits() == hits + 1);
    auto plain = [&] {
      auto lease = d.acquire();
      return db::all(*lease, kMixed, read_all, use(owner, "o"));
    }();
    REQUIRE(cached.size() == 10);
    CHECK(cached == plain);
    CHECK(again == plain);
    CHECK(std::get<0>(cached[0][1]) == 4);            // 3.75 rounds
    CHECK(std::get<1>(cached[0][5]) == "12");
    CHECK(std::get<0>(cached[0][5]) == 12);
    CHECK_FALSE(std::get<1>(cached[0][3]));           // NULL note
    CHECK(std::get<2>(cached[0][7]) == Approx(3.75));  // item 3's price

    // A real expression: SOCI would have typed it as text from an empty first step; read from
    // the statement it is the number, rounded to an integer as a MariaDB DECIMAL is.
    auto half = db::transact(d, nullptr, [&](db::Tx& tx) {
      return db::one(tx, "SELECT owner * 1.5 FROM items WHERE owner = :o", [](courtyard::db::Row const& r) {
        return std::pair{*db::opt_double(r, 0), db::as_int(r, 0)};
      }, use(owner, "o"));
    });
    REQUIRE(half);
    CHECK(half->first == Approx(4.5));
    CHECK(half->second == 5);
  }

  SECTION("the same statement inside its own rows runs uncached and both answer in full") {
    std::vector<std::pair<std::int64_t, std::size_t>> seen;
    db::transact(d, nullptr, [&](db::Tx& tx) {
      std::int64_t owner = 3, after = 0;
      db::each(tx, kOfOwner, [&](courtyard::db::Row const& r) {
        auto outer = item_from(r);
        std::int64_t o2 = 3, a2 = outer.id;
        auto inner = db::all(tx, kOfOwner, item_from, use(o2, "o"), use(a2, "a"));
        seen.emplace_back(outer.id, inner.size());
      }, use(owner, "o"), use(after, "a"));
    });
    REQUIRE(seen.size() == 10);
    for (std::size_t i = 0; i < seen.size(); ++i) CHECK(seen[i].second == 9 - i);
  }

  SECTION("a row function that throws leaves nothing half-read behind") {
    REQUIRE(of_owner(d, 4, 0).size() == 10);
    CHECK_THROWS_AS(db::transact(d, nullptr, [&](db::Tx& tx) {
      std::int64_t owner = 4, after = 0;
      db::each(tx, kOfOwner, [](courtyard::db::Row const&) { throw std::runtime_error("stop"); }, use(owner, "o"),
               use(after, "a"));
    }), std::runtime_error);
    CHECK(of_owner(d, 4, 0).size() == 10);
  }

  SECTION("a read after one() sees what another connection committed since") {
    db::Database other(t.url(), 1);
    auto first = [&] { return first_of_owner(d, 0, -1, db::TxMode::Read); };
    REQUIRE(first()->id == 5);
    REQUIRE(first()->id == 5);  // from the cache, stopped after its first row
    db::transact(other, nullptr, [](db::Tx& tx) {
      tx.exec("INSERT INTO items (id, owner, name, price) VALUES (0, 0, 'item 0', 0)");
    });
    CHECK(first()->id == 0);
  }

  SECTION("reconnecting the session drops its statements, and reads go on") {
    auto run = [&] { return of_owner(d, 1, 0); };
    REQUIRE(run().size() == 10);
    REQUIRE(cache->size() > 0);
    {
      auto lease = d.acquire();
      d.reconnect(*lease);
    }
    CHECK(cache->size() == 0);
    CHECK(run().size() == 10);
    CHECK(cache->size() == 1);
  }

  SECTION("more texts than the cache holds: it starts over and every answer is right") {
    for (std::size_t k = 0; k < db::StatementCache::kCapacity + 40; ++k) {
      std::string sql = std::string(kOfOwner) + " LIMIT " + std::to_string(k + 1);
      auto got = of_owner(d, 1, 0, db::TxMode::Write, sql);
      CHECK(got.size() == std::min<std::size_t>(k + 1, 10));
    }
    CHECK(cache->size() <= db::StatementCache::kCapacity);
  }
}
