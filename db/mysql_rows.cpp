#include "db/mysql_rows.hpp"

#ifdef COURTYARD_WITH_MYSQL
#include <soci/mysql/soci-mysql.h>

#include <cctype>
#include <memory>
#include <string_view>
#include <unordered_map>
#endif

namespace courtyard::db {

#ifndef COURTYARD_WITH_MYSQL

bool mysql_rows(soci::session&, std::string const&, std::vector<Param> const&, RowFn) {
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

// The text with each `:name` outside quotes replaced by its value, as SOCI's MySQL backend
// writes it; false when a placeholder has no value or a value is not an integer or text.
bool substitute(MYSQL* conn, std::string const& sql, std::vector<Param> const& params, std::string& out) {
  for (auto const& p : params)
    if (p.name.empty() || p.value.index() == 2 /* double: left to SOCI's formatting */) return false;
  ByName const by_name(params);
  out.clear();
  out.reserve(sql.size() + 64);
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
    std::string_view name(sql.data() + i + 1, end - i - 1);
    Param const* value = by_name.find(name);
    if (!value) return false;
    if (auto const* n = std::get_if<long long>(&value->value)) {
      out += std::to_string(*n);
    } else {
      auto const& text = std::get<std::string>(value->value);
      std::size_t at = out.size();
      out.resize(at + 2 * text.size() + 3);
      out[at] = '\'';
      unsigned long len = mysql_real_escape_string(conn, out.data() + at + 1, text.data(), text.size());
      out[at + 1 + len] = '\'';
      out.resize(at + len + 2);
    }
    i = end - 1;
  }
  return true;
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

bool mysql_rows(soci::session& s, std::string const& sql, std::vector<Param> const& params, RowFn on_row) {
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
