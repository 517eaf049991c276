#include "services/analytics/repository.hpp"

#include "db/database.hpp"
#include "db/query.hpp"
#include "services/analytics/logic.hpp"

#include <algorithm>

namespace courtyard::analytics::repo {

using soci::use;

namespace {

std::string ignore(db::Tx& tx, char const* insert) { return std::string(db::insert_ignore(tx.backend())) + insert; }

constexpr auto total_from =
    db::fields(&Total::id, &Total::key, &Total::orders, &Total::quantity, &Total::revenue_cents,
               &Total::discount_cents, &Total::first_day, &Total::last_day);

}  // namespace

// ---- facts

constexpr char const* kClaimFact =
    " INTO analytics_facts (community_id, fact, event_id, applied_at) VALUES (:c, :f, :e, :t)";
bool claim_fact(db::Tx& tx, std::int64_t cid, std::string const& fact, std::int64_t event_id) {
  std::int64_t now = tx.now_ms();
  return tx.exec(ignore(tx, kClaimFact), use(cid, "c"), use(fact, "f"), use(event_id, "e"), use(now, "t")) == 1;
}

constexpr char const* kTakenFacts = "SELECT fact FROM analytics_facts WHERE fact IN (";
std::set<std::string> claim_facts(db::Tx& tx, std::vector<FactClaim> const& claims) {
  std::set<std::string> out;
  if (claims.empty()) return out;
  db::Query q(kTakenFacts);
  for (std::size_t i = 0; i < claims.size(); ++i) q.sql(i ? ", " : "").value(claims[i].fact);
  q.sql(")");
  auto before = q.all(tx, db::first_text);
  std::set<std::string> seen(before.begin(), before.end());
  std::vector<FactClaim const*> fresh;  // each fact once, for its first claim
  for (auto const& c : claims)
    if (seen.insert(c.fact).second) fresh.push_back(&c);
  if (fresh.empty()) return out;
  std::int64_t now = tx.now_ms();
  db::Query ins(ignore(tx, " INTO analytics_facts (community_id, fact, event_id, applied_at) VALUES "));
  for (std::size_t i = 0; i < fresh.size(); ++i) {
    ins.sql(i ? ", (" : "(").value(fresh[i]->community_id).sql(", ").value(fresh[i]->fact).sql(", ");
    ins.value(fresh[i]->event_id).sql(", ").value(now).sql(")");
  }
  tx.sql() << "SAVEPOINT analytics_facts";
  bool all = ins.exec(tx) == static_cast<long long>(fresh.size());
  if (!all) tx.sql() << "ROLLBACK TO SAVEPOINT analytics_facts";
  tx.sql() << "RELEASE SAVEPOINT analytics_facts";
  // A concurrent transaction took some of them in between (MariaDB; SQLite's writers take
  // turns): which ones is told exactly by claiming each alone.
  for (auto const* c : fresh)
    if (all || claim_fact(tx, c->community_id, c->fact, c->event_id)) out.insert(c->fact);
  return out;
}

std::set<std::string> claim_backfill_facts(db::Tx& tx, std::int64_t cid, std::vector<std::string> const& facts) {
  std::vector<FactClaim> claims;
  for (auto const& f : facts) claims.push_back({cid, f, 0});
  return claim_facts(tx, claims);
}

constexpr char const* kClearTables[] = {
    "DELETE FROM analytics_facts WHERE community_id = :c AND (fact LIKE 'order.%' OR fact LIKE 'review:%' "
    "OR fact LIKE 'groupbuy:%')",
    "DELETE FROM analytics_merchant_days WHERE community_id = :c",
    "DELETE FROM analytics_product_days WHERE community_id = :c",
    "DELETE FROM analytics_category_days WHERE community_id = :c",
    "DELETE FROM analytics_customer_days WHERE community_id = :c",
    "DELETE FROM analytics_promo_days WHERE community_id = :c",
    "DELETE FROM analytics_group_buys WHERE community_id = :c",
    "DELETE FROM analytics_rating_days WHERE community_id = :c",
    "DELETE FROM analytics_product_blocks WHERE community_id = :c",
    "DELETE FROM analytics_community_category_days WHERE community_id = :c",
    "DELETE FROM analytics_customer_firsts WHERE community_id = :c",
};
void clear_community(db::Tx& tx, std::int64_t cid) {
  for (auto const* q : kClearTables) tx.exec(q, use(cid, "c"));
}

// ---- rollups

constexpr char const* kEnsureMerchantDay =
    " INTO analytics_merchant_days (community_id, merchant_id, day) VALUES (:c, :m, :d)";
constexpr char const* kAddMerchantDay =
    "UPDATE analytics_merchant_days SET orders = orders + :o, items = items + :i, "
    "subtotal_cents = subtotal_cents + :s, discount_cents = discount_cents + :dc, revenue_cents = revenue_cents + :r, "
    "cancelled = cancelled + :x, refunded_cents = refunded_cents + :rf WHERE merchant_id = :m AND day = :d";
void add_merchant_day(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::int64_t day, Sale const& s) {
  tx.exec(ignore(tx, kEnsureMerchantDay), use(cid, "c"), use(mid, "m"), use(day, "d"));
  tx.exec(kAddMerchantDay, use(s.orders, "o"), use(s.items, "i"), use(s.subtotal_cents, "s"),
          use(s.discount_cents, "dc"), use(s.revenue_cents, "r"), use(s.cancelled, "x"),
          use(s.refunded_cents, "rf"), use(mid, "m"), use(day, "d"));
}

void add_sale(Sale& into, Sale const& s) {
  into.orders += s.orders;
  into.items += s.items;
  into.subtotal_cents += s.subtotal_cents;
  into.discount_cents += s.discount_cents;
  into.revenue_cents += s.revenue_cents;
  into.cancelled += s.cancelled;
  into.refunded_cents += s.refunded_cents;
}

// ---- batched rollups (Rollups)

namespace {

// A customer day's orders_capped (migration 75: its orders, but 2 for two or more) from the
// stored orders and the ones added. Assigned before orders itself, so that it reads the
// stored value on both backends (MariaDB's assignments see the ones made before them,
// SQLite's see none).
std::string orders_capped_set(db::Backend b) {
  std::string orders = b == db::Backend::Sqlite ? "orders + excluded.orders" : "orders + VALUES(orders)";
  return "orders_capped = CASE WHEN " + orders + " > 1 THEN 2 ELSE " + orders + " END, ";
}

// "ON CONFLICT (key) DO UPDATE SET c = c + excluded.c" / "ON DUPLICATE KEY UPDATE c = c + VALUES(c)",
// with `before` (assignments ending in ", ") first.
std::string add_on_conflict(db::Backend b, char const* key, std::initializer_list<char const*> cols,
                            std::string const& before = {}) {
  bool lite = b == db::Backend::Sqlite;
  std::string s = lite ? std::string(" ON CONFLICT (") + key + ") DO UPDATE SET " : " ON DUPLICATE KEY UPDATE ";
  s += before;
  bool first = true;
  for (auto const* c : cols) {
    s += first ? "" : ", ";
    first = false;
    s += std::string(c) + " = " + c + " + " + (lite ? std::string("excluded.") + c : std::string("VALUES(") + c + ")");
  }
  return s;
}

// A product's category on its day and block rows: the greatest written (a product filed under
// another category on the same day keeps one, and the block agrees with its days' MAX()).
std::string greatest_category(db::Backend b) {
  return b == db::Backend::Sqlite ? ", category = MAX(category, excluded.category)"
                                  : ", category = GREATEST(category, VALUES(category))";
}

template <class V, class... Rest>
void values_of(db::Query& q, V const& v, Rest const&... rest) {
  q.value(v);
  if constexpr (sizeof...(rest) > 0) {
    q.sql(", ");
    values_of(q, rest...);
  }
}

// One multi-row INSERT per kRows entries of `m`: head + " (row), (row)…" + tail; `row(q, key,
// value)` appends one row's values.
template <class Map, class Row>
void write_rows(db::Tx& tx, Map const& m, std::string const& head, std::string const& tail, Row row) {
  constexpr std::size_t kRows = 200;
  auto it = m.begin();
  while (it != m.end()) {
    db::Query q(head);
    for (std::size_t n = 0; n < kRows && it != m.end(); ++n, ++it) {
      q.sql(n ? ", (" : " (");
      row(q, it->first, it->second);
      q.sql(")");
    }
    q.sql(tail);
    q.exec(tx);
  }
}

}  // namespace

void Rollups::merchant_day(std::int64_t cid, std::int64_t mid, std::int64_t day, Sale const& s) {
  community_of_[mid] = cid;
  add_sale(merchant_days_[{mid, day}], s);
}

void Rollups::product_day(std::int64_t cid, std::int64_t mid, std::int64_t pid, std::int64_t day,
                          std::string const& category, std::int64_t orders, std::int64_t quantity,
                          std::int64_t revenue) {
  community_of_[mid] = cid;
  auto& [cat, t] = product_days_[{mid, day, pid}];
  if (cat < category) cat = category;  // the greatest, as the upsert keeps it (and the blocks)
  t.orders += orders;
  t.quantity += quantity;
  t.revenue += revenue;
}

void Rollups::category_day(std::int64_t cid, std::int64_t mid, std::string const& category, std::int64_t day,
                           std::int64_t orders, std::int64_t quantity, std::int64_t revenue) {
  community_of_[mid] = cid;
  auto& t = category_days_[{mid, day, category}];
  t.orders += orders;
  t.quantity += quantity;
  t.revenue += revenue;
}

void Rollups::customer_day(std::int64_t cid, std::int64_t mid, std::int64_t buyer, std::int64_t day,
                           std::int64_t orders, std::int64_t revenue) {
  community_of_[mid] = cid;
  auto& t = customer_days_[{mid, day, buyer}];
  t.orders += orders;
  t.revenue += revenue;
}

void Rollups::promo_day(std::int64_t cid, std::int64_t mid, std::string const& kind, std::int64_t promo_id,
                        std::int64_t day, std::int64_t orders, std::int64_t quantity, std::int64_t revenue,
                        std::int64_t discount) {
  community_of_[mid] = cid;
  auto& t = promo_days_[{mid, day, kind, promo_id}];
  t.orders += orders;
  t.quantity += quantity;
  t.revenue += revenue;
  t.discount += discount;
}

void Rollups::active(std::int64_t cid, std::int64_t account_id, std::int64_t day, std::int64_t month) {
  if (account_id > 0) active_[{cid, day, account_id}] = month;
}

void Rollups::flush(db::Tx& tx) {
  auto b = tx.backend();
  auto cid = [&](std::int64_t mid) { return community_of_.at(mid); };
  write_rows(tx, merchant_days_,
             "INSERT INTO analytics_merchant_days (community_id, merchant_id, day, orders, items, subtotal_cents, "
             "discount_cents, revenue_cents, cancelled, refunded_cents) VALUES",
             add_on_conflict(b, "merchant_id, day",
                             {"orders", "items", "subtotal_cents", "discount_cents", "revenue_cents", "cancelled",
                              "refunded_cents"}),
             [&](db::Query& q, Key2 const& k, Sale const& s) {
               values_of(q, cid(k.first), k.first, k.second, s.orders, s.items, s.subtotal_cents, s.discount_cents,
                         s.revenue_cents, s.cancelled, s.refunded_cents);
             });
  write_rows(tx, product_days_,
             "INSERT INTO analytics_product_days (community_id, merchant_id, day, product_id, category, orders, "
             "quantity, revenue_cents) VALUES",
             add_on_conflict(b, "merchant_id, day, product_id", {"orders", "quantity", "revenue_cents"}) +
                 greatest_category(b),
             [&](db::Query& q, Key3 const& k, std::pair<std::string, Counts> const& v) {
               auto [mid, day, pid] = k;
               values_of(q, cid(mid), mid, day, pid, v.first, v.second.orders, v.second.quantity, v.second.revenue);
             });
  write_rows(tx, category_days_,
             "INSERT INTO analytics_category_days (community_id, merchant_id, day, category, orders, quantity, "
             "revenue_cents) VALUES",
             add_on_conflict(b, "merchant_id, day, category", {"orders", "quantity", "revenue_cents"}),
             [&](db::Query& q, auto const& k, Counts const& t) {
               auto const& [mid, day, category] = k;
               values_of(q, cid(mid), mid, day, category, t.orders, t.quantity, t.revenue);
             });
  write_rows(tx, customer_days_,
             "INSERT INTO analytics_customer_days (community_id, merchant_id, day, buyer_id, orders, revenue_cents, "
             "orders_capped) VALUES",
             add_on_conflict(b, "merchant_id, day, buyer_id", {"orders", "revenue_cents"}, orders_capped_set(b)),
             [&](db::Query& q, Key3 const& k, Counts const& t) {
               auto [mid, day, buyer] = k;
               values_of(q, cid(mid), mid, day, buyer, t.orders, t.revenue, std::min<std::int64_t>(t.orders, 2));
             });
  relink_customers(tx);
  write_rows(tx, promo_days_,
             "INSERT INTO analytics_promo_days (community_id, merchant_id, day, kind, promo_id, orders, quantity, "
             "revenue_cents, discount_cents) VALUES",
             add_on_conflict(b, "merchant_id, day, kind, promo_id",
                             {"orders", "quantity", "revenue_cents", "discount_cents"}),
             [&](db::Query& q, auto const& k, Counts const& t) {
               auto const& [mid, day, kind, id] = k;
               values_of(q, cid(mid), mid, day, kind, id, t.orders, t.quantity, t.revenue, t.discount);
             });
  if (!active_.empty()) {
    std::string ignore_into = std::string(db::insert_ignore(b)) + " INTO ";
    write_rows(tx, active_, ignore_into + "analytics_resident_days (community_id, day, account_id) VALUES", "",
               [&](db::Query& q, Key3 const& k, std::int64_t) {
                 auto [c, day, account] = k;
                 values_of(q, c, day, account);
               });
    // a month and a cohort per (community, account, month): the earliest month wins
    std::map<Key3, bool> months;
    for (auto const& [k, month] : active_) months[{std::get<0>(k), std::get<2>(k), month}] = true;
    write_rows(tx, months, ignore_into + "analytics_resident_months (community_id, account_id, month) VALUES", "",
               [&](db::Query& q, Key3 const& k, bool) {
                 auto [c, account, month] = k;
                 values_of(q, c, account, month);
               });
    std::map<Key2, std::int64_t> first;  // (community, account) -> earliest month here
    for (auto const& [k, on] : months) {
      auto [c, account, month] = k;
      auto [it, fresh] = first.try_emplace({c, account}, month);
      if (!fresh && month < it->second) it->second = month;
    }
    bool lite = b == db::Backend::Sqlite;
    write_rows(tx, first, "INSERT INTO analytics_resident_cohorts (community_id, account_id, cohort) VALUES",
               lite ? " ON CONFLICT (community_id, account_id) DO UPDATE SET cohort = MIN(cohort, excluded.cohort)"
                    : " ON DUPLICATE KEY UPDATE cohort = LEAST(cohort, VALUES(cohort))",
               [&](db::Query& q, Key2 const& k, std::int64_t month) { values_of(q, k.first, k.second, month); });
  }
  flush_coarse(tx);
  merchant_days_.clear();
  product_days_.clear();
  category_days_.clear();
  customer_days_.clear();
  promo_days_.clear();
  active_.clear();
  firsts_.clear();
}

// Each (merchant, buyer) pair's days with orders as a list (prev_day, next_day; see
// Rollups::relink_customers): the touched pairs' day rows, after this flush wrote them, in
// pair and day order. Locking on MariaDB: two transactions adding days to one pair each wait
// for the other's new rows here (a deadlock, one retried), so the one that commits second
// links against the first's days. By analytics_customer_days_buyer, forced: its entries never
// move, whereas on an index keyed by orders or the links (say _links, which covers these
// columns) an entry updated by the transaction waited for can move behind the scan, and the
// locking read misses that row (seen with tests/analytics/customer_links_test.cpp).
constexpr char const* kPairDays =
    "SELECT merchant_id, buyer_id, day, orders, prev_day, next_day FROM analytics_customer_days ";
constexpr char const* kPairDaysIndexLite = "INDEXED BY analytics_customer_days_buyer WHERE ";
constexpr char const* kPairDaysIndexMy = "FORCE INDEX (analytics_customer_days_buyer) WHERE ";
constexpr char const* kPairDaysOrder = " ORDER BY merchant_id, buyer_id, day";

// Re-links the day rows of every (merchant, buyer) pair this flush touched: a row with orders
// points at the pair's previous and next days with orders (0 and kNoDay when none), a row
// without orders at nothing. Only rows whose links change are written (a day that gained or
// lost its orders, its new row, and its neighbours), in one multi-row upsert per kRows.
void Rollups::relink_customers(db::Tx& tx) {
  constexpr std::size_t kPairs = 200;  // pairs read per statement
  auto b = tx.backend();
  std::map<std::int64_t, std::vector<std::int64_t>> pairs;  // merchant -> buyers touched
  for (auto const& [k, t] : customer_days_) {
    auto& buyers = pairs[std::get<0>(k)];
    if (buyers.empty() || buyers.back() != std::get<2>(k)) buyers.push_back(std::get<2>(k));
  }
  for (auto& [mid, buyers] : pairs) {
    std::sort(buyers.begin(), buyers.end());
    buyers.erase(std::unique(buyers.begin(), buyers.end()), buyers.end());
  }
  struct Day {
    std::int64_t mid, buyer, day, orders, prev, next;
  };
  std::map<Key3, Key2> changed;  // (merchant, day, buyer) -> (prev_day, next_day)
  firsts_.clear();
  auto relink = [&](std::vector<Day> const& days) {  // one pair's rows, by day
    std::vector<Key2> want(days.size(), Key2{0, kNoDay});
    std::size_t last = days.size();  // the last day with orders so far
    for (std::size_t i = 0; i < days.size(); ++i) {
      if (days[i].orders <= 0) continue;
      if (last < days.size()) {
        want[i].first = days[last].day;
        want[last].second = days[i].day;
      }
      last = i;
    }
    for (std::size_t i = 0; i < days.size(); ++i)
      if (want[i] != Key2{days[i].prev, days[i].next}) changed[{days[i].mid, days[i].day, days[i].buyer}] = want[i];
    auto first = std::find_if(days.begin(), days.end(), [](Day const& d) { return d.orders > 0; });
    firsts_[{days.front().mid, days.front().buyer}] = first == days.end() ? kNoDay : first->day;
  };
  auto it = pairs.begin();
  std::size_t at = 0;  // into it->second
  while (it != pairs.end()) {
    db::Query q(kPairDays);
    q.sql(b == db::Backend::Sqlite ? kPairDaysIndexLite : kPairDaysIndexMy);
    std::size_t n = 0;
    bool first = true;
    while (it != pairs.end() && n < kPairs) {
      q.sql(first ? "(merchant_id = " : " OR (merchant_id = ").value(it->first).sql(" AND buyer_id IN (");
      first = false;
      for (std::size_t k = 0; at < it->second.size() && n < kPairs; ++at, ++n, ++k)
        q.sql(k ? ", " : "").value(it->second[at]);
      q.sql("))");
      if (at == it->second.size()) {
        ++it;
        at = 0;
      }
    }
    q.sql(kPairDaysOrder).sql(std::string(db::for_update(b)));
    auto rows = q.all(tx, db::fields(&Day::mid, &Day::buyer, &Day::day, &Day::orders, &Day::prev, &Day::next));
    std::vector<Day> pair;
    for (auto const& d : rows) {
      if (!pair.empty() && (pair.back().mid != d.mid || pair.back().buyer != d.buyer)) {
        relink(pair);
        pair.clear();
      }
      pair.push_back(d);
    }
    if (!pair.empty()) relink(pair);
  }
  bool lite = b == db::Backend::Sqlite;
  auto cid = [&](std::int64_t mid) { return community_of_.at(mid); };
  write_rows(tx, changed,
             "INSERT INTO analytics_customer_days (community_id, merchant_id, day, buyer_id, prev_day, next_day) "
             "VALUES",
             lite ? " ON CONFLICT (merchant_id, day, buyer_id) DO UPDATE SET prev_day = excluded.prev_day, "
                    "next_day = excluded.next_day"
                  : " ON DUPLICATE KEY UPDATE prev_day = VALUES(prev_day), next_day = VALUES(next_day)",
             [&](db::Query& q, Key3 const& k, Key2 const& link) {
               auto [mid, day, buyer] = k;
               values_of(q, cid(mid), mid, day, buyer, link.first, link.second);
             });
}

// The (merchant, buyer) pair's first day with orders, as relink_customers read it.
constexpr char const* kForgetFirst = "DELETE FROM analytics_customer_firsts WHERE merchant_id = :m AND buyer_id = :b";

// The coarser tables from the same additions, after relink_customers read the touched pairs'
// day rows.
void Rollups::flush_coarse(db::Tx& tx) {
  auto b = tx.backend();
  bool lite = b == db::Backend::Sqlite;
  auto cid = [&](std::int64_t mid) { return community_of_.at(mid); };
  std::map<Key3, std::pair<std::string, Counts>> blocks;  // (merchant, block, product)
  for (auto const& [k, v] : product_days_) {
    auto [mid, day, pid] = k;
    auto& [cat, t] = blocks[{mid, logic::block_start(day), pid}];
    if (cat < v.first) cat = v.first;
    t.orders += v.second.orders;
    t.quantity += v.second.quantity;
    t.revenue += v.second.revenue;
  }
  write_rows(tx, blocks,
             "INSERT INTO analytics_product_blocks (community_id, merchant_id, block, product_id, category, orders, "
             "quantity, revenue_cents) VALUES",
             add_on_conflict(b, "merchant_id, block, product_id", {"orders", "quantity", "revenue_cents"}) +
                 greatest_category(b),
             [&](db::Query& q, Key3 const& k, std::pair<std::string, Counts> const& v) {
               auto [mid, block, pid] = k;
               values_of(q, cid(mid), mid, block, pid, v.first, v.second.orders, v.second.quantity, v.second.revenue);
             });
  std::map<std::tuple<std::int64_t, std::int64_t, std::string>, Counts> categories;  // (community, day, category)
  for (auto const& [k, t] : category_days_) {
    auto const& [mid, day, category] = k;
    auto& c = categories[{cid(mid), day, category}];
    c.orders += t.orders;
    c.quantity += t.quantity;
    c.revenue += t.revenue;
  }
  write_rows(tx, categories,
             "INSERT INTO analytics_community_category_days (community_id, day, category, orders, quantity, "
             "revenue_cents) VALUES",
             add_on_conflict(b, "community_id, day, category", {"orders", "quantity", "revenue_cents"}),
             [&](db::Query& q, auto const& k, Counts const& t) {
               auto const& [c, day, category] = k;
               values_of(q, c, day, category, t.orders, t.quantity, t.revenue);
             });
  // Every touched pair's first day is set from its rows as the locking read in
  // relink_customers saw them, not moved by this batch's additions: a cancellation can be
  // delivered before its order's placement (two queues, run side by side on MariaDB), and a
  // day that gained an order in this batch may still hold none.
  std::map<Key2, std::int64_t> set;
  for (auto const& [k, day] : firsts_)
    if (day == kNoDay)
      tx.exec(kForgetFirst, use(k.first, "m"), use(k.second, "b"));
    else
      set.emplace(k, day);
  write_rows(tx, set,
             "INSERT INTO analytics_customer_firsts (community_id, merchant_id, buyer_id, first_day) VALUES",
             lite ? " ON CONFLICT (merchant_id, buyer_id) DO UPDATE SET first_day = excluded.first_day"
                  : " ON DUPLICATE KEY UPDATE first_day = VALUES(first_day)",
             [&](db::Query& q, Key2 const& k, std::int64_t day) { values_of(q, cid(k.first), k.first, k.second, day); });
}

constexpr char const* kPutGroupBuy =
    " INTO analytics_group_buys (community_id, merchant_id, group_buy_id, outcome, participants, closed_day) "
    "VALUES (:c, :m, :g, :o, :p, :d)";
void put_group_buy(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::int64_t gid, std::string const& outcome,
                   std::int64_t participants, std::int64_t closed_day) {
  tx.exec(ignore(tx, kPutGroupBuy), use(cid, "c"), use(mid, "m"), use(gid, "g"), use(outcome, "o"),
          use(participants, "p"), use(closed_day, "d"));
}

constexpr char const* kEnsureRatingDay =
    " INTO analytics_rating_days (community_id, merchant_id, day) VALUES (:c, :m, :d)";
constexpr char const* kAddRating =
    "UPDATE analytics_rating_days SET reviews = reviews + :n, rating_sum = rating_sum + :r, "
    "stars1 = stars1 + :s1, stars2 = stars2 + :s2, stars3 = stars3 + :s3, stars4 = stars4 + :s4, "
    "stars5 = stars5 + :s5 WHERE merchant_id = :m AND day = :d";
void add_ratings(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::int64_t day, std::array<std::int64_t, 5> s) {
  tx.exec(ignore(tx, kEnsureRatingDay), use(cid, "c"), use(mid, "m"), use(day, "d"));
  std::int64_t n = 0, sum = 0;
  for (int i = 0; i < 5; ++i) {
    n += s[i];
    sum += s[i] * (i + 1);
  }
  tx.exec(kAddRating, use(n, "n"), use(sum, "r"), use(s[0], "s1"), use(s[1], "s2"), use(s[2], "s3"),
          use(s[3], "s4"), use(s[4], "s5"), use(mid, "m"), use(day, "d"));
}

void add_rating(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::int64_t day, std::int64_t rating) {
  std::array<std::int64_t, 5> s{};
  s[rating - 1] = 1;
  add_ratings(tx, cid, mid, day, s);
}

constexpr char const* kEnsureCommunityDay =
    " INTO analytics_community_days (community_id, day) VALUES (:c, :d)";
constexpr char const* kAddCommunityDay =
    "UPDATE analytics_community_days SET bills_issued = bills_issued + :a, "
    "bills_issued_cents = bills_issued_cents + :b, bills_paid = bills_paid + :e, "
    "bills_paid_cents = bills_paid_cents + :f, bills_paid_late = bills_paid_late + :g, "
    "bills_overdue = bills_overdue + :h, tickets_resolved = tickets_resolved + :i, "
    "tickets_closed = tickets_closed + :j, checkins = checkins + :k, rsvps = rsvps + :l, posts = posts + :n "
    "WHERE community_id = :c AND day = :d";
void add_community_day(db::Tx& tx, std::int64_t cid, std::int64_t day, CommunityDay const& x) {
  tx.exec(ignore(tx, kEnsureCommunityDay), use(cid, "c"), use(day, "d"));
  tx.exec(kAddCommunityDay, use(x.bills_issued, "a"), use(x.bills_issued_cents, "b"), use(x.bills_paid, "e"),
          use(x.bills_paid_cents, "f"), use(x.bills_paid_late, "g"), use(x.bills_overdue, "h"),
          use(x.tickets_resolved, "i"), use(x.tickets_closed, "j"), use(x.checkins, "k"), use(x.rsvps, "l"),
          use(x.posts, "n"), use(cid, "c"), use(day, "d"));
}

constexpr char const* kActiveDay =
    " INTO analytics_resident_days (community_id, account_id, day) VALUES (:c, :a, :d)";
constexpr char const* kActiveMonth =
    " INTO analytics_resident_months (community_id, account_id, month) VALUES (:c, :a, :m)";
constexpr char const* kEnsureCohort =
    " INTO analytics_resident_cohorts (community_id, account_id, cohort) VALUES (:c, :a, :m)";
// The cohort is the first month the resident was active, whatever order the events came in.
constexpr char const* kEarlierCohort =
    "UPDATE analytics_resident_cohorts SET cohort = :m WHERE community_id = :c AND account_id = :a AND cohort > :m2";
void mark_active(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::int64_t day, std::int64_t month) {
  if (account_id <= 0) return;
  tx.exec(ignore(tx, kActiveDay), use(cid, "c"), use(account_id, "a"), use(day, "d"));
  if (tx.exec(ignore(tx, kActiveMonth), use(cid, "c"), use(account_id, "a"), use(month, "m")) == 0) return;
  if (tx.exec(ignore(tx, kEnsureCohort), use(cid, "c"), use(account_id, "a"), use(month, "m")) == 0)
    tx.exec(kEarlierCohort, use(month, "m"), use(cid, "c"), use(account_id, "a"), use(month, "m2"));
}

constexpr char const* kBillIssued =
    " INTO analytics_bills (community_id, bill_id, amount_cents, due_at, issued_day) VALUES (:c, :b, :a, :d, :i)";
void bill_issued(db::Tx& tx, std::int64_t cid, std::int64_t bill_id, std::int64_t amount, std::int64_t due_at,
                 std::int64_t day) {
  tx.exec(ignore(tx, kBillIssued), use(cid, "c"), use(bill_id, "b"), use(amount, "a"), use(due_at, "d"),
          use(day, "i"));
}

constexpr char const* kBillPaid = "UPDATE analytics_bills SET paid_at = :p WHERE bill_id = :b AND community_id = :c";
void bill_paid(db::Tx& tx, std::int64_t cid, std::int64_t bill_id, std::int64_t amount, std::int64_t due_at,
               std::int64_t day, std::int64_t paid_at) {
  bill_issued(tx, cid, bill_id, amount, due_at, day);  // paid before its issue was seen
  tx.exec(kBillPaid, use(paid_at, "p"), use(bill_id, "b"), use(cid, "c"));
}

// ---- thresholds

constexpr char const* kEnsureThreshold =
    " INTO analytics_stock_thresholds (community_id, merchant_id, product_id, threshold, alerted, updated_at, "
    "updated_by) VALUES (:c, :m, :p, :t, 0, :u, :b)";
constexpr char const* kSetThreshold =
    "UPDATE analytics_stock_thresholds SET threshold = :t, alerted = 0, updated_at = :u, updated_by = :b "
    "WHERE product_id = :p AND community_id = :c";
void set_threshold(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::int64_t pid, std::int64_t threshold,
                   std::int64_t by) {
  std::int64_t now = tx.now_ms();
  tx.exec(ignore(tx, kEnsureThreshold), use(cid, "c"), use(mid, "m"), use(pid, "p"), use(threshold, "t"),
          use(now, "u"), use(by, "b"));
  tx.exec(kSetThreshold, use(threshold, "t"), use(now, "u"), use(by, "b"), use(pid, "p"), use(cid, "c"));
}

constexpr char const* kDeleteThreshold =
    "DELETE FROM analytics_stock_thresholds WHERE product_id = :p AND community_id = :c";
bool delete_threshold(db::Tx& tx, std::int64_t cid, std::int64_t pid) {
  return tx.exec(kDeleteThreshold, use(pid, "p"), use(cid, "c")) == 1;
}

#define ANALYTICS_THRESHOLD_COLS "product_id, merchant_id, threshold, alerted, updated_at"
constexpr auto threshold_from =
    db::fields(&Threshold::product_id, &Threshold::merchant_id, &Threshold::threshold, &Threshold::alerted,
               &Threshold::updated_at);
constexpr char const* kThresholdOf = "SELECT " ANALYTICS_THRESHOLD_COLS
                                     " FROM analytics_stock_thresholds WHERE product_id = :p AND community_id = :c";
std::optional<Threshold> threshold_of(db::Tx& tx, std::int64_t cid, std::int64_t pid) {
  return db::one(tx, kThresholdOf, threshold_from, use(pid, "p"), use(cid, "c"));
}
constexpr char const* kThresholdsOf =
    "SELECT " ANALYTICS_THRESHOLD_COLS
    " FROM analytics_stock_thresholds WHERE community_id = :c AND merchant_id = :m ORDER BY product_id";
std::vector<Threshold> thresholds_of(db::Tx& tx, std::int64_t cid, std::int64_t mid) {
  return db::all(tx, kThresholdsOf, threshold_from, use(cid, "c"), use(mid, "m"));
}

constexpr char const* kSetAlerted =
    "UPDATE analytics_stock_thresholds SET alerted = :to WHERE product_id = :p AND alerted = :from";
bool set_alerted(db::Tx& tx, std::int64_t pid, bool to) {
  int t = to ? 1 : 0, f = to ? 0 : 1;
  return tx.exec(kSetAlerted, use(t, "to"), use(pid, "p"), use(f, "from")) == 1;
}

// ---- report reads

constexpr char const* kMerchantDays =
    "SELECT day, orders, items, subtotal_cents, discount_cents, revenue_cents, cancelled, refunded_cents "
    "FROM analytics_merchant_days WHERE merchant_id = :m AND day >= :f AND day <= :t ORDER BY day";
std::vector<MerchantDay> merchant_days(db::Tx& tx, std::int64_t mid, std::int64_t from, std::int64_t to) {
  return db::all(
      tx, kMerchantDays,
      [](db::Row const& r) {
        db::Cols c(r);
        MerchantDay d;
        c.into(d.day, d.sale.orders, d.sale.items, d.sale.subtotal_cents, d.sale.discount_cents,
               d.sale.revenue_cents, d.sale.cancelled, d.sale.refunded_cents);
        return d;
      },
      use(mid, "m"), use(from, "f"), use(to, "t"));
}

// The whole blocks' sums and each ragged end's, per product, added up here: three small
// GROUP BYs cost MariaDB about half of one over their materialized UNION ALL.
constexpr char const* kProductBlockTotals =
    "SELECT product_id, MAX(category), SUM(orders), SUM(quantity), SUM(revenue_cents), 0, 0, 0 "
    "FROM analytics_product_blocks WHERE merchant_id = :m AND block >= :f AND block <= :t GROUP BY product_id";
constexpr char const* kProductDayTotals =
    "SELECT product_id, MAX(category), SUM(orders), SUM(quantity), SUM(revenue_cents), 0, 0, 0 "
    "FROM analytics_product_days WHERE merchant_id = :m AND day >= :f AND day <= :t GROUP BY product_id";
std::vector<Total> product_totals(db::Tx& tx, std::int64_t mid, std::int64_t from, std::int64_t to) {
  auto s = logic::split_blocks(from, to);
  std::map<std::int64_t, Total> sums;
  auto add = [&](char const* sql, std::int64_t f, std::int64_t t) {
    if (f > t) return;
    for (auto const& x : db::all(tx, sql, total_from, use(mid, "m"), use(f, "f"), use(t, "t"))) {
      auto [it, fresh] = sums.try_emplace(x.id, x);
      if (fresh) continue;
      if (it->second.key < x.key) it->second.key = x.key;
      it->second.orders += x.orders;
      it->second.quantity += x.quantity;
      it->second.revenue_cents += x.revenue_cents;
    }
  };
  add(kProductBlockTotals, s.first_block, s.last_block);
  add(kProductDayTotals, s.head_from, s.head_to);
  add(kProductDayTotals, s.tail_from, s.tail_to);
  std::vector<Total> out;
  for (auto& [id, t] : sums) out.push_back(std::move(t));
  return out;
}

constexpr char const* kCategoryTotals =
    "SELECT 0, category, SUM(orders), SUM(quantity), SUM(revenue_cents), 0, MIN(day), MAX(day) "
    "FROM analytics_category_days WHERE merchant_id = :m AND day >= :f AND day <= :t GROUP BY category "
    "ORDER BY category";
std::vector<Total> category_totals(db::Tx& tx, std::int64_t mid, std::int64_t from, std::int64_t to) {
  return db::all(tx, kCategoryTotals, total_from, use(mid, "m"), use(from, "f"), use(to, "t"));
}

constexpr char const* kPromoTotals =
    "SELECT promo_id, kind, SUM(orders), SUM(quantity), SUM(revenue_cents), SUM(discount_cents), MIN(day), MAX(day) "
    "FROM analytics_promo_days WHERE merchant_id = :m AND day >= :f AND day <= :t GROUP BY kind, promo_id "
    "ORDER BY kind, promo_id";
std::vector<Total> promo_totals(db::Tx& tx, std::int64_t mid, std::int64_t from, std::int64_t to) {
  return db::all(tx, kPromoTotals, total_from, use(mid, "m"), use(from, "f"), use(to, "t"));
}

constexpr char const* kGroupBuysClosed =
    "SELECT group_buy_id, participants, closed_day, outcome FROM analytics_group_buys "
    "WHERE merchant_id = :m AND closed_day >= :f AND closed_day <= :t ORDER BY group_buy_id";
std::vector<GroupBuyResult> group_buys_closed(db::Tx& tx, std::int64_t mid, std::int64_t from, std::int64_t to) {
  return db::all(
      tx, kGroupBuysClosed,
      db::fields(&GroupBuyResult::group_buy_id, &GroupBuyResult::participants, &GroupBuyResult::closed_day,
                 &GroupBuyResult::outcome),
      use(mid, "m"), use(from, "f"), use(to, "t"));
}

// Buyers with orders in the range: each buyer's first day with orders in it is the one whose
// previous day with orders is before the range; of them, those with one order in the range
// have one on that day and no next day in the range (the rest are repeat customers). No
// grouping, and only those first days are read: the range's days as a list (up to
// kCustomerDayList) let both backends seek (merchant_id, day, prev_day < from) in
// analytics_customer_days_links day by day, skipping the buyers' later days in the range
// (MariaDB, a big merchant's 90 days: 9,400 index entries instead of 23,000). Then those whose
// first order from the merchant is in the range (the rest had ordered before it).
constexpr char const* kCustomersHead =
    "SELECT COUNT(*), COALESCE(SUM(CASE WHEN orders_capped = 1 AND next_day > ";
constexpr std::int64_t kCustomerDayList = 400;
constexpr char const* kNewCustomers =
    "SELECT COUNT(*) FROM analytics_customer_firsts WHERE merchant_id = :m AND first_day >= :f AND first_day <= :t";
Customers customers(db::Tx& tx, std::int64_t mid, std::int64_t from, std::int64_t to) {
  Customers c;
  if (from > to) return c;
  db::Query q(kCustomersHead);
  q.value(to).sql(" THEN 1 ELSE 0 END), 0) FROM analytics_customer_days WHERE merchant_id = ").value(mid);
  if (to - from < kCustomerDayList) {
    q.sql(" AND day IN (");
    for (std::int64_t d = from; d <= to; ++d) q.sql(d > from ? ", " : "").value(d);
    q.sql(")");
  } else {
    q.sql(" AND day >= ").value(from).sql(" AND day <= ").value(to);
  }
  q.sql(" AND prev_day < ").value(from).sql(" AND orders_capped > 0");
  std::int64_t single = 0;  // customers with one order in the range
  q.one(tx, [&](db::Row const& r) {
    db::Cols(r).into(c.customers, single);
    return 0;
  });
  c.repeat_customers = c.customers - single;
  c.returning_customers = c.customers - db::scalar(tx, kNewCustomers, use(mid, "m"), use(from, "f"), use(to, "t"));
  return c;
}

constexpr char const* kRatingDays =
    "SELECT day, reviews, rating_sum, stars1, stars2, stars3, stars4, stars5 FROM analytics_rating_days "
    "WHERE merchant_id = :m AND day >= :f AND day <= :t ORDER BY day";
std::vector<RatingDay> rating_days(db::Tx& tx, std::int64_t mid, std::int64_t from, std::int64_t to) {
  return db::all(
      tx, kRatingDays,
      [](db::Row const& r) {
        db::Cols c(r);
        RatingDay d;
        c.into(d.day, d.reviews, d.rating_sum, d.stars[0], d.stars[1], d.stars[2], d.stars[3], d.stars[4]);
        return d;
      },
      use(mid, "m"), use(from, "f"), use(to, "t"));
}

constexpr char const* kCommunityCategories =
    "SELECT 0, category, SUM(orders), SUM(quantity), SUM(revenue_cents), 0, MIN(day), MAX(day) "
    "FROM analytics_community_category_days WHERE community_id = :c AND day >= :f AND day <= :t "
    "GROUP BY category ORDER BY category";
std::vector<Total> community_categories(db::Tx& tx, std::int64_t cid, std::int64_t from, std::int64_t to) {
  return db::all(tx, kCommunityCategories, total_from, use(cid, "c"), use(from, "f"), use(to, "t"));
}

constexpr char const* kCommunityMerchants =
    "SELECT merchant_id, '', SUM(orders), SUM(items), SUM(revenue_cents), SUM(discount_cents), MIN(day), MAX(day) "
    "FROM analytics_merchant_days WHERE community_id = :c AND day >= :f AND day <= :t GROUP BY merchant_id "
    "ORDER BY merchant_id";
std::vector<Total> community_merchants(db::Tx& tx, std::int64_t cid, std::int64_t from, std::int64_t to) {
  return db::all(tx, kCommunityMerchants, total_from, use(cid, "c"), use(from, "f"), use(to, "t"));
}

constexpr char const* kCommunitySums =
    "SELECT COALESCE(SUM(bills_issued), 0), COALESCE(SUM(bills_issued_cents), 0), COALESCE(SUM(bills_paid), 0), "
    "COALESCE(SUM(bills_paid_cents), 0), COALESCE(SUM(bills_paid_late), 0), COALESCE(SUM(bills_overdue), 0), "
    "COALESCE(SUM(tickets_resolved), 0), COALESCE(SUM(tickets_closed), 0), COALESCE(SUM(checkins), 0), "
    "COALESCE(SUM(rsvps), 0), COALESCE(SUM(posts), 0) "
    "FROM analytics_community_days WHERE community_id = :c AND day >= :f AND day <= :t";
CommunityDay community_sums(db::Tx& tx, std::int64_t cid, std::int64_t from, std::int64_t to) {
  auto d = db::one(
      tx, kCommunitySums,
      db::fields(&CommunityDay::bills_issued, &CommunityDay::bills_issued_cents, &CommunityDay::bills_paid,
                 &CommunityDay::bills_paid_cents, &CommunityDay::bills_paid_late,
                 &CommunityDay::bills_overdue, &CommunityDay::tickets_resolved, &CommunityDay::tickets_closed,
                 &CommunityDay::checkins, &CommunityDay::rsvps, &CommunityDay::posts),
      use(cid, "c"), use(from, "f"), use(to, "t"));
  return d.value_or(CommunityDay{});
}

// A month row exists for every month with a day row (both written together), so the whole
// months' accounts come from the month rows and the ragged ends' from the day rows.
constexpr char const* kActiveResidents =
    "SELECT COUNT(*) FROM (SELECT account_id FROM analytics_resident_months WHERE community_id = :c "
    "AND month >= :mf AND month <= :mt "
    "UNION SELECT account_id FROM analytics_resident_days WHERE community_id = :c2 AND day >= :hf AND day <= :ht "
    "UNION SELECT account_id FROM analytics_resident_days WHERE community_id = :c3 AND day >= :tf AND day <= :tt) x";
std::int64_t active_residents(db::Tx& tx, std::int64_t cid, std::int64_t from, std::int64_t to) {
  auto s = logic::split_months(from, to);
  return db::scalar(tx, kActiveResidents, use(cid, "c"), use(s.first_month, "mf"), use(s.last_month, "mt"),
                    use(cid, "c2"), use(s.head_from, "hf"), use(s.head_to, "ht"), use(cid, "c3"),
                    use(s.tail_from, "tf"), use(s.tail_to, "tt"));
}

// From the residents whose cohort is in the range (analytics_resident_cohorts_month) to their
// months; a cohort is never after any of its resident's months, so cohort <= :t2 drops none.
constexpr char const* kCohorts =
    "SELECT c.cohort, m.month, COUNT(*) FROM analytics_resident_months m JOIN analytics_resident_cohorts c "
    "ON c.community_id = m.community_id AND c.account_id = m.account_id "
    "WHERE m.community_id = :c AND m.month >= :f AND m.month <= :t AND c.cohort >= :f2 AND c.cohort <= :t2 "
    "GROUP BY c.cohort, m.month ORDER BY c.cohort, m.month";
std::vector<CohortCell> cohorts(db::Tx& tx, std::int64_t cid, std::int64_t from_month, std::int64_t to_month) {
  return db::all(
      tx, kCohorts,
      db::fields(&CohortCell::cohort, &CohortCell::month, &CohortCell::residents),
      use(cid, "c"), use(from_month, "f"), use(to_month, "t"), use(from_month, "f2"), use(to_month, "t2"));
}

constexpr char const* kBillsIssued =
    "SELECT COUNT(*), COALESCE(SUM(amount_cents), 0), COALESCE(SUM(CASE WHEN paid_at IS NULL THEN 0 ELSE 1 END), 0), "
    "COALESCE(SUM(CASE WHEN paid_at IS NULL THEN 0 ELSE amount_cents END), 0) FROM analytics_bills "
    "WHERE community_id = :c AND issued_day >= :f AND issued_day <= :t";
BillFigures bills_issued_between(db::Tx& tx, std::int64_t cid, std::int64_t from, std::int64_t to) {
  auto b = db::one(
      tx, kBillsIssued,
      db::fields(&BillFigures::issued, &BillFigures::issued_cents, &BillFigures::paid,
                 &BillFigures::paid_cents),
      use(cid, "c"), use(from, "f"), use(to, "t"));
  return b.value_or(BillFigures{});
}

constexpr char const* kOverdueBills =
    "SELECT due_at, amount_cents FROM analytics_bills WHERE community_id = :c AND paid_at IS NULL AND due_at < :n";
std::vector<std::pair<std::int64_t, std::int64_t>> overdue_bills(db::Tx& tx, std::int64_t cid, std::int64_t now) {
  return db::all(
      tx, kOverdueBills,
      [](db::Row const& r) {
        db::Cols c(r);
        std::int64_t due = c.integer();
        return std::pair{due, c.integer()};
      },
      use(cid, "c"), use(now, "n"));
}

// ---- tickets against the SLA

constexpr char const* kEnsureTicketDay =
    " INTO analytics_ticket_days (community_id, day, category) VALUES (:c, :d, :k)";
constexpr char const* kAddTicketDay =
    "UPDATE analytics_ticket_days SET opened = opened + :o, responded = responded + :r, "
    "response_minutes = response_minutes + :rm, response_breaches = response_breaches + :rb, "
    "resolved = resolved + :s, resolution_minutes = resolution_minutes + :sm, "
    "resolution_breaches = resolution_breaches + :sb, reopened = reopened + :ro, ratings = ratings + :n, "
    "rating_sum = rating_sum + :ns WHERE community_id = :c AND day = :d AND category = :k";
void add_ticket_day(db::Tx& tx, std::int64_t cid, std::int64_t day, TicketDay const& x) {
  tx.exec(ignore(tx, kEnsureTicketDay), use(cid, "c"), use(day, "d"), use(x.category, "k"));
  tx.exec(kAddTicketDay, use(x.opened, "o"), use(x.responded, "r"), use(x.response_minutes, "rm"),
          use(x.response_breaches, "rb"), use(x.resolved, "s"), use(x.resolution_minutes, "sm"),
          use(x.resolution_breaches, "sb"), use(x.reopened, "ro"), use(x.ratings, "n"), use(x.rating_sum, "ns"),
          use(cid, "c"), use(day, "d"), use(x.category, "k"));
}

constexpr char const* kTicketSums =
    "SELECT category, SUM(opened), SUM(responded), SUM(response_minutes), SUM(response_breaches), SUM(resolved), "
    "SUM(resolution_minutes), SUM(resolution_breaches), SUM(reopened), SUM(ratings), SUM(rating_sum) "
    "FROM analytics_ticket_days WHERE community_id = :c AND day >= :f AND day <= :t "
    "GROUP BY category ORDER BY category";
std::vector<TicketDay> ticket_sums(db::Tx& tx, std::int64_t cid, std::int64_t from, std::int64_t to) {
  return db::all(
      tx, kTicketSums,
      db::fields(&TicketDay::category, &TicketDay::opened, &TicketDay::responded,
                 &TicketDay::response_minutes, &TicketDay::response_breaches, &TicketDay::resolved,
                 &TicketDay::resolution_minutes, &TicketDay::resolution_breaches, &TicketDay::reopened,
                 &TicketDay::ratings, &TicketDay::rating_sum),
      use(cid, "c"), use(from, "f"), use(to, "t"));
}

constexpr char const* kClearTicketTables[] = {
    "DELETE FROM analytics_facts WHERE community_id = :c AND fact LIKE 'ticket-sla:%'",
    "DELETE FROM analytics_ticket_days WHERE community_id = :c",
};
void clear_ticket_rollups(db::Tx& tx, std::int64_t cid) {
  for (auto const* q : kClearTicketTables) tx.exec(q, use(cid, "c"));
}

}  // namespace courtyard::analytics::repo
