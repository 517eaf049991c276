#include "services/wallet/repository.hpp"

#include "db/query.hpp"

#include <cstdint>

namespace courtyard::wallet::repo {

using soci::use;

// ---- accounts

constexpr char const* kFindAccount =
    "SELECT id FROM wallet_accounts WHERE community_id = :c AND owner_kind = :k AND owner_id = :o";

std::optional<std::int64_t> find_account(db::Tx& tx, std::int64_t cid, std::string const& kind,
                                         std::int64_t owner_id) {
  return db::one(
      tx, kFindAccount, [](soci::row const& r) { return db::Cols(r).integer(); }, use(cid, "c"), use(kind, "k"),
      use(owner_id, "o"));
}

// Prefixed by the backend's INSERT IGNORE.
constexpr char const* kOpenAccount =
    " INTO wallet_accounts (community_id, owner_kind, owner_id, balance_cents, allow_negative, created_at) "
    "VALUES (:c, :k, :o, 0, :n, :t)";

void open_account(db::Tx& tx, std::int64_t cid, std::string const& kind, std::int64_t owner_id, bool allow_negative) {
  int neg = allow_negative ? 1 : 0;
  std::int64_t now = tx.now_ms();
  tx.exec(std::string(db::insert_ignore(tx.backend())) + kOpenAccount, use(cid, "c"), use(kind, "k"),
          use(owner_id, "o"), use(neg, "n"), use(now, "t"));
}

constexpr char const* kApplyDelta =
    "UPDATE wallet_accounts SET balance_cents = balance_cents + :d "
    "WHERE id = :id AND (allow_negative = 1 OR balance_cents + :d2 >= 0)";

bool apply_delta(db::Tx& tx, std::int64_t account_id, std::int64_t delta) {
  return tx.exec(kApplyDelta, use(delta, "d"), use(account_id, "id"), use(delta, "d2")) == 1;
}

constexpr char const* kAccountBalance = "SELECT balance_cents FROM wallet_accounts WHERE id = :id";

std::int64_t account_balance(db::Tx& tx, std::int64_t account_id) {
  return db::scalar(tx, kAccountBalance, use(account_id, "id"));
}

constexpr char const* kBalance =
    "SELECT balance_cents FROM wallet_accounts WHERE community_id = :c AND owner_kind = :k AND owner_id = :o";

std::int64_t balance(db::Tx& tx, std::int64_t cid, std::string const& kind, std::int64_t owner_id) {
  return db::scalar(tx, kBalance, use(cid, "c"), use(kind, "k"), use(owner_id, "o"));
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
    "created_at) VALUES (:x, :a, :c, :m, :b, :t)";

void insert_entry(db::Tx& tx, std::int64_t transaction_id, std::int64_t account_id, std::int64_t cid,
                  std::int64_t amount_cents, std::int64_t balance_after_cents) {
  std::int64_t now = tx.now_ms();
  tx.exec(kInsertEntry, use(transaction_id, "x"), use(account_id, "a"), use(cid, "c"), use(amount_cents, "m"),
          use(balance_after_cents, "b"), use(now, "t"));
}

constexpr char const* kEntries =
    "SELECT e.id, e.transaction_id, e.amount_cents, e.balance_after_cents, t.kind, t.reference, "
    "e.created_at FROM wallet_entries e "
    "JOIN wallet_accounts a ON a.id = e.account_id "
    "JOIN wallet_transactions t ON t.id = e.transaction_id "
    "WHERE a.community_id = :c AND a.owner_kind = :k AND a.owner_id = :o AND e.id < :b "
    "ORDER BY e.id DESC LIMIT :l";

namespace {

Entry entry_from(soci::row const& r) {
  db::Cols c(r);
  Entry e;
  c.into(e.id, e.transaction_id, e.amount_cents, e.balance_after_cents, e.kind, e.reference, e.created_at);
  return e;
}

}  // namespace

std::vector<Entry> entries(db::Tx& tx, std::int64_t cid, std::string const& kind, std::int64_t owner_id,
                           json::Page const& page) {
  std::int64_t before = page.after ? *page.after : INT64_MAX;
  std::int64_t limit = page.limit + 1;
  return db::all(tx, kEntries, entry_from, use(cid, "c"), use(kind, "k"), use(owner_id, "o"), use(before, "b"),
                 use(limit, "l"));
}

// ---- the ledger summary

constexpr char const* kTotalsByKind =
    "SELECT owner_kind, COALESCE(SUM(balance_cents), 0), COUNT(*) FROM wallet_accounts "
    "WHERE community_id = :c GROUP BY owner_kind ORDER BY owner_kind";

namespace {

KindTotal kind_total_from(soci::row const& r) {
  db::Cols c(r);
  KindTotal t;
  c.into(t.owner_kind, t.balance_cents, t.accounts);
  return t;
}

}  // namespace

std::vector<KindTotal> totals_by_kind(db::Tx& tx, std::int64_t cid) {
  return db::all(tx, kTotalsByKind, kind_total_from, use(cid, "c"));
}

constexpr char const* kTransactionCount = "SELECT COUNT(*) FROM wallet_transactions WHERE community_id = :c";

std::int64_t transaction_count(db::Tx& tx, std::int64_t cid) {
  return db::scalar(tx, kTransactionCount, use(cid, "c"));
}

}  // namespace courtyard::wallet::repo
