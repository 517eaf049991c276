#include "services/settlement/service.hpp"

namespace courtyard::settlement {

// settlement_postings is what statements are made of: one row per money fact about a merchant
// (an order's money, its points reimbursement and commission, a refund), each once (the unique
// source key), in the first period still open at the fact's time. A period row is the lock a
// posting and the close meet on: a posting enters a period only by a conditional update on
// its open row, and the close flips it to closed first. Statements are written at the close
// and never change after, except their payout columns.
std::vector<db::Migration> SettlementService::migrations() const {
  return {
      {20, "commission rates, settlement periods, postings, statements, payouts", R"SQL(
CREATE TABLE settlement_commission_rates (
  community_id BIGINT NOT NULL,
  category VARCHAR(50) NOT NULL,
  rate_bp BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by BIGINT NOT NULL,
  PRIMARY KEY (community_id, category)
){engine};
CREATE TABLE settlement_periods (
  id {pk},
  community_id BIGINT NOT NULL,
  period_start BIGINT NOT NULL,
  period_end BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  postings BIGINT NOT NULL DEFAULT 0,
  closed_at BIGINT NULL,
  closed_by BIGINT NULL
){engine};
CREATE UNIQUE INDEX settlement_periods_one ON settlement_periods (community_id, period_start);
CREATE INDEX settlement_periods_due ON settlement_periods (status, period_end);
CREATE TABLE settlement_postings (
  id {pk},
  community_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  period_id BIGINT NOT NULL,
  kind VARCHAR(16) NOT NULL,
  source VARCHAR(64) NOT NULL,
  order_id BIGINT NULL,
  refund_id BIGINT NULL,
  amount_cents BIGINT NOT NULL,
  occurred_at BIGINT NOT NULL,
  posted_at BIGINT NOT NULL,
  wallet_txn BIGINT NULL
){engine};
CREATE UNIQUE INDEX settlement_postings_once ON settlement_postings (community_id, kind, source);
CREATE INDEX settlement_postings_period ON settlement_postings (period_id, merchant_id, id);
CREATE TABLE settlement_statements (
  id {pk},
  community_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  period_id BIGINT NOT NULL,
  period_start BIGINT NOT NULL,
  period_end BIGINT NOT NULL,
  orders_count BIGINT NOT NULL,
  gross_cents BIGINT NOT NULL,
  refunds_cents BIGINT NOT NULL,
  commission_cents BIGINT NOT NULL,
  points_cents BIGINT NOT NULL,
  net_cents BIGINT NOT NULL,
  cancelled_cents BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  closed_at BIGINT NOT NULL,
  reimbursement_txn BIGINT NULL,
  paid_at BIGINT NULL,
  paid_by BIGINT NULL,
  payout_reference VARCHAR(100) NULL,
  payout_txn BIGINT NULL
){engine};
CREATE UNIQUE INDEX settlement_statements_one ON settlement_statements (period_id, merchant_id);
CREATE INDEX settlement_statements_merchant ON settlement_statements (community_id, merchant_id, id);
CREATE INDEX settlement_statements_community ON settlement_statements (community_id, status, id);
)SQL"},
  };
}

}  // namespace courtyard::settlement
