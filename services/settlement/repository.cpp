#include "services/settlement/repository.hpp"

#include "db/database.hpp"
#include "db/query.hpp"

#include <climits>
#include <cstdint>

namespace courtyard::settlement::repo {

namespace {
using soci::use;
soci::indicator null_if_absent(bool present) { return present ? soci::i_ok : soci::i_null; }
}  // namespace

// ---- commission rates

constexpr char const* kRateFor =
    "SELECT rate_bp FROM settlement_commission_rates WHERE community_id = :c AND category = :k";
std::optional<std::int64_t> rate_for(db::Tx& tx, std::int64_t cid, std::string const& category) {
  return db::one(tx, kRateFor, db::first_integer, use(cid, "c"),
                 use(category, "k"));
}

constexpr char const* kRates =
    "SELECT category, rate_bp, updated_at FROM settlement_commission_rates WHERE community_id = :c ORDER BY category";
std::vector<Rate> rates(db::Tx& tx, std::int64_t cid) {
  return db::all(
      tx, kRates,
      db::fields(&Rate::category, &Rate::rate_bp, &Rate::updated_at),
      use(cid, "c"));
}

constexpr char const* kEnsureRate =
    " INTO settlement_commission_rates (community_id, category, rate_bp, updated_at, updated_by) "
    "VALUES (:c, :k, :r, :t, :b)";
constexpr char const* kSetRate =
    "UPDATE settlement_commission_rates SET rate_bp = :r, updated_at = :t, updated_by = :b "
    "WHERE community_id = :c AND category = :k";
void set_rate(db::Tx& tx, std::int64_t cid, std::string const& category, std::int64_t rate_bp, std::int64_t by) {
  std::int64_t now = tx.now_ms();
  tx.exec(std::string(db::insert_ignore(tx.backend())) + kEnsureRate, use(cid, "c"), use(category, "k"),
          use(rate_bp, "r"), use(now, "t"), use(by, "b"));
  tx.exec(kSetRate, use(rate_bp, "r"), use(now, "t"), use(by, "b"), use(cid, "c"), use(category, "k"));
}

// ---- periods

#define SETTLEMENT_PERIOD_COLS "id, community_id, period_start, period_end, status, closed_at"
constexpr auto period_from =
    db::fields(&Period::id, &Period::community_id, &Period::start_ms, &Period::end_ms, &Period::status,
               &Period::closed_at);

constexpr char const* kEnsurePeriod =
    " INTO settlement_periods (community_id, period_start, period_end, status) VALUES (:c, :s, :e, 'open')";
void ensure_period(db::Tx& tx, std::int64_t cid, std::int64_t start_ms, std::int64_t end_ms) {
  tx.exec(std::string(db::insert_ignore(tx.backend())) + kEnsurePeriod, use(cid, "c"), use(start_ms, "s"),
          use(end_ms, "e"));
}

constexpr char const* kEnterPeriod =
    "UPDATE settlement_periods SET postings = postings + 1 "
    "WHERE community_id = :c AND period_start = :s AND status = 'open'";
constexpr char const* kPeriodId = "SELECT id FROM settlement_periods WHERE community_id = :c AND period_start = :s";
std::optional<std::int64_t> enter_open_period(db::Tx& tx, std::int64_t cid, std::int64_t start_ms) {
  if (tx.exec(kEnterPeriod, use(cid, "c"), use(start_ms, "s")) != 1) return std::nullopt;
  return db::scalar(tx, kPeriodId, use(cid, "c"), use(start_ms, "s"));
}

constexpr char const* kFindPeriod = "SELECT " SETTLEMENT_PERIOD_COLS " FROM settlement_periods WHERE id = :id";
std::optional<Period> find_period(db::Tx& tx, std::int64_t period_id) {
  return db::one(tx, kFindPeriod, period_from, use(period_id, "id"));
}

constexpr char const* kDuePeriods =
    "SELECT " SETTLEMENT_PERIOD_COLS
    " FROM settlement_periods WHERE status = 'open' AND period_end <= :n AND (:c = 0 OR community_id = :c2) "
    "ORDER BY period_end, id LIMIT :l";
std::vector<Period> due_periods(db::Tx& tx, std::int64_t cid, std::int64_t now, std::int64_t limit) {
  return db::all(tx, kDuePeriods, period_from, use(now, "n"), use(cid, "c"), use(cid, "c2"), use(limit, "l"));
}

constexpr char const* kClosePeriod =
    "UPDATE settlement_periods SET status = 'closed', closed_at = :t, closed_by = :b WHERE id = :id AND status = 'open'";
bool close_period(db::Tx& tx, std::int64_t period_id, std::int64_t by) {
  std::int64_t now = tx.now_ms();
  return tx.exec(kClosePeriod, use(now, "t"), use(by, "b"), use(period_id, "id")) == 1;
}

constexpr char const* kOpenPeriods =
    "SELECT " SETTLEMENT_PERIOD_COLS
    " FROM settlement_periods WHERE community_id = :c AND status = 'open' ORDER BY period_start";
std::vector<Period> open_periods(db::Tx& tx, std::int64_t cid) {
  return db::all(tx, kOpenPeriods, period_from, use(cid, "c"));
}

// ---- postings

#define SETTLEMENT_POSTING_COLS \
  "id, community_id, merchant_id, period_id, kind, source, order_id, refund_id, amount_cents, occurred_at, " \
  "posted_at, wallet_txn"
constexpr auto posting_from =
    db::fields(&Posting::id, &Posting::community_id, &Posting::merchant_id, &Posting::period_id,
               &Posting::kind, &Posting::source, &Posting::order_id, &Posting::refund_id,
               &Posting::amount_cents, &Posting::occurred_at, &Posting::posted_at, &Posting::wallet_txn);

constexpr char const* kPostingExists =
    "SELECT COUNT(*) FROM settlement_postings WHERE community_id = :c AND kind = :k AND source = :s";
bool posting_exists(db::Tx& tx, std::int64_t cid, std::string const& kind, std::string const& source) {
  return db::scalar(tx, kPostingExists, use(cid, "c"), use(kind, "k"), use(source, "s")) > 0;
}

constexpr char const* kInsertPosting =
    "INSERT INTO settlement_postings (community_id, merchant_id, period_id, kind, source, order_id, refund_id, "
    "amount_cents, occurred_at, posted_at, wallet_txn) VALUES (:c, :m, :p, :k, :s, :o, :r, :a, :at, :t, :w)";
std::int64_t insert_posting(db::Tx& tx, Posting const& p) {
  long long oid = p.order_id.value_or(0), rid = p.refund_id.value_or(0), txn = p.wallet_txn.value_or(0);
  soci::indicator oi = null_if_absent(p.order_id.has_value()), ri = null_if_absent(p.refund_id.has_value()),
                  wi = null_if_absent(p.wallet_txn.has_value());
  std::int64_t now = tx.now_ms();
  return tx.insert("settlement_postings", kInsertPosting, use(p.community_id, "c"), use(p.merchant_id, "m"),
                   use(p.period_id, "p"), use(p.kind, "k"), use(p.source, "s"), use(oid, oi, "o"),
                   use(rid, ri, "r"), use(p.amount_cents, "a"), use(p.occurred_at, "at"), use(now, "t"),
                   use(txn, wi, "w"));
}

constexpr char const* kPostings =
    "SELECT " SETTLEMENT_POSTING_COLS
    " FROM settlement_postings WHERE period_id = :p AND merchant_id = :m ORDER BY id";
std::vector<Posting> postings(db::Tx& tx, std::int64_t period_id, std::int64_t merchant_id) {
  return db::all(tx, kPostings, posting_from, use(period_id, "p"), use(merchant_id, "m"));
}

constexpr char const* kMerchantsInPeriod =
    "SELECT DISTINCT merchant_id FROM settlement_postings WHERE period_id = :p ORDER BY merchant_id";
std::vector<std::int64_t> merchants_in_period(db::Tx& tx, std::int64_t period_id) {
  return db::all(tx, kMerchantsInPeriod, db::first_integer,
                 use(period_id, "p"));
}

// ---- statements

#define SETTLEMENT_STATEMENT_COLS                                                                           \
  "id, community_id, merchant_id, period_id, period_start, period_end, orders_count, gross_cents, "          \
  "refunds_cents, commission_cents, points_cents, net_cents, cancelled_cents, status, closed_at, "           \
  "reimbursement_txn, paid_at, paid_by, payout_txn, payout_reference"
constexpr auto statement_from =
    db::fields(&Statement::id, &Statement::community_id, &Statement::merchant_id, &Statement::period_id,
               &Statement::period_start, &Statement::period_end, &Statement::orders_count,
               &Statement::gross_cents, &Statement::refunds_cents, &Statement::commission_cents,
               &Statement::points_cents, &Statement::net_cents, &Statement::cancelled_cents,
               &Statement::status, &Statement::closed_at, &Statement::reimbursement_txn, &Statement::paid_at,
               &Statement::paid_by, &Statement::payout_txn, &Statement::payout_reference);

constexpr char const* kInsertStatement =
    "INSERT INTO settlement_statements (community_id, merchant_id, period_id, period_start, period_end, "
    "orders_count, gross_cents, refunds_cents, commission_cents, points_cents, net_cents, cancelled_cents, status, "
    "closed_at) VALUES (:c, :m, :p, :ps, :pe, :n, :g, :r, :k, :pt, :net, :x, 'closed', :t)";
std::int64_t insert_statement(db::Tx& tx, Statement const& s) {
  std::int64_t now = tx.now_ms();
  return tx.insert("settlement_statements", kInsertStatement, use(s.community_id, "c"), use(s.merchant_id, "m"),
                   use(s.period_id, "p"), use(s.period_start, "ps"), use(s.period_end, "pe"),
                   use(s.orders_count, "n"), use(s.gross_cents, "g"), use(s.refunds_cents, "r"),
                   use(s.commission_cents, "k"), use(s.points_cents, "pt"), use(s.net_cents, "net"),
                   use(s.cancelled_cents, "x"), use(now, "t"));
}

constexpr char const* kSetReimbursement = "UPDATE settlement_statements SET reimbursement_txn = :x WHERE id = :id";
void set_reimbursement_txn(db::Tx& tx, std::int64_t sid, std::int64_t txn) {
  tx.exec(kSetReimbursement, use(txn, "x"), use(sid, "id"));
}

constexpr char const* kFindStatement =
    "SELECT " SETTLEMENT_STATEMENT_COLS " FROM settlement_statements WHERE id = :id AND community_id = :c";
std::optional<Statement> find_statement(db::Tx& tx, std::int64_t cid, std::int64_t sid) {
  return db::one(tx, kFindStatement, statement_from, use(sid, "id"), use(cid, "c"));
}

constexpr char const* kStatementsOfMerchant =
    "SELECT " SETTLEMENT_STATEMENT_COLS
    " FROM settlement_statements WHERE community_id = :c AND merchant_id = :m AND id < :b ORDER BY id DESC LIMIT :l";
std::vector<Statement> statements_of_merchant(db::Tx& tx, std::int64_t cid, std::int64_t mid, json::Page const& page) {
  return db::all(tx, kStatementsOfMerchant, statement_from, use(cid, "c"), use(mid, "m"), use(page.below(), "b"),
                 use(page.fetch(), "l"));
}

constexpr char const* kStatementsOfCommunity =
    "SELECT " SETTLEMENT_STATEMENT_COLS
    " FROM settlement_statements WHERE community_id = :c AND (:s = '' OR status = :s2) AND (:m = 0 OR merchant_id = "
    ":m2) AND id < :b ORDER BY id DESC LIMIT :l";
std::vector<Statement> statements_of_community(db::Tx& tx, std::int64_t cid, std::string const& status,
                                               std::int64_t merchant_id, json::Page const& page) {
  return db::all(tx, kStatementsOfCommunity, statement_from, use(cid, "c"), use(status, "s"), use(status, "s2"),
                 use(merchant_id, "m"), use(merchant_id, "m2"), use(page.below(), "b"), use(page.fetch(), "l"));
}

constexpr char const* kMarkPaid =
    "UPDATE settlement_statements SET status = 'paid', paid_at = :t, paid_by = :b, payout_reference = :r "
    "WHERE id = :id AND community_id = :c AND status = 'closed'";
bool mark_paid(db::Tx& tx, std::int64_t cid, std::int64_t sid, std::string const& reference, std::int64_t by) {
  std::int64_t now = tx.now_ms();
  return tx.exec(kMarkPaid, use(now, "t"), use(by, "b"), use(reference, "r"), use(sid, "id"), use(cid, "c")) == 1;
}

constexpr char const* kSetPayoutTxn = "UPDATE settlement_statements SET payout_txn = :x WHERE id = :id";
void set_payout_txn(db::Tx& tx, std::int64_t sid, std::int64_t txn) {
  tx.exec(kSetPayoutTxn, use(txn, "x"), use(sid, "id"));
}

}  // namespace courtyard::settlement::repo
