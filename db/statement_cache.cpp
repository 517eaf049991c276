#include "db/statement_cache.hpp"

#include <soci/sqlite3/soci-sqlite3.h>

namespace courtyard::db {

struct StatementCache::Entry {
  explicit Entry(soci::session& s) : st(s) {}
  sqlite_api::sqlite3_stmt* raw() {
    return static_cast<soci::sqlite3_statement_backend*>(st.get_backend())->stmt_;
  }

  // The values the statement's use elements are bound to, one per value of the call in its
  // order (a deque: stable addresses). A call's value has the same alternative as the one
  // bound (the key holds each value's kind), so assigning it writes into the bound object.
  std::deque<std::variant<long long, std::string, double>> values;
  std::deque<std::string> names;
  soci::row row;
  bool busy = false;  // its rows are being read (a nested call with the same text runs uncached)
  soci::statement st;  // last: destroyed first, before the row and the storage it points into
};

StatementCache::StatementCache(soci::session& s) : s_(s) {}
StatementCache::~StatementCache() { clear(); }

void StatementCache::clear() {
  entries_.clear();
  refused_.clear();
}

namespace {

// The statement's identity: its text, and each value's kind and name in the call's order.
void key_of(std::string& key, std::string const& sql, std::vector<Param> const& params) {
  key.assign(sql);
  key += '\x1f';
  for (auto const& p : params) {
    key += static_cast<char>('0' + p.value.index());
    key.append(p.name);
    key += ',';
  }
}

// Every column of the prepared SELECT has a declared type (see the header).
bool typed_columns(sqlite_api::sqlite3_stmt* stmt) {
  int n = sqlite_api::sqlite3_column_count(stmt);
  if (n == 0) return false;  // not a SELECT
  for (int c = 0; c < n; ++c)
    if (sqlite_api::sqlite3_column_decltype(stmt, c) == nullptr) return false;
  return true;
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
  auto e = std::make_unique<Entry>(s_);
  e->st.alloc();
  e->st.prepare(sql);
  if (!typed_columns(e->raw())) {
    if (refused_.size() < 4 * kCapacity) refused_.insert(key);
    return nullptr;
  }
  for (auto const& p : params) {
    e->values.push_back(p.value);
    if (!p.name.empty()) e->names.emplace_back(p.name);
    std::visit(
        [&](auto& v) {
          if (p.name.empty())
            e->st.exchange(soci::use(v));
          else
            e->st.exchange(soci::use(v, e->names.back()));
        },
        e->values.back());
  }
  e->st.exchange(soci::into(e->row));
  e->st.define_and_bind();
  ++prepared_;
  return entries_.emplace(key, std::move(e)).first->second.get();
}

bool StatementCache::run_rows(std::string const& sql, std::vector<Param> const& params, void* ctx,
                              bool (*on_row)(void*, soci::row const&)) {
  std::string key;
  key_of(key, sql, params);
  Entry* e = entry_for(key, sql, params);
  if (!e) {
    ++passed_;
    return false;
  }
  for (std::size_t i = 0; i < params.size(); ++i) e->values[i] = params[i].value;
  e->busy = true;
  ++depth_;
  try {
    bool got = e->st.execute(true);
    while (got && on_row(ctx, e->row)) got = e->st.fetch();
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
  sqlite_api::sqlite3_reset(e->raw());
  return true;
}

}  // namespace courtyard::db
