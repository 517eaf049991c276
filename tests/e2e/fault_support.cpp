#include "tests/e2e/fault_support.hpp"

#include "db/database.hpp"
#include "db/query.hpp"
#include "tests/e2e/server_process.hpp"
#include "tests/e2e/session.hpp"

#include <boost/json.hpp>
#include <boost/url.hpp>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace courtyard::e2e {

namespace bj = boost::json;

namespace {

std::string env(char const* name) {
  char const* v = std::getenv(name);
  return v ? v : "";
}

std::string str(std::int64_t v) { return std::to_string(v); }

// One seeding call; anything but `expect` is a broken fixture.
bj::value call(unsigned short port, std::string_view method, std::string const& target, bj::value const& body,
               std::string const& token, int expect) {
  HeaderList h;
  if (!token.empty()) h = bearer(token);
  auto r = fetch(port, method, target, body.is_null() ? std::string() : bj::serialize(body), h);
  if (r.status != expect)
    throw std::runtime_error("seed: " + std::string(method) + " " + target + " answered " + str(r.status) +
                             " (expected " + str(expect) + "): " + r.body);
  return r.body.empty() ? bj::value() : r.json();
}

constexpr char const* kPassword = "fault-suite-password";

std::string tag() {
  static std::string const t = [] {
    std::random_device rd;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%06x", static_cast<unsigned>(rd() & 0xFFFFFF));
    return std::to_string(::getpid()) + "_" + buf;
  }();
  return t;
}

}  // namespace

bool wants_mysql() {
  auto b = env("COURTYARD_TEST_DB");
  return b == "mysql" || b == "mariadb";
}

void skip_unless_mysql_configured() {
  if (!wants_mysql() || !env("COURTYARD_TEST_MYSQL").empty()) return;
  std::cerr << "skipped: COURTYARD_TEST_DB=mysql needs COURTYARD_TEST_MYSQL=mysql://user@host:port/\n";
  std::exit(77);
}

std::uint64_t test_seed() {
  static std::uint64_t const seed = [] {
    auto s = env("COURTYARD_TEST_SEED");
    if (!s.empty()) return static_cast<std::uint64_t>(std::stoull(s));
    std::random_device rd;
    return (std::uint64_t(rd()) << 32) ^ rd();
  }();
  return seed;
}

// ---- SharedDatabase

std::string SharedDatabase::env_mysql() { return env("COURTYARD_TEST_MYSQL"); }

SharedDatabase::SharedDatabase(std::string server_url) : server_url_(std::move(server_url)) {
  if (server_url_.empty()) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "courtyard-faults-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    url_ = "sqlite3://" + dir_ + "/shared.db";
    return;
  }
  // Digits, hex and underscores only: safe to splice into DDL.
  schema_ = "courtyard_faults_" + tag();
  boost::urls::url u(server_url_);
  u.set_path("");
  server_url_ = std::string(u.buffer());
  {
    db::Database server(server_url_, 1);
    auto s = server.acquire();
    *s << "CREATE DATABASE " + schema_ + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci";
  }
  url_ = url_on(server_url_);
}

std::string SharedDatabase::url_on(std::string const& server_url) const {
  if (schema_.empty()) return url_;
  boost::urls::url u(server_url);
  u.set_path("/" + schema_);
  return std::string(u.buffer());
}

SharedDatabase::~SharedDatabase() {
  try {
    if (!schema_.empty()) {
      db::Database server(server_url_, 1);
      auto s = server.acquire();
      *s << "DROP DATABASE IF EXISTS " + schema_;
    } else if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  } catch (std::exception const& e) {
    std::cerr << "could not remove the test database: " << e.what() << "\n";
  }
}

// ---- seeding

Seeded seed_community(unsigned short port, SeedOptions const& o) {
  Seeded s;
  auto const t = tag();
  s.admin_token = login(port, kAdminEmail, kAdminPassword);
  s.community_id = call(port, "POST", "/v1/communities",
                        bj::object{{"name", "Faults " + t}, {"address", "1 Crash Lane"}, {"timezone", "UTC"}},
                        s.admin_token, 201)
                       .at("id")
                       .as_int64();
  s.base = "/v1/communities/" + str(s.community_id);
  auto bid = call(port, "POST", s.base + "/buildings", bj::object{{"name", "Block F"}}, s.admin_token, 201)
                 .at("id")
                 .as_int64();

  auto account = [&](std::string const& who) {
    std::string email = who + "-" + t + "@faults.example.com";
    auto id = call(port, "POST", "/v1/auth/register",
                   bj::object{{"email", email}, {"password", kPassword}, {"display_name", who}}, "", 201)
                  .at("id")
                  .as_int64();
    return std::pair{id, email};
  };
  auto [manager_id, manager_email] = account("manager");
  call(port, "POST", s.base + "/staff", bj::object{{"account_id", manager_id}, {"role", "manager"}}, s.admin_token, 201);
  s.manager_token = login(port, manager_email, kPassword);

  // Residents (the last one owns the shop), each in a unit of their own.
  for (int i = 0; i <= o.residents; ++i) {
    auto unit = call(port, "POST", s.base + "/buildings/" + str(bid) + "/units", bj::object{{"number", str(100 + i)}},
                     s.admin_token, 201)
                    .at("id")
                    .as_int64();
    auto [id, email] = account("resident" + str(i));
    auto token = login(port, email, kPassword);
    auto app = call(port, "POST", s.base + "/residency-applications", bj::object{{"unit_id", unit}}, token, 201)
                   .at("id")
                   .as_int64();
    call(port, "POST", s.base + "/residency-applications/" + str(app) + "/approve", nullptr, s.manager_token, 200);
    token = login(port, email, kPassword);  // a token that carries the new role
    if (i == o.residents) {
      s.merchant_owner = id;
      s.merchant_id = call(port, "POST", s.base + "/merchants", bj::object{{"name", "Crash Bakery"}, {"category", "bakery"},
                                      {"contact", bj::object{{"email", "bakery@crash.example"}}}},
                           token, 201)
                          .at("id")
                          .as_int64();
      call(port, "POST", s.base + "/merchants/" + str(s.merchant_id) + "/approve", nullptr, s.manager_token, 200);
      token = login(port, email, kPassword);
      s.merchant_owner_token = token;
      for (int p = 0; p < o.products; ++p)
        s.product_ids.push_back(call(port, "POST", s.base + "/merchants/" + str(s.merchant_id) + "/products",
                                     bj::object{{"name", "Loaf " + str(p)},
                                                {"price_cents", o.price_cents},
                                                {"stock", o.stock},
                                                {"category", "bakery"}},
                                     token, 201)
                                    .at("id")
                                    .as_int64());
      break;
    }
    call(port, "POST", s.base + "/wallets/" + str(id) + "/top-ups", bj::object{{"amount_cents", o.top_up_cents}},
         s.manager_token, 201);
    s.residents.push_back({id, unit, token});
  }
  s.initial_stock = o.stock;

  if (o.bill_periods > 0) {
    call(port, "POST", s.base + "/fee-schedules",
         bj::object{{"name", "Service charge"}, {"amount_cents", o.bill_cents}, {"scope", "community"}},
         s.manager_token, 201);
    for (int p = 0; p < o.bill_periods; ++p) {
      char period[16];
      std::snprintf(period, sizeof period, "%04d-%02d", 2020 + p / 12, 1 + p % 12);
      call(port, "POST", s.base + "/billing-runs", bj::object{{"period", period}}, s.manager_token, 201);
    }
  }
  return s;
}

// ---- LoadResult

long long LoadResult::count(int lo, int hi) const {
  long long n = 0;
  for (auto const& [status, c] : statuses)
    if (status >= lo && status <= hi) n += c;
  return n;
}

void LoadResult::merge(LoadResult const& o) {
  for (auto const& [k, v] : o.statuses) statuses[k] += v;
  transport_errors += o.transport_errors;
  orders.insert(o.orders.begin(), o.orders.end());
  paid_bills.insert(o.paid_bills.begin(), o.paid_bills.end());
  for (auto const& [k, v] : o.unavailable) unavailable[k] += v;
  for (auto const& e : o.server_errors)
    if (server_errors.size() < 5) server_errors.push_back(e);
}

std::string LoadResult::summary() const {
  std::ostringstream s;
  s << "orders 2xx " << orders.size() << ", bills paid " << paid_bills.size() << ", statuses {";
  bool first = true;
  for (auto const& [k, v] : statuses) {
    s << (first ? "" : ", ") << k << ": " << v;
    first = false;
  }
  s << "}, no answer " << transport_errors;
  for (auto const& [type, n] : unavailable) s << ", 503 " << type << ": " << n;
  return s.str();
}

// ---- LoadClient

LoadClient::LoadClient(Seeded const& s, std::vector<unsigned short> ports, std::uint64_t seed, LoadOptions o)
    : s_(s), ports_(std::move(ports)), o_(o) {
  for (int i = 0; i < o_.threads; ++i) threads_.emplace_back([this, i, seed] { run(i, seed + 7919 * (i + 1)); });
}

LoadClient::~LoadClient() { stop(); }

void LoadClient::stop() {
  stop_ = true;
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

LoadResult LoadClient::result() {
  std::lock_guard lk(mu_);
  return total_;
}

void LoadClient::run(int thread_index, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  LoadResult mine;
  std::vector<std::unique_ptr<HttpConnection>> conns(ports_.size());
  std::size_t next_port = std::size_t(thread_index) % ports_.size();
  long long n = 0;
  auto pick = [&](std::size_t size) { return std::size_t(std::uniform_int_distribution<std::size_t>(0, size - 1)(rng)); };

  // One request on this thread's connection to the next port; nullopt when no answer came.
  auto send = [&](std::string_view method, std::string const& target, std::string const& body,
                  HeaderList const& headers) -> std::optional<HttpResponse> {
    auto const i = next_port;
    next_port = (next_port + 1) % ports_.size();
    ++requests_;
    try {
      if (!conns[i]) conns[i] = std::make_unique<HttpConnection>(ports_[i]);
      conns[i]->send(raw_request(method, target, body, headers));
      auto r = conns[i]->read(o_.timeout);
      if (!r.keep_alive) conns[i].reset();
      ++mine.statuses[r.status];
      if (r.status == 503) {
        boost::system::error_code ec;
        auto v = bj::parse(r.body, ec);
        auto const* t = !ec && v.is_object() ? v.as_object().if_contains("type") : nullptr;
        ++mine.unavailable[t && t->is_string() ? std::string(t->as_string()) : std::string("(no type)")];
      }
      if (r.status >= 500 && r.status != 503 && mine.server_errors.size() < 5)
        mine.server_errors.push_back(std::string(method) + " " + target + " -> " + str(r.status) + ": " + r.body);
      return r;
    } catch (std::exception const&) {
      conns[i].reset();
      ++mine.transport_errors;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the server may be gone: don't spin
      return std::nullopt;
    }
  };

  while (!stop_) {
    auto const& who = s_.residents[pick(s_.residents.size())];
    HeaderList h = bearer(who.token);
    if (o_.idempotency_keys && (rng() & 1))
      h.emplace_back("Idempotency-Key", "load-" + str(thread_index) + "-" + str(++n) + "-" + str(std::int64_t(seed & 0xFFFFFF)));
    bool order = std::uniform_real_distribution<double>(0, 1)(rng) < o_.order_share;
    if (order) {
      bj::array items;
      auto product = s_.product_ids[pick(s_.product_ids.size())];
      auto qty = std::int64_t(1 + pick(std::size_t(o_.max_quantity)));
      items.push_back(bj::object{{"product_id", product}, {"quantity", qty}});
      auto body = bj::serialize(bj::object{{"merchant_id", s_.merchant_id}, {"items", items}, {"fulfilment", "pickup"}});
      auto r = send("POST", s_.base + "/orders", body, h);
      if (r && r->status == 201) mine.orders.insert(r->json().at("id").as_int64());
    } else {
      auto list = send("GET", "/v1/me/bills?status=unpaid&limit=5", "", bearer(who.token));
      if (!list || list->status != 200) continue;
      auto const v = list->json();
      auto const& items = v.at("items").as_array();
      if (items.empty()) continue;
      auto bill = items.at(pick(items.size())).at("id").as_int64();
      auto r = send("POST", s_.base + "/bills/" + str(bill) + "/payments", R"({"method": "wallet"})", h);
      if (r && r->status == 201) mine.paid_bills.insert(bill);
    }
  }
  std::lock_guard lk(mu_);
  total_.merge(mine);
}

// ---- invariants

std::string Invariants::report() const {
  std::ostringstream s;
  s << "orders " << orders << ", sold " << sold << ", paid bills " << paid_bills << ", events " << events
    << ", undelivered " << undelivered << " (" << leased << " under a lease)";
  for (auto const& f : failures) s << "\n  FAILED: " << f;
  return s.str();
}

namespace {

constexpr char const* kOrders = "SELECT id, buyer_id, status FROM orders WHERE community_id = :c";
constexpr char const* kSold =
    "SELECT i.product_id, i.quantity FROM order_items i JOIN orders o ON o.id = i.order_id "
    "WHERE o.community_id = :c AND o.status <> 'cancelled'";
constexpr char const* kStock = "SELECT id, stock FROM products WHERE community_id = :c";
constexpr char const* kEntries =
    "SELECT account_id, transaction_id, amount_cents FROM wallet_entries WHERE community_id = :c";
constexpr char const* kBalances = "SELECT id, balance_cents FROM wallet_accounts WHERE community_id = :c";
constexpr char const* kBillPayments =
    "SELECT reference FROM wallet_transactions WHERE community_id = :c AND kind = 'bill_payment'";
constexpr char const* kPaidBills =
    "SELECT id FROM property_bills WHERE community_id = :c AND status = 'paid' AND transaction_id IS NOT NULL";
constexpr char const* kEvents = "SELECT id, topic, payload FROM events WHERE community_id = :c";
// Delivery rows, and a stream's (batch subscriber's) deliveries where it has no row: done once
// its cursor is past the event, pending before.
constexpr char const* kDeliveries =
    "SELECT d.event_id, d.subscriber, d.status, d.lease_until FROM event_deliveries d JOIN events e ON e.id = d.event_id "
    "WHERE e.community_id = :c UNION ALL "
    "SELECT e.id, c.subscriber, CASE WHEN e.seq IS NOT NULL AND e.seq <= c.seq THEN 'done' ELSE 'pending' END, 0 "
    "FROM events e JOIN event_cursors c ON c.topic = e.topic WHERE e.community_id = :c2 AND NOT EXISTS ("
    "SELECT 1 FROM event_deliveries d2 WHERE d2.event_id = e.id AND d2.subscriber = c.subscriber)";
constexpr char const* kSubscribers = "SELECT topic, subscriber FROM event_subscribers";
constexpr char const* kNotificationKeys =
    "SELECT account_id, dedupe_key FROM notifications WHERE community_id = :c AND type = 'order.placed'";

std::int64_t field(bj::value const& v, char const* key) {
  if (!v.is_object()) return 0;
  auto const* f = v.as_object().if_contains(key);
  return f && f->is_int64() ? f->as_int64() : 0;
}

}  // namespace

Invariants check_invariants(std::string const& db_url, Seeded const& s, LoadResult const& load,
                            std::chrono::milliseconds grace, bool leases_may_hold) {
  db::Database database(db_url, 1);
  std::int64_t const cid = s.community_id;
  auto const int2 = [](courtyard::db::Row const& r) {
    db::Cols c(r);
    std::pair<std::int64_t, std::int64_t> p;
    c.into(p.first, p.second);
    return p;
  };

  // The outbox drains (the dispatcher of the restarted/surviving server delivers).
  Invariants inv;
  struct Delivery {
    std::int64_t event;
    std::string subscriber, status;
    std::int64_t lease_until;
  };
  std::vector<Delivery> deliveries;
  std::set<std::int64_t> held;  // events with a delivery still under a lease
  auto const deadline = std::chrono::steady_clock::now() + grace;
  for (;;) {
    deliveries = db::read(database, [&](soci::session& q) {
      return db::all(q, kDeliveries, [](courtyard::db::Row const& r) {
        db::Cols c(r);
        Delivery d;
        c.into(d.event, d.subscriber, d.status, d.lease_until);
        return d;
      }, soci::use(cid, "c"), soci::use(cid, "c2"));
    });
    auto const now = db::now_ms();
    inv.undelivered = inv.leased = 0;
    held.clear();
    for (auto const& d : deliveries) {
      if (d.status == "done") continue;
      ++inv.undelivered;
      if (d.status == "pending" && d.lease_until > now) {
        ++inv.leased;
        held.insert(d.event);
      }
    }
    if (inv.undelivered == 0 || (leases_may_hold && inv.undelivered == inv.leased) ||
        std::chrono::steady_clock::now() >= deadline)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (!leases_may_hold) held.clear();
  auto fail = [&](std::string what) { inv.failures.push_back(std::move(what)); };
  if (inv.undelivered > std::int64_t(leases_may_hold ? inv.leased : 0))
    fail(str(inv.undelivered) + " event deliveries not done after the grace period (" + str(inv.leased) +
         " under a lease)");

  db::read(database, [&](soci::session& q) {
    // Orders: every 2xx is there.
    std::map<std::int64_t, std::int64_t> buyer_of;
    for (auto const& r : db::all(q, kOrders, [](courtyard::db::Row const& r) {
           db::Cols c(r);
           std::tuple<std::int64_t, std::int64_t, std::string> t;
           c.into(std::get<0>(t), std::get<1>(t), std::get<2>(t));
           return t;
         }, soci::use(cid, "c")))
      buyer_of[std::get<0>(r)] = std::get<1>(r);
    inv.orders = std::int64_t(buyer_of.size());
    for (auto id : load.orders)
      if (!buyer_of.count(id)) fail("order " + str(id) + " was answered 201 but is not stored");

    // Stock: stock + sold = initial, never negative.
    std::map<std::int64_t, std::int64_t> sold;
    for (auto [product, qty] : db::all(q, kSold, int2, soci::use(cid, "c"))) sold[product] += qty;
    for (auto [product, stock] : db::all(q, kStock, int2, soci::use(cid, "c"))) {
      inv.sold += sold[product];
      if (stock < 0) fail("product " + str(product) + " has negative stock " + str(stock));
      if (stock + sold[product] != s.initial_stock)
        fail("product " + str(product) + ": stock " + str(stock) + " + sold " + str(sold[product]) +
             " != initial " + str(s.initial_stock));
    }

    // Ledger: zero per community and per transaction; balances are their entries.
    std::map<std::int64_t, std::int64_t> per_txn, per_account;
    std::int64_t total = 0;
    db::each(q, kEntries, [&](courtyard::db::Row const& r) {
      db::Cols c(r);
      std::int64_t account, txn, amount;
      c.into(account, txn, amount);
      per_txn[txn] += amount;
      per_account[account] += amount;
      total += amount;
    }, soci::use(cid, "c"));
    if (total != 0) fail("the ledger of community " + str(cid) + " sums to " + str(total) + ", not 0");
    for (auto const& [txn, sum] : per_txn)
      if (sum != 0) fail("wallet transaction " + str(txn) + " sums to " + str(sum));
    for (auto [account, balance] : db::all(q, kBalances, int2, soci::use(cid, "c")))
      if (balance != per_account[account])
        fail("wallet account " + str(account) + " balance " + str(balance) + " != its entries " +
             str(per_account[account]));

    // Bills: every 2xx payment is paid, and each paid bill was charged exactly once.
    std::set<std::int64_t> paid;
    for (auto id : db::all(q, kPaidBills, [](courtyard::db::Row const& r) { return db::Cols(r).integer(); }, soci::use(cid, "c")))
      paid.insert(id);
    inv.paid_bills = std::int64_t(paid.size());
    for (auto id : load.paid_bills)
      if (!paid.count(id)) fail("bill " + str(id) + " was answered 201 but is not paid");
    std::map<std::string, int> charges;
    for (auto const& ref :
         db::all(q, kBillPayments, [](courtyard::db::Row const& r) { return db::Cols(r).text(); }, soci::use(cid, "c")))
      ++charges[ref];
    for (auto id : paid)
      if (charges["bill:" + str(id)] != 1)
        fail("bill " + str(id) + " has " + str(charges["bill:" + str(id)]) + " payments in the ledger");
    if (charges.size() != paid.size())
      fail(str(std::int64_t(charges.size())) + " bill payments in the ledger for " + str(inv.paid_bills) + " paid bills");

    // Events: one order.placed per stored order, one bill.paid per paid bill; each event
    // delivered to every subscriber registered for its topic, once.
    std::map<std::int64_t, std::string> topic_of;
    std::map<std::int64_t, int> placed, bill_paid;
    std::map<std::int64_t, std::int64_t> placed_event_buyer;
    db::each(q, kEvents, [&](courtyard::db::Row const& r) {
      db::Cols c(r);
      std::int64_t id;
      std::string topic, payload;
      c.into(id, topic, payload);
      topic_of[id] = topic;
      auto v = bj::parse(payload);
      if (topic == "order.placed") {
        ++placed[field(v, "order_id")];
        placed_event_buyer[id] = field(v, "buyer_id");
      }
      if (topic == "bill.paid") ++bill_paid[field(v, "bill_id")];
    }, soci::use(cid, "c"));
    inv.events = std::int64_t(topic_of.size());
    for (auto const& [id, buyer] : buyer_of)
      if (placed[id] != 1) fail("order " + str(id) + " has " + str(placed[id]) + " order.placed events");
    if (placed.size() != buyer_of.size()) fail("order.placed events name orders that are not stored");
    for (auto id : paid)
      if (bill_paid[id] != 1) fail("bill " + str(id) + " has " + str(bill_paid[id]) + " bill.paid events");

    std::map<std::string, std::set<std::string>> subscribers;
    db::each(q, kSubscribers, [&](courtyard::db::Row const& r) {
      db::Cols c(r);
      std::string topic, sub;
      c.into(topic, sub);
      subscribers[topic].insert(sub);
    });
    std::map<std::int64_t, std::map<std::string, int>> delivered;
    for (auto const& d : deliveries) ++delivered[d.event][d.subscriber];
    for (auto const& [event, topic] : topic_of) {
      if (held.count(event)) continue;
      for (auto const& sub : subscribers[topic])
        if (delivered[event][sub] != 1)
          fail("event " + str(event) + " (" + topic + ") has " + str(delivered[event][sub]) + " deliveries to " + sub);
    }

    // The buyer's notification of each order.placed event exists, once.
    std::map<std::pair<std::int64_t, std::string>, int> notes;
    db::each(q, kNotificationKeys, [&](courtyard::db::Row const& r) {
      db::Cols c(r);
      std::int64_t account;
      std::string key;
      c.into(account, key);
      ++notes[{account, key}];
    }, soci::use(cid, "c"));
    for (auto const& [event, buyer] : placed_event_buyer)
      if (!held.count(event) && notes[{buyer, "event:" + str(event)}] != 1)
        fail("order.placed event " + str(event) + " left " + str(notes[{buyer, "event:" + str(event)}]) +
             " notifications for its buyer");
    return 0;
  });
  return inv;
}

}  // namespace courtyard::e2e
