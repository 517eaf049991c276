#include "services/wallet/repository.hpp"

#include "db/query.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <string_view>
#include <stdexcept>

namespace courtyard::wallet::repo {

using soci::use;

// ---- accounts

#define WALLET_ACCOUNT_KEY "community_id = :c AND owner_kind = :k AND owner_id = :o AND bucket = :b"

constexpr char const* kAccountExists = "SELECT COUNT(*) FROM wallet_accounts WHERE " WALLET_ACCOUNT_KEY;

bool account_exists(db::Tx& tx, std::int64_t cid, logic::AccountKey const& k) {
  return db::scalar(tx, kAccountExists, use(cid, "c"), use(k.kind, "k"), use(k.owner_id, "o"), use(k.bucket, "b")) > 0;
}

// Prefixed by the backend's INSERT IGNORE.
constexpr char const* kOpenAccount =
    " INTO wallet_accounts (community_id, owner_kind, owner_id, bucket, balance_cents, allow_negative, created_at) "
    "VALUES (:c, :k, :o, :b, 0, :n, :t)";

void open_account(db::Tx& tx, std::int64_t cid, logic::AccountKey const& k, bool allow_negative) {
  int neg = allow_negative ? 1 : 0;
  std::int64_t now = tx.now_ms();
  tx.exec(std::string(db::insert_ignore(tx.backend())) + kOpenAccount, use(cid, "c"), use(k.kind, "k"),
          use(k.owner_id, "o"), use(k.bucket, "b"), use(neg, "n"), use(now, "t"));
}

constexpr char const* kApplyDelta =
    "UPDATE wallet_accounts SET balance_cents = balance_cents + :d "
    "WHERE " WALLET_ACCOUNT_KEY " AND (allow_negative = 1 OR balance_cents + :d2 >= 0)";

bool apply_delta(db::Tx& tx, std::int64_t cid, logic::AccountKey const& k, std::int64_t delta) {
  return tx.exec(kApplyDelta, use(delta, "d"), use(cid, "c"), use(k.kind, "k"), use(k.owner_id, "o"),
                 use(k.bucket, "b"), use(delta, "d2")) == 1;
}

std::vector<AccountRow> accounts_for_update(db::Tx& tx, std::int64_t cid, std::vector<logic::AccountKey> const& keys) {
  if (keys.empty()) return {};
  // A checkout batch locks ~27 accounts: its buyers (resident, sub-account 0) and one
  // merchant sub-account. RESULTS.md, "The wallet's locking read" and "The balance update's
  // plan", has the measurements behind both forms.
  db::Query q("SELECT id, owner_kind, owner_id, bucket, balance_cents, allow_negative FROM wallet_accounts ");
  if (tx.backend() == db::Backend::MySql) {
    // Row values on the unique key (named `community_id` by MariaDB after its first column):
    // a range over the exact keys whatever InnoDB's statistics say. With `community_id = ?`
    // and an estimate of a nearly empty table, the optimizer read every account of the
    // community through a `ref` on that one column instead.
    q.sql("FORCE INDEX (community_id) WHERE (community_id, owner_kind, owner_id, bucket) IN (");
    for (std::size_t i = 0; i < keys.size(); ++i) {
      q.sql(i ? ", (" : "(").value(cid).sql(", ").value(keys[i].kind).sql(", ").value(keys[i].owner_id);
      q.sql(", ").value(std::int64_t{keys[i].bucket}).sql(")");
    }
    q.sql(")");
  } else {
    // SQLite: one IN list per (kind, bucket) on its unique index.
    std::map<std::pair<std::string_view, int>, std::vector<std::int64_t>> groups;
    for (auto const& k : keys) groups[{k.kind, k.bucket}].push_back(k.owner_id);
    q.sql("WHERE community_id = ").value(cid).sql(" AND (");
    bool first = true;
    for (auto const& [kind_bucket, owners] : groups) {
      q.sql(first ? "(owner_kind = " : " OR (owner_kind = ").value(std::string(kind_bucket.first));
      q.sql(" AND bucket = ").value(std::int64_t{kind_bucket.second});
      q.sql(" AND owner_id IN (").values(owners).sql("))");
      first = false;
    }
    q.sql(")");
  }
  q.sql(" ORDER BY owner_kind, owner_id, bucket").sql(db::for_update(tx.backend()));
  return q.all(tx, [](db::Row const& r) {
    db::Cols c(r);
    AccountRow a;
    c.into(a.id, a.key.kind, a.key.owner_id, a.key.bucket, a.balance_cents, a.allow_negative);
    return a;
  });
}

void set_balances(db::Tx& tx, std::vector<std::pair<std::int64_t, std::int64_t>> const& balances) {
  if (balances.empty()) return;
  // The primary key, named on MariaDB. While InnoDB's estimate of a small table's rows is
  // low (statistics taken when it was nearly empty, or sampled low), the optimizer prefers a
  // scan of the whole primary key to 27 look-ups: a checkout batch's UPDATE then read all
  // ~500 accounts of the flash sale, in 4 of 16 runs (RESULTS.md, "The balance update's
  // plan"). SQLite looks the ids up in its rowid index anyway.
  bool const sqlite = tx.backend() == db::Backend::Sqlite;
  db::Query q(sqlite ? "UPDATE wallet_accounts SET balance_cents = CASE id"
                     : "UPDATE wallet_accounts FORCE INDEX (PRIMARY) SET balance_cents = CASE id");
  std::vector<std::int64_t> ids;
  for (auto const& [id, cents] : balances) {
    q.sql(" WHEN ").value(id).sql(" THEN ").value(cents);
    ids.push_back(id);
  }
  q.sql(" END WHERE id IN (").values(ids).sql(")");
  if (q.exec(tx) != static_cast<long long>(balances.size()))
    throw std::runtime_error("set_balances: an account row went missing");
}

std::vector<std::int64_t> insert_transactions(db::Tx& tx, std::int64_t cid,
                                              std::vector<std::pair<std::string, std::string>> const& kinds_refs) {
  if (kinds_refs.empty()) return {};
  db::Query q("INSERT INTO wallet_transactions (community_id, kind, reference, created_at) VALUES ");
  for (std::size_t i = 0; i < kinds_refs.size(); ++i) {
    q.sql(i ? ", (" : "(").value(cid).sql(", ").value(kinds_refs[i].first).sql(", ");
    q.value(kinds_refs[i].second).sql(", ").value(tx.now_ms()).sql(")");
  }
  // A multi-row INSERT numbers its rows in VALUES order (ascending) on both backends.
  q.sql(" RETURNING id");
  auto ids = q.all(tx, db::first_integer);
  if (ids.size() != kinds_refs.size()) throw std::runtime_error("insert_transactions: the ids did not come back");
  std::sort(ids.begin(), ids.end());
  return ids;
}

void insert_entries(db::Tx& tx, std::int64_t cid, std::vector<EntryRow> const& entries) {
  if (entries.empty()) return;
  db::Query q("INSERT INTO wallet_entries (transaction_id, account_id, community_id, amount_cents, "
              "balance_after_cents, created_at) VALUES ");
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto const& e = entries[i];
    q.sql(i ? ", (" : "(").value(e.transaction_id).sql(", ").value(e.account_id).sql(", ").value(cid).sql(", ");
    q.value(e.amount_cents).sql(", ").value(e.balance_after_cents).sql(", ").value(tx.now_ms()).sql(")");
  }
  q.exec(tx);
}

constexpr char const* kBalance =
    "SELECT COALESCE(SUM(balance_cents), 0) FROM wallet_accounts "
    "WHERE community_id = :c AND owner_kind = :k AND owner_id = :o";

std::int64_t balance(db::Tx& tx, std::int64_t cid, std::string const& kind, std::int64_t owner_id) {
  return db::scalar(tx, kBalance, use(cid, "c"), use(kind, "k"), use(owner_id, "o"));
}

constexpr char const* kBucketBalances =
    "SELECT bucket, balance_cents FROM wallet_accounts "
    "WHERE community_id = :c AND owner_kind = :k AND owner_id = :o ORDER BY bucket";

std::map<int, std::int64_t> bucket_balances_for_update(db::Tx& tx, std::int64_t cid, std::string const& kind,
                                                       std::int64_t owner_id) {
  std::map<int, std::int64_t> out;
  db::each(tx, kBucketBalances + std::string(db::for_update(tx.backend())),
           [&](db::Row const& r) {
             db::Cols c(r);
             auto bucket = c.integer();
             out[static_cast<int>(bucket)] = c.integer();
           },
           use(cid, "c"), use(kind, "k"), use(owner_id, "o"));
  return out;
}

// ---- transactions and entries

constexpr char const* kInsertTransaction =
    "INSERT INTO wallet_transactions (community_id, kind, reference, created_at) VALUES (:c, :k, :r, :t)";

std::int64_t insert_transaction(db::Tx& tx, std::int64_t cid, std::string const& kind, std::string const& reference) {
  std::int64_t now = tx.now_ms();
  return tx.insert("wallet_transactions", kInsertTransaction, use(cid, "c"), use(kind, "k"), use(reference, "r"),
                   use(now, "t"));
}

constexpr char const* kInsertEntry =
    "INSERT INTO wallet_entries (transaction_id, account_id, community_id, amount_cents, balance_after_cents, "
    "created_at) SELECT :x, id, community_id, :m, balance_cents, :t FROM wallet_accounts WHERE " WALLET_ACCOUNT_KEY;

void insert_entry(db::Tx& tx, std::int64_t transaction_id, std::int64_t cid, logic::AccountKey const& k,
                  std::int64_t amount_cents) {
  std::int64_t now = tx.now_ms();
  tx.exec(kInsertEntry, use(transaction_id, "x"), use(amount_cents, "m"), use(now, "t"), use(cid, "c"),
          use(k.kind, "k"), use(k.owner_id, "o"), use(k.bucket, "b"));
}

constexpr char const* kEntries =
    "SELECT e.id, e.transaction_id, e.amount_cents, e.balance_after_cents, t.kind, t.reference, "
    "e.created_at FROM wallet_entries e "
    "JOIN wallet_accounts a ON a.id = e.account_id "
    "JOIN wallet_transactions t ON t.id = e.transaction_id "
    "WHERE a.community_id = :c AND a.owner_kind = :k AND a.owner_id = :o AND e.id < :b "
    "AND t.kind <> 'consolidation' ORDER BY e.id DESC LIMIT :l";

constexpr char const* kStatementPage =
    "SELECT e.id, e.transaction_id, e.amount_cents, e.balance_after_cents, t.kind, t.reference, e.created_at, "
    "(SELECT COALESCE(SUM(b.balance_cents), 0) FROM wallet_accounts b "
    " WHERE b.community_id = :c2 AND b.owner_kind = :k2 AND b.owner_id = :o2), "
    "(SELECT COALESCE(SUM(n.amount_cents), 0) FROM wallet_entries n "
    " JOIN wallet_accounts na ON na.id = n.account_id JOIN wallet_transactions nt ON nt.id = n.transaction_id "
    " WHERE na.community_id = :c3 AND na.owner_kind = :k3 AND na.owner_id = :o3 AND n.id >= :b3 "
    " AND nt.kind <> 'consolidation') "
    "FROM wallet_entries e "
    "JOIN wallet_accounts a ON a.id = e.account_id "
    "JOIN wallet_transactions t ON t.id = e.transaction_id "
    "WHERE a.community_id = :c AND a.owner_kind = :k AND a.owner_id = :o AND e.id < :b "
    "AND t.kind <> 'consolidation' ORDER BY e.id DESC LIMIT :l";

namespace {

constexpr auto entry_from =
    db::fields(&Entry::id, &Entry::transaction_id, &Entry::amount_cents, &Entry::balance_after_cents,
               &Entry::kind, &Entry::reference, &Entry::created_at);

}  // namespace

std::vector<Entry> entries(db::Tx& tx, std::int64_t cid, std::string const& kind, std::int64_t owner_id,
                           json::Page const& page) {
  return db::all(tx, kEntries, entry_from, use(cid, "c"), use(kind, "k"), use(owner_id, "o"), use(page.below(), "b"),
                 use(page.fetch(), "l"));
}

StatementPage statement_page(db::Tx& tx, std::int64_t cid, std::string const& kind, std::int64_t owner_id,
                             json::Page const& page) {
  StatementPage out;
  db::each(
      tx, kStatementPage,
      [&](db::Row const& r) {
        db::Cols c(r);
        Entry e;
        c.into(e.id, e.transaction_id, e.amount_cents, e.balance_after_cents, e.kind, e.reference, e.created_at,
               out.balance_cents, out.newer_cents);
        out.rows.push_back(std::move(e));
      },
      use(cid, "c2"), use(kind, "k2"), use(owner_id, "o2"), use(cid, "c3"), use(kind, "k3"), use(owner_id, "o3"),
      use(page.below(), "b3"), use(cid, "c"), use(kind, "k"), use(owner_id, "o"), use(page.below(), "b"),
      use(page.fetch(), "l"));
  return out;
}

// ---- the ledger summary

constexpr char const* kTotalsByKind =
    "SELECT owner_kind, COALESCE(SUM(balance_cents), 0), COUNT(DISTINCT owner_id) FROM wallet_accounts "
    "WHERE community_id = :c GROUP BY owner_kind ORDER BY owner_kind";

namespace {

constexpr auto kind_total_from =
    db::fields(&KindTotal::owner_kind, &KindTotal::balance_cents, &KindTotal::accounts);

}  // namespace

std::vector<KindTotal> totals_by_kind(db::Tx& tx, std::int64_t cid) {
  return db::all(tx, kTotalsByKind, kind_total_from, use(cid, "c"));
}

constexpr char const* kTransactionCount = "SELECT COUNT(*) FROM wallet_transactions WHERE community_id = :c";

std::int64_t transaction_count(db::Tx& tx, std::int64_t cid) {
  return db::scalar(tx, kTransactionCount, use(cid, "c"));
}

}  // namespace courtyard::wallet::repo
