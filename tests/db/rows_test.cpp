// Rows read on the fast paths (db/row.hpp): on SQLite the statement cache steps the statement
// itself; on MariaDB db/mysql_rows.hpp writes the values into the text and reads the text
// protocol. Either way a row reads as SOCI's row of the same statement (a bare session,
// which always goes through SOCI), and values with quotes, backslashes and colons reach the
// server as data.
#include "db/migration.hpp"
#include "db/query.hpp"
#include "db/tx.hpp"
#include "tests/support/test_app.hpp"

#include <catch2/catch.hpp>

#include <tuple>

using namespace courtyard;
using soci::use;

namespace {

db::Database& database() { return test::TestApp::get().app().db(); }

void ensure_rows_table() {
  static bool done = [] {
    db::migrate(database(), "test_rows",
                {{1, "rows", R"SQL(
CREATE TABLE IF NOT EXISTS t_rows (
  id {pk},
  n BIGINT NOT NULL,
  small INT NOT NULL,
  label VARCHAR(64) NOT NULL,
  price DECIMAL(10,2) NOT NULL,
  note TEXT NULL
){engine};
)SQL"}});
    db::transact(database(), nullptr, [](db::Tx& tx) {
      tx.exec("DELETE FROM t_rows");
      std::vector<std::string> labels = {"plain", "it's", "back\\slash", "colon :n here", "caf\xc3\xa9", "",
                                         "quote\"d", "semi; DROP TABLE t_rows; --"};
      long long k = 0;
      for (auto const& label : labels) {
        ++k;
        long long n = k * 1000000000000LL, small = static_cast<long long>(k % 3);
        std::string price = std::to_string(k) + ".25";
        tx.exec("INSERT INTO t_rows (n, small, label, price, note) VALUES (:n, :s, :l, " + price +
                    ", CASE WHEN :k % 2 = 0 THEN 'even' ELSE NULL END)",
                use(n, "n"), use(small, "s"), use(label, "l"), use(k, "k"));
      }
    });
    return true;
  }();
  (void)done;
}

using Cell = std::tuple<std::optional<std::int64_t>, std::optional<std::string>, std::optional<double>>;
using Cells = std::vector<Cell>;

// Every column read every way Cols reads it (text columns only as text).
Cells read_all(db::Row const& r) {
  Cells out;
  for (std::size_t i = 0; i < r.size(); ++i) {
    bool text = r.kind(i) == db::Row::Kind::Text;
    out.emplace_back(text ? std::nullopt : db::opt_int(r, i), db::opt_text(r, i),
                     text ? std::nullopt : db::opt_double(r, i));
  }
  return out;
}

template <class... Uses>
std::pair<std::vector<Cells>, std::vector<Cells>> both_ways(std::string const& sql, Uses const&... uses) {
  auto fast = db::transact(database(), nullptr, [&](db::Tx& tx) { return db::all(tx, sql, read_all, uses...); }, {},
                           db::TxMode::Read);
  auto plain = db::read(database(), [&](soci::session& s) { return db::all(s, sql, read_all, uses...); });
  return {fast, plain};
}

}  // namespace

TEST_CASE("rows on the fast path read as SOCI's rows of the same statement", "[db][rows]") {
  ensure_rows_table();
  long long from = 0;
  auto [fast, plain] = both_ways("SELECT id, n, small, label, note FROM t_rows WHERE id > :f ORDER BY id", use(from, "f"));
  REQUIRE(fast.size() == 8);
  CHECK(fast == plain);
  CHECK(std::get<1>(fast[1][3]) == "it's");
  CHECK(std::get<1>(fast[2][3]) == "back\\slash");
  CHECK_FALSE(std::get<1>(fast[0][4]));  // NULL
  CHECK(std::get<1>(fast[1][4]) == "even");
  CHECK(std::get<0>(fast[7][1]) == 8000000000000LL);

  // Aggregates: COUNT is an integer, SUM of integers exact, SUM of decimals a real number.
  auto sums = db::transact(database(), nullptr, [](db::Tx& tx) {
    return db::one(tx, "SELECT COUNT(*), SUM(n), SUM(price), MAX(label) FROM t_rows", [](db::Row const& r) {
      db::Cols c(r);
      std::int64_t count = 0, n = 0;
      double price = 0;
      std::string label;
      c.into(count, n, price, label);
      return std::tuple{count, n, price, label};
    });
  });
  REQUIRE(sums);
  CHECK(std::get<0>(*sums) == 8);
  CHECK(std::get<1>(*sums) == 36000000000000LL);
  CHECK(std::get<2>(*sums) == Approx(38.0));
}

TEST_CASE("values with quotes, backslashes and colons are data, and quoted colons are text", "[db][rows]") {
  ensure_rows_table();
  for (std::string label : {"it's", "back\\slash", "colon :n here", "semi; DROP TABLE t_rows; --", "quote\"d", ""}) {
    INFO(label);
    auto [fast, plain] = both_ways("SELECT id, label, ':n' FROM t_rows WHERE label = :l", use(label, "l"));
    REQUIRE(fast.size() == 1);
    CHECK(fast == plain);
    CHECK(std::get<1>(fast[0][1]) == label);
    CHECK(std::get<1>(fast[0][2]) == ":n");
  }
  std::string nobody = "nobody' OR '1'='1";
  CHECK(both_ways("SELECT id FROM t_rows WHERE label = :l", use(nobody, "l")).first.empty());

  // Query: values by position in the text (:p0, :p1, ... on MariaDB).
  auto ids = db::transact(database(), nullptr, [](db::Tx& tx) {
    db::Query q("SELECT id FROM t_rows WHERE label IN (");
    q.value("it's").sql(", ").value("back\\slash").sql(") AND small >= ").value(std::int64_t{0}).sql(" ORDER BY id");
    return q.all(tx, [](db::Row const& r) { return db::Cols(r).integer(); });
  }, {}, db::TxMode::Read);
  CHECK(ids.size() == 2);
}

TEST_CASE("a statement with many placeholders gets each one's own value", "[db][rows]") {
  ensure_rows_table();
  // Above a handful of parameters mysql_rows looks names up in an index instead of scanning
  // them (a checkout batch's statements carry a thousand): every value still lands in its
  // own place, :p10 is not :p1 followed by a 0, and a value looking like a name is data.
  auto labels = db::transact(database(), nullptr, [](db::Tx& tx) {
    db::Query q("SELECT ");
    for (int i = 0; i < 40; ++i) {
      if (i) q.sql(", ");
      if (i % 2) q.value(std::int64_t{i} * 7);
      else q.value(i == 10 ? std::string(":p1") : "v" + std::to_string(i));
    }
    return q.all(tx, [](db::Row const& r) {
      std::vector<std::string> out;
      for (std::size_t i = 0; i < r.size(); ++i) out.push_back(*db::opt_text(r, i));
      return out;
    });
  }, {}, db::TxMode::Read);
  REQUIRE(labels.size() == 1);
  REQUIRE(labels[0].size() == 40);
  for (int i = 0; i < 40; ++i) {
    INFO(i);
    CHECK(labels[0][i] == (i % 2 ? std::to_string(i * 7) : i == 10 ? std::string(":p1") : "v" + std::to_string(i)));
  }

  // Named uses: more than a handful (the index), one of them read twice in the text.
  long long a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8, i = 9, j = 10, k = 11, l = 12, m = 13, n = 14,
            o = 15, p = 16, q = 17;
  auto [fast, plain] = both_ways(
      "SELECT :a + :b + :c + :d + :e + :f + :g + :h + :i + :j + :k + :l + :m + :n + :o + :p + :q, :a",
      use(a, "a"), use(b, "b"), use(c, "c"), use(d, "d"), use(e, "e"), use(f, "f"), use(g, "g"), use(h, "h"),
      use(i, "i"), use(j, "j"), use(k, "k"), use(l, "l"), use(m, "m"), use(n, "n"), use(o, "o"), use(p, "p"),
      use(q, "q"));
  REQUIRE(fast.size() == 1);
  REQUIRE(plain.size() == 1);
  for (auto const* rows : {&fast, &plain}) {
    CHECK(std::get<1>((*rows)[0][0]) == "153");
    CHECK(std::get<1>((*rows)[0][1]) == "1");
  }
}

TEST_CASE("Query::exec writes its values as data and counts the rows it changed", "[db][rows][exec]") {
  // On MariaDB Query::exec writes the values into the text itself (db::mysql_exec), as SOCI
  // would, and reports mysql_affected_rows; on SQLite it goes through SOCI. Same results.
  ensure_rows_table();
  auto const weird = std::vector<std::string>{"ex'ec", "ex\\ec", "ex :p0 ec", "ex'); DELETE FROM t_rows; --"};
  auto count = [](db::Tx& tx) { return db::scalar(tx, "SELECT COUNT(*) FROM t_rows"); };
  db::transact(database(), nullptr, [&](db::Tx& tx) {
    auto before = count(tx);
    db::Query ins("INSERT INTO t_rows (n, small, label, price, note) VALUES ");
    for (std::size_t i = 0; i < weird.size(); ++i) {
      ins.sql(i ? ", (" : "(").value(-static_cast<std::int64_t>(i) - 1).sql(", 0, ").value(weird[i]).sql(", 0, NULL)");
    }
    CHECK(ins.exec(tx) == static_cast<long long>(weird.size()));
    CHECK(count(tx) == before + static_cast<long long>(weird.size()));
    for (std::size_t i = 0; i < weird.size(); ++i) {
      INFO(weird[i]);
      CHECK(db::scalar(tx, "SELECT n FROM t_rows WHERE label = :l", use(weird[i], "l")) == -static_cast<long long>(i) - 1);
    }

    // An UPDATE counts the rows it changed, a DELETE those it removed; none matched: 0.
    db::Query up("UPDATE t_rows SET small = small + 1 WHERE n < ");
    up.value(std::int64_t{-2});
    CHECK(up.exec(tx) == static_cast<long long>(weird.size()) - 2);
    db::Query none("DELETE FROM t_rows WHERE label = ");
    none.value("nobody' OR '1'='1");
    CHECK(none.exec(tx) == 0);
    CHECK(count(tx) == before + static_cast<long long>(weird.size()));
    db::Query del("DELETE FROM t_rows WHERE n < ");
    del.value(std::int64_t{0});
    CHECK(del.exec(tx) == static_cast<long long>(weird.size()));
    CHECK(count(tx) == before);
  });

  // A failing statement throws what SOCI threw (the unique-violation test still sees it), and
  // the transaction rolls back.
  db::transact(database(), nullptr, [](db::Tx& tx) {
    tx.exec("CREATE TABLE IF NOT EXISTS t_exec_unique (k INTEGER NOT NULL PRIMARY KEY)");
    tx.exec("DELETE FROM t_exec_unique");
  });
  bool unique = false;
  try {
    db::transact(database(), nullptr, [](db::Tx& tx) {
      db::Query q("INSERT INTO t_exec_unique (k) VALUES (");
      q.value(std::int64_t{1}).sql("), (").value(std::int64_t{1}).sql(")");
      q.exec(tx);
    });
  } catch (std::exception const& e) {
    unique = db::is_unique_violation(e);
  }
  CHECK(unique);
  CHECK(db::transact(database(), nullptr, [](db::Tx& tx) { return db::scalar(tx, "SELECT COUNT(*) FROM t_exec_unique"); }) == 0);
}

TEST_CASE("a named query read again on MariaDB runs prepared, with the rows of the text protocol and of SOCI",
          "[db][rows][prepared]") {
  // db::all/one/each on a Tx keep a named query's text prepared on the connection from its
  // second call (db/mysql_rows.hpp, MysqlStatements). Each read below runs at least three
  // times on every pooled connection it lands on, so it runs as text and then prepared, and
  // every time it must read exactly as SOCI's rows of the same statement.
  ensure_rows_table();
  bool const mysql = database().backend() == db::Backend::MySql;
  std::size_t hits = 0, prepared = 0;
  auto counted = [&](db::Tx& tx) {
    if (auto* p = tx.mysql_statements()) {
      hits += p->hits();
      prepared += p->prepared();
    }
  };
  std::string const long_note(5000, 'x');  // longer than a column's first buffer: read again in full
  std::string const quoted = "it's";
  for (int round = 0; round < 3 * static_cast<int>(database().pool_size()); ++round) {
    INFO(round);
    long long from = round % 2;
    // Integers, text with quotes, NULLs, a DECIMAL, a DOUBLE, a long text, an expression.
    auto [fast, plain] = both_ways(
        "SELECT id, n, -n, small, label, note, price, price * 1.5e0, :r, ':n', "
        "COUNT(*) OVER () FROM t_rows WHERE id > :f ORDER BY id",
        use(long_note, "r"), use(from, "f"));
    REQUIRE(fast.size() == (round % 2 ? 7u : 8u));
    // (SOCI types SQLite's expression columns as text, its statement cache by storage class.)
    if (mysql) CHECK(fast == plain);
    CHECK(std::get<1>(fast[0][8])->size() == 5000u);
    auto [one_fast, one_plain] = both_ways("SELECT id, label FROM t_rows WHERE label = :l", use(quoted, "l"));
    CHECK(one_fast == one_plain);
    REQUIRE(one_fast.size() == 1);
    CHECK(std::get<1>(one_fast[0][1]) == quoted);
    // db::one stops after the first row; the connection reads on (the rest is let go).
    db::transact(database(), nullptr, [&](db::Tx& tx) {
      auto first = db::one(tx, "SELECT id FROM t_rows ORDER BY id", [](db::Row const& r) { return db::as_int(r, 0); });
      REQUIRE(first);
      // A nested read of the same text while its rows are read runs as text.
      std::vector<std::int64_t> outer, inner;
      db::each(tx, "SELECT id FROM t_rows WHERE small = :s ORDER BY id", [&](db::Row const& r) {
        outer.push_back(db::as_int(r, 0));
        long long two = 2;
        if (inner.empty())
          for (auto id : db::all(tx, "SELECT id FROM t_rows WHERE small = :s ORDER BY id",
                                 [](db::Row const& x) { return db::as_int(x, 0); }, use(two, "s")))
            inner.push_back(id);
      }, use(from, "s"));
      CHECK_FALSE(outer.empty());
      CHECK_FALSE(inner.empty());
      CHECK(db::scalar(tx, "SELECT COUNT(*) FROM t_rows WHERE id >= :f", use(*first, "f")) == 8);
      counted(tx);
    }, {}, db::TxMode::Read);
  }
  if (mysql) {
    CHECK(prepared > 0);
    CHECK(hits > 0);
  } else {
    CHECK(prepared == 0);  // SQLite has its own cache (db/statement_cache.hpp)
  }
}

TEST_CASE("a prepared statement's error is the text protocol's, and the connection goes on", "[db][rows][prepared]") {
  ensure_rows_table();
  bool const mysql = database().backend() == db::Backend::MySql;
  // A statement the server will not prepare (no such table) fails as text every time; one
  // that fails only when it runs (a scalar subquery of several rows, an error on MariaDB)
  // fails from its prepared form too, and the same text then runs again with other values.
  for (int round = 0; round < 3 * static_cast<int>(database().pool_size()); ++round) {
    INFO(round);
    long long zero = 0, several = 1, none = 99;
    CHECK_THROWS(db::transact(database(), nullptr, [&](db::Tx& tx) {
      return db::all(tx, "SELECT id FROM t_rows_missing WHERE id > :z", [](db::Row const& r) { return db::as_int(r, 0); },
                     use(zero, "z"));
    }, {}, db::TxMode::Read));
    auto sub = [&](long long small) {
      return db::transact(database(), nullptr, [&](db::Tx& tx) {
        return db::one(tx, "SELECT (SELECT id FROM t_rows WHERE small = :s), :s2", [](db::Row const& r) {
          return std::pair{db::opt_int(r, 0), db::as_int(r, 1)};
        }, use(small, "s"), use(small, "s2"));
      }, {}, db::TxMode::Read);
    };
    if (mysql) CHECK_THROWS(sub(several));
    auto empty = sub(none);
    REQUIRE(empty);
    CHECK_FALSE(empty->first);
    CHECK(empty->second == 99);
    auto n = db::transact(database(), nullptr, [&](db::Tx& tx) {
      return db::scalar(tx, "SELECT COUNT(*) FROM t_rows WHERE id > :z", use(zero, "z"));
    }, {}, db::TxMode::Read);
    CHECK(n == 8);
  }
}

TEST_CASE("at most kCapacity statements stay prepared on a connection; the rest run as text", "[db][rows][prepared]") {
  ensure_rows_table();
  if (database().backend() != db::Backend::MySql) return;
  auto const cap = db::MysqlStatements::kCapacity;
  db::transact(database(), nullptr, [&](db::Tx& tx) {
    for (std::size_t round = 0; round < 2; ++round)
      for (std::size_t i = 0; i < cap + 20; ++i) {
        long long k = static_cast<long long>(i);
        auto got = db::scalar(tx, "SELECT :k + " + std::to_string(i), use(k, "k"));
        CHECK(got == 2 * k);
      }
    auto* p = tx.mysql_statements();
    REQUIRE(p);
    CHECK(p->size() <= cap);
    CHECK(p->size() > 0);
  }, {}, db::TxMode::Read);
}
