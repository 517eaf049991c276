#include "db/statement_cache.hpp"

#include <soci/sqlite3/soci-sqlite3.h>

namespace courtyard::db {

struct StatementCache::Entry {
  explicit Entry(soci::session& s) : st(s) {}
  sqlite_api::sqlite3_stmt* raw() {
    return static_cast<soci::sqlite3_statement_backend*>(st.get_backend())->stmt_;
  }

  // Storage the statement's use elements are bound to (deques: stable addresses), in the
  // order of the call's values; kinds_[i] says which deque value i lives in.
  std::deque<long long> ints;
  std::deque<std::string> strs;
  std::deque<double> reals;
  std::deque<std::string> names;
  std::vector<std::pair<std::size_t, std::size_t>> slots;  // (kind, index in its deque)
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
    std::size_t kind = p.value.index(), index = 0;
    bool named = !p.name.empty();
    if (named) e->names.emplace_back(p.name);
    switch (kind) {
      case 0:
        e->ints.push_back(0);
        index = e->ints.size() - 1;
        if (named)
          e->st.exchange(soci::use(e->ints.back(), e->names.back()));
        else
          e->st.exchange(soci::use(e->ints.back()));
        break;
      case 1:
        e->strs.emplace_back();
        index = e->strs.size() - 1;
        if (named)
          e->st.exchange(soci::use(e->strs.back(), e->names.back()));
        else
          e->st.exchange(soci::use(e->strs.back()));
        break;
      default:
        e->reals.push_back(0);
        index = e->reals.size() - 1;
        if (named)
          e->st.exchange(soci::use(e->reals.back(), e->names.back()));
        else
          e->st.exchange(soci::use(e->reals.back()));
        break;
    }
    e->slots.emplace_back(kind, index);
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
  for (std::size_t i = 0; i < params.size(); ++i) {
    auto [kind, index] = e->slots[i];
    if (kind == 0)
      e->ints[index] = std::get<0>(params[i].value);
    else if (kind == 1)
      e->strs[index] = std::get<1>(params[i].value);
    else
      e->reals[index] = std::get<2>(params[i].value);
  }
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
