#include "db/query.hpp"

#include <cctype>
#include <stdexcept>

namespace courtyard::db {

// ---- Cols

std::optional<std::int64_t> Cols::opt_integer() { return r_.opt_int(i_++); }
std::int64_t Cols::integer() { return opt_integer().value_or(0); }
bool Cols::boolean() { return integer() != 0; }
std::optional<std::string> Cols::opt_text() { return r_.opt_text(i_++); }
std::string Cols::text() { return opt_text().value_or(""); }
std::optional<double> Cols::opt_real() { return r_.opt_real(i_++); }
double Cols::real() { return opt_real().value_or(0.0); }

// ---- Query

std::string Query::placeholder() {
  names_.push_back("p" + std::to_string(names_.size()));
  return ":" + names_.back();
}

Query& Query::value(std::int64_t v) {
  ints_.push_back(v);
  slots_.push_back({false, ints_.size() - 1});
  sql_ += placeholder();
  return *this;
}

Query& Query::value(std::string v) {
  strs_.push_back(std::move(v));
  slots_.push_back({true, strs_.size() - 1});
  sql_ += placeholder();
  return *this;
}

Query& Query::values(std::vector<std::int64_t> const& vs) {
  if (vs.empty()) return sql("NULL");
  for (std::size_t i = 0; i < vs.size(); ++i) {
    if (i) sql(", ");
    value(vs[i]);
  }
  return *this;
}

namespace {

// The text with each of Query's `:pN` placeholders (outside string literals) as a plain `?`.
// SQLite numbers `?` by position without a look-up, while it resolves every `:name` by a
// linear scan of the names before it: a multi-row upsert of a few thousand values spent most
// of its time parsing (a rollup batch's flush, a batch claim of deliveries).
std::string positional(std::string const& sql) {
  std::string out;
  out.reserve(sql.size());
  bool quoted = false;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    if (sql[i] == '\'') quoted = !quoted;
    if (!quoted && sql.compare(i, 2, ":p") == 0 && i + 2 < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i + 2]))) {
      out += '?';
      for (i += 2; i + 1 < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i + 1]));) ++i;
      continue;
    }
    out += sql[i];
  }
  return out;
}

}  // namespace

std::string Query::positional_text() const { return positional(sql_); }

// Bound by position: the placeholders stand in the text in the order of the values.
soci::details::prepare_temp_type Query::prepare(soci::session& s) {
  soci::details::prepare_temp_type p = (s.prepare << (s.get_backend_name() == "sqlite3" ? positional(sql_) : sql_));
  for (auto const& slot : slots_) {
    if (slot.text)
      p, soci::use(strs_[slot.index]);
    else
      p, soci::use(ints_[slot.index]);
  }
  return p;
}

std::vector<Param> Query::params(bool named) const {
  std::vector<Param> out;
  out.reserve(slots_.size());
  for (std::size_t k = 0; k < slots_.size(); ++k) {
    auto const& slot = slots_[k];
    std::string_view name = named ? std::string_view(names_[k]) : std::string_view();
    out.push_back(slot.text ? Param{name, strs_[slot.index]} : Param{name, ints_[slot.index]});
  }
  return out;
}

long long Query::exec(Tx& tx) {
  if (tx.backend() == Backend::MySql)
    if (auto n = mysql_exec(tx.sql(), sql_, params(true))) return *n;
  soci::statement st(prepare(tx.sql()));
  st.execute(true);
  return st.get_affected_rows();
}

}  // namespace courtyard::db
