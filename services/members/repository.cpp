#include "services/members/repository.hpp"

#include "db/query.hpp"

#include <climits>

namespace courtyard::members::repo {

using soci::use;

namespace {

soci::indicator null_if(bool absent) { return absent ? soci::i_null : soci::i_ok; }

}  // namespace

// ---- ledger accounts

constexpr char const* kFindAccount =
    "SELECT id FROM members_points_accounts WHERE community_id = :c AND "
    "owner_kind = :k AND owner_id = :o";

std::optional<std::int64_t> find_account(db::Tx& tx, std::int64_t cid, std::string const& kind, std::int64_t owner_id) {
  return db::one(
      tx, kFindAccount, db::first_integer, use(cid, "c"), use(kind, "k"),
      use(owner_id, "o"));
}

// Prefixed by the backend's INSERT IGNORE.
constexpr char const* kOpenAccount =
    " INTO members_points_accounts (community_id, owner_kind, owner_id, currency, balance, allow_negative, "
    "created_at) VALUES (:c, :k, :o, 'points', 0, :n, :t)";

void open_account(db::Tx& tx, std::int64_t cid, std::string const& kind, std::int64_t owner_id, bool allow_negative) {
  int neg = allow_negative ? 1 : 0;
  std::int64_t now = tx.now_ms();
  tx.exec(std::string(db::insert_ignore(tx.backend())) + kOpenAccount, use(cid, "c"), use(kind, "k"),
          use(owner_id, "o"), use(neg, "n"), use(now, "t"));
}

constexpr char const* kLockAccount = "SELECT balance FROM members_points_accounts WHERE id = :id";

std::int64_t lock_account(db::Tx& tx, std::int64_t account_row_id) {
  return db::scalar(tx, std::string(kLockAccount) + std::string(db::for_update(tx.backend())),
                    use(account_row_id, "id"));
}

constexpr char const* kApplyDelta =
    "UPDATE members_points_accounts SET balance = balance + :d "
    "WHERE id = :id AND (allow_negative = 1 OR balance + :d2 >= 0)";

bool apply_delta(db::Tx& tx, std::int64_t account_row_id, std::int64_t delta) {
  return tx.exec(kApplyDelta, use(delta, "d"), use(account_row_id, "id"), use(delta, "d2")) == 1;
}

constexpr char const* kAccountBalance = "SELECT balance FROM members_points_accounts WHERE id = :id";

std::int64_t account_balance(db::Tx& tx, std::int64_t account_row_id) {
  return db::scalar(tx, kAccountBalance, use(account_row_id, "id"));
}

constexpr char const* kMemberBalance =
    "SELECT balance FROM members_points_accounts WHERE community_id = :c AND "
    "owner_kind = 'member' AND owner_id = :o";

std::int64_t member_balance(db::Tx& tx, std::int64_t cid, std::int64_t account_id) {
  return db::scalar(tx, kMemberBalance, use(cid, "c"), use(account_id, "o"));
}

// ---- postings and entries

constexpr char const* kInsertPosting =
    "INSERT INTO members_points_postings (community_id, account_id, currency, kind, points, source, source_ref, "
    "source_event_id, rule_id, rule_version, created_at) "
    "VALUES (:c, :a, 'points', :k, :p, :s, :r, :e, :ri, :rv, :t)";

std::int64_t insert_posting(db::Tx& tx, Posting const& p) {
  std::int64_t event = p.source_event_id.value_or(0), rule = p.rule_id.value_or(0),
               version = p.rule_version.value_or(0);
  soci::indicator ie = null_if(!p.source_event_id), ir = null_if(!p.rule_id), iv = null_if(!p.rule_version);
  return tx.insert("members_points_postings", kInsertPosting, use(p.community_id, "c"), use(p.account_id, "a"),
                   use(p.kind, "k"), use(p.points, "p"), use(p.source, "s"), use(p.source_ref, "r"),
                   use(event, ie, "e"), use(rule, ir, "ri"), use(version, iv, "rv"), use(p.created_at, "t"));
}

constexpr char const* kInsertEntry =
    "INSERT INTO members_points_entries (posting_id, account_id, community_id, currency, amount, balance_after, "
    "created_at) VALUES (:p, :a, :c, 'points', :m, :b, :t)";

void insert_entry(db::Tx& tx, std::int64_t posting_id, std::int64_t account_row_id, std::int64_t cid,
                  std::int64_t amount, std::int64_t balance_after) {
  std::int64_t now = tx.now_ms();
  tx.exec(kInsertEntry, use(posting_id, "p"), use(account_row_id, "a"), use(cid, "c"), use(amount, "m"),
          use(balance_after, "b"), use(now, "t"));
}

constexpr char const* kPostedForEvent =
    "SELECT COUNT(*) FROM members_points_postings WHERE source_event_id = :e "
    "AND account_id = :a";

bool posted_for_event(db::Tx& tx, std::int64_t event_id, std::int64_t account_id) {
  return db::scalar(tx, kPostedForEvent, use(event_id, "e"), use(account_id, "a")) > 0;
}

constexpr char const* kPostedForSource =
    "SELECT COUNT(*) FROM members_points_postings WHERE community_id = :c AND source = :s AND source_ref = :r AND "
    "account_id = :a";

bool posted_for_source(db::Tx& tx, std::int64_t cid, std::string const& source, std::string const& ref,
                       std::int64_t account_id) {
  return db::scalar(tx, kPostedForSource, use(cid, "c"), use(source, "s"), use(ref, "r"), use(account_id, "a")) > 0;
}

constexpr char const* kPostingForSource =
    "SELECT id FROM members_points_postings WHERE community_id = :c AND source = :s AND source_ref = :r AND "
    "account_id = :a";

std::optional<std::int64_t> posting_for_source(db::Tx& tx, std::int64_t cid, std::string const& source,
                                               std::string const& ref, std::int64_t account_id) {
  return db::one(
      tx, kPostingForSource, db::first_integer, use(cid, "c"),
      use(source, "s"), use(ref, "r"), use(account_id, "a"));
}

// ---- what each debit took from which lot

constexpr char const* kInsertDebitLot =
    "INSERT INTO members_debit_lots (posting_id, lot_id, seq, points, restored) VALUES (:p, :l, :q, :n, 0)";

void insert_debit_lot(db::Tx& tx, std::int64_t posting_id, std::int64_t lot_id, int seq, std::int64_t points) {
  tx.exec(kInsertDebitLot, use(posting_id, "p"), use(lot_id, "l"), use(seq, "q"), use(points, "n"));
}

constexpr char const* kDebitLots =
    "SELECT d.lot_id, d.points, d.restored, l.earned_at, l.expires_at FROM members_debit_lots d "
    "JOIN members_points_lots l ON l.id = d.lot_id WHERE d.posting_id = :p ORDER BY d.seq";

std::vector<DebitLot> debit_lots(db::Tx& tx, std::int64_t posting_id) {
  return db::all(
      tx, kDebitLots,
      db::fields(&DebitLot::lot_id, &DebitLot::points, &DebitLot::restored, &DebitLot::earned_at,
                 &DebitLot::expires_at),
      use(posting_id, "p"));
}

constexpr char const* kRestoreDebitLot =
    "UPDATE members_debit_lots SET restored = restored + :n WHERE posting_id = :p AND lot_id = :l "
    "AND restored + :n2 <= points";

bool restore_debit_lot(db::Tx& tx, std::int64_t posting_id, std::int64_t lot_id, std::int64_t n) {
  return tx.exec(kRestoreDebitLot, use(n, "n"), use(posting_id, "p"), use(lot_id, "l"), use(n, "n2")) == 1;
}

#define MEMBERS_POSTING_COLS                                         \
  "id, community_id, account_id, kind, points, source, source_ref, " \
  "source_event_id, rule_id, rule_version, created_at"

namespace {

constexpr auto posting_from =
    db::fields(&Posting::id, &Posting::community_id, &Posting::account_id, &Posting::kind, &Posting::points,
               &Posting::source, &Posting::source_ref, &Posting::source_event_id, &Posting::rule_id,
               &Posting::rule_version, &Posting::created_at);

}  // namespace

constexpr char const* kPostings = "SELECT " MEMBERS_POSTING_COLS
                                  " FROM members_points_postings "
                                  "WHERE community_id = :c AND account_id = :a AND id < :b ORDER BY id DESC "
                                  "LIMIT :l";

std::vector<Posting> postings(db::Tx& tx, std::int64_t cid, std::int64_t account_id, json::Page const& page) {
  return db::all(tx, kPostings, posting_from, use(cid, "c"), use(account_id, "a"), use(page.below(), "b"),
                 use(page.fetch(), "l"));
}

constexpr char const* kAllPostings =
    "SELECT " MEMBERS_POSTING_COLS " FROM members_points_postings WHERE account_id = :a ORDER BY id";

std::vector<Posting> all_postings(db::Tx& tx, std::int64_t account_id) {
  return db::all(tx, kAllPostings, posting_from, use(account_id, "a"));
}

// ---- lots

#define MEMBERS_LOT_COLS                                                     \
  "id, community_id, account_id, posting_id, points, remaining, earned_at, " \
  "expires_at"

namespace {

constexpr auto lot_from =
    db::fields(&Lot::id, &Lot::community_id, &Lot::account_id, &Lot::posting_id, &Lot::points,
               &Lot::remaining, &Lot::earned_at, &Lot::expires_at);

}  // namespace

constexpr char const* kInsertLot =
    "INSERT INTO members_points_lots (community_id, account_id, posting_id, points, remaining, earned_at, "
    "expires_at, noticed) VALUES (:c, :a, :p, :n, :r, :e, :x, 0)";

std::int64_t insert_lot(db::Tx& tx, Lot const& l) {
  std::int64_t expires = l.expires_at.value_or(0);
  soci::indicator ix = null_if(!l.expires_at);
  return tx.insert("members_points_lots", kInsertLot, use(l.community_id, "c"), use(l.account_id, "a"),
                   use(l.posting_id, "p"), use(l.points, "n"), use(l.remaining, "r"), use(l.earned_at, "e"),
                   use(expires, ix, "x"));
}

constexpr char const* kOpenLots = "SELECT " MEMBERS_LOT_COLS
                                  " FROM members_points_lots "
                                  "WHERE community_id = :c AND account_id = :a AND remaining > 0 ORDER BY "
                                  "earned_at, id";

std::vector<Lot> open_lots(db::Tx& tx, std::int64_t cid, std::int64_t account_id) {
  return db::all(tx, kOpenLots, lot_from, use(cid, "c"), use(account_id, "a"));
}

constexpr char const* kTakeFromLot =
    "UPDATE members_points_lots SET remaining = remaining - :n WHERE id = :id "
    "AND remaining >= :n2";

bool take_from_lot(db::Tx& tx, std::int64_t lot_id, std::int64_t n) {
  return tx.exec(kTakeFromLot, use(n, "n"), use(lot_id, "id"), use(n, "n2")) == 1;
}

constexpr char const* kLotRemaining = "SELECT remaining FROM members_points_lots WHERE id = :id";

std::int64_t lot_remaining(db::Tx& tx, std::int64_t lot_id) { return db::scalar(tx, kLotRemaining, use(lot_id, "id")); }

constexpr char const* kDueLots = "SELECT " MEMBERS_LOT_COLS
                                 " FROM members_points_lots "
                                 "WHERE expires_at IS NOT NULL AND expires_at <= :n AND remaining > 0 ORDER "
                                 "BY expires_at, id LIMIT :l";

std::vector<Lot> due_lots(db::Tx& tx, std::int64_t now, int limit) {
  return db::all(tx, kDueLots, lot_from, use(now, "n"), use(limit, "l"));
}

constexpr char const* kLotsToAnnounce =
    "SELECT l.id, l.community_id, l.account_id, l.posting_id, l.points, l.remaining, l.earned_at, l.expires_at "
    "FROM members_points_lots l LEFT JOIN members_programs p ON p.community_id = l.community_id "
    "WHERE l.noticed = 0 AND l.remaining > 0 AND l.expires_at IS NOT NULL AND l.expires_at > :n "
    "AND l.expires_at <= :n2 + COALESCE(p.notice_days, :d) * 86400000 "
    "ORDER BY l.community_id, l.account_id, l.expires_at LIMIT :l";

std::vector<Lot> lots_to_announce(db::Tx& tx, std::int64_t now, int limit) {
  int fallback = logic::kDefaultNoticeDays;
  return db::all(tx, kLotsToAnnounce, lot_from, use(now, "n"), use(now, "n2"), use(fallback, "d"), use(limit, "l"));
}

constexpr char const* kMarkAnnounced = "UPDATE members_points_lots SET noticed = 1 WHERE id = :id AND noticed = 0";

bool mark_announced(db::Tx& tx, std::int64_t lot_id) { return tx.exec(kMarkAnnounced, use(lot_id, "id")) == 1; }

constexpr char const* kAllLots =
    "SELECT " MEMBERS_LOT_COLS " FROM members_points_lots WHERE account_id = :a ORDER BY id";

std::vector<Lot> all_lots(db::Tx& tx, std::int64_t account_id) {
  return db::all(tx, kAllLots, lot_from, use(account_id, "a"));
}

// ---- programme

constexpr char const* kProgram =
    "SELECT expiry_days, notice_days, updated_at, cents_per_point, max_share_pct, points_on_bills "
    "FROM members_programs WHERE community_id = :c";

Program program(db::Tx& tx, std::int64_t cid) {
  auto p = db::one(
      tx, kProgram,
      [](db::Row const& r) {
        db::Cols c(r);
        Program p;
        c.into(p.expiry_days, p.notice_days);
        p.updated_at = c.integer();
        c.into(p.spend.cents_per_point, p.spend.max_share_pct, p.points_on_bills);
        return p;
      },
      use(cid, "c"));
  return p.value_or(Program{});
}

constexpr char const* kInsertProgram =
    " INTO members_programs (community_id, expiry_days, notice_days, updated_at, updated_by) "
    "VALUES (:c, :e, :n, :t, :b)";
constexpr char const* kUpdateProgram =
    "UPDATE members_programs SET expiry_days = :e, notice_days = :n, updated_at = :t, updated_by = :b, "
    "cents_per_point = :r, max_share_pct = :s, points_on_bills = :pb WHERE community_id = :c";

void save_program(db::Tx& tx, std::int64_t cid, Program const& p, std::int64_t by) {
  std::int64_t now = tx.now_ms();
  int bills = p.points_on_bills ? 1 : 0;
  tx.exec(std::string(db::insert_ignore(tx.backend())) + kInsertProgram, use(cid, "c"), use(p.expiry_days, "e"),
          use(p.notice_days, "n"), use(now, "t"), use(by, "b"));
  tx.exec(kUpdateProgram, use(p.expiry_days, "e"), use(p.notice_days, "n"), use(now, "t"), use(by, "b"),
          use(p.spend.cents_per_point, "r"), use(p.spend.max_share_pct, "s"), use(bills, "pb"), use(cid, "c"));
}

// ---- earn rules

#define MEMBERS_RULE_COLS "id, kind, version, points, multiplier_pct, daily_cap, enabled"

namespace {

logic::Rule rule_from(db::Row const& r) {
  db::Cols c(r);
  logic::Rule rule;
  rule.id = c.integer();
  rule.kind = logic::parse_kind(c.text()).value_or(logic::EarnKind::BillPaidOnTime);
  c.into(rule.version, rule.points, rule.multiplier_pct, rule.daily_cap, rule.enabled);
  return rule;
}

constexpr char const* kRuleMerchants =
    "SELECT merchant_id, multiplier_pct FROM members_rule_merchants WHERE "
    "rule_id = :r ORDER BY merchant_id";

void load_merchants(db::Tx& tx, logic::Rule& rule) {
  db::each(
      tx, kRuleMerchants,
      [&](db::Row const& r) {
        db::Cols c(r);
        auto mid = c.integer();
        rule.merchant_multipliers[mid] = static_cast<int>(c.integer());
      },
      use(rule.id, "r"));
}

}  // namespace

constexpr char const* kRuleInEffect = "SELECT " MEMBERS_RULE_COLS
                                      " FROM members_earn_rules "
                                      "WHERE community_id = :c AND kind = :k AND effective_from <= :t ORDER BY "
                                      "version DESC LIMIT 1";

std::optional<logic::Rule> rule_in_effect(db::Tx& tx, std::int64_t cid, logic::EarnKind kind, std::int64_t at_ms) {
  std::string k(logic::kind_name(kind));
  auto rule = db::one(tx, kRuleInEffect, rule_from, use(cid, "c"), use(k, "k"), use(at_ms, "t"));
  if (rule) load_merchants(tx, *rule);
  return rule;
}

constexpr char const* kCurrentRules = "SELECT " MEMBERS_RULE_COLS
                                      " FROM members_earn_rules r WHERE community_id = :c AND version = "
                                      "(SELECT MAX(version) FROM members_earn_rules r2 WHERE r2.community_id = "
                                      "r.community_id AND r2.kind = r.kind) "
                                      "ORDER BY kind";

std::vector<logic::Rule> current_rules(db::Tx& tx, std::int64_t cid) {
  auto rules = db::all(tx, kCurrentRules, rule_from, use(cid, "c"));
  for (auto& r : rules) load_merchants(tx, r);
  return rules;
}

constexpr char const* kNextVersion =
    "SELECT COALESCE(MAX(version), 0) + 1 FROM members_earn_rules WHERE "
    "community_id = :c AND kind = :k";
constexpr char const* kInsertRule =
    "INSERT INTO members_earn_rules (community_id, kind, version, points, multiplier_pct, daily_cap, enabled, "
    "effective_from, created_by) VALUES (:c, :k, :v, :p, :m, :d, :e, :f, :b)";
constexpr char const* kInsertRuleMerchant =
    "INSERT INTO members_rule_merchants (rule_id, merchant_id, multiplier_pct) "
    "VALUES (:r, :m, :p)";

logic::Rule insert_rule(db::Tx& tx, std::int64_t cid, logic::Rule rule, std::int64_t effective_from, std::int64_t by) {
  std::string k(logic::kind_name(rule.kind));
  rule.version = static_cast<int>(db::scalar(tx, kNextVersion, use(cid, "c"), use(k, "k")));
  int enabled = rule.enabled ? 1 : 0;
  rule.id = tx.insert("members_earn_rules", kInsertRule, use(cid, "c"), use(k, "k"), use(rule.version, "v"),
                      use(rule.points, "p"), use(rule.multiplier_pct, "m"), use(rule.daily_cap, "d"), use(enabled, "e"),
                      use(effective_from, "f"), use(by, "b"));
  for (auto const& [mid, pct] : rule.merchant_multipliers) {
    std::int64_t m = mid;
    int p = pct;
    tx.exec(kInsertRuleMerchant, use(rule.id, "r"), use(m, "m"), use(p, "p"));
  }
  return rule;
}

constexpr char const* kRuleEffectiveFrom = "SELECT effective_from FROM members_earn_rules WHERE id = :id";

std::optional<std::int64_t> rule_effective_from(db::Tx& tx, std::int64_t rule_id) {
  return db::one(tx, kRuleEffectiveFrom, db::first_integer, use(rule_id, "id"));
}

// ---- daily caps and monthly earnings

constexpr char const* kEnsureDaily =
    " INTO members_daily_earnings (community_id, account_id, kind, day, "
    "points) VALUES (:c, :a, :k, :d, 0)";
constexpr char const* kLockDaily =
    "SELECT points FROM members_daily_earnings WHERE community_id = :c AND "
    "account_id = :a AND kind = :k AND day = :d";
constexpr char const* kAddDaily =
    "UPDATE members_daily_earnings SET points = points + :p "
    "WHERE community_id = :c AND account_id = :a AND kind = :k AND day = :d";

std::int64_t lock_daily(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::string const& kind,
                        std::int64_t day) {
  tx.exec(std::string(db::insert_ignore(tx.backend())) + kEnsureDaily, use(cid, "c"), use(account_id, "a"),
          use(kind, "k"), use(day, "d"));
  return db::scalar(tx, std::string(kLockDaily) + std::string(db::for_update(tx.backend())), use(cid, "c"),
                    use(account_id, "a"), use(kind, "k"), use(day, "d"));
}

void add_daily(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::string const& kind, std::int64_t day,
               std::int64_t points) {
  tx.exec(kAddDaily, use(points, "p"), use(cid, "c"), use(account_id, "a"), use(kind, "k"), use(day, "d"));
}

constexpr char const* kEnsureMonth =
    " INTO members_earn_months (community_id, account_id, month, points) "
    "VALUES (:c, :a, :m, 0)";
constexpr char const* kAddMonth =
    "UPDATE members_earn_months SET points = points + :p WHERE community_id = "
    ":c AND account_id = :a AND month = :m";

void add_month(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::int64_t month, std::int64_t points) {
  tx.exec(std::string(db::insert_ignore(tx.backend())) + kEnsureMonth, use(cid, "c"), use(account_id, "a"),
          use(month, "m"));
  tx.exec(kAddMonth, use(points, "p"), use(cid, "c"), use(account_id, "a"), use(month, "m"));
}

constexpr char const* kEarnedBetween =
    "SELECT COALESCE(SUM(points), 0) FROM members_earn_months "
    "WHERE community_id = :c AND account_id = :a AND month >= :f AND month <= "
    ":t";

std::int64_t earned_between(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::int64_t from_month,
                            std::int64_t to_month) {
  return db::scalar(tx, kEarnedBetween, use(cid, "c"), use(account_id, "a"), use(from_month, "f"), use(to_month, "t"));
}

// ---- tiers and member status

constexpr char const* kTiers =
    "SELECT id, name, threshold, discount_pct, earn_multiplier_pct FROM members_tiers "
    "WHERE community_id = :c ORDER BY threshold";

std::vector<logic::Tier> tiers(db::Tx& tx, std::int64_t cid) {
  return db::all(
      tx, kTiers,
      db::fields(&logic::Tier::id, &logic::Tier::name, &logic::Tier::threshold, &logic::Tier::discount_pct,
                 &logic::Tier::earn_multiplier_pct),
      use(cid, "c"));
}

constexpr char const* kDeleteTier = "DELETE FROM members_tiers WHERE community_id = :c AND id = :id";
constexpr char const* kUpdateTier =
    "UPDATE members_tiers SET threshold = :t, discount_pct = :d, earn_multiplier_pct = :m "
    "WHERE community_id = :c AND id = :id";
constexpr char const* kInsertTier =
    "INSERT INTO members_tiers (community_id, name, threshold, discount_pct, earn_multiplier_pct) "
    "VALUES (:c, :n, :t, :d, :m)";

std::vector<std::int64_t> replace_tiers(db::Tx& tx, std::int64_t cid, std::vector<logic::Tier> const& wanted) {
  std::vector<std::int64_t> removed;
  auto existing = tiers(tx, cid);
  for (auto const& old : existing) {
    bool kept = false;
    for (auto const& w : wanted) kept = kept || w.name == old.name;
    if (!kept) {
      tx.exec(kDeleteTier, use(cid, "c"), use(old.id, "id"));
      removed.push_back(old.id);
    }
  }
  for (auto const& w : wanted) {
    std::optional<std::int64_t> id;
    for (auto const& old : existing)
      if (old.name == w.name) id = old.id;
    if (id)
      tx.exec(kUpdateTier, use(w.threshold, "t"), use(w.discount_pct, "d"), use(w.earn_multiplier_pct, "m"),
              use(cid, "c"), use(*id, "id"));
    else
      tx.exec(kInsertTier, use(cid, "c"), use(w.name, "n"), use(w.threshold, "t"), use(w.discount_pct, "d"),
              use(w.earn_multiplier_pct, "m"));
  }
  return removed;
}

#define MEMBERS_STATUS_COLS "community_id, account_id, tier_id, review_month, updated_at"

namespace {

constexpr auto status_from =
    db::fields(&Status::community_id, &Status::account_id, &Status::tier_id, &Status::review_month,
               &Status::updated_at);

}  // namespace

constexpr char const* kStatus =
    "SELECT " MEMBERS_STATUS_COLS " FROM members_status WHERE community_id = :c AND account_id = :a";

std::optional<Status> status(db::Tx& tx, std::int64_t cid, std::int64_t account_id) {
  return db::one(tx, kStatus, status_from, use(cid, "c"), use(account_id, "a"));
}

std::vector<Status> statuses(db::Tx& tx, std::int64_t cid, std::vector<std::int64_t> const& account_ids) {
  db::Query q("SELECT " MEMBERS_STATUS_COLS " FROM members_status WHERE community_id = ");
  q.value(cid).sql(" AND account_id IN (").values(account_ids).sql(")");
  return q.all(tx, status_from);
}

constexpr char const* kEnsureStatus =
    " INTO members_status (community_id, account_id, tier_id, review_month, "
    "updated_at) VALUES (:c, :a, NULL, :m, :t)";

void ensure_status(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::int64_t month, std::int64_t now) {
  tx.exec(std::string(db::insert_ignore(tx.backend())) + kEnsureStatus, use(cid, "c"), use(account_id, "a"),
          use(month, "m"), use(now, "t"));
}

constexpr char const* kSetTier =
    "UPDATE members_status SET tier_id = :tier, updated_at = :t WHERE "
    "community_id = :c AND account_id = :a";

void set_tier(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::optional<std::int64_t> tier_id,
              std::int64_t now) {
  std::int64_t tier = tier_id.value_or(0);
  soci::indicator it = null_if(!tier_id);
  tx.exec(kSetTier, use(tier, it, "tier"), use(now, "t"), use(cid, "c"), use(account_id, "a"));
}

constexpr char const* kDueReviews = "SELECT " MEMBERS_STATUS_COLS
                                    " FROM members_status WHERE review_month < :m AND tier_id IS NOT NULL "
                                    "ORDER BY community_id, account_id LIMIT :l";

std::vector<Status> due_reviews(db::Tx& tx, std::int64_t month, int limit) {
  return db::all(tx, kDueReviews, status_from, use(month, "m"), use(limit, "l"));
}

constexpr char const* kReview =
    "UPDATE members_status SET review_month = :m, tier_id = :tier, updated_at = :t "
    "WHERE community_id = :c AND account_id = :a AND review_month = :old";

bool review(db::Tx& tx, Status const& s, std::int64_t month, std::optional<std::int64_t> tier_id, std::int64_t now) {
  std::int64_t tier = tier_id.value_or(0);
  soci::indicator it = null_if(!tier_id);
  return tx.exec(kReview, use(month, "m"), use(tier, it, "tier"), use(now, "t"), use(s.community_id, "c"),
                 use(s.account_id, "a"), use(s.review_month, "old")) == 1;
}

std::vector<Status> holding_tiers(db::Tx& tx, std::int64_t cid, std::vector<std::int64_t> const& tier_ids) {
  db::Query q("SELECT " MEMBERS_STATUS_COLS " FROM members_status WHERE community_id = ");
  q.value(cid).sql(" AND tier_id IN (").values(tier_ids).sql(") ORDER BY account_id");
  return q.all(tx, status_from);
}

constexpr char const* kAllStatuses =
    "SELECT " MEMBERS_STATUS_COLS " FROM members_status WHERE account_id = :a ORDER BY community_id";

std::vector<Status> all_statuses(db::Tx& tx, std::int64_t account_id) {
  return db::all(tx, kAllStatuses, status_from, use(account_id, "a"));
}

constexpr char const* kMembers =
    "SELECT owner_id, balance FROM members_points_accounts "
    "WHERE community_id = :c AND owner_kind = 'member' AND owner_id > :after "
    "ORDER BY owner_id LIMIT :l";

std::vector<MemberRow> members(db::Tx& tx, std::int64_t cid, json::Page const& page) {
  return db::all(
      tx, kMembers,
      db::fields(&MemberRow::id, &MemberRow::balance),
      use(cid, "c"), use(page.above(), "after"), use(page.fetch(), "l"));
}

// ---- consent

constexpr char const* kConsents =
    "SELECT purpose, granted FROM members_consents WHERE account_id = :a ORDER "
    "BY purpose";

std::vector<std::pair<std::string, bool>> consents(db::Tx& tx, std::int64_t account_id) {
  return db::all(
      tx, kConsents,
      [](db::Row const& r) {
        db::Cols c(r);
        auto purpose = c.text();
        return std::pair<std::string, bool>(purpose, c.boolean());
      },
      use(account_id, "a"));
}

constexpr char const* kInsertConsent =
    " INTO members_consents (account_id, purpose, granted, updated_at) VALUES "
    "(:a, :p, :g, :t)";
constexpr char const* kUpdateConsent =
    "UPDATE members_consents SET granted = :g, updated_at = :t WHERE "
    "account_id = :a AND purpose = :p";

void set_consent(db::Tx& tx, std::int64_t account_id, std::string const& purpose, bool granted, std::int64_t now) {
  int g = granted ? 1 : 0;
  tx.exec(std::string(db::insert_ignore(tx.backend())) + kInsertConsent, use(account_id, "a"), use(purpose, "p"),
          use(g, "g"), use(now, "t"));
  tx.exec(kUpdateConsent, use(g, "g"), use(now, "t"), use(account_id, "a"), use(purpose, "p"));
}

// ---- member facts

constexpr char const* kClaimFactEvent = " INTO members_fact_events (subscriber, event_id) VALUES (:s, :e)";

bool claim_fact_event(db::Tx& tx, std::string const& subscriber, std::int64_t event_id) {
  return tx.exec(std::string(db::insert_ignore(tx.backend())) + kClaimFactEvent, use(subscriber, "s"),
                 use(event_id, "e")) == 1;
}

constexpr char const* kEnsureFact =
    " INTO members_facts (community_id, account_id, building_id, last_order_at, updated_at) "
    "VALUES (:c, :a, :b, NULL, :t)";
constexpr char const* kSetFactBuilding =
    "UPDATE members_facts SET building_id = :b, updated_at = :t WHERE community_id = :c AND account_id = :a "
    "AND building_id <> :b2";

void ensure_fact(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::int64_t building_id) {
  std::int64_t now = tx.now_ms();
  tx.exec(std::string(db::insert_ignore(tx.backend())) + kEnsureFact, use(cid, "c"), use(account_id, "a"),
          use(building_id, "b"), use(now, "t"));
  if (building_id > 0)
    tx.exec(kSetFactBuilding, use(building_id, "b"), use(now, "t"), use(cid, "c"), use(account_id, "a"),
            use(building_id, "b2"));
}

constexpr char const* kHasFact = "SELECT COUNT(*) FROM members_facts WHERE community_id = :c AND account_id = :a";

bool has_fact(db::Tx& tx, std::int64_t cid, std::int64_t account_id) {
  return db::scalar(tx, kHasFact, use(cid, "c"), use(account_id, "a")) > 0;
}

constexpr char const* kLockFact = "SELECT account_id FROM members_facts WHERE community_id = :c AND account_id = :a";

void lock_fact(db::Tx& tx, std::int64_t cid, std::int64_t account_id) {
  db::scalar(tx, std::string(kLockFact) + std::string(db::for_update(tx.backend())), use(cid, "c"),
             use(account_id, "a"));
}

constexpr char const* kNoteLastOrder =
    "UPDATE members_facts SET last_order_at = :t, updated_at = :u WHERE community_id = :c AND account_id = :a "
    "AND (last_order_at IS NULL OR last_order_at < :t2)";

void note_last_order(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::int64_t at) {
  std::int64_t now = tx.now_ms();
  tx.exec(kNoteLastOrder, use(at, "t"), use(now, "u"), use(cid, "c"), use(account_id, "a"), use(at, "t2"));
}

// Counters are opened at zero (a racing opener is fine), then added to: two statements that
// are correct on both backends without an upsert dialect. Spend goes to the day's row and
// to its 30-day period's (logic::period_of), which long segment windows read.
struct SpendTable {
  char const* open;
  char const* add;
};
constexpr SpendTable kSpendDay{
    " INTO members_fact_spend (community_id, category, day, account_id, cents) VALUES (:c, :k, :d, :a, 0)",
    "UPDATE members_fact_spend SET cents = cents + :n WHERE community_id = :c AND category = :k AND day = :d "
    "AND account_id = :a"};
constexpr SpendTable kSpendPeriod{
    " INTO members_fact_spend_period (community_id, category, period_day, account_id, cents) "
    "VALUES (:c, :k, :d, :a, 0)",
    "UPDATE members_fact_spend_period SET cents = cents + :n WHERE community_id = :c AND category = :k "
    "AND period_day = :d AND account_id = :a"};

void add_spend(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::string const& category, std::int64_t day,
               std::int64_t cents) {
  for (auto [table, d] : {std::pair{kSpendDay, day}, std::pair{kSpendPeriod, logic::period_of(day)}}) {
    tx.exec(std::string(db::insert_ignore(tx.backend())) + table.open, use(cid, "c"), use(category, "k"),
            use(d, "d"), use(account_id, "a"));
    tx.exec(table.add, use(cents, "n"), use(cid, "c"), use(category, "k"), use(d, "d"), use(account_id, "a"));
  }
}

constexpr char const* kOpenCustomer =
    " INTO members_fact_customers (community_id, merchant_id, account_id, orders, cents, last_order_at) "
    "VALUES (:c, :m, :a, 0, 0, 0)";
constexpr char const* kAddCustomer =
    "UPDATE members_fact_customers SET orders = orders + 1, cents = cents + :n, "
    "last_order_at = CASE WHEN last_order_at < :t THEN :t2 ELSE last_order_at END "
    "WHERE community_id = :c AND merchant_id = :m AND account_id = :a";

void note_customer(db::Tx& tx, std::int64_t cid, std::int64_t merchant_id, std::int64_t account_id, std::int64_t at,
                   std::int64_t cents) {
  tx.exec(std::string(db::insert_ignore(tx.backend())) + kOpenCustomer, use(cid, "c"), use(merchant_id, "m"),
          use(account_id, "a"));
  tx.exec(kAddCustomer, use(cents, "n"), use(at, "t"), use(at, "t2"), use(cid, "c"), use(merchant_id, "m"),
          use(account_id, "a"));
}

constexpr SpendTable kMerchantSpendDay{
    " INTO members_fact_merchant_spend (community_id, merchant_id, category, day, account_id, cents) "
    "VALUES (:c, :m, :k, :d, :a, 0)",
    "UPDATE members_fact_merchant_spend SET cents = cents + :n WHERE community_id = :c AND merchant_id = :m "
    "AND category = :k AND day = :d AND account_id = :a"};
constexpr SpendTable kMerchantSpendPeriod{
    " INTO members_fact_merchant_spend_period (community_id, merchant_id, category, period_day, account_id, cents) "
    "VALUES (:c, :m, :k, :d, :a, 0)",
    "UPDATE members_fact_merchant_spend_period SET cents = cents + :n WHERE community_id = :c AND merchant_id = :m "
    "AND category = :k AND period_day = :d AND account_id = :a"};

void add_merchant_spend(db::Tx& tx, std::int64_t cid, std::int64_t merchant_id, std::int64_t account_id,
                        std::string const& category, std::int64_t day, std::int64_t cents) {
  for (auto [table, d] : {std::pair{kMerchantSpendDay, day}, std::pair{kMerchantSpendPeriod, logic::period_of(day)}}) {
    tx.exec(std::string(db::insert_ignore(tx.backend())) + table.open, use(cid, "c"), use(merchant_id, "m"),
            use(category, "k"), use(d, "d"), use(account_id, "a"));
    tx.exec(table.add, use(cents, "n"), use(cid, "c"), use(merchant_id, "m"), use(category, "k"), use(d, "d"),
            use(account_id, "a"));
  }
}

constexpr char const* kAddOverdue =
    " INTO members_fact_overdue (community_id, account_id, bill_id) VALUES (:c, :a, :b)";
constexpr char const* kClearOverdue = "DELETE FROM members_fact_overdue WHERE community_id = :c AND bill_id = :b";

void add_overdue(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::int64_t bill_id) {
  tx.exec(std::string(db::insert_ignore(tx.backend())) + kAddOverdue, use(cid, "c"), use(account_id, "a"),
          use(bill_id, "b"));
}

void clear_overdue(db::Tx& tx, std::int64_t cid, std::int64_t bill_id) {
  tx.exec(kClearOverdue, use(cid, "c"), use(bill_id, "b"));
}

constexpr char const* kAddClub = " INTO members_fact_clubs (community_id, club_id, account_id) VALUES (:c, :k, :a)";

void add_club(db::Tx& tx, std::int64_t cid, std::int64_t club_id, std::int64_t account_id) {
  tx.exec(std::string(db::insert_ignore(tx.backend())) + kAddClub, use(cid, "c"), use(club_id, "k"),
          use(account_id, "a"));
}

constexpr char const* kAddTag =
    " INTO members_fact_tags (community_id, tag, account_id, created_by, created_at) VALUES (:c, :g, :a, :b, :t)";
constexpr char const* kRemoveTag =
    "DELETE FROM members_fact_tags WHERE community_id = :c AND tag = :g AND account_id = :a";
constexpr char const* kTagsOf =
    "SELECT tag FROM members_fact_tags WHERE community_id = :c AND account_id = :a ORDER BY tag";

void add_tag(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::string const& tag, std::int64_t by) {
  std::int64_t now = tx.now_ms();
  tx.exec(std::string(db::insert_ignore(tx.backend())) + kAddTag, use(cid, "c"), use(tag, "g"),
          use(account_id, "a"), use(by, "b"), use(now, "t"));
}

bool remove_tag(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::string const& tag) {
  return tx.exec(kRemoveTag, use(cid, "c"), use(tag, "g"), use(account_id, "a")) > 0;
}

std::vector<std::string> tags_of(db::Tx& tx, std::int64_t cid, std::int64_t account_id) {
  return db::all(tx, kTagsOf, db::first_text, use(cid, "c"), use(account_id, "a"));
}

constexpr char const* kAllTags =
    "SELECT community_id, tag FROM members_fact_tags WHERE account_id = :a ORDER BY community_id, tag";

std::vector<std::pair<std::int64_t, std::string>> all_tags(db::Tx& tx, std::int64_t account_id) {
  return db::all(
      tx, kAllTags,
      [](db::Row const& r) {
        db::Cols c(r);
        auto cid = c.integer();
        return std::pair<std::int64_t, std::string>(cid, c.text());
      },
      use(account_id, "a"));
}

// The fact tables, each keyed by (…, account_id).
constexpr char const* kEraseFacts[] = {
    "DELETE FROM members_facts WHERE account_id = :a",
    "DELETE FROM members_fact_spend WHERE account_id = :a",
    "DELETE FROM members_fact_merchant_spend WHERE account_id = :a",
    "DELETE FROM members_fact_spend_period WHERE account_id = :a",
    "DELETE FROM members_fact_merchant_spend_period WHERE account_id = :a",
    "DELETE FROM members_fact_customers WHERE account_id = :a",
    "DELETE FROM members_fact_overdue WHERE account_id = :a",
    "DELETE FROM members_fact_clubs WHERE account_id = :a",
    "DELETE FROM members_fact_tags WHERE account_id = :a",
};

std::int64_t erase_facts(db::Tx& tx, std::int64_t account_id) {
  std::int64_t n = 0;
  for (auto const* sql : kEraseFacts) n += tx.exec(sql, use(account_id, "a"));
  return n;
}

// ---- segments

#define MEMBERS_SEGMENT_COLS "id, community_id, merchant_id, name, rule, created_by, created_at, updated_at"

namespace {

constexpr auto segment_from =
    db::fields(&Segment::id, &Segment::community_id, &Segment::merchant_id, &Segment::name, &Segment::rule,
               &Segment::created_by, &Segment::created_at, &Segment::updated_at);

}  // namespace

constexpr char const* kInsertSegment =
    "INSERT INTO members_segments (community_id, merchant_id, name, rule, created_by, created_at, updated_at) "
    "VALUES (:c, :m, :n, :r, :b, :t, :t2)";

std::int64_t insert_segment(db::Tx& tx, Segment const& s) {
  std::int64_t now = tx.now_ms();
  return tx.insert("members_segments", kInsertSegment, use(s.community_id, "c"), use(s.merchant_id, "m"),
                   use(s.name, "n"), use(s.rule, "r"), use(s.created_by, "b"), use(now, "t"), use(now, "t2"));
}

constexpr char const* kFindSegment = "SELECT " MEMBERS_SEGMENT_COLS
                                     " FROM members_segments WHERE id = :id AND community_id = :c AND merchant_id = :m";

std::optional<Segment> find_segment(db::Tx& tx, std::int64_t cid, std::int64_t merchant_id, std::int64_t id) {
  return db::one(tx, kFindSegment, segment_from, use(id, "id"), use(cid, "c"), use(merchant_id, "m"));
}

constexpr char const* kListSegments =
    "SELECT " MEMBERS_SEGMENT_COLS
    " FROM members_segments WHERE community_id = :c AND merchant_id = :m AND id > :after ORDER BY id LIMIT :l";

std::vector<Segment> list_segments(db::Tx& tx, std::int64_t cid, std::int64_t merchant_id, json::Page const& page) {
  return db::all(tx, kListSegments, segment_from, use(cid, "c"), use(merchant_id, "m"), use(page.above(), "after"),
                 use(page.fetch(), "l"));
}

constexpr char const* kUpdateSegment =
    "UPDATE members_segments SET name = :n, rule = :r, updated_at = :t WHERE id = :id AND community_id = :c "
    "AND merchant_id = :m";

bool update_segment(db::Tx& tx, Segment const& s) {
  std::int64_t now = tx.now_ms();
  return tx.exec(kUpdateSegment, use(s.name, "n"), use(s.rule, "r"), use(now, "t"), use(s.id, "id"),
                 use(s.community_id, "c"), use(s.merchant_id, "m")) == 1;
}

namespace {

// FROM and WHERE of a segment: the community's residents with facts (a manager's), or the
// merchant's own customers among them; every condition a bound filter on maintained tables.
void segment_where(db::Query& q, SegmentQuery const& s) {
  auto const& r = s.rule;
  std::int64_t cid = s.community_id;
  if (s.merchant_id > 0) {
    q.sql(" FROM members_fact_customers m JOIN members_facts f ON f.community_id = m.community_id "
          "AND f.account_id = m.account_id WHERE m.community_id = ")
        .value(cid)
        .sql(" AND m.merchant_id = ")
        .value(s.merchant_id);
  } else {
    q.sql(" FROM members_facts f WHERE f.community_id = ").value(cid);
  }
  if (r.buildings) q.sql(" AND f.building_id IN (").values(*r.buildings).sql(")");
  if (r.last_order_within_days) {
    std::int64_t since = s.now - std::int64_t(*r.last_order_within_days) * logic::kDayMs;
    q.sql(s.merchant_id > 0 ? " AND m.last_order_at >= " : " AND f.last_order_at >= ").value(since);
  }
  // A member's spend in the window: the days before its first whole period, then the whole
  // periods (logic::spend_window), summed per member.
  bool merchant = s.merchant_id > 0;
  auto spend_rows = [&](char const* table, char const* day_col, logic::CategorySpend const& c) {
    q.sql(" SELECT account_id, cents FROM ").sql(table).sql(" WHERE community_id = ").value(cid);
    if (merchant) q.sql(" AND merchant_id = ").value(s.merchant_id);
    q.sql(" AND category = ").value(c.category).sql(" AND ").sql(day_col).sql(" >= ");
  };
  for (auto const& c : r.category_spend) {
    auto w = logic::spend_window(logic::day_of(s.now), c.days);
    q.sql(" AND f.account_id IN (SELECT x.account_id FROM (");
    spend_rows(merchant ? "members_fact_merchant_spend" : "members_fact_spend", "day", c);
    q.value(w.from_day).sql(" AND day < ").value(w.periods_from).sql(" UNION ALL");
    spend_rows(merchant ? "members_fact_merchant_spend_period" : "members_fact_spend_period", "period_day", c);
    q.value(w.periods_from)
        .sql(") x GROUP BY x.account_id HAVING SUM(x.cents) >= ")
        .value(c.min_cents)
        .sql(")");
  }
  if (s.merchant_id > 0) return;  // the rest are the community's facts (logic refuses them to merchants)
  if (r.tiers)
    q.sql(" AND f.account_id IN (SELECT st.account_id FROM members_status st WHERE st.community_id = ")
        .value(cid)
        .sql(" AND st.tier_id IN (")
        .values(s.tier_ids)
        .sql("))");
  if (r.min_points && *r.min_points > 0)
    q.sql(" AND f.account_id IN (SELECT pa.owner_id FROM members_points_accounts pa WHERE pa.community_id = ")
        .value(cid)
        .sql(" AND pa.owner_kind = 'member' AND pa.balance >= ")
        .value(*r.min_points)
        .sql(")");
  for (auto club : r.clubs)
    q.sql(" AND f.account_id IN (SELECT cl.account_id FROM members_fact_clubs cl WHERE cl.community_id = ")
        .value(cid)
        .sql(" AND cl.club_id = ")
        .value(club)
        .sql(")");
  if (r.has_overdue_bills)
    q.sql(*r.has_overdue_bills ? " AND EXISTS" : " AND NOT EXISTS")
        .sql(" (SELECT 1 FROM members_fact_overdue od WHERE od.community_id = f.community_id "
             "AND od.account_id = f.account_id)");
  for (auto const& tag : r.tags)
    q.sql(" AND f.account_id IN (SELECT tg.account_id FROM members_fact_tags tg WHERE tg.community_id = ")
        .value(cid)
        .sql(" AND tg.tag = ")
        .value(tag)
        .sql(")");
}

}  // namespace

std::int64_t count_segment(db::Tx& tx, SegmentQuery const& s) {
  db::Query q("SELECT COUNT(*)");
  segment_where(q, s);
  return q.scalar(tx);
}

std::vector<std::int64_t> segment_members(db::Tx& tx, SegmentQuery const& s) {
  db::Query q("SELECT f.account_id");
  segment_where(q, s);
  q.sql(" ORDER BY f.account_id");
  return q.all(tx, db::first_integer);
}

// ---- campaigns

#define MEMBERS_CAMPAIGN_COLS                                                                                   \
  "id, community_id, merchant_id, segment_id, name, kind, title, body, points, coupon_merchant_id, percent_off, " \
  "amount_off_cents, min_spend_cents, coupon_days, status, targeted, reached, no_consent, capped, created_by, "    \
  "created_at, issued_by, issued_at"

namespace {

constexpr auto campaign_from =
    db::fields(&Campaign::id, &Campaign::community_id, &Campaign::merchant_id, &Campaign::segment_id,
               &Campaign::name, &Campaign::kind, &Campaign::title, &Campaign::body, &Campaign::points,
               &Campaign::coupon_merchant_id, &Campaign::percent_off, &Campaign::amount_off_cents,
               &Campaign::min_spend_cents, &Campaign::coupon_days, &Campaign::status, &Campaign::targeted,
               &Campaign::reached, &Campaign::no_consent, &Campaign::capped, &Campaign::created_by,
               &Campaign::created_at, &Campaign::issued_by, &Campaign::issued_at);

}  // namespace

constexpr char const* kInsertCampaign =
    "INSERT INTO members_campaigns (community_id, merchant_id, segment_id, name, kind, title, body, points, "
    "coupon_merchant_id, percent_off, amount_off_cents, min_spend_cents, coupon_days, status, targeted, reached, "
    "no_consent, capped, created_by, created_at) "
    "VALUES (:c, :m, :s, :n, :k, :ti, :bo, :p, :cm, :po, :ao, :ms, :cd, 'draft', 0, 0, 0, 0, :by, :t)";

std::int64_t insert_campaign(db::Tx& tx, Campaign const& k) {
  std::int64_t now = tx.now_ms();
  std::int64_t pct = k.percent_off.value_or(0), amount = k.amount_off_cents.value_or(0);
  soci::indicator ip = null_if(!k.percent_off), ia = null_if(!k.amount_off_cents);
  return tx.insert("members_campaigns", kInsertCampaign, use(k.community_id, "c"), use(k.merchant_id, "m"),
                   use(k.segment_id, "s"), use(k.name, "n"), use(k.kind, "k"), use(k.title, "ti"), use(k.body, "bo"),
                   use(k.points, "p"), use(k.coupon_merchant_id, "cm"), use(pct, ip, "po"), use(amount, ia, "ao"),
                   use(k.min_spend_cents, "ms"), use(k.coupon_days, "cd"), use(k.created_by, "by"), use(now, "t"));
}

constexpr char const* kFindCampaign =
    "SELECT " MEMBERS_CAMPAIGN_COLS
    " FROM members_campaigns WHERE id = :id AND community_id = :c AND merchant_id = :m";

std::optional<Campaign> find_campaign(db::Tx& tx, std::int64_t cid, std::int64_t merchant_id, std::int64_t id) {
  return db::one(tx, kFindCampaign, campaign_from, use(id, "id"), use(cid, "c"), use(merchant_id, "m"));
}

constexpr char const* kListCampaigns =
    "SELECT " MEMBERS_CAMPAIGN_COLS
    " FROM members_campaigns WHERE community_id = :c AND merchant_id = :m AND id > :after ORDER BY id LIMIT :l";

std::vector<Campaign> list_campaigns(db::Tx& tx, std::int64_t cid, std::int64_t merchant_id, json::Page const& page) {
  return db::all(tx, kListCampaigns, campaign_from, use(cid, "c"), use(merchant_id, "m"), use(page.above(), "after"),
                 use(page.fetch(), "l"));
}

constexpr char const* kClaimCampaign =
    "UPDATE members_campaigns SET status = 'issued', issued_by = :b, issued_at = :t WHERE id = :id "
    "AND status = 'draft'";

bool claim_campaign(db::Tx& tx, std::int64_t id, std::int64_t by, std::int64_t now) {
  return tx.exec(kClaimCampaign, use(by, "b"), use(now, "t"), use(id, "id")) == 1;
}

constexpr char const* kFinishCampaign =
    "UPDATE members_campaigns SET targeted = :tg, reached = :r, no_consent = :nc, capped = :cp WHERE id = :id";

void finish_campaign(db::Tx& tx, std::int64_t id, std::int64_t targeted, std::int64_t reached,
                     std::int64_t no_consent, std::int64_t capped) {
  tx.exec(kFinishCampaign, use(targeted, "tg"), use(reached, "r"), use(no_consent, "nc"), use(capped, "cp"),
          use(id, "id"));
}

constexpr char const* kInsertRecipient =
    " INTO members_campaign_recipients (campaign_id, community_id, account_id, outcome, coupon_code, points, at) "
    "VALUES (:k, :c, :a, :o, :code, :p, :t)";

bool insert_recipient(db::Tx& tx, Recipient const& r) {
  std::string code = r.coupon_code.value_or("");
  soci::indicator ic = null_if(!r.coupon_code);
  return tx.exec(std::string(db::insert_ignore(tx.backend())) + kInsertRecipient, use(r.campaign_id, "k"),
                 use(r.community_id, "c"), use(r.account_id, "a"), use(r.outcome, "o"), use(code, ic, "code"),
                 use(r.points, "p"), use(r.at, "t")) == 1;
}

constexpr char const* kReachedSince =
    "SELECT COUNT(*) FROM members_campaign_recipients WHERE community_id = :c AND account_id = :a "
    "AND outcome = 'reached' AND at >= :s";

std::int64_t reached_since(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::int64_t since) {
  return db::scalar(tx, kReachedSince, use(cid, "c"), use(account_id, "a"), use(since, "s"));
}

constexpr char const* kCampaignPoints =
    "SELECT COALESCE(SUM(points), 0) FROM members_campaign_recipients WHERE campaign_id = :k AND outcome = 'reached'";

std::int64_t campaign_points(db::Tx& tx, std::int64_t campaign_id) {
  return db::scalar(tx, kCampaignPoints, use(campaign_id, "k"));
}

#define MEMBERS_RECEIVED_SELECT                                                                        \
  "SELECT r.campaign_id, r.community_id, k.merchant_id, k.kind, k.title, k.body, r.coupon_code, r.points, r.at "         \
  "FROM members_campaign_recipients r JOIN members_campaigns k ON k.id = r.campaign_id "               \
  "AND k.community_id = r.community_id "

namespace {

Received received_from(db::Row const& r) {
  Received x;
  db::Cols(r).into(x.campaign_id, x.community_id, x.merchant_id, x.kind, x.title, x.body, x.coupon_code, x.points, x.at);
  return x;
}

}  // namespace

constexpr char const* kReceivedCampaigns =
    MEMBERS_RECEIVED_SELECT "WHERE r.community_id = :c AND r.account_id = :a AND r.outcome = 'reached' "
                            "ORDER BY r.at DESC, r.campaign_id DESC LIMIT :l";

std::vector<Received> received_campaigns(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::int64_t limit) {
  return db::all(tx, kReceivedCampaigns, received_from, use(cid, "c"), use(account_id, "a"), use(limit, "l"));
}

constexpr char const* kAllReceivedCampaigns =
    MEMBERS_RECEIVED_SELECT "WHERE r.account_id = :a AND r.outcome = 'reached' ORDER BY r.campaign_id";

std::vector<Received> all_received_campaigns(db::Tx& tx, std::int64_t account_id) {
  return db::all(tx, kAllReceivedCampaigns, received_from, use(account_id, "a"));
}

constexpr char const* kCampaignSettings =
    "SELECT max_per_window, window_days, updated_at FROM members_campaign_settings WHERE community_id = :c";

CampaignSettings campaign_settings(db::Tx& tx, std::int64_t cid) {
  return db::one(
             tx, kCampaignSettings,
             [](db::Row const& r) {
               db::Cols c(r);
               CampaignSettings s;
               s.max_per_window = static_cast<int>(c.integer());
               s.window_days = static_cast<int>(c.integer());
               s.updated_at = c.opt_integer();
               return s;
             },
             use(cid, "c"))
      .value_or(CampaignSettings{});
}

constexpr char const* kOpenCampaignSettings =
    " INTO members_campaign_settings (community_id, max_per_window, window_days, updated_by, updated_at) "
    "VALUES (:c, :m, :w, :b, :t)";
constexpr char const* kSaveCampaignSettings =
    "UPDATE members_campaign_settings SET max_per_window = :m, window_days = :w, updated_by = :b, updated_at = :t "
    "WHERE community_id = :c";

void save_campaign_settings(db::Tx& tx, std::int64_t cid, CampaignSettings const& s, std::int64_t by) {
  std::int64_t now = tx.now_ms();
  int m = s.max_per_window, w = s.window_days;
  tx.exec(std::string(db::insert_ignore(tx.backend())) + kOpenCampaignSettings, use(cid, "c"), use(m, "m"),
          use(w, "w"), use(by, "b"), use(now, "t"));
  tx.exec(kSaveCampaignSettings, use(m, "m"), use(w, "w"), use(by, "b"), use(now, "t"), use(cid, "c"));
}
// ---- referrals

// Prefixed by the backend's INSERT IGNORE.
constexpr char const* kClaimReferral =
    " INTO members_referral_conversions (community_id, merchant_id, referred_id, referrer_id, order_id, created_at) "
    "VALUES (:c, :m, :r, :by, :o, :t)";

bool claim_referral_conversion(db::Tx& tx, std::int64_t cid, std::int64_t merchant_id, std::int64_t referred_id,
                               std::int64_t referrer_id, std::int64_t order_id) {
  std::int64_t now = tx.now_ms();
  return tx.exec(std::string(db::insert_ignore(tx.backend())) + kClaimReferral, use(cid, "c"), use(merchant_id, "m"),
                 use(referred_id, "r"), use(referrer_id, "by"), use(order_id, "o"), use(now, "t")) == 1;
}

}  // namespace courtyard::members::repo
