#include "db/mysql_rows.hpp"

#ifdef COURTYARD_WITH_MYSQL
#include <soci/mysql/soci-mysql.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cstring>
#include <memory>
#include <string_view>
#include <unordered_map>
#endif

namespace courtyard::db {

#ifndef COURTYARD_WITH_MYSQL

struct MysqlStatements::Entry {};
MysqlStatements::MysqlStatements() = default;
MysqlStatements::~MysqlStatements() = default;
bool MysqlStatements::run(soci::session&, std::string const&, std::vector<Param> const&, RowFn) { return false; }
void MysqlStatements::clear() {}
void MysqlStatements::drop(std::string const&) {}

bool mysql_rows(soci::session&, std::string const&, std::vector<Param> const&, RowFn, MysqlStatements*) {
  return false;
}

std::optional<long long> mysql_exec(soci::session&, std::string const&, std::vector<Param> const&) {
  return std::nullopt;
}

#else

namespace {

bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// A placeholder's value by its name; where a name is given twice, the last one (as SOCI
// binds it). A checkout batch's multi-row statement has a thousand or more placeholders:
// looking each up by a scan of all the parameters made building its text quadratic.
class ByName {
 public:
  explicit ByName(std::vector<Param> const& params) : params_(params) {
    if (params.size() <= kScan) return;
    index_.reserve(params.size());
    for (auto const& p : params) index_.insert_or_assign(std::string_view(p.name), &p);
  }
  Param const* find(std::string_view name) const {
    if (params_.size() <= kScan) {
      for (auto it = params_.rbegin(); it != params_.rend(); ++it)
        if (it->name == name) return &*it;
      return nullptr;
    }
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : it->second;
  }

 private:
  static constexpr std::size_t kScan = 16;
  std::vector<Param> const& params_;
  std::unordered_map<std::string_view, Param const*> index_;
};

// Copies `sql` into `out`, each `:name` outside quotes handed to put(out, name) instead (the
// placeholder rule of SOCI's MySQL backend); false as soon as put() is.
template <class Put>
bool rewrite_placeholders(std::string const& sql, std::string& out, Put&& put) {
  char quote = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    char const c = sql[i];
    if (quote) {
      if (c == quote) quote = 0;
      out += c;
      continue;
    }
    if (c == '\'' || c == '"' || c == '`') {
      quote = c;
      out += c;
      continue;
    }
    if (c != ':' || i + 1 >= sql.size() || !name_char(sql[i + 1])) {
      out += c;
      continue;
    }
    std::size_t end = i + 1;
    while (end < sql.size() && name_char(sql[end])) ++end;
    if (!put(out, std::string_view(sql.data() + i + 1, end - i - 1))) return false;
    i = end - 1;
  }
  return true;
}

// Whether every value is one these paths send themselves: named, an integer or text (a
// double or a positional value is left to SOCI's formatting).
bool bindable(std::vector<Param> const& params) {
  for (auto const& p : params)
    if (p.name.empty() || std::holds_alternative<double>(p.value)) return false;
  return true;
}

// The text with each `:name` outside quotes replaced by its value, as SOCI's MySQL backend
// writes it; false when a placeholder has no value or a value is not an integer or text.
bool substitute(MYSQL* conn, std::string const& sql, std::vector<Param> const& params, std::string& out) {
  if (!bindable(params)) return false;
  ByName const by_name(params);
  out.clear();
  out.reserve(sql.size() + 64);
  return rewrite_placeholders(sql, out, [&](std::string& to, std::string_view name) {
    Param const* value = by_name.find(name);
    if (!value) return false;
    if (auto const* n = std::get_if<long long>(&value->value)) {
      to += std::to_string(*n);
    } else {
      auto const& text = std::get<std::string>(value->value);
      std::size_t at = to.size();
      to.resize(at + 2 * text.size() + 3);
      to[at] = '\'';
      unsigned long len = mysql_real_escape_string(conn, to.data() + at + 1, text.data(), text.size());
      to[at + 1 + len] = '\'';
      to.resize(at + len + 2);
    }
    return true;
  });
}

Row::Kind kind_of(enum_field_types t) {
  switch (t) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_LONGLONG:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_YEAR: return Row::Kind::Integer;
    case MYSQL_TYPE_DECIMAL:
    case MYSQL_TYPE_NEWDECIMAL:
    case MYSQL_TYPE_FLOAT:
    case MYSQL_TYPE_DOUBLE: return Row::Kind::Real;
    case MYSQL_TYPE_VARCHAR:
    case MYSQL_TYPE_VAR_STRING:
    case MYSQL_TYPE_STRING:
    case MYSQL_TYPE_TINY_BLOB:
    case MYSQL_TYPE_MEDIUM_BLOB:
    case MYSQL_TYPE_LONG_BLOB:
    case MYSQL_TYPE_BLOB:
    case MYSQL_TYPE_JSON:
    case MYSQL_TYPE_ENUM:
    case MYSQL_TYPE_SET: return Row::Kind::Text;
    default: return Row::Kind::Other;  // dates, bits, geometry: Courtyard stores none
  }
}

[[noreturn]] void fail(MYSQL* conn) { throw soci::mysql_soci_error(mysql_error(conn), static_cast<int>(mysql_errno(conn))); }

struct FreeResult {
  void operator()(MYSQL_RES* r) const { mysql_free_result(r); }
};

// The connection under a SOCI session on the MySQL backend; nullptr on another backend.
MYSQL* connection_of(soci::session& s) {
  if (s.get_backend_name() != "mysql") return nullptr;  // (SOCI exports no typeinfo to cast by)
  return static_cast<soci::mysql_session_backend*>(s.get_backend())->conn_;
}

// Sends `sql` with its values written in (mysql_real_query); the connection to read the
// answer from, or nullptr when it was not sent (another backend, a value SOCI must format).
MYSQL* send(soci::session& s, std::string const& sql, std::vector<Param> const& params) {
  MYSQL* conn = connection_of(s);
  if (!conn) return nullptr;
  thread_local std::string text;
  if (!substitute(conn, sql, params, text)) return nullptr;
  if (mysql_real_query(conn, text.data(), text.size()) != 0) fail(conn);
  return conn;
}

}  // namespace

std::optional<long long> mysql_exec(soci::session& s, std::string const& sql, std::vector<Param> const& params) {
  MYSQL* conn = send(s, sql, params);
  if (!conn) return std::nullopt;
  // A statement that does return rows is read to the end, so the connection is free again.
  if (std::unique_ptr<MYSQL_RES, FreeResult> res(mysql_store_result(conn)); !res && mysql_field_count(conn) != 0)
    fail(conn);
  return static_cast<long long>(mysql_affected_rows(conn));
}

// ---- prepared statements (MysqlStatements)

// MariaDB refuses a statement past max_prepared_stmt_count; the text protocol then runs it.
constexpr unsigned kTooManyStatements = 1461;  // ER_MAX_PREPARED_STMT_COUNT_REACHED

struct MysqlStatements::Entry {
  MYSQL_STMT* stmt = nullptr;
  std::vector<std::string> names;  // each `?`'s placeholder name, in order
  // The columns: their kinds (as the text protocol gives them), names, and how each is read.
  enum class As { Integer, Real, Text };
  std::vector<Row::Kind> kinds;
  std::vector<std::string> column_names;
  std::vector<As> as;
  // The columns as `fields` describe them. At PREPARE a value selected as a column (`SELECT
  // :k`) has no type yet; each execution's result describes it again (stmt->fields).
  void describe(MYSQL_FIELD const* fields, unsigned n) {
    kinds.resize(n);
    as.resize(n);
    column_names.resize(n);
    for (unsigned i = 0; i < n; ++i) {
      kinds[i] = kind_of(fields[i].type);
      if (column_names[i].size() != fields[i].name_length) column_names[i].assign(fields[i].name, fields[i].name_length);
      bool const plain_real = fields[i].type == MYSQL_TYPE_DOUBLE || fields[i].type == MYSQL_TYPE_FLOAT;
      if (kinds[i] == Row::Kind::Integer && !(fields[i].flags & UNSIGNED_FLAG))
        as[i] = As::Integer;
      else if (plain_real)
        as[i] = As::Real;
      else
        as[i] = As::Text;  // strings, DECIMAL (sent as text), anything else
    }
  }
  // Buffers kept from call to call (an entry serves one call at a time: `busy`): the values
  // bound, and each column's (a text column's buffer keeps the size its longest value needed).
  std::vector<MYSQL_BIND> in, out;
  std::vector<long long> in_ints, out_ints;
  std::vector<unsigned long> in_lengths, lengths;
  std::vector<double> out_reals;
  std::vector<std::string> texts;
  std::vector<std::array<char, 32>> numbers;
  std::vector<my_bool> nulls, errors;
  std::vector<char const*> values;
  void size_values(std::size_t n) {
    in.resize(n);
    in_ints.resize(n);
    in_lengths.resize(n);
  }
  void size_columns(std::size_t n) {
    out.resize(n);
    out_ints.resize(n);
    out_reals.resize(n);
    texts.resize(n);
    numbers.resize(n);
    lengths.resize(n);
    nulls.resize(n);
    errors.resize(n);
    values.resize(n);
  }
  bool busy = false;  // its rows are being read: a nested call of the same text runs as text
  bool broken = false;  // failed while its rows were read: dropped once they are let go
  ~Entry() {
    if (stmt) mysql_stmt_close(stmt);
  }
};

namespace {

// Whether the text is a query (SELECT or WITH): only those are kept prepared.
bool is_query(std::string const& sql) {
  std::size_t i = 0;
  while (i < sql.size() && (std::isspace(static_cast<unsigned char>(sql[i])) || sql[i] == '(')) ++i;
  auto starts = [&](std::string_view word) {
    if (sql.size() - i < word.size()) return false;
    for (std::size_t k = 0; k < word.size(); ++k)
      if (std::toupper(static_cast<unsigned char>(sql[i + k])) != word[k]) return false;
    return true;
  };
  return starts("SELECT") || starts("WITH");
}

// The text with each `:name` outside quotes replaced by `?`, and the names in order.
std::string positional(std::string const& sql, std::vector<std::string>& names) {
  std::string out;
  out.reserve(sql.size());
  rewrite_placeholders(sql, out, [&](std::string& to, std::string_view name) {
    names.emplace_back(name);
    to += '?';
    return true;
  });
  return out;
}

}  // namespace

MysqlStatements::MysqlStatements() = default;
MysqlStatements::~MysqlStatements() = default;

void MysqlStatements::clear() {
  entries_.clear();
  seen_.clear();
  refused_ = false;
  conn_ = nullptr;
}

void MysqlStatements::drop(std::string const& sql) { entries_.erase(sql); }

bool MysqlStatements::run(soci::session& s, std::string const& sql, std::vector<Param> const& params,
                          RowFn on_row) {
  MYSQL* conn = connection_of(s);
  if (!conn) return false;
  if (conn_ != conn) {  // another connection under the session: its statements are gone
    clear();
    conn_ = conn;
  }
  if (!bindable(params)) return false;

  auto found = entries_.find(sql);
  Entry* e = found == entries_.end() ? nullptr : found->second.get();
  if (!e) {
    if (refused_ || entries_.size() >= kCapacity || !is_query(sql)) return false;
    if (seen_.size() >= 4 * kCapacity) seen_.clear();
    int& seen = seen_[sql];
    if (seen < 0 || seen++ == 0) return false;  // the first time as text (a one-off is never prepared)
    // Anything the server will not prepare as it is runs as text from now on, which also
    // fails a bad statement exactly as the text protocol fails it.
    seen = -1;
    auto fresh = std::make_unique<Entry>();
    std::string text = positional(sql, fresh->names);
    fresh->stmt = mysql_stmt_init(conn);
    if (!fresh->stmt) return false;
    if (mysql_stmt_prepare(fresh->stmt, text.data(), text.size()) != 0) {
      if (mysql_stmt_errno(fresh->stmt) == kTooManyStatements) refused_ = true;
      return false;
    }
    if (mysql_stmt_param_count(fresh->stmt) != fresh->names.size()) return false;
    std::unique_ptr<MYSQL_RES, FreeResult> meta(mysql_stmt_result_metadata(fresh->stmt));
    if (!meta) return false;  // returns no rows after all
    fresh->describe(mysql_fetch_fields(meta.get()), mysql_num_fields(meta.get()));
    seen = 2;
    prepared_ += 1;
    e = fresh.get();
    entries_.emplace(sql, std::move(fresh));
  } else {
    if (e->busy) return false;
    hits_ += 1;
  }

  // The values, by type.
  std::size_t const np = e->names.size();
  ByName const by_name(params);
  auto& in = e->in;
  auto& ints = e->in_ints;
  auto& in_lengths = e->in_lengths;
  e->size_values(np);
  for (std::size_t i = 0; i < np; ++i) {
    Param const* v = by_name.find(e->names[i]);
    if (!v) return false;  // a placeholder without a value: as the text protocol, left to SOCI
    std::memset(&in[i], 0, sizeof(MYSQL_BIND));
    if (auto const* n = std::get_if<long long>(&v->value)) {
      ints[i] = *n;
      in[i].buffer_type = MYSQL_TYPE_LONGLONG;
      in[i].buffer = &ints[i];
    } else {
      auto const& text = std::get<std::string>(v->value);
      in_lengths[i] = text.size();
      in[i].buffer_type = MYSQL_TYPE_STRING;
      in[i].buffer = const_cast<char*>(text.data());
      in[i].buffer_length = text.size();
      in[i].length = &in_lengths[i];
    }
  }
  MYSQL_STMT* stmt = e->stmt;
  auto failed = [&] {  // drops the statement (it is in an unknown state) and throws
    soci::mysql_soci_error error(mysql_stmt_error(stmt), static_cast<int>(mysql_stmt_errno(stmt)));
    if (e->busy) e->broken = true;
    else drop(sql);
    throw error;
  };
  if (np > 0 && mysql_stmt_bind_param(stmt, in.data()) != 0) failed();
  if (mysql_stmt_execute(stmt) != 0) failed();
  if (stmt->fields && stmt->field_count > 0) e->describe(stmt->fields, stmt->field_count);
  if (mysql_stmt_store_result(stmt) != 0) failed();
  struct Reading {  // while its rows are read; then the result is let go
    MysqlStatements& self;
    std::string const& sql;
    Entry* e;
    Reading(MysqlStatements& owner, std::string const& text, Entry* entry) : self(owner), sql(text), e(entry) {
      e->busy = true;
    }
    ~Reading() {
      e->busy = false;
      mysql_stmt_free_result(e->stmt);
      if (e->broken) self.drop(sql);
    }
  } reading{*this, sql, e};

  // Each column into a buffer of its own: integers and reals bound as numbers and written out
  // here (exactly, as the text protocol writes them), the rest as text, grown when a value is longer.
  std::size_t const nc = e->kinds.size();
  auto& out = e->out;
  auto& out_ints = e->out_ints;
  auto& out_reals = e->out_reals;
  auto& texts = e->texts;
  auto& numbers = e->numbers;
  auto& lengths = e->lengths;
  auto& nulls = e->nulls;
  auto& errors = e->errors;
  auto& values = e->values;
  e->size_columns(nc);
  for (std::size_t i = 0; i < nc; ++i) {
    std::memset(&out[i], 0, sizeof(MYSQL_BIND));
    out[i].length = &lengths[i];
    out[i].is_null = &nulls[i];
    out[i].error = &errors[i];
    switch (e->as[i]) {
      case Entry::As::Integer:
        out[i].buffer_type = MYSQL_TYPE_LONGLONG;
        out[i].buffer = &out_ints[i];
        break;
      case Entry::As::Real:
        out[i].buffer_type = MYSQL_TYPE_DOUBLE;
        out[i].buffer = &out_reals[i];
        break;
      case Entry::As::Text:
        if (texts[i].size() < 64) texts[i].resize(64);
        out[i].buffer_type = MYSQL_TYPE_STRING;
        out[i].buffer = texts[i].data();
        out[i].buffer_length = texts[i].size();
        break;
    }
  }
  if (nc > 0 && mysql_stmt_bind_result(stmt, out.data()) != 0) failed();

  Row::Text current;
  current.kinds = e->kinds.data();
  current.names = e->column_names.data();
  current.count = nc;
  current.values = values.data();
  current.lengths = lengths.data();
  Row const row(&current);
  for (bool grown = false;; grown = false) {
    int rc = mysql_stmt_fetch(stmt);
    if (rc == MYSQL_NO_DATA) break;
    if (rc == 1) failed();
    for (std::size_t i = 0; i < nc; ++i) {
      if (nulls[i]) {
        values[i] = nullptr;
        lengths[i] = 0;
        continue;
      }
      switch (e->as[i]) {
        case Entry::As::Integer:
        case Entry::As::Real: {
          auto& buf = numbers[i];
          auto r = e->as[i] == Entry::As::Integer ? std::to_chars(buf.data(), buf.data() + buf.size(), out_ints[i])
                                                  : std::to_chars(buf.data(), buf.data() + buf.size(), out_reals[i]);
          values[i] = buf.data();
          lengths[i] = static_cast<unsigned long>(r.ptr - buf.data());
          break;
        }
        case Entry::As::Text:
          if (lengths[i] > texts[i].size()) {  // truncated: read the whole value into a larger buffer
            texts[i].resize(lengths[i]);
            out[i].buffer = texts[i].data();
            out[i].buffer_length = texts[i].size();
            if (mysql_stmt_fetch_column(stmt, &out[i], static_cast<unsigned>(i), 0) != 0) failed();
            grown = true;
          }
          values[i] = texts[i].data();
          break;
      }
    }
    if (!on_row(row)) break;
    // The larger buffers for the next rows, bound only now: binding again while a row is
    // current writes that row's lengths over the ones written out above.
    if (grown && mysql_stmt_bind_result(stmt, out.data()) != 0) failed();
  }
  return true;
}

bool mysql_rows(soci::session& s, std::string const& sql, std::vector<Param> const& params, RowFn on_row,
                MysqlStatements* prepared) {
  if (prepared && prepared->run(s, sql, params, on_row)) return true;
  MYSQL* conn = send(s, sql, params);
  if (!conn) return false;
  std::unique_ptr<MYSQL_RES, FreeResult> res(mysql_store_result(conn));
  if (!res) {
    if (mysql_field_count(conn) != 0) fail(conn);
    return true;  // not a SELECT: it ran, and there are no rows
  }
  unsigned const n = mysql_num_fields(res.get());
  MYSQL_FIELD const* fields = mysql_fetch_fields(res.get());
  std::vector<Row::Kind> kinds(n);
  std::vector<std::string> names(n);
  for (unsigned i = 0; i < n; ++i) {
    kinds[i] = kind_of(fields[i].type);
    names[i].assign(fields[i].name, fields[i].name_length);
  }
  Row::Text current;
  current.kinds = kinds.data();
  current.names = names.data();
  current.count = n;
  Row const row(&current);
  while (MYSQL_ROW r = mysql_fetch_row(res.get())) {
    current.values = r;
    current.lengths = mysql_fetch_lengths(res.get());
    if (!on_row(row)) break;
  }
  return true;
}

#endif

}  // namespace courtyard::db
