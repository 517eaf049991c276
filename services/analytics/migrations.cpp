#include "services/analytics/service.hpp"

namespace courtyard::analytics {

namespace {

// SQL that rebuilds `table` from `columns` (as CREATE TABLE lists them) with `key` as its
// primary key, keeping its rows, then creates its other indexes again (`name (columns)` each).
// As migration 74 rebuilt the customer days: a MariaDB failure halfway (DDL commits) leaves
// the copy <table>_keyed; rename it back by hand, or run the backfill.
std::string rekeyed(std::string const& table, std::vector<std::string> const& columns, std::string const& key,
                    std::vector<std::string> const& indexes) {
  std::string copy = table + "_keyed", names, defs;
  for (auto const& c : columns) {
    names += (names.empty() ? "" : ", ") + c.substr(0, c.find(' '));
    defs += "  " + c + ",\n";
  }
  std::string sql = "DROP TABLE IF EXISTS " + copy + ";\nCREATE TABLE " + copy + " (\n" + defs + "  PRIMARY KEY (" +
                    key + ")\n){engine};\nINSERT INTO " + copy + " (" + names + ")\nSELECT " + names + " FROM " +
                    table + ";\nDROP TABLE " + table + ";\nALTER TABLE " + copy + " RENAME TO " + table + ";\n";
  for (auto const& index : indexes) sql += "CREATE INDEX " + index.substr(0, index.find(' ')) + " ON " + table +
                                           index.substr(index.find(' ')) + ";\n";
  return sql;
}

}  // namespace

// Rollups kept from other services' events (and the backfill), one row per key and local
// day of the community (`day`: days since 1970-01-01 in the community's time zone). A report
// reads O(days x rows shown), never the orders. analytics_facts makes every fact count once:
// a row per fact (an order placed, an order cancelled, a review, ...) inserted in the
// transaction that adds it to the rollups, so a redelivered event, a second dispatcher and the
// backfill all find it taken.
std::vector<db::Migration> AnalyticsService::migrations() const {
  return {
      {60, "rollups: merchant, product, category, customer, promotion, rating and community days", R"SQL(
CREATE TABLE analytics_facts (
  id {pk},
  community_id BIGINT NOT NULL,
  fact VARCHAR(64) NOT NULL,
  event_id BIGINT NOT NULL,
  applied_at BIGINT NOT NULL
){engine};
CREATE UNIQUE INDEX analytics_facts_fact ON analytics_facts (fact);

CREATE TABLE analytics_merchant_days (
  id {pk},
  community_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  day BIGINT NOT NULL,
  orders BIGINT NOT NULL DEFAULT 0,
  items BIGINT NOT NULL DEFAULT 0,
  subtotal_cents BIGINT NOT NULL DEFAULT 0,
  discount_cents BIGINT NOT NULL DEFAULT 0,
  revenue_cents BIGINT NOT NULL DEFAULT 0,
  cancelled BIGINT NOT NULL DEFAULT 0,
  refunded_cents BIGINT NOT NULL DEFAULT 0
){engine};
CREATE UNIQUE INDEX analytics_merchant_days_key ON analytics_merchant_days (merchant_id, day);
CREATE INDEX analytics_merchant_days_community ON analytics_merchant_days (community_id, day);

CREATE TABLE analytics_product_days (
  id {pk},
  community_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  product_id BIGINT NOT NULL,
  day BIGINT NOT NULL,
  category VARCHAR(50) NOT NULL,
  orders BIGINT NOT NULL DEFAULT 0,
  quantity BIGINT NOT NULL DEFAULT 0,
  revenue_cents BIGINT NOT NULL DEFAULT 0
){engine};
CREATE UNIQUE INDEX analytics_product_days_key ON analytics_product_days (merchant_id, day, product_id);

CREATE TABLE analytics_category_days (
  id {pk},
  community_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  category VARCHAR(50) NOT NULL,
  day BIGINT NOT NULL,
  orders BIGINT NOT NULL DEFAULT 0,
  quantity BIGINT NOT NULL DEFAULT 0,
  revenue_cents BIGINT NOT NULL DEFAULT 0
){engine};
CREATE UNIQUE INDEX analytics_category_days_key ON analytics_category_days (merchant_id, day, category);
CREATE INDEX analytics_category_days_community ON analytics_category_days (community_id, day);

CREATE TABLE analytics_customer_days (
  id {pk},
  community_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  buyer_id BIGINT NOT NULL,
  day BIGINT NOT NULL,
  orders BIGINT NOT NULL DEFAULT 0,
  revenue_cents BIGINT NOT NULL DEFAULT 0
){engine};
CREATE UNIQUE INDEX analytics_customer_days_key ON analytics_customer_days (merchant_id, day, buyer_id);
CREATE INDEX analytics_customer_days_buyer ON analytics_customer_days (merchant_id, buyer_id, day);

CREATE TABLE analytics_promo_days (
  id {pk},
  community_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  kind VARCHAR(16) NOT NULL,
  promo_id BIGINT NOT NULL,
  day BIGINT NOT NULL,
  orders BIGINT NOT NULL DEFAULT 0,
  quantity BIGINT NOT NULL DEFAULT 0,
  revenue_cents BIGINT NOT NULL DEFAULT 0,
  discount_cents BIGINT NOT NULL DEFAULT 0
){engine};
CREATE UNIQUE INDEX analytics_promo_days_key ON analytics_promo_days (merchant_id, day, kind, promo_id);

CREATE TABLE analytics_group_buys (
  id {pk},
  community_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  group_buy_id BIGINT NOT NULL,
  outcome VARCHAR(32) NOT NULL,
  participants BIGINT NOT NULL,
  closed_day BIGINT NOT NULL
){engine};
CREATE UNIQUE INDEX analytics_group_buys_key ON analytics_group_buys (group_buy_id);
CREATE INDEX analytics_group_buys_merchant ON analytics_group_buys (merchant_id, closed_day);

CREATE TABLE analytics_rating_days (
  id {pk},
  community_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  day BIGINT NOT NULL,
  reviews BIGINT NOT NULL DEFAULT 0,
  rating_sum BIGINT NOT NULL DEFAULT 0,
  stars1 BIGINT NOT NULL DEFAULT 0,
  stars2 BIGINT NOT NULL DEFAULT 0,
  stars3 BIGINT NOT NULL DEFAULT 0,
  stars4 BIGINT NOT NULL DEFAULT 0,
  stars5 BIGINT NOT NULL DEFAULT 0
){engine};
CREATE UNIQUE INDEX analytics_rating_days_key ON analytics_rating_days (merchant_id, day);

CREATE TABLE analytics_community_days (
  id {pk},
  community_id BIGINT NOT NULL,
  day BIGINT NOT NULL,
  bills_issued BIGINT NOT NULL DEFAULT 0,
  bills_issued_cents BIGINT NOT NULL DEFAULT 0,
  bills_paid BIGINT NOT NULL DEFAULT 0,
  bills_paid_cents BIGINT NOT NULL DEFAULT 0,
  bills_paid_late BIGINT NOT NULL DEFAULT 0,
  bills_overdue BIGINT NOT NULL DEFAULT 0,
  tickets_resolved BIGINT NOT NULL DEFAULT 0,
  tickets_closed BIGINT NOT NULL DEFAULT 0,
  checkins BIGINT NOT NULL DEFAULT 0,
  rsvps BIGINT NOT NULL DEFAULT 0,
  posts BIGINT NOT NULL DEFAULT 0
){engine};
CREATE UNIQUE INDEX analytics_community_days_key ON analytics_community_days (community_id, day);

CREATE TABLE analytics_resident_days (
  id {pk},
  community_id BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  day BIGINT NOT NULL
){engine};
CREATE UNIQUE INDEX analytics_resident_days_key ON analytics_resident_days (community_id, day, account_id);

CREATE TABLE analytics_resident_months (
  id {pk},
  community_id BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  month BIGINT NOT NULL
){engine};
CREATE UNIQUE INDEX analytics_resident_months_key ON analytics_resident_months (community_id, account_id, month);
CREATE INDEX analytics_resident_months_month ON analytics_resident_months (community_id, month);

CREATE TABLE analytics_resident_cohorts (
  id {pk},
  community_id BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  cohort BIGINT NOT NULL
){engine};
CREATE UNIQUE INDEX analytics_resident_cohorts_key ON analytics_resident_cohorts (community_id, account_id);

CREATE TABLE analytics_bills (
  id {pk},
  community_id BIGINT NOT NULL,
  bill_id BIGINT NOT NULL,
  amount_cents BIGINT NOT NULL,
  due_at BIGINT NOT NULL,
  issued_day BIGINT NOT NULL,
  paid_at BIGINT NULL
){engine};
CREATE UNIQUE INDEX analytics_bills_key ON analytics_bills (bill_id);
CREATE INDEX analytics_bills_issued ON analytics_bills (community_id, issued_day);
CREATE INDEX analytics_bills_open ON analytics_bills (community_id, paid_at, due_at);

CREATE TABLE analytics_stock_thresholds (
  id {pk},
  community_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  product_id BIGINT NOT NULL,
  threshold BIGINT NOT NULL,
  alerted INTEGER NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL,
  updated_by BIGINT NOT NULL
){engine};
CREATE UNIQUE INDEX analytics_stock_thresholds_key ON analytics_stock_thresholds (product_id);
CREATE INDEX analytics_stock_thresholds_merchant ON analytics_stock_thresholds (community_id, merchant_id, product_id);
)SQL"},
      // Covering indexes for the reads of a report range (measured with
      // tests/bench/analytics_bench.py at 1,000,000 orders): the range's rows are read from
      // the index alone, without a lookup of each row (on MariaDB a primary-key lookup per
      // row), for a merchant's products and customers (and whether a customer bought before
      // the range) and the manager's categories, merchants and cohorts.
      {70, "covering indexes for report ranges", R"SQL(
CREATE INDEX analytics_product_days_cover ON analytics_product_days (merchant_id, day, product_id, category, orders, quantity, revenue_cents);
CREATE INDEX analytics_customer_days_cover ON analytics_customer_days (merchant_id, day, buyer_id, orders);
CREATE INDEX analytics_customer_days_before ON analytics_customer_days (merchant_id, buyer_id, day, orders);
CREATE INDEX analytics_category_days_community_cover ON analytics_category_days (community_id, day, category, orders, quantity, revenue_cents);
CREATE INDEX analytics_merchant_days_community_cover ON analytics_merchant_days (community_id, day, merchant_id, orders, items, revenue_cents, discount_cents);
CREATE INDEX analytics_resident_months_cover ON analytics_resident_months (community_id, month, account_id);
CREATE INDEX analytics_resident_cohorts_cover ON analytics_resident_cohorts (community_id, account_id, cohort);
)SQL"},
      // Coarser rollups for the range reports (tests/bench/RESULTS.md, "Analytics at the
      // issue's size": a 90-day range of a big merchant read 20,000-27,000 day rows). Each is
      // written by repo::Rollups::flush with the day rows and filled here from them.
      // A (merchant, buyer) pair's first day with orders: "returning customers" is the range's
      // customers less those whose first day is in it (a range count, not a probe per buyer).
      {71, "rollups: each customer's first day with orders", R"SQL(
CREATE TABLE analytics_customer_firsts (
  id {pk},
  community_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  buyer_id BIGINT NOT NULL,
  first_day BIGINT NOT NULL
){engine};
CREATE UNIQUE INDEX analytics_customer_firsts_key ON analytics_customer_firsts (merchant_id, buyer_id);
CREATE INDEX analytics_customer_firsts_day ON analytics_customer_firsts (merchant_id, first_day);
INSERT INTO analytics_customer_firsts (community_id, merchant_id, buyer_id, first_day)
SELECT community_id, merchant_id, buyer_id, MIN(day) FROM analytics_customer_days WHERE orders > 0
GROUP BY community_id, merchant_id, buyer_id;
)SQL"},
      // A product's sums per block of 16 days (logic::kBlockDays; `block` is its first day, a
      // multiple of 16): a range reads its whole blocks here and only its ragged ends from the
      // day rows. category is the greatest of its days', as the day-grained read's MAX().
      {72, "rollups: products per block of 16 days", R"SQL(
CREATE TABLE analytics_product_blocks (
  id {pk},
  community_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  block BIGINT NOT NULL,
  product_id BIGINT NOT NULL,
  category VARCHAR(50) NOT NULL,
  orders BIGINT NOT NULL DEFAULT 0,
  quantity BIGINT NOT NULL DEFAULT 0,
  revenue_cents BIGINT NOT NULL DEFAULT 0
){engine};
CREATE UNIQUE INDEX analytics_product_blocks_key ON analytics_product_blocks (merchant_id, block, product_id);
CREATE INDEX analytics_product_blocks_cover ON analytics_product_blocks (merchant_id, block, product_id, category, orders, quantity, revenue_cents);
INSERT INTO analytics_product_blocks (community_id, merchant_id, block, product_id, category, orders, quantity, revenue_cents)
SELECT community_id, merchant_id, day - day % 16, product_id, MAX(category), SUM(orders), SUM(quantity), SUM(revenue_cents)
FROM analytics_product_days GROUP BY community_id, merchant_id, day - day % 16, product_id;
)SQL"},
      // The community's sales per local day and category (all merchants together), for the
      // manager's dashboard: ~a dozen rows a day instead of one per merchant and category. And
      // residents by cohort, so the retention grid starts from the range's cohorts (usually a
      // few newcomers) instead of probing the cohort of every resident active in the range.
      {73, "rollups: the community's categories per day; residents by cohort", R"SQL(
CREATE INDEX analytics_resident_cohorts_month ON analytics_resident_cohorts (community_id, cohort, account_id);
CREATE TABLE analytics_community_category_days (
  id {pk},
  community_id BIGINT NOT NULL,
  day BIGINT NOT NULL,
  category VARCHAR(50) NOT NULL,
  orders BIGINT NOT NULL DEFAULT 0,
  quantity BIGINT NOT NULL DEFAULT 0,
  revenue_cents BIGINT NOT NULL DEFAULT 0
){engine};
CREATE UNIQUE INDEX analytics_community_category_days_key ON analytics_community_category_days (community_id, day, category);
INSERT INTO analytics_community_category_days (community_id, day, category, orders, quantity, revenue_cents)
SELECT community_id, day, category, SUM(orders), SUM(quantity), SUM(revenue_cents)
FROM analytics_category_days GROUP BY community_id, day, category;
)SQL"},
      // Each (merchant, buyer) pair's customer days with orders as a list: prev_day and
      // next_day are the pair's previous and next days with orders (0 and 2147483647,
      // repo::kNoDay, when none; both so on a row without orders). A range's customers are its
      // rows whose previous day is before it, repeat customers those less the ones with one
      // order and no next day in it: one pass over analytics_customer_days_links instead of a
      // GROUP BY buyer (tests/bench/RESULTS.md, "Customers as linked days"). The table is
      // rebuilt with its links from LAG/LEAD (one sorted pass; an UPDATE of every row cost
      // far more on MariaDB), and its indexes made anew: _links replaces _cover and _before
      // (neither read any more). Rollups::relink_customers reads a pair's days by _buyer, whose
      // entries never move: a locking read on an index with orders or the links in its key
      // could miss a row whose entry another transaction moved behind it while it waited.
      // A MariaDB failure halfway (DDL commits) leaves the copy analytics_customer_days_linked:
      // rename it back by hand, or run the backfill.
      {74, "rollups: customer days linked to the buyer's previous and next days with orders", R"SQL(
DROP TABLE IF EXISTS analytics_customer_days_linked;
CREATE TABLE analytics_customer_days_linked (
  id {pk},
  community_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  buyer_id BIGINT NOT NULL,
  day BIGINT NOT NULL,
  orders BIGINT NOT NULL DEFAULT 0,
  revenue_cents BIGINT NOT NULL DEFAULT 0,
  prev_day BIGINT NOT NULL DEFAULT 0,
  next_day BIGINT NOT NULL DEFAULT 2147483647
){engine};
INSERT INTO analytics_customer_days_linked (id, community_id, merchant_id, buyer_id, day, orders, revenue_cents, prev_day, next_day)
SELECT id, community_id, merchant_id, buyer_id, day, orders, revenue_cents,
CASE WHEN orders > 0 THEN COALESCE(LAG(day) OVER (PARTITION BY merchant_id, buyer_id, orders > 0 ORDER BY day), 0) ELSE 0 END,
CASE WHEN orders > 0 THEN COALESCE(LEAD(day) OVER (PARTITION BY merchant_id, buyer_id, orders > 0 ORDER BY day), 2147483647) ELSE 2147483647 END
FROM analytics_customer_days;
DROP TABLE analytics_customer_days;
ALTER TABLE analytics_customer_days_linked RENAME TO analytics_customer_days;
CREATE UNIQUE INDEX analytics_customer_days_key ON analytics_customer_days (merchant_id, day, buyer_id);
CREATE INDEX analytics_customer_days_buyer ON analytics_customer_days (merchant_id, buyer_id, day);
CREATE INDEX analytics_customer_days_links ON analytics_customer_days (merchant_id, day, prev_day, next_day, orders);
)SQL"},
      // The customers report asks two things of a day's orders: are there any, and is there
      // exactly one. orders_capped (orders, but 2 for two or more) answers both, so _links
      // keys on it instead of orders: an order that adds to a day that has two already no
      // longer moves the day's _links entry. Upserting a day row that exists cost MariaDB
      // 25–27 µs of CPU with orders in _links, 16 µs with orders_capped
      // (tests/bench/customer_day_upsert.sh; RESULTS.md, "A customer day's index entry").
      {75, "rollups: customer days' links index on orders capped at 2", R"SQL(
ALTER TABLE analytics_customer_days ADD COLUMN orders_capped BIGINT NOT NULL DEFAULT 0;
UPDATE analytics_customer_days SET orders_capped = CASE WHEN orders > 1 THEN 2 ELSE orders END;
DROP INDEX analytics_customer_days_links ON analytics_customer_days;
CREATE INDEX analytics_customer_days_links ON analytics_customer_days (merchant_id, day, prev_day, next_day, orders_capped);
)SQL"},
      // The rollup rows that each order writes again (the buyer's customer day and first day,
      // the resident's day, month and cohort) keyed by what they are: the primary key is the
      // unique key they had, and the surrogate id goes (nothing read it). With an
      // AUTO_INCREMENT id as InnoDB's clustered key, an upsert or INSERT IGNORE of a row that
      // exists first inserted a new clustered record, met the duplicate in the unique index
      // and undid the insert (burning an id each time); keyed by the key, it finds the row
      // where it starts. MariaDB's CPU per upserted customer day that exists: 15 µs -> 8 µs,
      // per ignored resident day 9 µs -> 3-4 µs (tests/bench/customer_day_upsert.sh).
      {76, "rollups written per order: keyed by their unique key, no surrogate id",
       rekeyed("analytics_customer_days",
               {"community_id BIGINT NOT NULL", "merchant_id BIGINT NOT NULL", "buyer_id BIGINT NOT NULL",
                "day BIGINT NOT NULL", "orders BIGINT NOT NULL DEFAULT 0", "revenue_cents BIGINT NOT NULL DEFAULT 0",
                "prev_day BIGINT NOT NULL DEFAULT 0", "next_day BIGINT NOT NULL DEFAULT 2147483647",
                "orders_capped BIGINT NOT NULL DEFAULT 0"},
               "merchant_id, day, buyer_id",
               {"analytics_customer_days_buyer (merchant_id, buyer_id, day)",
                "analytics_customer_days_links (merchant_id, day, prev_day, next_day, orders_capped)"}) +
           rekeyed("analytics_customer_firsts",
                   {"community_id BIGINT NOT NULL", "merchant_id BIGINT NOT NULL", "buyer_id BIGINT NOT NULL",
                    "first_day BIGINT NOT NULL"},
                   "merchant_id, buyer_id", {"analytics_customer_firsts_day (merchant_id, first_day)"}) +
           rekeyed("analytics_resident_days",
                   {"community_id BIGINT NOT NULL", "account_id BIGINT NOT NULL", "day BIGINT NOT NULL"},
                   "community_id, day, account_id", {}) +
           rekeyed("analytics_resident_months",
                   {"community_id BIGINT NOT NULL", "account_id BIGINT NOT NULL", "month BIGINT NOT NULL"},
                   "community_id, account_id, month",
                   {"analytics_resident_months_month (community_id, month)",
                    "analytics_resident_months_cover (community_id, month, account_id)"}) +
           rekeyed("analytics_resident_cohorts",
                   {"community_id BIGINT NOT NULL", "account_id BIGINT NOT NULL", "cohort BIGINT NOT NULL"},
                   "community_id, account_id",
                   {"analytics_resident_cohorts_cover (community_id, account_id, cohort)",
                    "analytics_resident_cohorts_month (community_id, cohort, account_id)"})},
      // Tickets against the SLA, per local day and ticket category, from property's ticket.*
      // events (each history step once: facts "ticket-sla:<history id>").
      {61, "rollups: tickets against the SLA", R"SQL(
CREATE TABLE analytics_ticket_days (
  id {pk},
  community_id BIGINT NOT NULL,
  day BIGINT NOT NULL,
  category VARCHAR(32) NOT NULL,
  opened BIGINT NOT NULL DEFAULT 0,
  responded BIGINT NOT NULL DEFAULT 0,
  response_minutes BIGINT NOT NULL DEFAULT 0,
  response_breaches BIGINT NOT NULL DEFAULT 0,
  resolved BIGINT NOT NULL DEFAULT 0,
  resolution_minutes BIGINT NOT NULL DEFAULT 0,
  resolution_breaches BIGINT NOT NULL DEFAULT 0,
  reopened BIGINT NOT NULL DEFAULT 0,
  ratings BIGINT NOT NULL DEFAULT 0,
  rating_sum BIGINT NOT NULL DEFAULT 0
){engine};
CREATE UNIQUE INDEX analytics_ticket_days_key ON analytics_ticket_days (community_id, day, category);
)SQL"},
  };
}

}  // namespace courtyard::analytics
