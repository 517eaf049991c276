#include "services/identity/service.hpp"

namespace courtyard::identity {

// No foreign keys: the service checks references itself, which keeps the schema usable on
// MySQL-compatible distributed engines that do not enforce them. Column lengths match the
// validation limits in logic.hpp (VARCHAR counts characters on MySQL).
std::vector<db::Migration> IdentityService::migrations() const {
  return {
      {1, "accounts, sessions, login failures, communities, buildings, units, memberships", R"SQL(
CREATE TABLE accounts (
  id {pk},
  email VARCHAR(254) NOT NULL,
  display_name VARCHAR(100) NOT NULL,
  password_hash VARCHAR(255) NOT NULL,
  is_admin INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
){engine};
CREATE UNIQUE INDEX accounts_email ON accounts (email);
CREATE INDEX accounts_admin ON accounts (is_admin);

CREATE TABLE sessions (
  id {pk},
  token_hash VARCHAR(64) NOT NULL,
  account_id BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT NULL
){engine};
CREATE UNIQUE INDEX sessions_token ON sessions (token_hash);
CREATE INDEX sessions_account ON sessions (account_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE login_failures (
  id {pk},
  email VARCHAR(254) NOT NULL,
  failed_at BIGINT NOT NULL
){engine};
CREATE INDEX login_failures_email ON login_failures (email, failed_at);
CREATE INDEX login_failures_time ON login_failures (failed_at);

CREATE TABLE communities (
  id {pk},
  name VARCHAR(200) NOT NULL,
  address VARCHAR(500) NOT NULL,
  timezone VARCHAR(64) NOT NULL,
  created_at BIGINT NOT NULL
){engine};

CREATE TABLE buildings (
  id {pk},
  community_id BIGINT NOT NULL,
  name VARCHAR(100) NOT NULL,
  created_at BIGINT NOT NULL
){engine};
CREATE UNIQUE INDEX buildings_name ON buildings (community_id, name);

CREATE TABLE units (
  id {pk},
  community_id BIGINT NOT NULL,
  building_id BIGINT NOT NULL,
  unit_number VARCHAR(32) NOT NULL,
  created_at BIGINT NOT NULL
){engine};
CREATE UNIQUE INDEX units_number ON units (building_id, unit_number);
CREATE INDEX units_community ON units (community_id, building_id);

CREATE TABLE memberships (
  id {pk},
  account_id BIGINT NOT NULL,
  community_id BIGINT NOT NULL,
  role VARCHAR(16) NOT NULL,
  unit_id BIGINT NOT NULL DEFAULT 0,
  merchant_id BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
){engine};
CREATE UNIQUE INDEX memberships_grant ON memberships (account_id, community_id, role, unit_id, merchant_id);
CREATE INDEX memberships_community ON memberships (community_id, role);
CREATE INDEX memberships_unit ON memberships (unit_id);
)SQL"},
      // `pending` is 1 while an application is open and NULL once decided, so the unique
      // index allows one open application per account and unit (NULLs never collide).
      {2, "residency applications", R"SQL(
CREATE TABLE residency_applications (
  id {pk},
  community_id BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  unit_id BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  pending INTEGER NULL,
  created_at BIGINT NOT NULL,
  decided_at BIGINT NULL,
  decided_by BIGINT NULL
){engine};
CREATE UNIQUE INDEX residency_applications_open ON residency_applications (account_id, unit_id, pending);
CREATE INDEX residency_applications_community ON residency_applications (community_id, status, id);
)SQL"},
      {3, "merchant API keys", R"SQL(
CREATE TABLE api_keys (
  id {pk},
  community_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  name VARCHAR(100) NOT NULL,
  prefix VARCHAR(16) NOT NULL,
  key_hash VARCHAR(64) NOT NULL,
  scopes TEXT NOT NULL,
  created_by BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT NULL
){engine};
CREATE UNIQUE INDEX api_keys_hash ON api_keys (key_hash);
CREATE INDEX api_keys_merchant ON api_keys (community_id, merchant_id);
)SQL"},
      // Login attempts counted per (email, client address), and per email over every
      // address (client ''). Updated by compare-and-swap on `version`, so concurrent guesses
      // cannot pass the limit. Replaces the per-email failure rows.
      {4, "login attempt counters per email and client address", R"SQL(
CREATE TABLE login_attempts (
  id {pk},
  email VARCHAR(254) NOT NULL,
  client VARCHAR(64) NOT NULL,
  attempts INTEGER NOT NULL,
  window_start BIGINT NOT NULL,
  blocked_until BIGINT NOT NULL,
  version BIGINT NOT NULL
){engine};
CREATE UNIQUE INDEX login_attempts_key ON login_attempts (email, client);
CREATE INDEX login_attempts_window ON login_attempts (window_start);
DROP TABLE login_failures;
)SQL"},
      // A merchant's accounts: the owner (staff 0, granted on approval) and staff accounts the
      // owner adds (staff 1: orders and redemptions only). API keys may expire; their last use
      // is kept apart from the key (bookkeeping, written at most once a minute per key).
      // Scopes split from the old ones: stock from products, redemptions from orders, so a
      // key keeps every route it could call.
      {5, "merchant staff, API-key expiry and last use, stock and redemption scopes", R"SQL(
ALTER TABLE memberships ADD COLUMN staff INTEGER NOT NULL DEFAULT 0;
ALTER TABLE api_keys ADD COLUMN expires_at BIGINT NULL;
CREATE TABLE api_key_usage (
  key_id BIGINT NOT NULL PRIMARY KEY,
  last_used_at BIGINT NULL
){engine};
INSERT INTO api_key_usage (key_id, last_used_at) SELECT id, NULL FROM api_keys;
UPDATE api_keys SET scopes = REPLACE(scopes, 'products:write', 'products:write stock:write');
UPDATE api_keys SET scopes = REPLACE(scopes, 'products:read', 'products:read stock:read');
UPDATE api_keys SET scopes = REPLACE(scopes, 'orders:write', 'orders:write redemptions:write');
)SQL"},
      // Account erasure (members' POST /v1/me/erasure): the row stays, so every id that refers
      // to it still resolves, but its personal fields are replaced and erased_at is set.
      {80, "account erasure", R"SQL(
ALTER TABLE accounts ADD COLUMN erased_at BIGINT NULL;
)SQL"},
  };
}

}  // namespace courtyard::identity
