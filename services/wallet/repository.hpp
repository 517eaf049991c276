#pragma once
// Wallet storage (SOCI, bound parameters only): accounts with their balances, ledger
// transactions and their entries. Every query filters on community_id (an account id is
// only reached through its community).
#include "db/tx.hpp"
#include "http/json.hpp"
#include "services/wallet/logic.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace courtyard::wallet::repo {

// Accounts are addressed by their natural key (community, owner kind, owner id, sub-account),
// which the unique index covers: a posting never looks an account's id up first.

// True when the account has been opened.
bool account_exists(db::Tx& tx, std::int64_t cid, logic::AccountKey const& k);
// Opens the account with a zero balance unless it exists (a concurrent opener is fine).
void open_account(db::Tx& tx, std::int64_t cid, logic::AccountKey const& k, bool allow_negative);

std::int64_t insert_transaction(db::Tx& tx, std::int64_t cid, std::string const& kind, std::string const& reference);
// Adds `delta` to the balance unless a non-negative account would drop below zero; false
// when refused or when the account is not open.
bool apply_delta(db::Tx& tx, std::int64_t cid, logic::AccountKey const& k, std::int64_t delta);
// The entry of `amount_cents` on the account, with the balance it has now (just changed by
// this transaction) as balance_after; one statement.
void insert_entry(db::Tx& tx, std::int64_t transaction_id, std::int64_t cid, logic::AccountKey const& k,
                  std::int64_t amount_cents);

// ---- many postings at once (api.hpp post_all)
struct AccountRow {
  std::int64_t id = 0;
  logic::AccountKey key;
  std::int64_t balance_cents = 0;
  bool allow_negative = false;
};
// The accounts among `keys` that are open, locked (FOR UPDATE on MySQL), in key order.
std::vector<AccountRow> accounts_for_update(db::Tx& tx, std::int64_t cid, std::vector<logic::AccountKey> const& keys);
// Sets each account's balance (id -> cents) in one statement; the rows are locked already.
void set_balances(db::Tx& tx, std::vector<std::pair<std::int64_t, std::int64_t>> const& balances);
// One ledger transaction per (kind, reference), one INSERT: their ids in the same order.
std::vector<std::int64_t> insert_transactions(db::Tx& tx, std::int64_t cid,
                                              std::vector<std::pair<std::string, std::string>> const& kinds_refs);
struct EntryRow {
  std::int64_t transaction_id = 0;
  std::int64_t account_id = 0;
  std::int64_t amount_cents = 0;
  std::int64_t balance_after_cents = 0;
};
void insert_entries(db::Tx& tx, std::int64_t cid, std::vector<EntryRow> const& entries);

// The owner's balance: the sum of its sub-accounts (0 when never opened).
std::int64_t balance(db::Tx& tx, std::int64_t cid, std::string const& kind, std::int64_t owner_id);
// Balance per sub-account, locked (FOR UPDATE on MySQL) for a consolidation.
std::map<int, std::int64_t> bucket_balances_for_update(db::Tx& tx, std::int64_t cid, std::string const& kind,
                                                       std::int64_t owner_id);

// Transactions of this kind move money between one owner's sub-accounts; statements hide them.
inline constexpr char const* kConsolidation = "consolidation";

struct Entry {
  std::int64_t id = 0;
  std::int64_t transaction_id = 0;
  std::int64_t amount_cents = 0;
  std::int64_t balance_after_cents = 0;
  std::string kind;       // the transaction's kind
  std::string reference;  // the transaction's reference
  std::int64_t created_at = 0;
};
// The owner's entries across its sub-accounts, newest first, consolidations left out: up
// to page.fetch() rows.
std::vector<Entry> entries(db::Tx& tx, std::int64_t cid, std::string const& kind, std::int64_t owner_id,
                           json::Page const& page);
// One page of a merchant's statement read by one statement, so in one snapshot even under
// READ COMMITTED: the entries as entries() returns them, the balance now (all sub-accounts)
// and the sum of the entries newer than the page (consolidations left out).
struct StatementPage {
  std::vector<Entry> rows;
  std::int64_t balance_cents = 0;
  std::int64_t newer_cents = 0;
};
StatementPage statement_page(db::Tx& tx, std::int64_t cid, std::string const& kind, std::int64_t owner_id,
                             json::Page const& page);

struct KindTotal {
  std::string owner_kind;
  std::int64_t balance_cents = 0;
  std::int64_t accounts = 0;  // owners (a merchant's sub-accounts count once)
};
// Balances summed per owner kind, ordered by kind.
std::vector<KindTotal> totals_by_kind(db::Tx& tx, std::int64_t cid);
std::int64_t transaction_count(db::Tx& tx, std::int64_t cid);

}  // namespace courtyard::wallet::repo
