#include "services/shops/repository.hpp"

#include "db/row.hpp"

#include <climits>

namespace courtyard::shops::repo {

namespace {

using soci::use;

template <class Fn, class... Uses>
void each_row(db::Tx& tx, std::string const& query, Fn&& fn, Uses&&... uses) {
  soci::rowset<soci::row> rs = ((tx.sql().prepare << query), ..., std::forward<Uses>(uses));
  for (auto const& r : rs) fn(r);
}

long long before_of(Page const& p) { return p.before ? *p.before : LLONG_MAX; }
long long fetch_of(Page const& p) { return p.limit + 1; }

constexpr char kMerchantCols[] =
    "id, community_id, owner_id, name, category, status, rating_sum, rating_count, created_at, approved_at";
Merchant merchant_from(soci::row const& r) {
  Merchant m;
  m.id = db::as_int(r, 0);
  m.community_id = db::as_int(r, 1);
  m.owner_id = db::as_int(r, 2);
  m.name = db::as_text(r, 3);
  m.category = db::as_text(r, 4);
  m.status = db::as_text(r, 5);
  m.rating_sum = db::as_int(r, 6);
  m.rating_count = db::as_int(r, 7);
  m.created_at = db::as_int(r, 8);
  m.approved_at = db::opt_int(r, 9);
  return m;
}

constexpr char kProductCols[] =
    "id, community_id, merchant_id, name, category, price_cents, stock, active, created_at, updated_at";
Product product_from(soci::row const& r) {
  Product p;
  p.id = db::as_int(r, 0);
  p.community_id = db::as_int(r, 1);
  p.merchant_id = db::as_int(r, 2);
  p.name = db::as_text(r, 3);
  p.category = db::as_text(r, 4);
  p.price_cents = db::as_int(r, 5);
  p.stock = db::as_int(r, 6);
  p.active = db::as_int(r, 7) != 0;
  p.created_at = db::as_int(r, 8);
  p.updated_at = db::as_int(r, 9);
  return p;
}

constexpr char kOrderCols[] =
    "id, community_id, merchant_id, buyer_id, unit_id, status, fulfilment, subtotal_cents, discount_cents, "
    "total_cents, coupon_id, coupon_code, redemption_code, group_buy_id, created_at, updated_at, accepted_at, "
    "ready_at, completed_at, cancelled_at, cancelled_by";
Order order_from(soci::row const& r) {
  Order o;
  o.id = db::as_int(r, 0);
  o.community_id = db::as_int(r, 1);
  o.merchant_id = db::as_int(r, 2);
  o.buyer_id = db::as_int(r, 3);
  o.unit_id = db::as_int(r, 4);
  o.status = db::as_text(r, 5);
  o.fulfilment = db::as_text(r, 6);
  o.subtotal_cents = db::as_int(r, 7);
  o.discount_cents = db::as_int(r, 8);
  o.total_cents = db::as_int(r, 9);
  o.coupon_id = db::opt_int(r, 10);
  o.coupon_code = db::opt_text(r, 11);
  o.redemption_code = db::opt_text(r, 12);
  o.group_buy_id = db::opt_int(r, 13);
  o.created_at = db::as_int(r, 14);
  o.updated_at = db::as_int(r, 15);
  o.accepted_at = db::opt_int(r, 16);
  o.ready_at = db::opt_int(r, 17);
  o.completed_at = db::opt_int(r, 18);
  o.cancelled_at = db::opt_int(r, 19);
  o.cancelled_by = db::opt_int(r, 20);
  return o;
}

void load_items(db::Tx& tx, Order& o) {
  o.items.clear();
  each_row(
      tx,
      "SELECT product_id, name, category, unit_price_cents, quantity, line_cents FROM order_items "
      "WHERE order_id = :o AND community_id = :c ORDER BY id",
      [&](soci::row const& r) {
        o.items.push_back({db::as_int(r, 0), db::as_text(r, 1), db::as_text(r, 2), db::as_int(r, 3),
                           db::as_int(r, 4), db::as_int(r, 5)});
      },
      use(o.id, "o"), use(o.community_id, "c"));
}

std::vector<Order> with_items(db::Tx& tx, std::vector<Order> orders) {
  for (auto& o : orders) load_items(tx, o);
  return orders;
}

constexpr char kCouponCols[] =
    "id, community_id, merchant_id, code, percent_off, amount_off_cents, min_spend_cents, max_redemptions, "
    "redemptions, expires_at, created_at";
Coupon coupon_from(soci::row const& r) {
  Coupon c;
  c.id = db::as_int(r, 0);
  c.community_id = db::as_int(r, 1);
  c.merchant_id = db::as_int(r, 2);
  c.code = db::as_text(r, 3);
  c.percent_off = db::opt_int(r, 4);
  c.amount_off_cents = db::opt_int(r, 5);
  c.min_spend_cents = db::as_int(r, 6);
  c.max_redemptions = db::as_int(r, 7);
  c.redemptions = db::as_int(r, 8);
  c.expires_at = db::as_int(r, 9);
  c.created_at = db::as_int(r, 10);
  return c;
}

constexpr char kReviewCols[] = "id, community_id, merchant_id, order_id, buyer_id, rating, body, created_at";
Review review_from(soci::row const& r) {
  return {db::as_int(r, 0), db::as_int(r, 1), db::as_int(r, 2), db::as_int(r, 3),
          db::as_int(r, 4), db::as_int(r, 5), db::as_text(r, 6), db::as_int(r, 7)};
}

constexpr char kGroupBuyCols[] =
    "id, community_id, merchant_id, product_id, unit_price_cents, min_participants, participants, quantity, "
    "closes_at, status, outcome, created_by, created_at, closed_at";
GroupBuy group_buy_from(soci::row const& r) {
  GroupBuy g;
  g.id = db::as_int(r, 0);
  g.community_id = db::as_int(r, 1);
  g.merchant_id = db::as_int(r, 2);
  g.product_id = db::as_int(r, 3);
  g.unit_price_cents = db::as_int(r, 4);
  g.min_participants = db::as_int(r, 5);
  g.participants = db::as_int(r, 6);
  g.quantity = db::as_int(r, 7);
  g.closes_at = db::as_int(r, 8);
  g.status = db::as_text(r, 9);
  g.outcome = db::opt_text(r, 10);
  g.created_by = db::as_int(r, 11);
  g.created_at = db::as_int(r, 12);
  g.closed_at = db::opt_int(r, 13);
  return g;
}

constexpr char kParticipantCols[] =
    "id, community_id, group_buy_id, account_id, unit_id, quantity, amount_cents, status, order_id, created_at";
Participant participant_from(soci::row const& r) {
  Participant p;
  p.id = db::as_int(r, 0);
  p.community_id = db::as_int(r, 1);
  p.group_buy_id = db::as_int(r, 2);
  p.account_id = db::as_int(r, 3);
  p.unit_id = db::as_int(r, 4);
  p.quantity = db::as_int(r, 5);
  p.amount_cents = db::as_int(r, 6);
  p.status = db::as_text(r, 7);
  p.order_id = db::opt_int(r, 8);
  p.created_at = db::as_int(r, 9);
  return p;
}

}  // namespace

// ---- merchants

std::int64_t insert_merchant(db::Tx& tx, std::int64_t cid, std::int64_t owner_id, std::string const& name,
                             std::string const& category) {
  std::int64_t now = tx.now_ms();
  return tx.insert("merchants",
                   "INSERT INTO merchants (community_id, owner_id, name, category, status, rating_sum, rating_count, "
                   "created_at) VALUES (:c, :o, :n, :k, 'pending', 0, 0, :t)",
                   use(cid, "c"), use(owner_id, "o"), use(name, "n"), use(category, "k"), use(now, "t"));
}

std::optional<Merchant> find_merchant(db::Tx& tx, std::int64_t cid, std::int64_t mid) {
  std::optional<Merchant> out;
  each_row(
      tx, std::string("SELECT ") + kMerchantCols + " FROM merchants WHERE id = :id AND community_id = :c",
      [&](soci::row const& r) { out = merchant_from(r); }, use(mid, "id"), use(cid, "c"));
  return out;
}

bool approve_merchant(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::int64_t by) {
  std::int64_t now = tx.now_ms();
  return tx.exec("UPDATE merchants SET status = 'approved', approved_at = :t, approved_by = :b "
                 "WHERE id = :id AND community_id = :c AND status = 'pending'",
                 use(now, "t"), use(by, "b"), use(mid, "id"), use(cid, "c")) == 1;
}

std::vector<Merchant> list_merchants(db::Tx& tx, std::int64_t cid, std::string const& status,
                                     std::string const& category, Page const& page) {
  std::vector<Merchant> out;
  long long before = before_of(page), n = fetch_of(page);
  each_row(
      tx,
      std::string("SELECT ") + kMerchantCols +
          " FROM merchants WHERE community_id = :c AND (:s = '' OR status = :s2) AND (:k = '' OR category = :k2) "
          "AND id < :b ORDER BY id DESC LIMIT :l",
      [&](soci::row const& r) { out.push_back(merchant_from(r)); }, use(cid, "c"), use(status, "s"),
      use(status, "s2"), use(category, "k"), use(category, "k2"), use(before, "b"), use(n, "l"));
  return out;
}

void add_rating(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::int64_t rating) {
  tx.exec("UPDATE merchants SET rating_sum = rating_sum + :r, rating_count = rating_count + 1 "
          "WHERE id = :id AND community_id = :c",
          use(rating, "r"), use(mid, "id"), use(cid, "c"));
}

// ---- catalogue

std::int64_t insert_product(db::Tx& tx, Product const& p) {
  int active = p.active ? 1 : 0;
  std::int64_t now = tx.now_ms();
  return tx.insert("products",
                   "INSERT INTO products (community_id, merchant_id, name, category, price_cents, stock, active, "
                   "created_at, updated_at) VALUES (:c, :m, :n, :k, :p, :s, :a, :t, :t2)",
                   use(p.community_id, "c"), use(p.merchant_id, "m"), use(p.name, "n"), use(p.category, "k"),
                   use(p.price_cents, "p"), use(p.stock, "s"), use(active, "a"), use(now, "t"), use(now, "t2"));
}

std::optional<Product> find_product(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::int64_t pid) {
  std::optional<Product> out;
  each_row(
      tx,
      std::string("SELECT ") + kProductCols +
          " FROM products WHERE id = :id AND community_id = :c AND (:m = 0 OR merchant_id = :m2)",
      [&](soci::row const& r) { out = product_from(r); }, use(pid, "id"), use(cid, "c"), use(mid, "m"),
      use(mid, "m2"));
  return out;
}

std::vector<Product> list_products(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::string const& category,
                                   bool include_inactive, Page const& page) {
  std::vector<Product> out;
  long long before = before_of(page), n = fetch_of(page);
  int all = include_inactive ? 1 : 0;
  each_row(
      tx,
      std::string("SELECT ") + kProductCols +
          " FROM products WHERE community_id = :c AND merchant_id = :m AND (:k = '' OR category = :k2) "
          "AND (:all = 1 OR active = 1) AND id < :b ORDER BY id DESC LIMIT :l",
      [&](soci::row const& r) { out.push_back(product_from(r)); }, use(cid, "c"), use(mid, "m"),
      use(category, "k"), use(category, "k2"), use(all, "all"), use(before, "b"), use(n, "l"));
  return out;
}

void update_product(db::Tx& tx, Product const& p) {
  int active = p.active ? 1 : 0;
  std::int64_t now = tx.now_ms();
  tx.exec("UPDATE products SET name = :n, category = :k, price_cents = :p, active = :a, updated_at = :t "
          "WHERE id = :id AND community_id = :c",
          use(p.name, "n"), use(p.category, "k"), use(p.price_cents, "p"), use(active, "a"), use(now, "t"),
          use(p.id, "id"), use(p.community_id, "c"));
}

bool change_stock(db::Tx& tx, std::int64_t cid, std::int64_t pid, std::int64_t delta) {
  std::int64_t now = tx.now_ms();
  return tx.exec("UPDATE products SET stock = stock + :d, updated_at = :t "
                 "WHERE id = :id AND community_id = :c AND stock + :d2 >= 0",
                 use(delta, "d"), use(now, "t"), use(pid, "id"), use(cid, "c"), use(delta, "d2")) == 1;
}

std::int64_t stock_of(db::Tx& tx, std::int64_t pid) {
  std::int64_t out = 0;
  each_row(
      tx, "SELECT stock FROM products WHERE id = :id", [&](soci::row const& r) { out = db::as_int(r, 0); },
      use(pid, "id"));
  return out;
}

std::int64_t insert_movement(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::int64_t pid, std::int64_t delta,
                             std::string const& reason, std::optional<std::int64_t> order_id, std::int64_t actor) {
  std::int64_t after = stock_of(tx, pid);
  std::int64_t now = tx.now_ms();
  long long oid = order_id.value_or(0);
  soci::indicator oid_ind = order_id ? soci::i_ok : soci::i_null;
  return tx.insert("stock_movements",
                   "INSERT INTO stock_movements (community_id, merchant_id, product_id, delta, reason, order_id, "
                   "actor, stock_after, at) VALUES (:c, :m, :p, :d, :r, :o, :a, :s, :t)",
                   use(cid, "c"), use(mid, "m"), use(pid, "p"), use(delta, "d"), use(reason, "r"),
                   use(oid, oid_ind, "o"), use(actor, "a"), use(after, "s"), use(now, "t"));
}

std::vector<Movement> list_movements(db::Tx& tx, std::int64_t cid, std::int64_t pid, Page const& page) {
  std::vector<Movement> out;
  long long before = before_of(page), n = fetch_of(page);
  each_row(
      tx,
      "SELECT id, community_id, merchant_id, product_id, delta, reason, order_id, actor, stock_after, at "
      "FROM stock_movements WHERE community_id = :c AND product_id = :p AND id < :b ORDER BY id DESC LIMIT :l",
      [&](soci::row const& r) {
        Movement m;
        m.id = db::as_int(r, 0);
        m.community_id = db::as_int(r, 1);
        m.merchant_id = db::as_int(r, 2);
        m.product_id = db::as_int(r, 3);
        m.delta = db::as_int(r, 4);
        m.reason = db::as_text(r, 5);
        m.order_id = db::opt_int(r, 6);
        m.actor = db::as_int(r, 7);
        m.stock_after = db::as_int(r, 8);
        m.at = db::as_int(r, 9);
        out.push_back(std::move(m));
      },
      use(cid, "c"), use(pid, "p"), use(before, "b"), use(n, "l"));
  return out;
}

std::int64_t movement_sum(db::Tx& tx, std::int64_t cid, std::int64_t pid) {
  std::int64_t out = 0;
  each_row(
      tx, "SELECT COALESCE(SUM(delta), 0) FROM stock_movements WHERE community_id = :c AND product_id = :p",
      [&](soci::row const& r) { out = db::as_int(r, 0); }, use(cid, "c"), use(pid, "p"));
  return out;
}

// ---- orders

std::int64_t insert_order(db::Tx& tx, Order const& o) {
  long long coupon_id = o.coupon_id.value_or(0), group_buy_id = o.group_buy_id.value_or(0);
  std::string coupon_code = o.coupon_code.value_or(""), code = o.redemption_code.value_or("");
  soci::indicator coupon_ind = o.coupon_id ? soci::i_ok : soci::i_null;
  soci::indicator coupon_code_ind = o.coupon_code ? soci::i_ok : soci::i_null;
  soci::indicator code_ind = o.redemption_code ? soci::i_ok : soci::i_null;
  soci::indicator gb_ind = o.group_buy_id ? soci::i_ok : soci::i_null;
  std::int64_t now = tx.now_ms();
  std::int64_t id = tx.insert(
      "orders",
      "INSERT INTO orders (community_id, merchant_id, buyer_id, unit_id, status, fulfilment, subtotal_cents, "
      "discount_cents, total_cents, coupon_id, coupon_code, redemption_code, group_buy_id, created_at, updated_at) "
      "VALUES (:c, :m, :b, :u, :s, :f, :st, :d, :tt, :cp, :cc, :rc, :g, :t, :t2)",
      use(o.community_id, "c"), use(o.merchant_id, "m"), use(o.buyer_id, "b"), use(o.unit_id, "u"),
      use(o.status, "s"), use(o.fulfilment, "f"), use(o.subtotal_cents, "st"), use(o.discount_cents, "d"),
      use(o.total_cents, "tt"), use(coupon_id, coupon_ind, "cp"), use(coupon_code, coupon_code_ind, "cc"),
      use(code, code_ind, "rc"), use(group_buy_id, gb_ind, "g"), use(now, "t"), use(now, "t2"));
  for (auto const& i : o.items) {
    tx.exec("INSERT INTO order_items (community_id, order_id, product_id, name, category, unit_price_cents, quantity, "
            "line_cents) VALUES (:c, :o, :p, :n, :k, :u, :q, :l)",
            use(o.community_id, "c"), use(id, "o"), use(i.product_id, "p"), use(i.name, "n"), use(i.category, "k"),
            use(i.unit_price_cents, "u"), use(i.quantity, "q"), use(i.line_cents, "l"));
  }
  return id;
}

std::optional<Order> find_order(db::Tx& tx, std::int64_t cid, std::int64_t oid) {
  std::optional<Order> out;
  each_row(
      tx, std::string("SELECT ") + kOrderCols + " FROM orders WHERE id = :id AND community_id = :c",
      [&](soci::row const& r) { out = order_from(r); }, use(oid, "id"), use(cid, "c"));
  if (out) load_items(tx, *out);
  return out;
}

std::optional<Order> find_order_by_code(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::string const& code) {
  std::optional<Order> out;
  each_row(
      tx,
      std::string("SELECT ") + kOrderCols +
          " FROM orders WHERE redemption_code = :code AND community_id = :c AND merchant_id = :m",
      [&](soci::row const& r) { out = order_from(r); }, use(code, "code"), use(cid, "c"), use(mid, "m"));
  if (out) load_items(tx, *out);
  return out;
}

bool set_order_status(db::Tx& tx, std::int64_t cid, std::int64_t oid, std::string const& from, std::string const& to,
                      std::optional<std::int64_t> cancelled_by) {
  // The stamp column comes from this fixed list, never from input.
  std::string stamp;
  if (to == "accepted") stamp = "accepted_at";
  else if (to == "ready") stamp = "ready_at";
  else if (to == "completed") stamp = "completed_at";
  else if (to == "cancelled") stamp = "cancelled_at";
  else throw std::logic_error("unknown order status " + to);
  std::int64_t now = tx.now_ms();
  long long by = cancelled_by.value_or(0);
  soci::indicator by_ind = cancelled_by ? soci::i_ok : soci::i_null;
  return tx.exec("UPDATE orders SET status = :to, updated_at = :t, " + stamp +
                     " = :t2, cancelled_by = COALESCE(:by, cancelled_by) "
                     "WHERE id = :id AND community_id = :c AND status = :from",
                 use(to, "to"), use(now, "t"), use(now, "t2"), use(by, by_ind, "by"), use(oid, "id"), use(cid, "c"),
                 use(from, "from")) == 1;
}

std::string current_order_status(db::Tx& tx, std::int64_t cid, std::int64_t oid) {
  std::string out;
  each_row(
      tx,
      "SELECT status FROM orders WHERE id = :id AND community_id = :c" + std::string(db::for_update(tx.backend())),
      [&](soci::row const& r) { out = db::as_text(r, 0); }, use(oid, "id"), use(cid, "c"));
  return out;
}

std::vector<Order> orders_of_buyer(db::Tx& tx, std::int64_t buyer_id, std::string const& status, Page const& page) {
  std::vector<Order> out;
  long long before = before_of(page), n = fetch_of(page);
  each_row(
      tx,
      std::string("SELECT ") + kOrderCols +
          " FROM orders WHERE buyer_id = :b AND (:s = '' OR status = :s2) AND id < :bf ORDER BY id DESC LIMIT :l",
      [&](soci::row const& r) { out.push_back(order_from(r)); }, use(buyer_id, "b"), use(status, "s"),
      use(status, "s2"), use(before, "bf"), use(n, "l"));
  return with_items(tx, std::move(out));
}

std::vector<Order> orders_of_merchant(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::string const& status,
                                      Page const& page) {
  std::vector<Order> out;
  long long before = before_of(page), n = fetch_of(page);
  each_row(
      tx,
      std::string("SELECT ") + kOrderCols +
          " FROM orders WHERE community_id = :c AND merchant_id = :m AND (:s = '' OR status = :s2) AND id < :bf "
          "ORDER BY id DESC LIMIT :l",
      [&](soci::row const& r) { out.push_back(order_from(r)); }, use(cid, "c"), use(mid, "m"), use(status, "s"),
      use(status, "s2"), use(before, "bf"), use(n, "l"));
  return with_items(tx, std::move(out));
}

std::vector<Order> orders_between(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::int64_t from,
                                  std::int64_t to) {
  std::vector<Order> out;
  each_row(
      tx,
      std::string("SELECT ") + kOrderCols +
          " FROM orders WHERE community_id = :c AND merchant_id = :m AND created_at >= :f AND created_at < :t "
          "ORDER BY id",
      [&](soci::row const& r) { out.push_back(order_from(r)); }, use(cid, "c"), use(mid, "m"), use(from, "f"),
      use(to, "t"));
  return with_items(tx, std::move(out));
}

// ---- coupons

std::int64_t insert_coupon(db::Tx& tx, Coupon const& c) {
  long long pct = c.percent_off.value_or(0), amount = c.amount_off_cents.value_or(0);
  soci::indicator pct_ind = c.percent_off ? soci::i_ok : soci::i_null;
  soci::indicator amount_ind = c.amount_off_cents ? soci::i_ok : soci::i_null;
  std::int64_t now = tx.now_ms();
  return tx.insert("coupons",
                   "INSERT INTO coupons (community_id, merchant_id, code, percent_off, amount_off_cents, "
                   "min_spend_cents, max_redemptions, redemptions, expires_at, created_at) "
                   "VALUES (:c, :m, :code, :p, :a, :ms, :mx, 0, :e, :t)",
                   use(c.community_id, "c"), use(c.merchant_id, "m"), use(c.code, "code"), use(pct, pct_ind, "p"),
                   use(amount, amount_ind, "a"), use(c.min_spend_cents, "ms"), use(c.max_redemptions, "mx"),
                   use(c.expires_at, "e"), use(now, "t"));
}

std::optional<Coupon> find_coupon(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::string const& code) {
  std::optional<Coupon> out;
  each_row(
      tx,
      std::string("SELECT ") + kCouponCols +
          " FROM coupons WHERE merchant_id = :m AND code = :code AND community_id = :c",
      [&](soci::row const& r) { out = coupon_from(r); }, use(mid, "m"), use(code, "code"), use(cid, "c"));
  return out;
}

std::vector<Coupon> list_coupons(db::Tx& tx, std::int64_t cid, std::int64_t mid, Page const& page) {
  std::vector<Coupon> out;
  long long before = before_of(page), n = fetch_of(page);
  each_row(
      tx,
      std::string("SELECT ") + kCouponCols +
          " FROM coupons WHERE community_id = :c AND merchant_id = :m AND id < :b ORDER BY id DESC LIMIT :l",
      [&](soci::row const& r) { out.push_back(coupon_from(r)); }, use(cid, "c"), use(mid, "m"), use(before, "b"),
      use(n, "l"));
  return out;
}

bool redeem_coupon(db::Tx& tx, std::int64_t coupon_id) {
  return tx.exec("UPDATE coupons SET redemptions = redemptions + 1 WHERE id = :id AND redemptions < max_redemptions",
                 use(coupon_id, "id")) == 1;
}

void release_coupon(db::Tx& tx, std::int64_t coupon_id) {
  tx.exec("UPDATE coupons SET redemptions = redemptions - 1 WHERE id = :id AND redemptions > 0",
          use(coupon_id, "id"));
}

// ---- reviews

std::int64_t insert_review(db::Tx& tx, Review const& r) {
  std::int64_t now = tx.now_ms();
  return tx.insert("reviews",
                   "INSERT INTO reviews (community_id, merchant_id, order_id, buyer_id, rating, body, created_at) "
                   "VALUES (:c, :m, :o, :b, :r, :body, :t)",
                   use(r.community_id, "c"), use(r.merchant_id, "m"), use(r.order_id, "o"), use(r.buyer_id, "b"),
                   use(r.rating, "r"), use(r.body, "body"), use(now, "t"));
}

std::optional<Review> find_review_of_order(db::Tx& tx, std::int64_t cid, std::int64_t oid) {
  std::optional<Review> out;
  each_row(
      tx, std::string("SELECT ") + kReviewCols + " FROM reviews WHERE order_id = :o AND community_id = :c",
      [&](soci::row const& r) { out = review_from(r); }, use(oid, "o"), use(cid, "c"));
  return out;
}

std::vector<Review> list_reviews(db::Tx& tx, std::int64_t cid, std::int64_t mid, Page const& page) {
  std::vector<Review> out;
  long long before = before_of(page), n = fetch_of(page);
  each_row(
      tx,
      std::string("SELECT ") + kReviewCols +
          " FROM reviews WHERE community_id = :c AND merchant_id = :m AND id < :b ORDER BY id DESC LIMIT :l",
      [&](soci::row const& r) { out.push_back(review_from(r)); }, use(cid, "c"), use(mid, "m"), use(before, "b"),
      use(n, "l"));
  return out;
}

// ---- group buys

std::int64_t insert_group_buy(db::Tx& tx, GroupBuy const& g) {
  std::int64_t now = tx.now_ms();
  return tx.insert("group_buys",
                   "INSERT INTO group_buys (community_id, merchant_id, product_id, unit_price_cents, min_participants, "
                   "participants, quantity, closes_at, status, created_by, created_at) "
                   "VALUES (:c, :m, :p, :u, :mp, 0, 0, :ca, 'open', :by, :t)",
                   use(g.community_id, "c"), use(g.merchant_id, "m"), use(g.product_id, "p"),
                   use(g.unit_price_cents, "u"), use(g.min_participants, "mp"), use(g.closes_at, "ca"),
                   use(g.created_by, "by"), use(now, "t"));
}

std::optional<GroupBuy> find_group_buy(db::Tx& tx, std::int64_t cid, std::int64_t gid) {
  std::optional<GroupBuy> out;
  each_row(
      tx, std::string("SELECT ") + kGroupBuyCols + " FROM group_buys WHERE id = :id AND community_id = :c",
      [&](soci::row const& r) { out = group_buy_from(r); }, use(gid, "id"), use(cid, "c"));
  return out;
}

std::vector<GroupBuy> list_group_buys(db::Tx& tx, std::int64_t cid, std::string const& status, Page const& page) {
  std::vector<GroupBuy> out;
  long long before = before_of(page), n = fetch_of(page);
  each_row(
      tx,
      std::string("SELECT ") + kGroupBuyCols +
          " FROM group_buys WHERE community_id = :c AND (:s = '' OR status = :s2) AND id < :b "
          "ORDER BY id DESC LIMIT :l",
      [&](soci::row const& r) { out.push_back(group_buy_from(r)); }, use(cid, "c"), use(status, "s"),
      use(status, "s2"), use(before, "b"), use(n, "l"));
  return out;
}

bool take_group_buy_slot(db::Tx& tx, std::int64_t cid, std::int64_t gid, std::int64_t quantity, std::int64_t now) {
  return tx.exec("UPDATE group_buys SET participants = participants + 1, quantity = quantity + :q "
                 "WHERE id = :id AND community_id = :c AND status = 'open' AND closes_at > :now",
                 use(quantity, "q"), use(gid, "id"), use(cid, "c"), use(now, "now")) == 1;
}

std::int64_t insert_participant(db::Tx& tx, Participant const& p) {
  std::int64_t now = tx.now_ms();
  return tx.insert("group_buy_participants",
                   "INSERT INTO group_buy_participants (community_id, group_buy_id, account_id, unit_id, quantity, "
                   "amount_cents, status, created_at) VALUES (:c, :g, :a, :u, :q, :m, 'held', :t)",
                   use(p.community_id, "c"), use(p.group_buy_id, "g"), use(p.account_id, "a"), use(p.unit_id, "u"),
                   use(p.quantity, "q"),
                   use(p.amount_cents, "m"), use(now, "t"));
}

std::optional<Participant> find_participant(db::Tx& tx, std::int64_t cid, std::int64_t gid, std::int64_t account_id) {
  std::optional<Participant> out;
  each_row(
      tx,
      std::string("SELECT ") + kParticipantCols +
          " FROM group_buy_participants WHERE group_buy_id = :g AND account_id = :a AND community_id = :c",
      [&](soci::row const& r) { out = participant_from(r); }, use(gid, "g"), use(account_id, "a"), use(cid, "c"));
  return out;
}

std::vector<std::pair<std::int64_t, std::int64_t>> due_group_buys(db::Tx& tx, std::int64_t now, std::int64_t limit) {
  std::vector<std::pair<std::int64_t, std::int64_t>> out;
  long long n = limit;
  each_row(
      tx, "SELECT id, community_id FROM group_buys WHERE status = 'open' AND closes_at <= :now ORDER BY id LIMIT :l",
      [&](soci::row const& r) { out.emplace_back(db::as_int(r, 0), db::as_int(r, 1)); }, use(now, "now"),
      use(n, "l"));
  return out;
}

bool claim_group_buy(db::Tx& tx, std::int64_t gid) {
  return tx.exec("UPDATE group_buys SET status = 'closing' WHERE id = :id AND status = 'open'", use(gid, "id")) == 1;
}

std::vector<Participant> participants_for_close(db::Tx& tx, std::int64_t cid, std::int64_t gid) {
  std::vector<Participant> out;
  each_row(
      tx,
      std::string("SELECT ") + kParticipantCols +
          " FROM group_buy_participants WHERE group_buy_id = :g AND community_id = :c ORDER BY id" +
          std::string(db::for_update(tx.backend())),
      [&](soci::row const& r) { out.push_back(participant_from(r)); }, use(gid, "g"), use(cid, "c"));
  return out;
}

void settle_participant(db::Tx& tx, std::int64_t participant_id, std::string const& status,
                        std::optional<std::int64_t> order_id) {
  long long oid = order_id.value_or(0);
  soci::indicator ind = order_id ? soci::i_ok : soci::i_null;
  tx.exec("UPDATE group_buy_participants SET status = :s, order_id = :o WHERE id = :id", use(status, "s"),
          use(oid, ind, "o"), use(participant_id, "id"));
}

void close_group_buy(db::Tx& tx, std::int64_t gid, std::string const& outcome) {
  std::int64_t now = tx.now_ms();
  tx.exec("UPDATE group_buys SET status = 'closed', outcome = :o, closed_at = :t WHERE id = :id AND status = 'closing'",
          use(outcome, "o"), use(now, "t"), use(gid, "id"));
}

}  // namespace courtyard::shops::repo
