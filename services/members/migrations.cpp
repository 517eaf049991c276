#include "services/members/service.hpp"

namespace courtyard::members {

// The points ledger is its own double-entry ledger (ARCHITECTURE.md "Members
// and loyalty"): accounts with balances, postings, and entries that must sum to
// zero per posting. Every ledger row carries `currency`, checked to be
// 'points', and an entry references its posting and its account by (id,
// currency): the database refuses an entry whose currency differs from its
// posting's or its account's, so a posting can never mix points with anything
// else. Member accounts never go below zero (a conditional update and a CHECK).
// Earned points live on as lots (remaining, earn date, expiry) consumed oldest
// first.
std::vector<db::Migration> MembersService::migrations() const {
  return {
      {1, "points ledger, lots, earn rules, tiers, member status, consents",
       R"SQL(
CREATE TABLE members_points_accounts (
  id {pk},
  community_id BIGINT NOT NULL,
  owner_kind VARCHAR(16) NOT NULL,
  owner_id BIGINT NOT NULL,
  currency VARCHAR(8) NOT NULL DEFAULT 'points',
  balance BIGINT NOT NULL,
  allow_negative INT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (community_id, owner_kind, owner_id),
  UNIQUE (id, currency),
  CHECK (currency = 'points'),
  CHECK (allow_negative = 1 OR balance >= 0)
){engine};
CREATE TABLE members_points_postings (
  id {pk},
  community_id BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  currency VARCHAR(8) NOT NULL DEFAULT 'points',
  kind VARCHAR(16) NOT NULL,
  points BIGINT NOT NULL,
  source VARCHAR(32) NOT NULL,
  source_ref VARCHAR(96) NOT NULL,
  source_event_id BIGINT NULL,
  rule_id BIGINT NULL,
  rule_version INT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (id, currency),
  UNIQUE (source_event_id, account_id),
  UNIQUE (community_id, source, source_ref, account_id),
  CHECK (currency = 'points'),
  CHECK (points > 0)
){engine};
CREATE INDEX members_postings_member ON members_points_postings (community_id, account_id, id);
CREATE TABLE members_points_entries (
  id {pk},
  posting_id BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  community_id BIGINT NOT NULL,
  currency VARCHAR(8) NOT NULL DEFAULT 'points',
  amount BIGINT NOT NULL,
  balance_after BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  CHECK (currency = 'points'),
  CHECK (amount <> 0),
  FOREIGN KEY (posting_id, currency) REFERENCES members_points_postings (id, currency),
  FOREIGN KEY (account_id, currency) REFERENCES members_points_accounts (id, currency)
){engine};
CREATE INDEX members_entries_posting ON members_points_entries (posting_id);
CREATE INDEX members_entries_account ON members_points_entries (account_id, id);
CREATE TABLE members_points_lots (
  id {pk},
  community_id BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  posting_id BIGINT NOT NULL,
  points BIGINT NOT NULL,
  remaining BIGINT NOT NULL,
  earned_at BIGINT NOT NULL,
  expires_at BIGINT NULL,
  noticed INT NOT NULL DEFAULT 0,
  CHECK (remaining >= 0 AND remaining <= points)
){engine};
CREATE INDEX members_lots_member ON members_points_lots (community_id, account_id, remaining, earned_at, id);
CREATE INDEX members_lots_expiry ON members_points_lots (expires_at, remaining);
CREATE TABLE members_programs (
  community_id BIGINT NOT NULL PRIMARY KEY,
  expiry_days INT NOT NULL,
  notice_days INT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by BIGINT NOT NULL
){engine};
CREATE TABLE members_earn_rules (
  id {pk},
  community_id BIGINT NOT NULL,
  kind VARCHAR(32) NOT NULL,
  version INT NOT NULL,
  points BIGINT NOT NULL,
  multiplier_pct INT NOT NULL,
  daily_cap BIGINT NOT NULL,
  enabled INT NOT NULL,
  effective_from BIGINT NOT NULL,
  created_by BIGINT NOT NULL,
  UNIQUE (community_id, kind, version)
){engine};
CREATE TABLE members_rule_merchants (
  rule_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  multiplier_pct INT NOT NULL,
  PRIMARY KEY (rule_id, merchant_id)
){engine};
CREATE TABLE members_daily_earnings (
  community_id BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  kind VARCHAR(32) NOT NULL,
  day BIGINT NOT NULL,
  points BIGINT NOT NULL,
  PRIMARY KEY (community_id, account_id, kind, day)
){engine};
CREATE TABLE members_earn_months (
  community_id BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  month BIGINT NOT NULL,
  points BIGINT NOT NULL,
  PRIMARY KEY (community_id, account_id, month)
){engine};
CREATE TABLE members_tiers (
  id {pk},
  community_id BIGINT NOT NULL,
  name VARCHAR(40) NOT NULL,
  threshold BIGINT NOT NULL,
  discount_pct INT NOT NULL,
  earn_multiplier_pct INT NOT NULL,
  UNIQUE (community_id, name)
){engine};
CREATE TABLE members_status (
  community_id BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  tier_id BIGINT NULL,
  review_month BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (community_id, account_id)
){engine};
CREATE INDEX members_status_review ON members_status (review_month, community_id);
CREATE TABLE members_consents (
  account_id BIGINT NOT NULL,
  purpose VARCHAR(32) NOT NULL,
  granted INT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (account_id, purpose)
){engine};
)SQL"},
      // Referrals (services/members/subscriptions.cpp): one conversion per referred account
      // and merchant in a community, whoever referred them; the row is the claim.
      {40, "referral conversions", R"SQL(
CREATE TABLE members_referral_conversions (
  community_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  referred_id BIGINT NOT NULL,
  referrer_id BIGINT NOT NULL,
  order_id BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (community_id, merchant_id, referred_id)
){engine};
)SQL"},
  };
}

}  // namespace courtyard::members
