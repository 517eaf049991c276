// Checkout batches (checkout.hpp; ARCHITECTURE.md, "Checkout batches"). In a flash sale the
// database server's CPU goes to statements, not to rows: a checkout alone is ~16 statements
// and two durable commits. Concurrent checkouts of one shop are therefore placed together:
// the first to arrive places its order alone; those that arrive meanwhile queue in the
// shop's lane and the next thread free takes them all into one transaction of ~17
// statements whatever their number (two such transactions of a lane may run at once, so one
// runs its statements while the other commits). Each order's rows, ledger entries, event
// and stored Idempotency-Key answer are the ones a checkout alone writes; locks are taken in
// the same order (orders, wallet accounts in key order, the keys, the stock last).
#include "services/shops/checkout.hpp"

#include "db/errors.hpp"
#include "http/histogram.hpp"
#include "http/idempotency.hpp"
#include "services/members/api.hpp"
#include "services/wallet/api.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <tuple>

namespace courtyard::shops {

bool batchable(Checkout const& c) {
  return !c.coupon_code && c.points == 0 && !c.slot_id && !c.referral_code;
}

namespace {

struct Entry {
  Context* ctx = nullptr;
  Checkout const* checkout = nullptr;
  std::function<http::Response()> const* alone = nullptr;
  std::optional<idempotency::Claim> claim{};
  // Set by whoever ran it: an answer, an error to rethrow, or "run alone yourself".
  std::optional<http::Response> answer{};
  std::exception_ptr error{};
  bool fallback = false;
  // The entry's thread sleeps on its own mutex and condition variable, never on lanes_mutex:
  // `done` is set when its batch is over, `wakes` moves on when it is first in its lane and a
  // batch may start, so it leads the next batch. Entries are shared (the lane, the batch and
  // the entry's thread hold them), so whoever wakes one may notify after letting go of `m`,
  // and a thread woken does not queue on a mutex still held by the one that woke it.
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  std::uint64_t wakes = 0;
};

using EntryPtr = std::shared_ptr<Entry>;

// Tells an entry's thread that its batch is over, or (when `done` is false) that it may lead.
void wake(Entry& e, bool done) {
  {
    std::lock_guard g(e.m);
    if (done) e.done = true;
    else e.wakes += 1;
  }
  e.cv.notify_one();
}

// Checkouts that may share a transaction: same database, bus, community and merchant.
using LaneKey = std::tuple<db::Database*, events::Bus*, std::int64_t, std::int64_t>;
struct Lane {
  std::deque<EntryPtr> waiting;
  int running = 0;  // batches of this lane being placed now (at most kLaneBatches)
  std::size_t placing = 0;  // the checkouts in those batches
};

std::mutex lanes_mutex;
std::map<LaneKey, Lane> lanes;

// How many batches of one lane may be placed at once: while one commits (its log flush) the
// next runs its statements; they meet on the merchant's buckets and the stock row, which a
// batch holds from its UPDATE to its COMMIT. Measured (flash sale, 500 buyers, 32 workers):
// 1331 orders/s with one, 1427 with two, 1431 with three (more lock waits, higher p99).
constexpr int kLaneBatches = 2;

// A lane's second batch starts only when this many checkouts wait; below that they join the
// batch after the running one. Started at once, the second batch took whatever had queued in
// the first one's few milliseconds (about 7 orders in the paced sale), and a batch costs
// mariadbd about 2 ms of CPU whatever its size. Measured (flash sale, 500 buyers, paced at
// 2,000/s, fifteen alternating runs on 2026-12-06): mariadbd 570 -> 501 µs of CPU per order,
// closed loop 3,192 -> 3,378 orders/s, paced p99 unchanged (38 ms); 8 saved nothing, 48
// lost closed-loop throughput.
//
// Nor before as many wait as the running batch holds, so the two batches in flight are about
// the same size and each batch's fixed cost is shared by more orders. With 16 alone, a closed
// loop of 64 connections settled at batches of 21 orders; with this rule at 25-28. Measured
// (flash sale, 500 buyers, four alternating pairs on 2026-12-07): closed loop 3,788 -> 4,083
// orders/s on average, mariadbd 309 -> 289 µs of CPU per order. A fixed 32 did as well at 64
// connections (batches of 32) but lost 6-17 % at 32 connections, where its second batch never
// started; this rule there: 3,217-3,260 orders/s against 2,829-3,060 with 16 alone.
constexpr std::size_t kSecondBatchMin = 16;

// With lanes_mutex held: whether the lane's next batch may start now.
bool may_start(Lane const& lane) {
  if (lane.waiting.empty()) return false;
  if (lane.running == 0) return true;
  return lane.running < kLaneBatches && lane.waiting.size() >= std::max(kSecondBatchMin, lane.placing);
}

// With lanes_mutex held: the entry to wake (after letting go of the mutex) to lead the lane's
// next batch, when the lane may start one (may_start).
EntryPtr leader_of(Lane const& lane) {
  return may_start(lane) ? lane.waiting.front() : nullptr;
}

std::atomic<std::uint64_t> stat_batches{0}, stat_batched{0}, stat_fallbacks{0}, stat_failed{0};
http::Histogram stat_batch_seconds;

// A checkout the batch leaves to `alone`.
struct Skip {};

// The batch's work in its transaction; `placed` gets the entries it answered, in order.
void place_batch(db::Tx& tx, std::vector<EntryPtr> const& batch, std::vector<Entry*>& placed,
                 std::vector<Entry*>& skipped) {
  placed.clear();
  skipped.clear();
  Context& lead = *batch.front()->ctx;
  std::int64_t cid = lead.community_id;
  auto merchant = merchant_or_404(tx, cid, batch.front()->checkout->merchant_id);
  require_approved(merchant);

  std::set<std::int64_t> pid_set;
  for (auto const& e : batch)
    for (auto const& l : e->checkout->lines) pid_set.insert(l.product_id);
  std::map<std::int64_t, repo::Product> products;
  for (auto& p : repo::find_products(tx, cid, merchant.id, {pid_set.begin(), pid_set.end()}))
    products.emplace(p.id, std::move(p));

  // Whose lines the batch can price: every product of the shop and for sale (the others get
  // their 422 from `alone`); stock is checked with the lock, below.
  std::vector<std::int64_t> buyers;
  for (auto const& e : batch) {
    bool ok = true;
    for (auto const& l : e->checkout->lines) {
      auto it = products.find(l.product_id);
      ok = ok && it != products.end() && it->second.active;
    }
    (ok ? placed : skipped).push_back(e.get());
    if (ok) buyers.push_back(e->ctx->principal.account_id);
  }
  if (placed.empty()) return;
  std::map<std::int64_t, int> tiers;
  bool loyalty = members::enabled(tx);
  if (loyalty) tiers = members::tier_discounts(tx, cid, buyers);

  std::vector<repo::Order> orders;
  for (auto* e : placed) {
    repo::Order o = order_head(*e->ctx, merchant.id, *e->checkout);
    std::vector<logic::Line> lines = e->checkout->lines;
    for (auto& l : lines) add_item(o, l, products.at(l.product_id));
    auto totals = logic::price(lines, std::nullopt);
    o.subtotal_cents = totals.subtotal_cents;
    o.discount_cents = totals.discount_cents;
    o.total_cents = totals.total_cents;
    if (loyalty) apply_tier_discount(o, tiers[o.buyer_id]);
    orders.push_back(std::move(o));
  }
  repo::insert_orders(tx, orders);

  std::vector<bj::value> events;
  std::vector<wallet::Posting> payments;
  // The whole batch is credited to its first order's sub-account: its orders are one
  // transaction and never meet each other, so one balance row changes per batch instead of
  // one per order (a refund takes from its own order's sub-account; wallet consolidates the
  // merchant's sub-accounts when that one is short).
  auto const takings = wallet::merchant_for_order(merchant.id, orders.front().id);
  for (auto& o : orders) {
    o.created_at = o.updated_at = tx.now_ms();
    events.emplace_back(order_event(o));
    if (o.total_cents > 0)
      payments.push_back({{{wallet::resident(o.buyer_id), -o.total_cents},
                           {takings, o.total_cents}},
                          "order_payment",
                          order_ref(o.id)});
  }
  tx.publish_all("order.placed", cid, events);
  wallet::post_all(tx, cid, payments);  // short of money: Conflict, and the batch runs alone

  std::vector<std::pair<idempotency::Claim const*, http::Response const*>> keys;
  for (std::size_t i = 0; i < placed.size(); ++i) {
    auto* e = placed[i];
    e->answer = Response::created(order_json(orders[i], true), e->ctx->path("/orders/" + std::to_string(orders[i].id)));
    if (e->claim) keys.emplace_back(&*e->claim, &*e->answer);
  }
  idempotency::store_all(tx, keys);  // a key held already: a unique violation, and the batch runs alone

  // The stock last, in product-id order (as place_order takes it): one conditional update per
  // product for the batch's total; then each order's movement with the stock it left.
  std::map<std::int64_t, std::int64_t> taken;
  for (auto const& o : orders)
    for (auto const& i : o.items) taken[i.product_id] += i.quantity;
  std::map<std::int64_t, std::int64_t> stock_after;
  for (auto const& [pid, qty] : taken) {
    if (!repo::change_stock(tx, cid, pid, -qty)) throw Skip{};  // short: each order alone (409 for the late ones)
    stock_after[pid] = repo::stock_of(tx, pid) + qty;  // before the batch; counted down below
  }
  std::vector<repo::Movement> movements;
  for (auto const& o : orders)
    for (auto const& i : o.items) {
      repo::Movement m;
      m.community_id = cid;
      m.merchant_id = merchant.id;
      m.product_id = i.product_id;
      m.delta = -i.quantity;
      m.reason = "sale";
      m.order_id = o.id;
      m.actor = o.buyer_id;
      m.stock_after = stock_after[i.product_id] -= i.quantity;
      movements.push_back(std::move(m));
    }
  repo::insert_movements(tx, movements);
}

// Runs one batch taken from a lane and settles every entry in it.
void run_batch(std::vector<EntryPtr> const& batch) {
  if (batch.size() == 1) {  // nobody to share with: the checkout alone, as ever
    auto& e = batch.front();
    try {
      e->answer = (*e->alone)();
    } catch (...) {
      e->error = std::current_exception();
    }
    return;
  }
  std::vector<Entry*> placed, skipped;
  bool committed = false, failed = false;
  auto started = std::chrono::steady_clock::now();
  try {
    db::transact(batch.front()->ctx->db, &batch.front()->ctx->bus,
                 [&](db::Tx& tx) { place_batch(tx, batch, placed, skipped); });
    committed = !placed.empty();
  } catch (...) {
    // Whatever refused the batch (stock or money short, a key held, the merchant not
    // selling, a lost connection), each checkout alone gives its own answer.
    failed = true;
  }
  stat_batch_seconds.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  if (!committed) {
    placed.clear();
    skipped.clear();
    for (auto const& e : batch) skipped.push_back(e.get());
  }
  if (failed) stat_failed += 1;
  for (auto* e : skipped) {
    e->answer.reset();
    e->fallback = true;
  }
  if (committed) {
    stat_batches += 1;
    stat_batched += placed.size();
  }
  stat_fallbacks += skipped.size();
}

}  // namespace

CheckoutBatchStats checkout_batch_stats() {
  return {stat_batches.load(), stat_batched.load(), stat_fallbacks.load(), stat_failed.load()};
}

void checkout_batch_metrics(std::string& out) {
  auto s = checkout_batch_stats();
  auto counter = [&](char const* name, char const* help, auto value) {
    out += std::string("# HELP courtyard_shops_checkout_") + name + " " + help + "\n# TYPE courtyard_shops_checkout_" +
           name + " counter\ncourtyard_shops_checkout_" + name + " " + std::to_string(value) + "\n";
  };
  counter("batches_total", "Checkout batches of two or more orders that committed.", s.batches);
  counter("batched_orders_total", "Orders placed by those batches.", s.batched_orders);
  counter("batches_failed_total", "Batches that rolled back as a whole (each checkout then ran alone).",
          s.failed_batches);
  counter("fallbacks_total", "Checkouts a batch handed back to run alone.", s.fallbacks);
  out += "# HELP courtyard_shops_checkout_batch_seconds How long a batch's transaction took, commit included.\n"
         "# TYPE courtyard_shops_checkout_batch_seconds histogram\n";
  stat_batch_seconds.render(out, "courtyard_shops_checkout_batch_seconds");
}

http::Response place_combined(http::Request const& req, Context& ctx, Checkout const& c,
                              std::function<http::Response()> const& alone) {
  auto self = std::make_shared<Entry>();
  self->ctx = &ctx;
  self->checkout = &c;
  self->alone = &alone;
  self->claim = idempotency::claim_of(ctx, req);
  LaneKey key{&ctx.db, &ctx.bus, ctx.community_id, c.merchant_id};
  std::unique_lock lock(lanes_mutex);
  lanes[key].waiting.push_back(self);
  for (;;) {
    // Looked up again after every wait: a lane is dropped once idle (by the batch that
    // leaves it so), never while an entry of it waits, so it exists while self waits.
    Lane& lane = lanes[key];
    if (may_start(lane)) {
      // This thread places the next batch of the lane (its own checkout or others').
      std::vector<EntryPtr> batch;
      while (!lane.waiting.empty() && batch.size() < kMaxCheckoutBatch) {
        batch.push_back(std::move(lane.waiting.front()));
        lane.waiting.pop_front();
      }
      lane.running += 1;
      lane.placing += batch.size();
      auto other = leader_of(lane);  // the other slot, if free, for whoever queued behind this batch
      lock.unlock();
      if (other) wake(*other, false);
      run_batch(batch);
      lock.lock();
      Lane& after = lanes[key];
      after.running -= 1;
      after.placing -= batch.size();
      auto next = leader_of(after);
      if (after.running == 0 && after.waiting.empty()) lanes.erase(key);
      lock.unlock();
      // The next batch's leader first: its batch is what the lane waits for. Then each
      // thread of this batch, with lanes_mutex free, so it returns without taking it again
      // (notified under it, the batch's threads woke only to queue on it one by one).
      if (next) wake(*next, false);
      bool mine = false;
      for (auto const& e : batch) {
        if (e == self) mine = true;
        else wake(*e, true);
      }
      if (mine) break;
      lock.lock();
      continue;
    }
    std::uint64_t seen;
    {
      std::lock_guard g(self->m);
      seen = self->wakes;
    }
    lock.unlock();
    {
      std::unique_lock g(self->m);
      self->cv.wait(g, [&] { return self->done || self->wakes != seen; });
      if (self->done) break;
    }
    lock.lock();
  }
  if (self->error) std::rethrow_exception(self->error);
  if (self->fallback) return alone();
  return std::move(*self->answer);
}

}  // namespace courtyard::shops
