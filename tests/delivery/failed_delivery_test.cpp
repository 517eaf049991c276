// A failed delivery leads to a defined outcome (issue 10, defect 2): the first failure puts
// the task back to pending for another courier (delivery.max-attempts, default 2); the last
// one is final, and shops then cancels the order as the system: full refund to the buyer's
// wallet, restock, coupon released, the buyer and the merchant notified. Through the real
// delivery, shops, wallet and notifications services.
#include "http/json.hpp"
#include "tests/delivery/helpers.hpp"

#include <algorithm>
#include <atomic>
#include <thread>
#include <tuple>

using namespace courtyard;
using namespace courtyard::test;
using namespace courtyard::test::delivery;

namespace {

bool linked(TestApp& t, std::string_view name) {
  auto const& enabled = t.app().services();
  return std::any_of(enabled.begin(), enabled.end(), [&](auto const& s) { return s->name() == name; });
}

// A ready delivery order: 2 x 350 with a 100-cent coupon = 600 paid, and what was true before it.
struct Ready {
  Community c;
  Actor owner, buyer, courier, courier2;
  std::int64_t mid = 0, pid = 0, oid = 0, task = 0;
  std::int64_t buyer_before = 0, merchant_before = 0, stock_before = 10;
  std::string shop, opath, coupons;
  std::string path() const { return task_path(c, task); }
};

std::int64_t merchant_balance(TestApp& t, Ready const& r) {
  auto w = t.get(r.shop + "/wallet", r.owner.token);
  REQUIRE(w.status == 200);
  return w.json.at("balance_cents").as_int64();
}

std::int64_t stock(TestApp& t, Ready const& r) {
  auto m = t.get(r.shop + "/products/" + std::to_string(r.pid) + "/stock-movements?limit=50", r.owner.token);
  REQUIRE(m.status == 200);
  CHECK(m.json.at("stock").as_int64() == m.json.at("movements_total").as_int64());  // the ledger agrees
  return m.json.at("stock").as_int64();
}

std::int64_t coupon_redemptions(TestApp& t, Ready const& r) {
  auto list = t.get(r.coupons, r.owner.token);
  REQUIRE(list.status == 200);
  return list.json.at("items").as_array().at(0).at("redemptions").as_int64();
}

std::string order_status(TestApp& t, Ready const& r) {
  auto o = t.get(r.opath, r.buyer.token);
  REQUIRE(o.status == 200);
  return std::string(o.json.at("status").as_string());
}

Ready ready_order(TestApp& t) {
  Ready r;
  r.c = t.community();
  std::tie(r.owner, r.mid) = t.merchant(r.c);
  r.buyer = t.resident(r.c, 1);
  r.courier = t.courier(r.c);
  r.courier2 = t.courier(r.c);
  t.top_up(r.c, r.buyer, 10'000);
  r.shop = r.c.base() + "/merchants/" + std::to_string(r.mid);
  r.coupons = r.shop + "/coupons";
  auto product = t.post(r.shop + "/products", {{"name", "Bread"}, {"price_cents", 350}, {"stock", r.stock_before}},
                        r.owner.token);
  REQUIRE(product.status == 201);
  r.pid = product.id();
  REQUIRE(t.post(r.coupons,
                 {{"code", "DOOR1"}, {"amount_off_cents", 100}, {"max_redemptions", 5},
                  {"expires_at", json::rfc3339(db::now_ms() + 86'400'000)}},
                 r.owner.token)
              .status == 201);
  r.buyer_before = t.balance(r.c, r.buyer);
  r.merchant_before = merchant_balance(t, r);
  auto order = t.post(r.c.base() + "/orders",
                      {{"merchant_id", r.mid},
                       {"items", bj::array{bj::object{{"product_id", r.pid}, {"quantity", 2}}}},
                       {"fulfilment", "delivery"},
                       {"coupon_code", "DOOR1"}},
                      r.buyer.token, {{"Idempotency-Key", t.unique("order")}});
  REQUIRE(order.status == 201);
  REQUIRE(order.json.at("total_cents").as_int64() == 600);
  r.oid = order.id();
  r.opath = r.c.base() + "/orders/" + std::to_string(r.oid);
  REQUIRE(t.post(r.opath + "/accept", bj::object{}, r.owner.token).status == 200);
  REQUIRE(t.post(r.opath + "/ready", bj::object{}, r.owner.token).status == 200);
  t.drain_events();
  r.task = task_of_order(t, r.buyer, r.oid).at("id").as_int64();
  REQUIRE(t.balance(r.c, r.buyer) == r.buyer_before - 600);
  REQUIRE(merchant_balance(t, r) == r.merchant_before + 600);
  REQUIRE(stock(t, r) == r.stock_before - 2);
  REQUIRE(coupon_redemptions(t, r) == 1);
  return r;
}

// The account's notifications of one type about the order.
std::vector<bj::object> notifications(TestApp& t, Actor const& who, std::string const& type, std::int64_t oid) {
  std::vector<bj::object> out;
  auto r = t.get("/v1/me/notifications?limit=100", who.token);
  REQUIRE(r.status == 200);
  for (auto const& n : r.json.at("items").as_array())
    if (n.at("type") == type.c_str() && n.at("data").at("order_id").as_int64() == oid) out.push_back(n.as_object());
  return out;
}

// Refunded exactly once: money, stock and coupon back to where they were before the order.
void check_refunded_once(TestApp& t, Ready const& r) {
  CHECK(order_status(t, r) == "cancelled");
  CHECK(t.balance(r.c, r.buyer) == r.buyer_before);  // to the cent
  CHECK(merchant_balance(t, r) == r.merchant_before);
  CHECK(stock(t, r) == r.stock_before);
  CHECK(coupon_redemptions(t, r) == 0);
  CHECK(events_with(t, "order.cancelled", "order_id", r.oid) == 1);
  CHECK(events_with(t, "order.delivery_failed", "order_id", r.oid) == 1);
  auto summary = t.get(r.c.base() + "/ledger/summary", r.c.manager.token);
  REQUIRE(summary.status == 200);
  CHECK(summary.json.at("balanced").as_bool());
}

}  // namespace

TEST_CASE("a failed delivery is re-dispatched once, then the order is cancelled and refunded",
          "[delivery][shops][failed]") {
  auto& t = TestApp::get();
  if (!linked(t, "shops")) {
    WARN("shops is not linked: failed-delivery loop skipped");
    return;
  }
  auto r = ready_order(t);

  // First attempt fails: back to pending for another courier, the order stays ready and paid.
  REQUIRE(t.post(r.path() + "/claim", bj::object{}, r.courier.token).status == 200);
  REQUIRE(t.post(r.path() + "/pick-up", bj::object{}, r.courier.token).status == 200);
  auto first = t.post(r.path() + "/fail", {{"reason", "nobody home"}}, r.courier.token);
  REQUIRE(first.status == 200);
  CHECK(first.json.at("status") == "pending");
  CHECK(first.json.at("courier_id").is_null());
  CHECK(first.json.at("attempt").as_int64() == 2);
  CHECK(first.json.at("failure_reason") == "nobody home");
  auto const& h = first.json.at("history").as_array();
  REQUIRE(h.size() >= 2);
  CHECK(h[h.size() - 2].at("from") == "picked_up");
  CHECK(h[h.size() - 2].at("to") == "failed");
  CHECK(h[h.size() - 2].at("actor_id").as_int64() == r.courier.account_id);
  CHECK(h[h.size() - 2].at("note") == "nobody home");
  CHECK(h.back().at("from") == "failed");
  CHECK(h.back().at("to") == "pending");
  CHECK(h.back().at("actor_id").is_null());
  auto ev = last_event(t, "delivery.failed", "delivery_id", r.task);
  CHECK(!ev.at("final").as_bool());
  CHECK(ev.at("attempt").as_int64() == 1);
  CHECK(ev.at("max_attempts").as_int64() == 2);
  CHECK(ev.at("status") == "pending");
  CHECK(ev.at("failed_courier_id").as_int64() == r.courier.account_id);
  t.drain_events();
  CHECK(order_status(t, r) == "ready");
  CHECK(t.balance(r.c, r.buyer) == r.buyer_before - 600);
  CHECK(merchant_balance(t, r) == r.merchant_before + 600);
  CHECK(events_with(t, "order.cancelled", "order_id", r.oid) == 0);
  // The old courier no longer holds it; it is open to any courier again.
  CHECK(t.post(r.path() + "/pick-up", bj::object{}, r.courier.token).status == 409);
  auto open = t.get(deliveries(r.c) + "?status=pending", r.courier2.token);
  bool listed = false;
  for (auto const& it : items(open)) listed = listed || it.at("id").as_int64() == r.task;
  CHECK(listed);

  // Second (last) attempt fails: final; shops cancels and refunds through the event.
  REQUIRE(t.post(r.path() + "/claim", bj::object{}, r.courier2.token).status == 200);
  auto last = t.post(r.path() + "/fail", {{"reason", "address closed"}}, r.courier2.token);
  REQUIRE(last.status == 200);
  CHECK(last.json.at("status") == "failed");
  CHECK(last.json.at("attempt").as_int64() == 2);
  auto fin = last_event(t, "delivery.failed", "delivery_id", r.task);
  CHECK(fin.at("final").as_bool());
  CHECK(fin.at("status") == "failed");
  CHECK(fin.at("attempt").as_int64() == 2);
  t.drain_events();
  check_refunded_once(t, r);
  auto cancelled = last_event(t, "order.cancelled", "order_id", r.oid);
  CHECK(cancelled.at("reason") == "delivery_failed");
  CHECK(cancelled.at("previous_status") == "ready");
  CHECK(cancelled.at("refunded_cents").as_int64() == 600);
  auto movements = t.get(r.shop + "/products/" + std::to_string(r.pid) + "/stock-movements?limit=1", r.owner.token);
  REQUIRE(movements.status == 200);
  auto const& m = movements.json.at("items").as_array().at(0);
  CHECK(m.at("reason") == "cancel");
  CHECK(m.at("delta").as_int64() == 2);
  CHECK(m.at("order_id").as_int64() == r.oid);
  // Final: no verb moves the task any more, and the order's own cancel is a state conflict.
  CHECK(t.post(r.path() + "/claim", bj::object{}, r.courier.token).status == 409);
  CHECK(t.post(r.path() + "/fail", {{"reason", "again"}}, r.c.manager.token).status == 409);
  CHECK(t.post(r.opath + "/cancel", bj::object{}, r.owner.token, {{"Idempotency-Key", t.unique("c")}}).status ==
        409);

  if (linked(t, "notifications")) {
    auto buyer_cancel = notifications(t, r.buyer, "order.cancelled", r.oid);
    REQUIRE(buyer_cancel.size() == 1);
    CHECK(std::string(buyer_cancel[0].at("title").as_string()).find("delivery failed") != std::string::npos);
    CHECK(std::string(buyer_cancel[0].at("body").as_string()).find("6.00 was refunded") != std::string::npos);
    CHECK(notifications(t, r.buyer, "delivery.failed", r.oid).size() == 2);
    auto merchant = notifications(t, r.owner, "order.delivery_failed", r.oid);
    REQUIRE(merchant.size() == 1);
    CHECK(std::string(merchant[0].at("body").as_string()).find("address closed") != std::string::npos);
    CHECK(notifications(t, r.buyer, "order.delivery_failed", r.oid).empty());
  } else {
    WARN("notifications is not linked: notification checks skipped");
  }

  SECTION("the final delivery.failed delivered again, twice: refunded once") {
    auto const* handler = t.app().bus().handler("shops.delivery_failed", "delivery.failed");
    REQUIRE(handler);
    events::Event e;
    e.topic = "delivery.failed";
    e.community_id = r.c.id;
    e.payload = fin;
    db::read(t.app().db(), [&](soci::session& s) {
      std::string like = "%\"delivery_id\":" + std::to_string(r.task) + ",%";
      long long id = 0;
      s << "SELECT MAX(id) FROM events WHERE topic = 'delivery.failed' AND payload LIKE :l", soci::use(like, "l"),
          soci::into(id);
      e.id = id;
      return 0;
    });
    for (int i = 0; i < 2; ++i) db::transact(t.app().db(), &t.app().bus(), [&](db::Tx& tx) { (*handler)(e, tx); });
    t.drain_events();
    check_refunded_once(t, r);
  }
}

TEST_CASE("max-attempts is 2 by default and a manager may fail an unclaimed task", "[delivery][shops][failed]") {
  auto& t = TestApp::get();
  if (!linked(t, "shops")) return;
  auto r = ready_order(t);
  auto first = t.post(r.path() + "/fail", {{"reason", "shop closed"}}, r.c.manager.token);
  REQUIRE(first.status == 200);
  CHECK(first.json.at("status") == "pending");
  t.drain_events();
  CHECK(order_status(t, r) == "ready");
  auto second = t.post(r.path() + "/fail", {{"reason", "still closed"}}, r.c.manager.token);
  REQUIRE(second.status == 200);
  CHECK(second.json.at("status") == "failed");
  t.drain_events();
  check_refunded_once(t, r);
}

TEST_CASE("a courier, a manager and an admin fail the last attempt at once: it moves once, refunded once",
          "[delivery][shops][failed][concurrency]") {
  auto& t = TestApp::get();
  if (!linked(t, "shops")) return;
  auto r = ready_order(t);
  auto admin = t.admin();
  REQUIRE(t.post(r.path() + "/claim", bj::object{}, r.courier.token).status == 200);
  REQUIRE(t.post(r.path() + "/fail", {{"reason", "first"}}, r.courier.token).status == 200);
  t.drain_events();
  CHECK(order_status(t, r) == "ready");

  // The last attempt: the courier holding it, the manager and an admin fail it together.
  REQUIRE(t.post(r.path() + "/claim", bj::object{}, r.courier2.token).status == 200);
  std::vector<std::string> tokens{r.courier2.token, r.c.manager.token, admin.token};
  std::vector<int> status(tokens.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < tokens.size(); ++i)
    threads.emplace_back(
        [&, i] { status[i] = t.post(r.path() + "/fail", {{"reason", "race " + std::to_string(i)}}, tokens[i]).status; });
  for (auto& th : threads) th.join();
  int ok = 0, conflict = 0;
  for (int s : status) {
    ok += s == 200;
    conflict += s == 409;
  }
  CHECK(ok == 1);
  CHECK(conflict == int(tokens.size()) - 1);
  auto task = t.get(r.path(), r.c.manager.token);
  REQUIRE(task.status == 200);
  CHECK(task.json.at("status") == "failed");
  CHECK(task.json.at("attempt").as_int64() == 2);
  CHECK(events_with(t, "delivery.failed", "delivery_id", r.task) == 2);
  t.drain_events();
  check_refunded_once(t, r);
}

TEST_CASE("the final delivery.failed handled by several workers at once refunds once",
          "[delivery][shops][failed][concurrency]") {
  auto& t = TestApp::get();
  if (!linked(t, "shops")) return;
  auto r = ready_order(t);
  // A final delivery.failed as delivery publishes it, run by four subscribers at once (as
  // two instances whose leases overlapped would), before the dispatcher gets to it.
  auto const* handler = t.app().bus().handler("shops.delivery_failed", "delivery.failed");
  REQUIRE(handler);
  events::Event e;
  e.id = 1;
  e.topic = "delivery.failed";
  e.community_id = r.c.id;
  e.payload = bj::object{{"community_id", r.c.id}, {"delivery_id", r.task},   {"order_id", r.oid},
                         {"resident_id", r.buyer.account_id}, {"courier_id", 0}, {"status", "failed"},
                         {"merchant_id", r.mid},  {"unit_id", r.c.unit_ids[1]}, {"reason", "lost"},
                         {"final", true},         {"attempt", 2},            {"max_attempts", 2}};
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      try {
        db::transact(t.app().db(), &t.app().bus(), [&](db::Tx& tx) { (*handler)(e, tx); });
      } catch (std::exception const&) {
        ++failures;  // a busy database gives up: the dispatcher would retry it
      }
    });
  for (auto& th : threads) th.join();
  CHECK(failures == 0);
  t.drain_events();
  check_refunded_once(t, r);

  SECTION("a non-final failure leaves the order alone") {
    auto again = e;
    again.payload.as_object()["final"] = false;
    db::transact(t.app().db(), &t.app().bus(), [&](db::Tx& tx) { (*handler)(again, tx); });
    check_refunded_once(t, r);
  }
}
