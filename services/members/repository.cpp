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
      tx, kFindAccount, [](soci::row const& r) { return db::Cols(r).integer(); }, use(cid, "c"), use(kind, "k"),
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

#define MEMBERS_POSTING_COLS                                         \
  "id, community_id, account_id, kind, points, source, source_ref, " \
  "source_event_id, rule_id, rule_version, created_at"

namespace {

Posting posting_from(soci::row const& r) {
  db::Cols c(r);
  Posting p;
  c.into(p.id, p.community_id, p.account_id, p.kind, p.points, p.source, p.source_ref, p.source_event_id, p.rule_id,
         p.rule_version, p.created_at);
  return p;
}

}  // namespace

constexpr char const* kPostings = "SELECT " MEMBERS_POSTING_COLS
                                  " FROM members_points_postings "
                                  "WHERE community_id = :c AND account_id = :a AND id < :b ORDER BY id DESC "
                                  "LIMIT :l";

std::vector<Posting> postings(db::Tx& tx, std::int64_t cid, std::int64_t account_id, json::Page const& page) {
  std::int64_t before = page.after ? *page.after : INT64_MAX;
  std::int64_t limit = page.limit + 1;
  return db::all(tx, kPostings, posting_from, use(cid, "c"), use(account_id, "a"), use(before, "b"), use(limit, "l"));
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

Lot lot_from(soci::row const& r) {
  db::Cols c(r);
  Lot l;
  c.into(l.id, l.community_id, l.account_id, l.posting_id, l.points, l.remaining, l.earned_at, l.expires_at);
  return l;
}

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
    "SELECT expiry_days, notice_days, updated_at FROM members_programs WHERE "
    "community_id = :c";

Program program(db::Tx& tx, std::int64_t cid) {
  auto p = db::one(
      tx, kProgram,
      [](soci::row const& r) {
        db::Cols c(r);
        Program p;
        c.into(p.expiry_days, p.notice_days);
        p.updated_at = c.integer();
        return p;
      },
      use(cid, "c"));
  return p.value_or(Program{});
}

constexpr char const* kInsertProgram =
    " INTO members_programs (community_id, expiry_days, notice_days, updated_at, updated_by) "
    "VALUES (:c, :e, :n, :t, :b)";
constexpr char const* kUpdateProgram =
    "UPDATE members_programs SET expiry_days = :e, notice_days = :n, updated_at = :t, updated_by = :b "
    "WHERE community_id = :c";

void save_program(db::Tx& tx, std::int64_t cid, Program const& p, std::int64_t by) {
  std::int64_t now = tx.now_ms();
  tx.exec(std::string(db::insert_ignore(tx.backend())) + kInsertProgram, use(cid, "c"), use(p.expiry_days, "e"),
          use(p.notice_days, "n"), use(now, "t"), use(by, "b"));
  tx.exec(kUpdateProgram, use(p.expiry_days, "e"), use(p.notice_days, "n"), use(now, "t"), use(by, "b"), use(cid, "c"));
}

// ---- earn rules

#define MEMBERS_RULE_COLS "id, kind, version, points, multiplier_pct, daily_cap, enabled"

namespace {

logic::Rule rule_from(soci::row const& r) {
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
      [&](soci::row const& r) {
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
  return db::one(
      tx, kRuleEffectiveFrom, [](soci::row const& r) { return db::Cols(r).integer(); }, use(rule_id, "id"));
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
      [](soci::row const& r) {
        db::Cols c(r);
        logic::Tier t;
        c.into(t.id, t.name, t.threshold, t.discount_pct, t.earn_multiplier_pct);
        return t;
      },
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

Status status_from(soci::row const& r) {
  db::Cols c(r);
  Status s;
  c.into(s.community_id, s.account_id, s.tier_id, s.review_month, s.updated_at);
  return s;
}

}  // namespace

constexpr char const* kStatus =
    "SELECT " MEMBERS_STATUS_COLS " FROM members_status WHERE community_id = :c AND account_id = :a";

std::optional<Status> status(db::Tx& tx, std::int64_t cid, std::int64_t account_id) {
  return db::one(tx, kStatus, status_from, use(cid, "c"), use(account_id, "a"));
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
  std::int64_t after = page.after.value_or(0);
  std::int64_t limit = page.limit + 1;
  return db::all(
      tx, kMembers,
      [](soci::row const& r) {
        db::Cols c(r);
        MemberRow m;
        c.into(m.id, m.balance);
        return m;
      },
      use(cid, "c"), use(after, "after"), use(limit, "l"));
}

// ---- consent

constexpr char const* kConsents =
    "SELECT purpose, granted FROM members_consents WHERE account_id = :a ORDER "
    "BY purpose";

std::vector<std::pair<std::string, bool>> consents(db::Tx& tx, std::int64_t account_id) {
  return db::all(
      tx, kConsents,
      [](soci::row const& r) {
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
