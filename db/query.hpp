#pragma once
// The one way services write SQL (ARCHITECTURE.md "Storage"):
//   * named query constants next to their use: constexpr char const* kFindOrder = "SELECT …";
//   * db::Cols reads a row's columns in select order, by type, never by counted index;
//   * db::one / db::all / db::each run a query with bound values and map each row;
//   * db::Query builds a statement whose filters are chosen at run time (values bound, never
//     pasted into the text).
//
//   constexpr auto order_from = db::fields(&Order::id, &Order::status, &Order::accepted_at);
//   auto o = db::one(tx, kFindOrder, order_from, soci::use(cid, "c"), soci::use(id, "id"));
//
//   A row that does not map member for member reads its columns with db::Cols:
//   Merchant merchant_from(db::Row const& r) {
//     db::Cols c(r);
//     Merchant m;
//     c.into(m.id, m.name);
//     m.description = c.opt_text().value_or("");
//     return m;
//   }
//
//   db::Query q(std::string("SELECT ") + kCols + " FROM bills WHERE community_id = ");
//   q.value(cid);
//   if (status) q.sql(" AND status = ").value(*status);
//   q.sql(" AND id < ").value(before).sql(" ORDER BY id DESC LIMIT ").value(limit);
//   auto bills = q.all(tx, bill_from);
#include "db/mysql_rows.hpp"
#include "db/row.hpp"
#include "db/tx.hpp"

#include <soci/soci.h>

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace courtyard::db {

// Reads the columns of one row in order. Numbers are read portably (COUNT/SUM are BIGINT on
// SQLite but DECIMAL on MariaDB; INT columns come back as int).
class Cols {
 public:
  explicit Cols(Row const& r) : r_(r) {}
  std::int64_t integer();  // NULL -> 0
  std::optional<std::int64_t> opt_integer();
  bool boolean();  // integer != 0
  std::string text();  // NULL -> ""
  std::optional<std::string> opt_text();
  double real();  // NULL -> 0
  std::optional<double> opt_real();
  void skip(std::size_t n = 1) { i_ += n; }

  // Reads the next columns into the given fields, each by its type:
  //   c.into(o.id, o.status, o.accepted_at);   // integer(), text(), opt_integer()
  template <class... T>
  void into(T&... out) {
    (read(out), ...);
  }

 private:
  void read(std::int64_t& v) { v = integer(); }
  void read(int& v) { v = static_cast<int>(integer()); }
  void read(bool& v) { v = boolean(); }
  void read(double& v) { v = real(); }
  void read(std::string& v) { v = text(); }
  void read(std::optional<std::int64_t>& v) { v = opt_integer(); }
  void read(std::optional<std::string>& v) { v = opt_text(); }
  void read(std::optional<double>& v) { v = opt_real(); }

  Row r_;  // a copy: two pointers (a Cols may be built from a soci::row)
  std::size_t i_ = 0;
};

namespace detail {
template <class P>
struct MemberOf;
template <class M, class C>
struct MemberOf<M C::*> {
  using type = C;
};
}  // namespace detail

// A row mapper for a row whose columns are, in select order, the given members of a
// default-built T (the first member's class; members of its bases may follow), each read by
// its type as Cols::into reads it:
//   constexpr auto product_from = db::fields(&Product::id, &Product::name, &Product::stock);
// The member list is the mapping's one spelling: a column list that differs from it in
// length or order is a bug in the query, not in a hand-counted reader.
template <class First, class... Rest>
constexpr auto fields(First first, Rest... rest) {
  using T = typename detail::MemberOf<First>::type;
  return [=](Row const& r) {
    T out{};
    Cols(r).into(out.*first, (out.*rest)...);
    return out;
  };
}

// Mappers for a query that selects one column.
inline std::int64_t first_integer(Row const& r) { return Cols(r).integer(); }  // NULL -> 0
inline std::string first_text(Row const& r) { return Cols(r).text(); }         // NULL -> ""

// Each runs on a transaction (db::Tx) or, for reads that need none, a pooled session
// (db::read(db, [](soci::session& s) { … })): on SQLite a transaction takes the write lock.
inline soci::session& session_of(Tx& tx) { return tx.sql(); }
inline soci::session& session_of(soci::session& s) { return s; }

// All rows of a query with bound values, each mapped by `from(db::Row const&)`.
namespace detail {

template <class U>
struct Cacheable : std::false_type {};
template <class T>
struct Cacheable<soci::details::use_container<T, soci::details::no_indicator>>
    : std::bool_constant<std::is_same_v<std::remove_const_t<T>, int> || std::is_same_v<std::remove_const_t<T>, long> ||
                         std::is_same_v<std::remove_const_t<T>, long long> ||
                         std::is_same_v<std::remove_const_t<T>, std::string> ||
                         std::is_same_v<std::remove_const_t<T>, double>> {};

template <class T>
Param param_of(soci::details::use_container<T, soci::details::no_indicator> const& u) {
  using V = std::remove_const_t<T>;
  if constexpr (std::is_same_v<V, std::string> || std::is_same_v<V, double>)
    return Param{u.name, u.t};
  else
    return Param{u.name, static_cast<long long>(u.t)};
}

// Runs the SELECT from the connection's statement cache when there is one (SQLite, on a
// Tx) and it keeps this statement, or on MariaDB (on a Tx; db/mysql_rows.hpp) from the
// connection's prepared statements, or else reading its rows from MySQL's text protocol;
// false when nothing ran.
template <class Src, class Fn, class... Uses>
bool cached_rows(Src& src, std::string const& query, Fn&& fn, Uses const&... uses) {
  if constexpr (std::is_same_v<std::decay_t<Src>, Tx> && (Cacheable<std::decay_t<Uses>>::value && ...)) {
    auto* cache = src.statement_cache();
    if (cache || src.backend() == Backend::MySql) {
      std::vector<Param> params;
      params.reserve(sizeof...(Uses));
      (params.push_back(param_of(uses)), ...);
      return cache ? cache->run(query, params, fn) : mysql_rows(src.sql(), query, params, fn, src.mysql_statements());
    }
  }
  return false;
}

}  // namespace detail

template <class Src, class From, class... Uses>
auto all(Src& src, std::string const& query, From&& from, Uses&&... uses) {
  using T = std::decay_t<decltype(from(std::declval<Row const&>()))>;
  std::vector<T> out;
  if (detail::cached_rows(src, query, [&](Row const& r) { out.push_back(from(r)); return true; }, uses...))
    return out;
  soci::rowset<soci::row> rs = ((session_of(src).prepare << query), ..., std::forward<Uses>(uses));
  for (auto const& r : rs) out.push_back(from(Row(r)));
  return out;
}

// The first row, or nullopt.
template <class Src, class From, class... Uses>
auto one(Src& src, std::string const& query, From&& from, Uses&&... uses) {
  using T = std::decay_t<decltype(from(std::declval<Row const&>()))>;
  std::optional<T> v;
  if (detail::cached_rows(src, query, [&](Row const& r) { v.emplace(from(r)); return false; }, uses...))
    return v;
  soci::rowset<soci::row> rs = ((session_of(src).prepare << query), ..., std::forward<Uses>(uses));
  for (auto const& r : rs) return std::optional<T>(from(Row(r)));
  return std::optional<T>();
}

// Calls fn(db::Row const&) for each row.
template <class Src, class Fn, class... Uses>
void each(Src& src, std::string const& query, Fn&& fn, Uses&&... uses) {
  if (detail::cached_rows(src, query, [&](Row const& r) { fn(r); return true; }, uses...)) return;
  soci::rowset<soci::row> rs = ((session_of(src).prepare << query), ..., std::forward<Uses>(uses));
  for (auto const& r : rs) fn(Row(r));
}

// A single number (COUNT, SUM, …; NULL -> 0).
template <class Src, class... Uses>
std::int64_t scalar(Src& src, std::string const& query, Uses&&... uses) {
  auto v = one(src, query, first_integer, std::forward<Uses>(uses)...);
  return v.value_or(0);
}

// A statement assembled at run time. sql() appends text; value() appends a placeholder and
// binds the value to it. Keep the Query alive while its rows are read.
class Query {
 public:
  Query() = default;
  explicit Query(std::string sql) : sql_(std::move(sql)) {}
  Query(Query const&) = delete;
  Query& operator=(Query const&) = delete;

  Query& sql(std::string_view text) {
    sql_ += text;
    return *this;
  }
  Query& value(std::int64_t v);
  Query& value(std::string v);
  Query& value(char const* v) { return value(std::string(v)); }
  // ", " separated placeholders for an IN (…) list; "NULL" when empty (matches nothing).
  Query& values(std::vector<std::int64_t> const& vs);
  std::string const& text() const { return sql_; }

  // On a db::Tx or a pooled soci::session (reads that need no transaction).
  template <class Src, class From>
  auto all(Src& src, From&& from) {
    using T = std::decay_t<decltype(from(std::declval<Row const&>()))>;
    std::vector<T> out;
    if (cached(src, [&](Row const& r) {
          out.push_back(from(r));
          return true;
        }))
      return out;
    soci::rowset<soci::row> rs(prepare(session_of(src)));
    for (auto const& r : rs) out.push_back(from(Row(r)));
    return out;
  }
  template <class Src, class From>
  auto one(Src& src, From&& from) {
    using T = std::decay_t<decltype(from(std::declval<Row const&>()))>;
    std::optional<T> v;
    if (cached(src, [&](Row const& r) {
          v.emplace(from(r));
          return false;
        }))
      return v;
    soci::rowset<soci::row> rs(prepare(session_of(src)));
    for (auto const& r : rs) return std::optional<T>(from(Row(r)));
    return std::optional<T>();
  }
  template <class Src>
  std::int64_t scalar(Src& src) {
    return one(src, first_integer).value_or(0);
  }
  // Runs it; returns rows affected.
  long long exec(Tx& tx);

 private:
  template <class Src, class Fn>
  bool cached(Src& src, Fn&& fn) {
    if constexpr (std::is_same_v<std::decay_t<Src>, Tx>) {
      auto* cache = src.statement_cache();
      if (cache) return cache->run(positional_text(), params(false), fn);
      if (src.backend() == Backend::MySql) return mysql_rows(src.sql(), sql_, params(true), fn);
    }
    return false;
  }
  std::string positional_text() const;  // the text with `?` for each placeholder (SQLite)
  // The values in placeholder order; `named`: each with its `:pK` name (MySQL), else by position.
  std::vector<Param> params(bool named) const;
  soci::details::prepare_temp_type prepare(soci::session& s);
  std::string placeholder();
  struct Slot {
    bool text;
    std::size_t index;
  };
  std::string sql_;
  std::deque<long long> ints_;
  std::deque<std::string> strs_;
  std::vector<Slot> slots_;
  std::vector<std::string> names_;
};

}  // namespace courtyard::db
