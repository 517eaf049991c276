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
      // Segments and campaigns (ARCHITECTURE.md "Segments and campaigns"): member facts kept
      // from events, so a segment's size is read from these tables, never from other
      // services' rows; each fact event applies once (members_fact_events).
      {30, "member facts, segments, campaigns", R"SQL(
CREATE TABLE members_fact_events (
  subscriber VARCHAR(48) NOT NULL,
  event_id BIGINT NOT NULL,
  PRIMARY KEY (subscriber, event_id)
){engine};
CREATE TABLE members_facts (
  community_id BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  building_id BIGINT NOT NULL,
  last_order_at BIGINT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (community_id, account_id)
){engine};
CREATE INDEX members_facts_building ON members_facts (community_id, building_id, account_id);
CREATE INDEX members_facts_order ON members_facts (community_id, last_order_at);
CREATE TABLE members_fact_spend (
  community_id BIGINT NOT NULL,
  category VARCHAR(50) NOT NULL,
  day BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  cents BIGINT NOT NULL,
  PRIMARY KEY (community_id, category, day, account_id)
){engine};
CREATE TABLE members_fact_customers (
  community_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  orders BIGINT NOT NULL,
  cents BIGINT NOT NULL,
  last_order_at BIGINT NOT NULL,
  PRIMARY KEY (community_id, merchant_id, account_id)
){engine};
CREATE TABLE members_fact_merchant_spend (
  community_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  category VARCHAR(50) NOT NULL,
  day BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  cents BIGINT NOT NULL,
  PRIMARY KEY (community_id, merchant_id, category, day, account_id)
){engine};
CREATE TABLE members_fact_overdue (
  community_id BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  bill_id BIGINT NOT NULL,
  PRIMARY KEY (community_id, account_id, bill_id)
){engine};
CREATE INDEX members_fact_overdue_bill ON members_fact_overdue (community_id, bill_id);
CREATE TABLE members_fact_clubs (
  community_id BIGINT NOT NULL,
  club_id BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  PRIMARY KEY (community_id, club_id, account_id)
){engine};
CREATE TABLE members_fact_tags (
  community_id BIGINT NOT NULL,
  tag VARCHAR(40) NOT NULL,
  account_id BIGINT NOT NULL,
  created_by BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (community_id, tag, account_id)
){engine};
CREATE INDEX members_fact_tags_member ON members_fact_tags (community_id, account_id);
CREATE TABLE members_segments (
  id {pk},
  community_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  name VARCHAR(80) NOT NULL,
  rule TEXT NOT NULL,
  created_by BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
){engine};
CREATE INDEX members_segments_owner ON members_segments (community_id, merchant_id, id);
CREATE TABLE members_campaigns (
  id {pk},
  community_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  segment_id BIGINT NOT NULL,
  name VARCHAR(80) NOT NULL,
  kind VARCHAR(16) NOT NULL,
  title VARCHAR(120) NOT NULL,
  body TEXT NOT NULL,
  points BIGINT NOT NULL,
  coupon_merchant_id BIGINT NOT NULL,
  percent_off BIGINT NULL,
  amount_off_cents BIGINT NULL,
  min_spend_cents BIGINT NOT NULL,
  coupon_days INT NOT NULL,
  status VARCHAR(16) NOT NULL,
  targeted BIGINT NOT NULL,
  reached BIGINT NOT NULL,
  no_consent BIGINT NOT NULL,
  capped BIGINT NOT NULL,
  created_by BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  issued_by BIGINT NULL,
  issued_at BIGINT NULL
){engine};
CREATE INDEX members_campaigns_owner ON members_campaigns (community_id, merchant_id, id);
CREATE TABLE members_campaign_recipients (
  campaign_id BIGINT NOT NULL,
  community_id BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  outcome VARCHAR(16) NOT NULL,
  coupon_code VARCHAR(32) NULL,
  points BIGINT NOT NULL,
  at BIGINT NOT NULL,
  PRIMARY KEY (campaign_id, account_id)
){engine};
CREATE INDEX members_campaign_contacts ON members_campaign_recipients (community_id, account_id, outcome, at);
CREATE TABLE members_campaign_settings (
  community_id BIGINT NOT NULL PRIMARY KEY,
  max_per_window INT NOT NULL,
  window_days INT NOT NULL,
  updated_by BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
){engine};
)SQL"},
      // Spending points (ARCHITECTURE.md "Spending points"): what a point is worth,
      // the largest share of a price points may pay, whether property bills take
      // points; and which lots each debit took its points from (and how many of
      // them were given back since), so points given back keep their earn date
      // and expiry.
      {10, "spending terms, lots taken by each debit",
       R"SQL(
ALTER TABLE members_programs ADD COLUMN cents_per_point BIGINT NOT NULL DEFAULT 1;
ALTER TABLE members_programs ADD COLUMN max_share_pct INT NOT NULL DEFAULT 50;
ALTER TABLE members_programs ADD COLUMN points_on_bills INT NOT NULL DEFAULT 0;
CREATE TABLE members_debit_lots (
  posting_id BIGINT NOT NULL,
  lot_id BIGINT NOT NULL,
  seq INT NOT NULL,
  points BIGINT NOT NULL,
  restored BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (posting_id, lot_id),
  CHECK (points > 0 AND restored >= 0 AND restored <= points)
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
      // Segment sizes at size (tests/bench/RESULTS.md): a category_spend condition sums a
      // member's cents per category over a range of days. Ordered by member, then day, with
      // the cents inside, the sum is one pass over the category's index entries in member
      // order — no look-up of the table per row and no temporary table for the GROUP BY
      // (on SQLite the primary key index holds no cents; on both, day-first order needed a
      // sort by member).
      {41, "member-ordered covering indexes for category spend", R"SQL(
CREATE INDEX members_fact_spend_member ON members_fact_spend (community_id, category, account_id, day, cents);
CREATE INDEX members_fact_merchant_spend_member
  ON members_fact_merchant_spend (community_id, merchant_id, category, account_id, day, cents);
)SQL"},
      // A category_spend window of a year read every day a member spent on (~230k index
      // entries for one category at 10,000 residents / 1,000,000 orders: 190-210 ms on
      // MariaDB). The same cents summed per 30-day period (logic::kSpendPeriodDays; a period
      // starts on a day that is a multiple of 30) bound a window to its whole periods plus
      // at most 29 days. Filled here from the day rows, then kept by the subscriber beside them.
      // Those days are a day range of the day rows: covered by an index, so SQLite reads no
      // table row for them (MariaDB's clustered primary key already holds the cents).
      {42, "category spend per 30-day period", R"SQL(
CREATE TABLE members_fact_spend_period (
  community_id BIGINT NOT NULL,
  category VARCHAR(50) NOT NULL,
  period_day BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  cents BIGINT NOT NULL,
  PRIMARY KEY (community_id, category, period_day, account_id)
){engine};
CREATE INDEX members_fact_spend_period_cover
  ON members_fact_spend_period (community_id, category, period_day, account_id, cents);
CREATE TABLE members_fact_merchant_spend_period (
  community_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  category VARCHAR(50) NOT NULL,
  period_day BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  cents BIGINT NOT NULL,
  PRIMARY KEY (community_id, merchant_id, category, period_day, account_id)
){engine};
CREATE INDEX members_fact_merchant_spend_period_cover
  ON members_fact_merchant_spend_period (community_id, merchant_id, category, period_day, account_id, cents);
CREATE INDEX members_fact_spend_day_cover ON members_fact_spend (community_id, category, day, account_id, cents);
CREATE INDEX members_fact_merchant_spend_day_cover
  ON members_fact_merchant_spend (community_id, merchant_id, category, day, account_id, cents);
INSERT INTO members_fact_spend_period (community_id, category, period_day, account_id, cents)
  SELECT community_id, category, day - day % 30, account_id, SUM(cents) FROM members_fact_spend
  GROUP BY community_id, category, day - day % 30, account_id;
INSERT INTO members_fact_merchant_spend_period (community_id, merchant_id, category, period_day, account_id, cents)
  SELECT community_id, merchant_id, category, day - day % 30, account_id, SUM(cents) FROM members_fact_merchant_spend
  GROUP BY community_id, merchant_id, category, day - day % 30, account_id;
)SQL"},
  };
}

}  // namespace courtyard::members
