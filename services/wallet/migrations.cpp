#include "services/wallet/service.hpp"

namespace courtyard::wallet {

std::vector<db::Migration> WalletService::migrations() const {
  return {
      {1, "double-entry ledger", R"SQL(
CREATE TABLE IF NOT EXISTS wallet_accounts (
  id {pk},
  community_id BIGINT NOT NULL,
  owner_kind VARCHAR(16) NOT NULL,
  owner_id BIGINT NOT NULL,
  balance_cents BIGINT NOT NULL,
  allow_negative INT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (community_id, owner_kind, owner_id)
){engine};
CREATE TABLE IF NOT EXISTS wallet_transactions (
  id {pk},
  community_id BIGINT NOT NULL,
  kind VARCHAR(32) NOT NULL,
  reference VARCHAR(128) NOT NULL,
  created_at BIGINT NOT NULL
){engine};
CREATE TABLE IF NOT EXISTS wallet_entries (
  id {pk},
  transaction_id BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  community_id BIGINT NOT NULL,
  amount_cents BIGINT NOT NULL,
  balance_after_cents BIGINT NOT NULL,
  created_at BIGINT NOT NULL
){engine};
CREATE INDEX idx_wallet_entries_account ON wallet_entries (account_id, id);
CREATE INDEX idx_wallet_entries_txn ON wallet_entries (transaction_id);
)SQL"},
      // A merchant's account becomes kMerchantBuckets rows (sub-accounts), so the unique key
      // gains `bucket`. SQLite cannot drop a table's UNIQUE constraint, so the table is
      // rebuilt (ids kept); every existing account is sub-account 0.
      {2, "sub-accounts (merchant takings spread over rows)", R"SQL(
CREATE TABLE wallet_accounts_v2 (
  id {pk},
  community_id BIGINT NOT NULL,
  owner_kind VARCHAR(16) NOT NULL,
  owner_id BIGINT NOT NULL,
  bucket INT NOT NULL DEFAULT 0,
  balance_cents BIGINT NOT NULL,
  allow_negative INT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (community_id, owner_kind, owner_id, bucket)
){engine};
INSERT INTO wallet_accounts_v2 (id, community_id, owner_kind, owner_id, bucket, balance_cents, allow_negative, created_at)
  SELECT id, community_id, owner_kind, owner_id, 0, balance_cents, allow_negative, created_at FROM wallet_accounts;
DROP TABLE wallet_accounts;
ALTER TABLE wallet_accounts_v2 RENAME TO wallet_accounts;
)SQL"},
  };
}

}  // namespace courtyard::wallet
