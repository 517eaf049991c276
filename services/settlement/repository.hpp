#pragma once
// SOCI access for the settlement tables. Bound parameters only; every tenant query filters by
// community_id. A period is entered and closed with conditional updates on its row.
#include "db/tx.hpp"
#include "http/json.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace courtyard::settlement::repo {

// ---- commission rates
struct Rate {
  std::string category;
  std::int64_t rate_bp = 0, updated_at = 0;
};
std::optional<std::int64_t> rate_for(db::Tx& tx, std::int64_t cid, std::string const& category);
std::vector<Rate> rates(db::Tx& tx, std::int64_t cid);
void set_rate(db::Tx& tx, std::int64_t cid, std::string const& category, std::int64_t rate_bp, std::int64_t by);

// ---- periods
struct Period {
  std::int64_t id = 0, community_id = 0, start_ms = 0, end_ms = 0;
  std::string status;
  std::optional<std::int64_t> closed_at;
};
// The period's row, made when missing (the unique key makes concurrent makers agree).
void ensure_period(db::Tx& tx, std::int64_t cid, std::int64_t start_ms, std::int64_t end_ms);
// Enters the open period starting at start_ms: a conditional update that holds its row until
// commit, so a close waits for this posting (or this posting sees the close). nullopt when
// the period is closed.
std::optional<std::int64_t> enter_open_period(db::Tx& tx, std::int64_t cid, std::int64_t start_ms);
std::optional<Period> find_period(db::Tx& tx, std::int64_t period_id);
// Open periods that ended by `now`: of one community (cid > 0) or of all.
std::vector<Period> due_periods(db::Tx& tx, std::int64_t cid, std::int64_t now, std::int64_t limit);
// open -> closed; false when it was closed meanwhile.
bool close_period(db::Tx& tx, std::int64_t period_id, std::int64_t by);
// Open periods of the community, oldest first.
std::vector<Period> open_periods(db::Tx& tx, std::int64_t cid);

// ---- postings
struct Posting {
  std::int64_t id = 0, community_id = 0, merchant_id = 0, period_id = 0;
  std::string kind, source;
  std::optional<std::int64_t> order_id, refund_id;
  std::int64_t amount_cents = 0, occurred_at = 0, posted_at = 0;
  std::optional<std::int64_t> wallet_txn;
};
bool posting_exists(db::Tx& tx, std::int64_t cid, std::string const& kind, std::string const& source);
// Throws the storage's unique violation when (community, kind, source) was posted already.
std::int64_t insert_posting(db::Tx& tx, Posting const& p);
std::vector<Posting> postings(db::Tx& tx, std::int64_t period_id, std::int64_t merchant_id);
std::vector<std::int64_t> merchants_in_period(db::Tx& tx, std::int64_t period_id);

// ---- statements
struct Statement {
  std::int64_t id = 0, community_id = 0, merchant_id = 0, period_id = 0, period_start = 0, period_end = 0;
  std::int64_t orders_count = 0, gross_cents = 0, refunds_cents = 0, commission_cents = 0, points_cents = 0,
               net_cents = 0, cancelled_cents = 0;
  std::string status;
  std::int64_t closed_at = 0;
  std::optional<std::int64_t> reimbursement_txn, paid_at, paid_by, payout_txn;
  std::optional<std::string> payout_reference;
};
std::int64_t insert_statement(db::Tx& tx, Statement const& s);
void set_reimbursement_txn(db::Tx& tx, std::int64_t sid, std::int64_t txn);
std::optional<Statement> find_statement(db::Tx& tx, std::int64_t cid, std::int64_t sid);
std::vector<Statement> statements_of_merchant(db::Tx& tx, std::int64_t cid, std::int64_t mid, json::Page const& page);
// status empty = any; merchant 0 = any.
std::vector<Statement> statements_of_community(db::Tx& tx, std::int64_t cid, std::string const& status,
                                               std::int64_t merchant_id, json::Page const& page);
// closed -> paid with the transfer reference; false when it was paid meanwhile.
bool mark_paid(db::Tx& tx, std::int64_t cid, std::int64_t sid, std::string const& reference, std::int64_t by);
void set_payout_txn(db::Tx& tx, std::int64_t sid, std::int64_t txn);

}  // namespace courtyard::settlement::repo
