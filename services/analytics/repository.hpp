#pragma once
// All of analytics' SQL: the rollups (add to a day's row), the facts that make each count
// once, the low-stock thresholds, and the reads behind the reports.
#include "db/tx.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace courtyard::analytics::repo {

// ---- facts: true when this call took the fact (it was not counted before)
bool claim_fact(db::Tx& tx, std::int64_t cid, std::string const& fact, std::int64_t event_id);
// A batch of facts claimed in two statements (a batch of event deliveries, the backfill): the
// facts not yet taken are inserted in one multi-row insert-ignore; returns those this call
// took, each fact once (for its first claim in the batch). When a concurrent transaction took
// some of them in between, the insert is undone and each is claimed alone, so the answer is
// exact either way.
struct FactClaim {
  std::int64_t community_id = 0;
  std::string fact;
  std::int64_t event_id = 0;  // 0: the backfill
};
std::set<std::string> claim_facts(db::Tx& tx, std::vector<FactClaim> const& claims);
// The backfill's claims (event_id 0) of one community's facts.
std::set<std::string> claim_backfill_facts(db::Tx& tx, std::int64_t cid, std::vector<std::string> const& facts);
// Removes the community's rollups and facts (a backfill starts from nothing).
void clear_community(db::Tx& tx, std::int64_t cid);

// ---- rollups (each adds to its day's row, creating it at zero first)
struct Sale {
  std::int64_t orders = 0, items = 0, subtotal_cents = 0, discount_cents = 0, revenue_cents = 0, cancelled = 0,
               refunded_cents = 0;
};
void add_sale(Sale& into, Sale const& s);
void add_merchant_day(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::int64_t day, Sale const& s);
void put_group_buy(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::int64_t gid, std::string const& outcome,
                   std::int64_t participants, std::int64_t closed_day);
void add_rating(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::int64_t day, std::int64_t rating);
// Several reviews of one merchant and day at once: stars[i] reviews of i + 1 stars.
void add_ratings(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::int64_t day, std::array<std::int64_t, 5> stars);

// A customer day row's next_day when the buyer has no later day with orders at the merchant
// (and a row without orders: prev_day 0, next_day kNoDay).
constexpr std::int64_t kNoDay = 2147483647;

// Additions to the shop rollups gathered in memory (one order, or a backfill batch of
// orders) and written by flush() with one multi-row upsert per table, each key once: an
// order costs about one statement per rollup table instead of two per row, and a batch of
// 500 orders a few dozen statements instead of thousands. Keys are written in sorted order,
// so two transactions never take the same rows' locks in opposite orders.
//
// Besides the day rows, flush() keeps the coarser tables the range reports read, from the
// same additions (so the event path, the backfill and cancellations keep them alike):
// a product's day also adds to its block of logic::kBlockDays days (analytics_product_blocks),
// a merchant's category day to the community's category day
// (analytics_community_category_days), and a customer day to the (merchant, buyer) first day
// with orders (analytics_customer_firsts: earlier when a day gains orders; looked up again
// from the day rows when a day loses some, a cancellation). And the customer day rows of each
// (merchant, buyer) pair touched stay a list of the pair's days with orders: prev_day and
// next_day, re-linked from the pair's rows after they are written (customers() counts a
// range's buyers from them without grouping).
class Rollups {
 public:
  void merchant_day(std::int64_t cid, std::int64_t mid, std::int64_t day, Sale const& s);
  void product_day(std::int64_t cid, std::int64_t mid, std::int64_t pid, std::int64_t day,
                   std::string const& category, std::int64_t orders, std::int64_t quantity, std::int64_t revenue);
  void category_day(std::int64_t cid, std::int64_t mid, std::string const& category, std::int64_t day,
                    std::int64_t orders, std::int64_t quantity, std::int64_t revenue);
  void customer_day(std::int64_t cid, std::int64_t mid, std::int64_t buyer, std::int64_t day, std::int64_t orders,
                    std::int64_t revenue);
  void promo_day(std::int64_t cid, std::int64_t mid, std::string const& kind, std::int64_t promo_id,
                 std::int64_t day, std::int64_t orders, std::int64_t quantity, std::int64_t revenue,
                 std::int64_t discount);
  // The account did something that day (see mark_active).
  void active(std::int64_t cid, std::int64_t account_id, std::int64_t day, std::int64_t month);
  // Writes everything gathered and starts empty again.
  void flush(db::Tx& tx);

 private:
  struct Counts {
    std::int64_t orders = 0, quantity = 0, revenue = 0, discount = 0;
  };
  using Key2 = std::pair<std::int64_t, std::int64_t>;
  using Key3 = std::tuple<std::int64_t, std::int64_t, std::int64_t>;
  std::map<std::int64_t, std::int64_t> community_of_;                                   // merchant -> community
  std::map<Key2, Sale> merchant_days_;                                                   // (merchant, day)
  std::map<Key3, std::pair<std::string, Counts>> product_days_;                          // (merchant, day, product)
  std::map<std::tuple<std::int64_t, std::int64_t, std::string>, Counts> category_days_;  // (merchant, day, category)
  std::map<Key3, Counts> customer_days_;                                                 // (merchant, day, buyer)
  std::map<std::tuple<std::int64_t, std::int64_t, std::string, std::int64_t>, Counts> promo_days_;  // (m, day, kind, id)
  std::map<Key3, std::int64_t> active_;                                                  // (community, day, account) -> month
  std::map<Key2, std::int64_t> firsts_;  // (merchant, buyer) -> first day with orders (kNoDay: none), by relink
  void flush_coarse(db::Tx& tx);
  void relink_customers(db::Tx& tx);
};

struct CommunityDay {
  std::int64_t bills_issued = 0, bills_issued_cents = 0, bills_paid = 0, bills_paid_cents = 0, bills_paid_late = 0,
               bills_overdue = 0, tickets_resolved = 0, tickets_closed = 0, checkins = 0, rsvps = 0, posts = 0;
};
void add_community_day(db::Tx& tx, std::int64_t cid, std::int64_t day, CommunityDay const& d);
// The account did something in the community that day (ordered, paid, attended, posted).
void mark_active(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::int64_t day, std::int64_t month);
void bill_issued(db::Tx& tx, std::int64_t cid, std::int64_t bill_id, std::int64_t amount, std::int64_t due_at,
                 std::int64_t day);
void bill_paid(db::Tx& tx, std::int64_t cid, std::int64_t bill_id, std::int64_t amount, std::int64_t due_at,
               std::int64_t day, std::int64_t paid_at);

// ---- low-stock thresholds
struct Threshold {
  std::int64_t product_id = 0, merchant_id = 0, threshold = 0;
  bool alerted = false;
  std::int64_t updated_at = 0;
};
void set_threshold(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::int64_t pid, std::int64_t threshold,
                   std::int64_t by);
bool delete_threshold(db::Tx& tx, std::int64_t cid, std::int64_t pid);
std::optional<Threshold> threshold_of(db::Tx& tx, std::int64_t cid, std::int64_t pid);
std::vector<Threshold> thresholds_of(db::Tx& tx, std::int64_t cid, std::int64_t mid);
// Flips the alerted flag from !to to `to`; true when this call flipped it (one alert per dip).
bool set_alerted(db::Tx& tx, std::int64_t pid, bool to);

// ---- reads for the reports (days inclusive)
struct MerchantDay {
  std::int64_t day = 0;
  Sale sale;
};
std::vector<MerchantDay> merchant_days(db::Tx& tx, std::int64_t mid, std::int64_t from, std::int64_t to);
struct Total {
  std::int64_t id = 0;  // product, merchant or promotion id (0 for a category)
  std::string key;      // category or promotion kind
  std::int64_t orders = 0, quantity = 0, revenue_cents = 0, discount_cents = 0;
  std::int64_t first_day = 0, last_day = 0;
};
// Per product with a day row in the range: its sums and category (the greatest seen), from the
// range's whole blocks and its ragged days. first_day and last_day are not filled (0).
std::vector<Total> product_totals(db::Tx& tx, std::int64_t mid, std::int64_t from, std::int64_t to);
std::vector<Total> category_totals(db::Tx& tx, std::int64_t mid, std::int64_t from, std::int64_t to);
std::vector<Total> promo_totals(db::Tx& tx, std::int64_t mid, std::int64_t from, std::int64_t to);
struct GroupBuyResult {
  std::int64_t group_buy_id = 0, participants = 0, closed_day = 0;
  std::string outcome;
};
std::vector<GroupBuyResult> group_buys_closed(db::Tx& tx, std::int64_t mid, std::int64_t from, std::int64_t to);
struct Customers {
  std::int64_t customers = 0, repeat_customers = 0, returning_customers = 0;
};
// Buyers with orders in the range, those with two or more, and those who had ordered before
// it: the customers less those whose first day with orders is in the range (a day's net
// orders are never negative: a cancellation takes back an order of the same day).
Customers customers(db::Tx& tx, std::int64_t mid, std::int64_t from, std::int64_t to);
struct RatingDay {
  std::int64_t day = 0, reviews = 0, rating_sum = 0;
  std::int64_t stars[5] = {0, 0, 0, 0, 0};
};
std::vector<RatingDay> rating_days(db::Tx& tx, std::int64_t mid, std::int64_t from, std::int64_t to);

// The manager's
std::vector<Total> community_categories(db::Tx& tx, std::int64_t cid, std::int64_t from, std::int64_t to);
std::vector<Total> community_merchants(db::Tx& tx, std::int64_t cid, std::int64_t from, std::int64_t to);
CommunityDay community_sums(db::Tx& tx, std::int64_t cid, std::int64_t from, std::int64_t to);
// Distinct accounts active in the range: its whole months from analytics_resident_months and
// its ragged days from analytics_resident_days.
std::int64_t active_residents(db::Tx& tx, std::int64_t cid, std::int64_t from, std::int64_t to);
struct CohortCell {
  std::int64_t cohort = 0, month = 0, residents = 0;
};
std::vector<CohortCell> cohorts(db::Tx& tx, std::int64_t cid, std::int64_t from_month, std::int64_t to_month);
struct BillFigures {
  std::int64_t issued = 0, issued_cents = 0, paid = 0, paid_cents = 0;
};
BillFigures bills_issued_between(db::Tx& tx, std::int64_t cid, std::int64_t from, std::int64_t to);
// Unpaid bills past due at `now`: their due instants and amounts.
std::vector<std::pair<std::int64_t, std::int64_t>> overdue_bills(db::Tx& tx, std::int64_t cid, std::int64_t now);

// ---- tickets against the SLA (one row per community, local day and ticket category)
struct TicketDay {
  std::string category;
  std::int64_t opened = 0, responded = 0, response_minutes = 0, response_breaches = 0, resolved = 0,
               resolution_minutes = 0, resolution_breaches = 0, reopened = 0, ratings = 0, rating_sum = 0;
};
void add_ticket_day(db::Tx& tx, std::int64_t cid, std::int64_t day, TicketDay const& d);
// The range's sums per category (days inclusive), by category.
std::vector<TicketDay> ticket_sums(db::Tx& tx, std::int64_t cid, std::int64_t from, std::int64_t to);
// Removes the community's ticket rollups and their facts (the backfill rebuilds them).
void clear_ticket_rollups(db::Tx& tx, std::int64_t cid);

}  // namespace courtyard::analytics::repo
