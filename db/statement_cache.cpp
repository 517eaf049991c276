#include "db/statement_cache.hpp"

#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>

namespace courtyard::db {

namespace {

[[noreturn]] void fail(sqlite_api::sqlite3* db, int rc, char const* what) {
  // The error SOCI's SQLite backend throws, so Database's retry and conflict rules
  // (busy, locked, constraint) see the same thing from a cached statement.
  throw soci::sqlite3_soci_error(std::string(what) + ": " + sqlite_api::sqlite3_errmsg(db), rc);
}

}  // namespace

struct StatementCache::Entry {
  Entry() = default;
  Entry(Entry const&) = delete;
  Entry& operator=(Entry const&) = delete;
  ~Entry() { sqlite_api::sqlite3_finalize(stmt); }

  sqlite_api::sqlite3_stmt* stmt = nullptr;
  std::vector<int> slots;  // the parameter index of each value of the call, in its order
  bool busy = false;       // its rows are being read (a nested call with the same text runs uncached)
};

StatementCache::StatementCache(soci::session& s) : s_(s) {}
StatementCache::~StatementCache() { clear(); }

void StatementCache::clear() {
  entries_.clear();
  refused_.clear();
}

namespace {

// The statement's identity: its text, and each value's name in the call's order (they fix
// the parameter each value goes to; a value is bound by its own type on every run).
void key_of(std::string& key, std::string const& sql, std::vector<Param> const& params) {
  key.assign(sql);
  key += '\x1f';
  for (auto const& p : params) {
    key.append(p.name);
    key += ',';
  }
}

sqlite_api::sqlite3* connection_of(soci::session& s) {
  return static_cast<soci::sqlite3_session_backend*>(s.get_backend())->conn_;
}

}  // namespace

StatementCache::Entry* StatementCache::entry_for(std::string const& key, std::string const& sql,
                                                 std::vector<Param> const& params) {
  if (auto it = entries_.find(key); it != entries_.end()) {
    if (it->second->busy) return nullptr;
    ++hits_;
    return it->second.get();
  }
  if (refused_.count(key)) return nullptr;
  if (entries_.size() >= kCapacity) {  // a run-away set of texts: start over
    if (depth_ > 0) return nullptr;     // not under a statement whose rows are being read
    entries_.clear();
  }
  auto* db = connection_of(s_);
  auto e = std::make_unique<Entry>();
  int rc = sqlite_api::sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size() + 1),
                                          SQLITE_PREPARE_PERSISTENT, &e->stmt, nullptr);
  if (rc != SQLITE_OK) fail(db, rc, "prepare");
  if (sqlite_api::sqlite3_column_count(e->stmt) == 0) {  // not a SELECT
    if (refused_.size() < 4 * kCapacity) refused_.insert(key);
    return nullptr;
  }
  // SOCI's binding: `:name` by name, the others by position in the call's order.
  int position = 0;
  for (auto const& p : params) {
    int index = p.name.empty() ? ++position
                               : sqlite_api::sqlite3_bind_parameter_index(e->stmt, (":" + std::string(p.name)).c_str());
    if (index <= 0 || index > sqlite_api::sqlite3_bind_parameter_count(e->stmt)) {
      if (refused_.size() < 4 * kCapacity) refused_.insert(key);
      return nullptr;  // the usual path reports it
    }
    e->slots.push_back(index);
  }
  std::vector<int> distinct(e->slots);
  std::sort(distinct.begin(), distinct.end());
  if (std::unique(distinct.begin(), distinct.end()) - distinct.begin() != sqlite_api::sqlite3_bind_parameter_count(e->stmt)) {
    if (refused_.size() < 4 * kCapacity) refused_.insert(key);
    return nullptr;  // a placeholder without a value: the usual path reports it
  }
  ++prepared_;
  return entries_.emplace(key, std::move(e)).first->second.get();
}

bool StatementCache::run(std::string const& sql, std::vector<Param> const& params, RowFn on_row) {
  std::string key;
  key_of(key, sql, params);
  Entry* e = entry_for(key, sql, params);
  if (!e) {
    ++passed_;
    return false;
  }
  auto* db = connection_of(s_);
  auto* st = e->stmt;
  e->busy = true;
  ++depth_;
  try {
    // Text is bound without a copy: `params` outlives the steps, and every run binds all
    // values afresh before its first step.
    for (std::size_t i = 0; i < params.size(); ++i) {
      int const at = e->slots[i];
      int rc = std::visit(
          [&](auto const& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, long long>) return sqlite_api::sqlite3_bind_int64(st, at, v);
            else if constexpr (std::is_same_v<V, double>) return sqlite_api::sqlite3_bind_double(st, at, v);
            else return sqlite_api::sqlite3_bind_text(st, at, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
          },
          params[i].value);
      if (rc != SQLITE_OK) fail(db, rc, "bind");
    }
    Row const row(st);
    for (;;) {
      int rc = sqlite_api::sqlite3_step(st);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) fail(db, rc, "step");
      if (!on_row(row)) break;
    }
  } catch (...) {
    // Whatever failed (the statement, or the caller's row function), the statement is not
    // trusted again: it is finalised, and the next call prepares it anew.
    --depth_;
    entries_.erase(key);
    throw;
  }
  --depth_;
  e->busy = false;
  // Done with it: a statement left mid-way would hold its read snapshot open.
  sqlite_api::sqlite3_reset(st);
  return true;
}

}  // namespace courtyard::db
