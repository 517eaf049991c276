// Rollups from other services' events. Each fact (an order placed, an order cancelled, a
// review, a closed group buy, a bill issued/paid/overdue, ...) is claimed in
// analytics_facts in the same transaction that adds it to the rollups, so a redelivered
// event, two dispatchers delivering it at once, and the backfill all count it once.
#include "services/analytics/routes.hpp"
#include "services/identity/api.hpp"
#include "services/property/api.hpp"
#include "services/shops/api.hpp"

#include <array>
#include <map>
#include <mutex>
#include <tuple>

namespace courtyard::analytics {

namespace {

std::int64_t num(bj::value const& payload, std::string_view key) { return json::int_field(payload, key).value_or(0); }

std::string text(bj::value const& payload, std::string_view key) {
  if (!payload.is_object()) return {};
  auto const* v = payload.as_object().if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::string fact(std::string_view kind, std::int64_t id) { return std::string(kind) + ":" + std::to_string(id); }

// Adds (sign +1) or takes back (sign -1, a cancellation) one order in every rollup it
// touches, on the local day it was placed (gathered in `r`; the caller flushes it).
void apply_sale(repo::Rollups& r, shops::OrderFacts const& o, std::int64_t day, int sign) {
  std::int64_t cid = o.community_id, mid = o.merchant_id;
  repo::Sale s;
  s.orders = sign;
  for (auto const& l : o.lines) s.items += sign * l.quantity;
  s.subtotal_cents = sign * o.subtotal_cents;
  s.discount_cents = sign * o.discount_cents;
  s.revenue_cents = sign * o.total_cents;
  s.cancelled = sign < 0 ? 1 : 0;
  r.merchant_day(cid, mid, day, s);

  std::map<std::int64_t, std::pair<std::string, std::pair<std::int64_t, std::int64_t>>> products;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> categories;
  for (auto const& l : o.lines) {
    auto& p = products[l.product_id];
    p.first = l.category;
    p.second.first += l.quantity;
    p.second.second += l.line_cents;
    auto& c = categories[l.category];
    c.first += l.quantity;
    c.second += l.line_cents;
  }
  for (auto const& [pid, p] : products)
    r.product_day(cid, mid, pid, day, p.first, sign, sign * p.second.first, sign * p.second.second);
  for (auto const& [category, c] : categories) r.category_day(cid, mid, category, day, sign, sign * c.first, sign * c.second);
  r.customer_day(cid, mid, o.buyer_id, day, sign, sign * o.total_cents);
  if (o.coupon_id) {
    r.promo_day(cid, mid, "coupon", o.coupon_id, day, sign, s.items, s.revenue_cents, s.discount_cents);
    // A campaign issues one coupon per member: its results are those coupons' together.
    if (o.campaign_id)
      r.promo_day(cid, mid, "campaign", o.campaign_id, day, sign, s.items, s.revenue_cents, s.discount_cents);
  }
  if (o.group_buy_id)
    r.promo_day(cid, mid, "group_buy", o.group_buy_id, day, sign, s.items, s.revenue_cents, s.discount_cents);
}

void add_placed(repo::Rollups& r, shops::OrderFacts const& o, TimeZone const& tz) {
  std::int64_t day = tz.local_day(o.created_at);
  apply_sale(r, o, day, +1);
  r.active(o.community_id, o.buyer_id, day, logic::month_of(day));
}

bool apply_review(db::Tx& tx, std::int64_t cid, shops::ReviewFacts const& r, TimeZone const& tz,
                  std::int64_t event_id) {
  if (r.rating < 1 || r.rating > 5) return false;
  if (!repo::claim_fact(tx, cid, fact("review", r.id), event_id)) return false;
  repo::add_rating(tx, cid, r.merchant_id, tz.local_day(r.created_at), r.rating);
  return true;
}

bool apply_group_buy(db::Tx& tx, std::int64_t cid, shops::GroupBuyFacts const& g, TimeZone const& tz,
                     std::int64_t event_id) {
  if (!repo::claim_fact(tx, cid, fact("groupbuy", g.id), event_id)) return false;
  repo::put_group_buy(tx, cid, g.merchant_id, g.id, g.outcome, g.participants, tz.local_day(g.closed_at));
  return true;
}

// One step of a ticket against the SLA (property's TicketFact, from its event or from history
// in the backfill), once per history row, on the local day it happened.
bool apply_ticket(db::Tx& tx, std::int64_t cid, property::TicketFact const& f, TimeZone const& tz,
                  std::int64_t event_id) {
  if (f.history_id <= 0) return false;  // an event from before the SLA facts: the backfill has it
  repo::TicketDay d;
  d.category = f.category;
  if (f.topic == "ticket.opened") {
    d.opened = 1;
  } else if (f.topic == "ticket.first_response") {
    d.responded = 1;
    d.response_minutes = f.minutes;
    d.response_breaches = f.within_sla ? 0 : 1;
  } else if (f.topic == "ticket.resolved") {
    d.resolved = 1;
    d.resolution_minutes = f.minutes;
    d.resolution_breaches = f.within_sla ? 0 : 1;
  } else if (f.topic == "ticket.closed") {
    d.ratings = f.rating >= 1 && f.rating <= 5 ? 1 : 0;
    d.rating_sum = d.ratings ? f.rating : 0;
  } else if (f.topic == "ticket.reopened") {
    d.reopened = 1;
  } else {
    return false;
  }
  if (!repo::claim_fact(tx, cid, fact("ticket-sla", f.history_id), event_id)) return false;
  repo::add_ticket_day(tx, cid, tz.local_day(f.at_ms), d);
  return true;
}

}  // namespace

std::string zone_name_of(db::Tx& tx, std::int64_t cid) {
  static std::mutex mu;
  static std::map<std::int64_t, std::string> names;
  std::string name;
  {
    std::lock_guard lock(mu);
    if (auto it = names.find(cid); it != names.end()) name = it->second;
  }
  if (name.empty()) {
    name = identity::community_timezone(tx, cid);
    std::lock_guard lock(mu);
    names[cid] = name;
  }
  return name;
}

std::shared_ptr<TimeZone const> zone_of(db::Tx& tx, std::int64_t cid) { return TimeZone::named(zone_name_of(tx, cid)); }

void check_low_stock(db::Tx& tx, std::int64_t cid, std::int64_t pid, std::int64_t sold) {
  auto t = repo::threshold_of(tx, cid, pid);
  if (!t) return;
  auto p = shops::product_stock(tx, cid, pid);
  if (!p) return;
  if (!logic::low_stock(p->stock, t->threshold)) {
    if (t->alerted) repo::set_alerted(tx, pid, false);
    return;
  }
  bool crossed = sold > 0 && !logic::low_stock(p->stock + sold, t->threshold);
  if (t->alerted && !crossed) return;
  if (!t->alerted && !repo::set_alerted(tx, pid, true)) return;  // a concurrent check alerted
  std::int64_t now = tx.now_ms();
  std::int64_t window = logic::kReorderWindowDays * logic::kDayMs, recent = 0;
  for (auto const& [id, units] : shops::units_sold(tx, cid, p->merchant_id, now - window, now + 1))
    if (id == pid) recent = units;
  tx.publish("stock.low", cid,
             bj::object{{"community_id", cid},
                        {"merchant_id", p->merchant_id},
                        {"merchant_owner_id", shops::merchant_owner(tx, cid, p->merchant_id).value_or(0)},
                        {"product_id", pid},
                        {"product_name", p->name},
                        {"stock", p->stock},
                        {"threshold", t->threshold},
                        {"suggested_reorder",
                         logic::suggested_reorder(recent, logic::kReorderWindowDays, p->stock)}});
}

void on_orders(std::vector<events::Event> const& batch, db::Tx& tx) {
  std::vector<repo::FactClaim> claims;
  std::vector<std::pair<shops::OrderFacts, bool>> orders;  // (order, placed: else cancelled)
  // Most events carry their order's facts; the others' orders are read per community in two
  // statements, not two per event.
  std::map<std::pair<std::int64_t, std::int64_t>, shops::OrderFacts> found;  // (community, order)
  std::map<std::int64_t, std::vector<std::int64_t>> wanted;                   // community -> order ids
  for (auto const& e : batch) {
    if (auto o = shops::order_facts_of_event(e.community_id, e.payload))
      found.emplace(std::pair{e.community_id, o->id}, std::move(*o));
    else
      wanted[e.community_id].push_back(num(e.payload, "order_id"));
  }
  for (auto const& [cid, ids] : wanted)
    for (auto& o : shops::order_facts_in(tx, cid, ids)) found.emplace(std::pair{cid, o.id}, std::move(o));
  for (auto const& e : batch) {
    auto it = found.find({e.community_id, num(e.payload, "order_id")});
    if (it == found.end()) continue;
    claims.push_back({e.community_id, fact(e.topic, it->second.id), e.id});
    orders.emplace_back(it->second, e.topic == "order.placed");
  }
  auto ours = repo::claim_facts(tx, claims);
  repo::Rollups r;
  std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> sold;  // (community, product) -> units
  for (std::size_t i = 0; i < orders.size(); ++i) {
    if (!ours.erase(claims[i].fact)) continue;  // counted before, or earlier in this batch
    auto const& [o, placed] = orders[i];
    auto tz = zone_of(tx, o.community_id);
    if (placed)
      add_placed(r, o, *tz);
    else
      apply_sale(r, o, tz->local_day(o.created_at), -1);
    for (auto const& l : o.lines) sold[{o.community_id, l.product_id}] += placed ? l.quantity : 0;
  }
  r.flush(tx);
  // Per product once for the batch: the units it sold tell whether the stock crossed the threshold.
  for (auto const& [key, units] : sold) check_low_stock(tx, key.first, key.second, units);
}

void on_review_posted(events::Event const& e, db::Tx& tx) {
  shops::ReviewFacts r;
  r.id = num(e.payload, "review_id");
  r.merchant_id = num(e.payload, "merchant_id");
  r.order_id = num(e.payload, "order_id");
  r.rating = num(e.payload, "rating");
  r.created_at = e.created_at;
  apply_review(tx, e.community_id, r, *zone_of(tx, e.community_id), e.id);
}

void on_group_buy_closed(events::Event const& e, db::Tx& tx) {
  auto g = shops::closed_group_buy(tx, e.community_id, num(e.payload, "group_buy_id"));
  if (!g) return;
  apply_group_buy(tx, e.community_id, *g, *zone_of(tx, e.community_id), e.id);
}

// refund.completed {refund_id, order_id, merchant_id, buyer_id, amount_cents, points}: the
// refunded money on the day of the order it refunds (shown beside revenue, not taken off it:
// a refund that cancels the order is already taken off by order.cancelled).
void on_refund_completed(events::Event const& e, db::Tx& tx) {
  std::int64_t cid = e.community_id;
  auto o = shops::order_facts(tx, cid, num(e.payload, "order_id"));
  if (!o) return;
  if (!repo::claim_fact(tx, cid, fact("refund", num(e.payload, "refund_id")), e.id)) return;
  repo::Sale s;
  s.refunded_cents = num(e.payload, "amount_cents");
  repo::add_merchant_day(tx, cid, o->merchant_id, zone_of(tx, cid)->local_day(o->created_at), s);
}

// The community's own figures: bills, tickets, events, posts, and who was active.
void on_community_event(events::Event const& e, db::Tx& tx) {
  std::int64_t cid = e.community_id;
  auto const& p = e.payload;
  std::string key;
  repo::CommunityDay d;
  std::int64_t active = 0;
  if (e.topic == "bill.issued") {
    key = fact("bill.issued", num(p, "bill_id"));
    d.bills_issued = 1;
    d.bills_issued_cents = num(p, "amount_cents");
  } else if (e.topic == "bill.paid") {
    key = fact("bill.paid", num(p, "bill_id"));
    d.bills_paid = 1;
    d.bills_paid_cents = num(p, "amount_cents");
    std::int64_t due = num(p, "due_at_ms"), paid = num(p, "paid_at_ms");
    d.bills_paid_late = due > 0 && paid > due ? 1 : 0;
    active = num(p, "paid_by");
  } else if (e.topic == "bill.overdue") {
    key = fact("bill.overdue", num(p, "bill_id"));
    d.bills_overdue = 1;
  } else if (e.topic == "ticket.resolved") {
    key = fact("ticket.resolved.event", e.id);
    d.tickets_resolved = 1;
  } else if (e.topic == "ticket.closed") {
    key = fact("ticket.closed", num(p, "ticket_id"));
    d.tickets_closed = 1;
  } else if (e.topic == "event.checked_in") {
    key = "checkin:" + std::to_string(num(p, "event_id")) + ":" + std::to_string(num(p, "account_id"));
    d.checkins = 1;
    active = num(p, "account_id");
  } else if (e.topic == "event.rsvp") {
    key = fact("rsvp.event", e.id);
    std::string status = text(p, "status");
    d.rsvps = status == "going" || status == "promoted" ? 1 : status == "cancelled" ? -1 : 0;
  } else if (e.topic == "post.published") {
    key = fact("post", num(p, "post_id"));
    d.posts = 1;
    active = num(p, "author_id");
  } else {
    return;
  }
  if (!repo::claim_fact(tx, cid, key, e.id)) return;
  auto tz = zone_of(tx, cid);
  std::int64_t day = tz->local_day(e.created_at);
  repo::add_community_day(tx, cid, day, d);
  if (e.topic == "bill.issued")
    repo::bill_issued(tx, cid, num(p, "bill_id"), num(p, "amount_cents"), num(p, "due_at_ms"), day);
  if (e.topic == "bill.paid")
    repo::bill_paid(tx, cid, num(p, "bill_id"), num(p, "amount_cents"), num(p, "due_at_ms"), day,
                    num(p, "paid_at_ms") ? num(p, "paid_at_ms") : e.created_at);
  if (active) repo::mark_active(tx, cid, active, day, logic::month_of(day));
}

// ticket.opened|first_response|resolved|closed|reopened: the SLA fields property adds to each
// (services/EVENTS.md) as the fact the backfill would read from the ticket's history.
void on_ticket_step(events::Event const& e, db::Tx& tx) {
  auto const& p = e.payload;
  property::TicketFact f;
  f.topic = e.topic;
  f.history_id = num(p, "history_id");
  f.ticket_id = num(p, "ticket_id");
  f.category = text(p, "category");
  f.opened_at_ms = num(p, "opened_at_ms");
  f.at_ms = num(p, "at_ms") ? num(p, "at_ms") : e.created_at;
  f.minutes = num(p, "minutes");
  f.target_hours = num(p, "target_hours");
  // A bool in the payload (property/views.cpp); an event without it counts as within.
  auto const* within = p.is_object() ? p.as_object().if_contains("within_sla") : nullptr;
  f.within_sla = !within || (within->is_bool() ? within->as_bool() : num(p, "within_sla") != 0);
  f.rating = num(p, "rating");
  apply_ticket(tx, e.community_id, f, *zone_of(tx, e.community_id), e.id);
}

namespace {

// Runs `step(tx, after)` in batches until it returns fewer than a batch; each batch is its own
// transaction (retried whole), and a batch starts after the last row of the one before.
template <class Step>
void in_batches(db::Database& db, events::Bus& bus, std::int64_t batch, std::int64_t& counted, Step step) {
  for (std::int64_t after = 0;;) {
    auto [last, rows, applied] = db::transact(db, &bus, [&](db::Tx& tx) { return step(tx, after); });
    counted += applied;
    if (rows < batch) break;
    after = last;
  }
}

struct Batch {
  std::int64_t last = 0, rows = 0, applied = 0;
};

}  // namespace

BackfillCounts backfill(db::Database& db, events::Bus& bus, std::int64_t cid) {
  constexpr std::int64_t kBatch = 500;
  BackfillCounts n;
  db::transact(db, &bus, [&](db::Tx& tx) {
    repo::clear_community(tx, cid);
    repo::clear_ticket_rollups(tx, cid);
  });
  std::int64_t cancelled = 0;
  in_batches(db, bus, kBatch, n.orders, [&](db::Tx& tx, std::int64_t after) {
    auto tz = zone_of(tx, cid);
    Batch b;
    repo::Rollups r;  // the batch's orders, each rollup row written once
    auto orders = shops::order_facts_after(tx, cid, after, kBatch);
    std::vector<std::string> facts;
    for (auto const& o : orders) {
      facts.push_back(fact("order.placed", o.id));
      if (o.status == "cancelled") facts.push_back(fact("order.cancelled", o.id));
    }
    auto ours = repo::claim_backfill_facts(tx, cid, facts);
    for (auto const& o : orders) {
      if (ours.count(fact("order.placed", o.id))) {
        add_placed(r, o, *tz);
        ++b.applied;
      }
      if (o.status == "cancelled" && ours.count(fact("order.cancelled", o.id))) {
        apply_sale(r, o, tz->local_day(o.created_at), -1);
        ++cancelled;
      }
      b.last = o.id;
      ++b.rows;
    }
    r.flush(tx);
    return std::tuple{b.last, b.rows, b.applied};
  });
  n.cancelled = cancelled;
  in_batches(db, bus, kBatch, n.reviews, [&](db::Tx& tx, std::int64_t after) {
    auto tz = zone_of(tx, cid);
    Batch b;
    auto reviews = shops::review_facts_after(tx, cid, after, kBatch);
    std::vector<std::string> facts;
    for (auto const& r : reviews)
      if (r.rating >= 1 && r.rating <= 5) facts.push_back(fact("review", r.id));
    auto ours = repo::claim_backfill_facts(tx, cid, facts);
    std::map<std::pair<std::int64_t, std::int64_t>, std::array<std::int64_t, 5>> stars;  // (merchant, day)
    for (auto const& r : reviews) {
      if (ours.count(fact("review", r.id))) {
        ++stars[{r.merchant_id, tz->local_day(r.created_at)}][r.rating - 1];
        ++b.applied;
      }
      b.last = r.id;
      ++b.rows;
    }
    for (auto const& [key, counts] : stars) repo::add_ratings(tx, cid, key.first, key.second, counts);
    return std::tuple{b.last, b.rows, b.applied};
  });
  in_batches(db, bus, kBatch, n.group_buys, [&](db::Tx& tx, std::int64_t after) {
    auto tz = zone_of(tx, cid);
    Batch b;
    for (auto const& g : shops::closed_group_buys_after(tx, cid, after, kBatch)) {
      b.applied += apply_group_buy(tx, cid, g, *tz, 0) ? 1 : 0;
      b.last = g.id;
      ++b.rows;
    }
    return std::tuple{b.last, b.rows, b.applied};
  });
  in_batches(db, bus, kBatch, n.ticket_steps, [&](db::Tx& tx, std::int64_t after) {
    auto tz = zone_of(tx, cid);
    Batch b;
    for (auto const& f : property::ticket_facts_after(tx, cid, after, kBatch, b.last, b.rows))
      b.applied += apply_ticket(tx, cid, f, *tz, 0) ? 1 : 0;
    return std::tuple{b.last, b.rows, b.applied};
  });
  return n;
}

}  // namespace courtyard::analytics
