#pragma once
// SOCI access for the members tables (bound parameters only; every tenant query
// filters on community_id). Points balances change with conditional updates; a
// member's points account is locked (FOR UPDATE on MySQL; SQLite transactions
// hold the write lock) before any of its postings, so every change to one
// member's points is serialised.
#include "db/tx.hpp"
#include "http/json.hpp"
#include "services/members/logic.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace courtyard::members::repo {

// ---- ledger accounts

std::optional<std::int64_t> find_account(db::Tx& tx, std::int64_t cid, std::string const& kind, std::int64_t owner_id);
// Opens the account with a zero balance unless it exists (a concurrent opener
// is fine).
void open_account(db::Tx& tx, std::int64_t cid, std::string const& kind, std::int64_t owner_id, bool allow_negative);
// Locks the account row for the rest of the transaction; returns its balance.
std::int64_t lock_account(db::Tx& tx, std::int64_t account_row_id);
// Adds `delta` unless a non-negative account would drop below zero; false when
// refused.
bool apply_delta(db::Tx& tx, std::int64_t account_row_id, std::int64_t delta);
std::int64_t account_balance(db::Tx& tx, std::int64_t account_row_id);
// A member's points (0 when the account was never opened).
std::int64_t member_balance(db::Tx& tx, std::int64_t cid, std::int64_t account_id);

// ---- postings and entries

struct Posting {
  std::int64_t id = 0, community_id = 0, account_id = 0;
  std::string kind;  // "earn", "expire", "debit"
  std::int64_t points = 0;
  std::string source, source_ref;
  std::optional<std::int64_t> source_event_id, rule_id, rule_version;
  std::int64_t created_at = 0;
};
std::int64_t insert_posting(db::Tx& tx, Posting const& p);
void insert_entry(db::Tx& tx, std::int64_t posting_id, std::int64_t account_row_id, std::int64_t cid,
                  std::int64_t amount, std::int64_t balance_after);
// Whether the member already has a posting for this source event, or for this
// source.
bool posted_for_event(db::Tx& tx, std::int64_t event_id, std::int64_t account_id);
bool posted_for_source(db::Tx& tx, std::int64_t cid, std::string const& source, std::string const& ref,
                       std::int64_t account_id);
// The member's postings, newest first: up to page.fetch() rows.
std::vector<Posting> postings(db::Tx& tx, std::int64_t cid, std::int64_t account_id, json::Page const& page);
// Every posting of the member in every community (the export), oldest first.
std::vector<Posting> all_postings(db::Tx& tx, std::int64_t account_id);

// The id of the member's posting for this source (nullopt when none).
std::optional<std::int64_t> posting_for_source(db::Tx& tx, std::int64_t cid, std::string const& source,
                                               std::string const& ref, std::int64_t account_id);

// ---- what each debit took from which lot

void insert_debit_lot(db::Tx& tx, std::int64_t posting_id, std::int64_t lot_id, int seq, std::int64_t points);
struct DebitLot {
  std::int64_t lot_id = 0, points = 0, restored = 0, earned_at = 0;
  std::optional<std::int64_t> expires_at;  // the lot's
};
// The lots the debit took from, in the order it took them.
std::vector<DebitLot> debit_lots(db::Tx& tx, std::int64_t posting_id);
// Records `n` more points of the lot given back; false when that would exceed
// what was taken.
bool restore_debit_lot(db::Tx& tx, std::int64_t posting_id, std::int64_t lot_id, std::int64_t n);

// ---- lots

struct Lot {
  std::int64_t id = 0, community_id = 0, account_id = 0, posting_id = 0, points = 0, remaining = 0, earned_at = 0;
  std::optional<std::int64_t> expires_at;
};
std::int64_t insert_lot(db::Tx& tx, Lot const& l);
// The member's lots with points left, oldest first (earn date, then id).
std::vector<Lot> open_lots(db::Tx& tx, std::int64_t cid, std::int64_t account_id);
// Takes `n` points from the lot unless it holds fewer; false when refused.
bool take_from_lot(db::Tx& tx, std::int64_t lot_id, std::int64_t n);
std::int64_t lot_remaining(db::Tx& tx, std::int64_t lot_id);
// Lots with points left whose expiry has come (any community), at most `limit`.
std::vector<Lot> due_lots(db::Tx& tx, std::int64_t now, int limit);
// Lots with points left expiring within each community's notice period that
// were not announced yet, at most `limit`.
std::vector<Lot> lots_to_announce(db::Tx& tx, std::int64_t now, int limit);
// Marks the lot announced; false when someone else did.
bool mark_announced(db::Tx& tx, std::int64_t lot_id);
// Every lot of the member in every community (the export).
std::vector<Lot> all_lots(db::Tx& tx, std::int64_t account_id);

// ---- programme settings

struct Program {
  int expiry_days = logic::kDefaultExpiryDays;
  int notice_days = logic::kDefaultNoticeDays;
  logic::SpendTerms spend;       // what a point is worth, the share of a price it may pay
  bool points_on_bills = false;  // property bills take points
  std::optional<std::int64_t> updated_at;
};
Program program(db::Tx& tx, std::int64_t cid);  // the defaults when never set
void save_program(db::Tx& tx, std::int64_t cid, Program const& p, std::int64_t by);

// ---- earn rules (versioned: a change inserts the next version)

// The rule of this kind in effect at `at_ms` (the latest version effective by
// then).
std::optional<logic::Rule> rule_in_effect(db::Tx& tx, std::int64_t cid, logic::EarnKind kind, std::int64_t at_ms);
// The latest version of each kind the community has configured.
std::vector<logic::Rule> current_rules(db::Tx& tx, std::int64_t cid);
// Inserts the next version of the rule (with its merchant multipliers); returns
// it.
logic::Rule insert_rule(db::Tx& tx, std::int64_t cid, logic::Rule rule, std::int64_t effective_from, std::int64_t by);
std::optional<std::int64_t> rule_effective_from(db::Tx& tx, std::int64_t rule_id);

// ---- daily caps and monthly earnings

// Locks the member's counter of points earned under `kind` on `day` (created at
// 0 on first use) and returns it.
std::int64_t lock_daily(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::string const& kind,
                        std::int64_t day);
void add_daily(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::string const& kind, std::int64_t day,
               std::int64_t points);
void add_month(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::int64_t month, std::int64_t points);
// Points earned in months [from_month, to_month].
std::int64_t earned_between(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::int64_t from_month,
                            std::int64_t to_month);

// ---- tiers and member status

std::vector<logic::Tier> tiers(db::Tx& tx,
                               std::int64_t cid);  // sorted by threshold
// Makes the community's tiers exactly `tiers` (kept by name: a tier keeps its
// id when its name stays); returns the ids of the tiers removed.
std::vector<std::int64_t> replace_tiers(db::Tx& tx, std::int64_t cid, std::vector<logic::Tier> const& tiers);

struct Status {
  std::int64_t community_id = 0, account_id = 0;
  std::optional<std::int64_t> tier_id;
  std::int64_t review_month = 0, updated_at = 0;
};
std::optional<Status> status(db::Tx& tx, std::int64_t cid, std::int64_t account_id);
// The statuses of those of `account_ids` that have one.
std::vector<Status> statuses(db::Tx& tx, std::int64_t cid, std::vector<std::int64_t> const& account_ids);
void ensure_status(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::int64_t month, std::int64_t now);
void set_tier(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::optional<std::int64_t> tier_id,
              std::int64_t now);
// Members holding a tier whose last review was before `month`, at most `limit`.
std::vector<Status> due_reviews(db::Tx& tx, std::int64_t month, int limit);
// Records the review (and the tier it leaves the member in) unless another
// reviewer did.
bool review(db::Tx& tx, Status const& s, std::int64_t month, std::optional<std::int64_t> tier_id, std::int64_t now);
// Members of the community whose tier is one of `tier_ids`.
std::vector<Status> holding_tiers(db::Tx& tx, std::int64_t cid, std::vector<std::int64_t> const& tier_ids);
// Every status row of the member (the export).
std::vector<Status> all_statuses(db::Tx& tx, std::int64_t account_id);

// Members of the community with a points account: account ids, ascending after
// page.after.
struct MemberRow {
  std::int64_t id = 0;  // the member's account id (the cursor key)
  std::int64_t balance = 0;
};
std::vector<MemberRow> members(db::Tx& tx, std::int64_t cid, json::Page const& page);

// ---- referrals

// Claims the one referral conversion of (community, merchant, referred account); false when
// it was claimed before (by this event or by another referrer's order).
bool claim_referral_conversion(db::Tx& tx, std::int64_t cid, std::int64_t merchant_id, std::int64_t referred_id,
                               std::int64_t referrer_id, std::int64_t order_id);

// ---- consent

// Stored choices only (purposes never set are absent: their defaults apply).
std::vector<std::pair<std::string, bool>> consents(db::Tx& tx, std::int64_t account_id);
void set_consent(db::Tx& tx, std::int64_t account_id, std::string const& purpose, bool granted, std::int64_t now);

// ---- member facts (segments): kept from events, one row per resident of the community

// Records that `subscriber` applied the event; false when it already had (the fact
// changes then must not be applied again).
bool claim_fact_event(db::Tx& tx, std::string const& subscriber, std::int64_t event_id);
// The resident's facts row (building 0 = not known yet); a known building replaces it.
void ensure_fact(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::int64_t building_id);
bool has_fact(db::Tx& tx, std::int64_t cid, std::int64_t account_id);
// Locks the resident's facts row (campaign delivery: the frequency cap per member).
void lock_fact(db::Tx& tx, std::int64_t cid, std::int64_t account_id);
void note_last_order(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::int64_t at);
void add_spend(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::string const& category, std::int64_t day,
               std::int64_t cents);
void note_customer(db::Tx& tx, std::int64_t cid, std::int64_t merchant_id, std::int64_t account_id, std::int64_t at,
                   std::int64_t cents);
void add_merchant_spend(db::Tx& tx, std::int64_t cid, std::int64_t merchant_id, std::int64_t account_id,
                        std::string const& category, std::int64_t day, std::int64_t cents);
void add_overdue(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::int64_t bill_id);
void clear_overdue(db::Tx& tx, std::int64_t cid, std::int64_t bill_id);
void add_club(db::Tx& tx, std::int64_t cid, std::int64_t club_id, std::int64_t account_id);
void add_tag(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::string const& tag, std::int64_t by);
bool remove_tag(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::string const& tag);
std::vector<std::string> tags_of(db::Tx& tx, std::int64_t cid, std::int64_t account_id);
// Every community's tags of the account (community, tag), for the export.
std::vector<std::pair<std::int64_t, std::string>> all_tags(db::Tx& tx, std::int64_t account_id);
// Erasure: removes the account from every fact table (so no segment counts it any more);
// returns the rows removed.
std::int64_t erase_facts(db::Tx& tx, std::int64_t account_id);

// ---- segments

struct Segment {
  std::int64_t id = 0, community_id = 0, merchant_id = 0;  // merchant 0: the manager's
  std::string name, rule;                                  // rule: canonical JSON text
  std::int64_t created_by = 0, created_at = 0, updated_at = 0;
};
std::int64_t insert_segment(db::Tx& tx, Segment const& s);
// The segment of this owner (manager: merchant 0); another owner's is absent.
std::optional<Segment> find_segment(db::Tx& tx, std::int64_t cid, std::int64_t merchant_id, std::int64_t id);
std::vector<Segment> list_segments(db::Tx& tx, std::int64_t cid, std::int64_t merchant_id, json::Page const& page);
bool update_segment(db::Tx& tx, Segment const& s);

// A rule over the facts, evaluated in the community; for a merchant (merchant_id > 0)
// over its own customers only. tier_ids: the ids of rule.tiers (resolved by name).
struct SegmentQuery {
  std::int64_t community_id = 0, merchant_id = 0, now = 0;
  logic::SegmentRule rule;
  std::vector<std::int64_t> tier_ids;
};
std::int64_t count_segment(db::Tx& tx, SegmentQuery const& q);
// The members' account ids, ascending.
std::vector<std::int64_t> segment_members(db::Tx& tx, SegmentQuery const& q);

// ---- campaigns

struct Campaign {
  std::int64_t id = 0, community_id = 0, merchant_id = 0, segment_id = 0;
  std::string name, kind, title, body;
  std::int64_t points = 0, coupon_merchant_id = 0;
  std::optional<std::int64_t> percent_off, amount_off_cents;
  std::int64_t min_spend_cents = 0;
  int coupon_days = 0;
  std::string status;  // "draft", "issued"
  std::int64_t targeted = 0, reached = 0, no_consent = 0, capped = 0;
  std::int64_t created_by = 0, created_at = 0;
  std::optional<std::int64_t> issued_by, issued_at;
};
std::int64_t insert_campaign(db::Tx& tx, Campaign const& c);
std::optional<Campaign> find_campaign(db::Tx& tx, std::int64_t cid, std::int64_t merchant_id, std::int64_t id);
std::vector<Campaign> list_campaigns(db::Tx& tx, std::int64_t cid, std::int64_t merchant_id, json::Page const& page);
// draft -> issued; false when it was issued already (by this or another instance).
bool claim_campaign(db::Tx& tx, std::int64_t id, std::int64_t by, std::int64_t now);
void finish_campaign(db::Tx& tx, std::int64_t id, std::int64_t targeted, std::int64_t reached,
                     std::int64_t no_consent, std::int64_t capped);
struct Recipient {
  std::int64_t campaign_id = 0, community_id = 0, account_id = 0;
  std::string outcome;  // logic::delivery_name
  std::optional<std::string> coupon_code;
  std::int64_t points = 0, at = 0;
};
// False when the member already has a row for the campaign.
bool insert_recipient(db::Tx& tx, Recipient const& r);
// Campaigns that reached the member since `since` (the frequency cap).
std::int64_t reached_since(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::int64_t since);
// Points the campaign credited (its points cost).
std::int64_t campaign_points(db::Tx& tx, std::int64_t campaign_id);
// What campaigns delivered to the member (outcome 'reached'), newest first, at most `limit`.
struct Received {
  std::int64_t campaign_id = 0, community_id = 0, merchant_id = 0;  // merchant 0: the community's
  std::string kind, title, body;
  std::optional<std::string> coupon_code;
  std::int64_t points = 0, at = 0;
};
std::vector<Received> received_campaigns(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::int64_t limit);
// Every community's, for the export.
std::vector<Received> all_received_campaigns(db::Tx& tx, std::int64_t account_id);

struct CampaignSettings {
  int max_per_window = logic::kDefaultCampaignCap;
  int window_days = logic::kDefaultCampaignWindowDays;
  std::optional<std::int64_t> updated_at;
};
CampaignSettings campaign_settings(db::Tx& tx, std::int64_t cid);  // the defaults when never set
void save_campaign_settings(db::Tx& tx, std::int64_t cid, CampaignSettings const& s, std::int64_t by);

}  // namespace courtyard::members::repo
