#pragma once
// Wallet storage (SOCI, bound parameters only): accounts with their balances, ledger
// transactions and their entries. Every query filters on community_id (an account id is
// only reached through its community).
#include "db/tx.hpp"
#include "http/json.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace courtyard::wallet::repo {

// The account's id, or nullopt when it has not been opened yet.
std::optional<std::int64_t> find_account(db::Tx& tx, std::int64_t cid, std::string const& kind, std::int64_t owner_id);
// Opens the account with a zero balance unless it exists (a concurrent opener is fine).
void open_account(db::Tx& tx, std::int64_t cid, std::string const& kind, std::int64_t owner_id, bool allow_negative);

std::int64_t insert_transaction(db::Tx& tx, std::int64_t cid, std::string const& kind, std::string const& reference);
// Adds `delta` to the balance unless a non-negative account would drop below zero;
// false when refused.
bool apply_delta(db::Tx& tx, std::int64_t account_id, std::int64_t delta);
std::int64_t account_balance(db::Tx& tx, std::int64_t account_id);
void insert_entry(db::Tx& tx, std::int64_t transaction_id, std::int64_t account_id, std::int64_t cid,
                  std::int64_t amount_cents, std::int64_t balance_after_cents);

// The owner's balance (0 when the account was never opened).
std::int64_t balance(db::Tx& tx, std::int64_t cid, std::string const& kind, std::int64_t owner_id);

struct Entry {
  std::int64_t id = 0;
  std::int64_t transaction_id = 0;
  std::int64_t amount_cents = 0;
  std::int64_t balance_after_cents = 0;
  std::string kind;       // the transaction's kind
  std::string reference;  // the transaction's reference
  std::int64_t created_at = 0;
};
// The owner's entries, newest first: up to page.limit + 1 rows.
std::vector<Entry> entries(db::Tx& tx, std::int64_t cid, std::string const& kind, std::int64_t owner_id,
                           json::Page const& page);

struct KindTotal {
  std::string owner_kind;
  std::int64_t balance_cents = 0;
  std::int64_t accounts = 0;
};
// Balances summed per owner kind, ordered by kind.
std::vector<KindTotal> totals_by_kind(db::Tx& tx, std::int64_t cid);
std::int64_t transaction_count(db::Tx& tx, std::int64_t cid);

}  // namespace courtyard::wallet::repo
