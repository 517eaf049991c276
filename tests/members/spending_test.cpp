// Spending points: at checkout (rate, largest share, 409 when short, nothing changed on a
// refusal), giving them back on every cancellation path and on refund.completed (once, into
// the lots they came from), event fees and property bills, the tier discount at checkout,
// and points never below zero under real threads.
#include "services/shops/checkout.hpp"
#include "tests/members/helpers.hpp"
#include "tests/support/threads.hpp"

#include <atomic>
#include <vector>

using namespace members_test;
using soci::use;

namespace {

courtyard::http::Headers key(std::string const& prefix) { return {{"Idempotency-Key", TestApp::get().unique(prefix)}}; }

struct Shop {
  Community c;
  Actor owner;
  std::int64_t mid = 0;
  std::int64_t pid = 0;  // a 10.00 loaf, plenty of stock
  std::string orders() const { return c.base() + "/orders"; }
  std::string order(std::int64_t oid) const { return orders() + "/" + std::to_string(oid); }
};

Shop shop(std::int64_t price = 1000, std::int64_t stock = 1000) {
  auto& t = TestApp::get();
  Shop s;
  s.c = t.community();
  auto [owner, mid] = t.merchant(s.c, "bakery");
  s.owner = owner;
  s.mid = mid;
  auto p = t.post(s.c.base() + "/merchants/" + std::to_string(mid) + "/products",
                  {{"name", "Loaf"}, {"price_cents", price}, {"stock", stock}, {"category", "bakery"}}, owner.token);
  REQUIRE(p.status == 201);
  s.pid = p.id();
  return s;
}

bj::object order_body(Shop const& s, std::int64_t quantity, std::int64_t points = -1,
                      std::string const& fulfilment = "pickup") {
  bj::object b{{"merchant_id", s.mid},
               {"items", bj::array{bj::object{{"product_id", s.pid}, {"quantity", quantity}}}},
               {"fulfilment", fulfilment}};
  if (points >= 0) b["points"] = points;
  return b;
}

Result place(Shop const& s, Actor const& who, bj::object body) {
  return TestApp::get().post(s.orders(), std::move(body), who.token, key("order"));
}

// Gives the member `n` points the way points are earned: an event check-in under a rule.
void grant(Community const& c, Actor const& who, std::int64_t n) {
  static std::atomic<std::int64_t> next_event{5'000'000};
  set_rule(c, {{"kind", "event_attended"}, {"points", n}});
  TestApp::get().advance_clock_ms(2);
  checked_in(c, who, next_event++);
  TestApp::get().drain_events();
}

std::int64_t stock(Shop const& s) {
  auto r = TestApp::get().get(
      s.c.base() + "/merchants/" + std::to_string(s.mid) + "/products/" + std::to_string(s.pid) + "/stock-movements?limit=1",
      s.owner.token);
  REQUIRE(r.status == 200);
  return r.json.at("stock").as_int64();
}

void set_program(Community const& c, bj::object body) {
  if (!body.contains("expiry_days")) body["expiry_days"] = 365;
  auto r = TestApp::get().call("PUT", loyalty(c, "program"), bj::value(body), c.manager.token);
  INFO(r.body);
  REQUIRE(r.status == 200);
}

// The member's postings for this source reference (signed points, newest first).
std::vector<std::int64_t> history_of(Community const& c, Actor const& who, std::string const& ref) {
  std::vector<std::int64_t> out;
  auto m = membership(c, who);
  for (auto const& h : m.at("history").as_array())
    if (h.at("source_ref").as_string() == ref) out.push_back(h.at("points").as_int64());
  return out;
}

}  // namespace

TEST_CASE("checkout pays part of an order with points at the programme's rate and share",
          "[members][spending][checkout]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto r = t.resident(s.c);
  t.top_up(s.c, r, 10'000);
  grant(s.c, r, 600);

  // Defaults: 1 point = 1 cent, at most 50% of the order.
  auto program = t.get(loyalty(s.c, "program"), s.c.manager.token);
  REQUIRE(program.status == 200);
  CHECK(program.json.at("cents_per_point").as_int64() == 1);
  CHECK(program.json.at("max_share_pct").as_int64() == 50);
  CHECK(program.json.at("points_on_bills").as_bool() == false);

  auto o = place(s, r, order_body(s, 1, 300));
  INFO(o.body);
  REQUIRE(o.status == 201);
  CHECK(o.json.at("total_cents").as_int64() == 1000);
  CHECK(o.json.at("points_spent").as_int64() == 300);
  CHECK(o.json.at("points_cents").as_int64() == 300);
  CHECK(o.json.at("paid_cents").as_int64() == 700);
  CHECK(t.balance(s.c, r) == 10'000 - 700);
  CHECK(points(s.c, r) == 300);
  auto oid = o.id();
  CHECK(history_of(s.c, r, "order:" + std::to_string(oid)) == std::vector<std::int64_t>{-300});
  // The buyer's and the merchant's views show it.
  auto mine = t.get(s.order(oid), r.token);
  CHECK(mine.json.at("points_spent").as_int64() == 300);
  auto theirs = t.get(s.order(oid), s.owner.token);
  CHECK(theirs.json.at("points_cents").as_int64() == 300);
  // And the event.
  auto placed = scalar("SELECT COUNT(*) FROM events WHERE community_id = :c AND topic = 'order.placed' "
                       "AND payload LIKE '%\"points_spent\":300%'",
                       use(s.c.id, "c"));
  CHECK(placed == 1);

  SECTION("refusals change nothing") {
    std::int64_t money = t.balance(s.c, r), left = stock(s);
    // More than half the order: 422 naming the limit.
    auto too_many = place(s, r, order_body(s, 1, 501));
    CHECK(too_many.status == 422);
    CHECK(too_many.json.at("errors").at(0).at("field") == "points");
    // Within the share but more than she holds (300): 409.
    auto short_of = place(s, r, order_body(s, 1, 400));
    CHECK(short_of.status == 409);
    CHECK(short_of.problem_type() == "/problems/insufficient-points");
    CHECK(place(s, r, order_body(s, 1, -1)).status == 201);  // no points at all: fine
    money -= 1000;
    --left;
    auto negative = t.post(s.orders(), [&] {
      auto b = order_body(s, 1);
      b["points"] = -5;
      return b;
    }(), r.token, key("order"));
    CHECK(negative.status == 422);
    CHECK(t.balance(s.c, r) == money);
    CHECK(stock(s) == left);
    CHECK(points(s.c, r) == 300);
    check_ledger(s.c.id);
  }

  SECTION("the manager's rate and share apply; round down to whole points") {
    set_program(s.c, {{"cents_per_point", 5}, {"max_share_pct", 23}});
    // 23% of 10.00 = 230 cents = 46 points of 5 cents.
    CHECK(place(s, r, order_body(s, 1, 47)).status == 422);
    auto ok = place(s, r, order_body(s, 1, 46));
    REQUIRE(ok.status == 201);
    CHECK(ok.json.at("points_cents").as_int64() == 230);
    CHECK(ok.json.at("paid_cents").as_int64() == 770);
    CHECK(points(s.c, r) == 300 - 46);
    // A later PUT without the spending terms keeps them.
    set_program(s.c, {{"expiry_days", 200}});
    auto p = t.get(loyalty(s.c, "program"), s.c.manager.token);
    CHECK(p.json.at("cents_per_point").as_int64() == 5);
    CHECK(p.json.at("max_share_pct").as_int64() == 23);
  }
}

TEST_CASE("programme spending terms: validation and access", "[members][spending][program]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c);
  auto put = [&](bj::object b, std::string const& token) {
    b["expiry_days"] = 365;
    return t.call("PUT", loyalty(c, "program"), bj::value(b), token);
  };
  CHECK(put({{"cents_per_point", 0}}, c.manager.token).status == 422);
  CHECK(put({{"cents_per_point", 10'001}}, c.manager.token).status == 422);
  CHECK(put({{"max_share_pct", 101}}, c.manager.token).status == 422);
  CHECK(put({{"max_share_pct", -1}}, c.manager.token).status == 422);
  CHECK(put({{"points_on_bills", "yes"}}, c.manager.token).status / 100 == 4);
  CHECK(put({{"max_share_pct", 100}}, r.token).status == 403);
  auto other = t.community();
  CHECK(t.call("PUT", loyalty(c, "program"), bj::value(bj::object{{"expiry_days", 1}}), other.manager.token).status ==
        404);
  auto p = t.get(loyalty(c, "program"), c.manager.token);
  CHECK(p.json.at("max_share_pct").as_int64() == 50);  // nothing changed
  auto ok = put({{"max_share_pct", 100}, {"cents_per_point", 2}, {"points_on_bills", true}}, c.manager.token);
  REQUIRE(ok.status == 200);
  CHECK(ok.json.at("max_share_pct").as_int64() == 100);
  CHECK(ok.json.at("points_on_bills").as_bool());
}

TEST_CASE("every cancellation gives money and points back; refunded points keep their expiry",
          "[members][spending][cancel]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto r = t.resident(s.c);
  t.top_up(s.c, r, 10'000);
  set_program(s.c, {{"expiry_days", 30}, {"notice_days", 1}});
  grant(s.c, r, 1000);
  auto expiry_before = membership(s.c, r).at("expiring");
  REQUIRE(expiry_before.as_array().size() == 1);

  auto check_back = [&](std::int64_t oid, std::string const& reason) {
    auto cancelled = scalar("SELECT COUNT(*) FROM events WHERE community_id = :c AND topic = 'order.cancelled' AND "
                            "payload LIKE :p",
                            use(s.c.id, "c"), use("%\"order_id\":" + std::to_string(oid) + ",%", "p"));
    CHECK(cancelled == 1);
    CHECK(points(s.c, r) == 1000);
    CHECK(t.balance(s.c, r) == 10'000);
    CHECK(history_of(s.c, r, "order:" + std::to_string(oid)) == std::vector<std::int64_t>{400, -400});
    // The points came back into a lot with the same expiry as the one they left.
    CHECK(membership(s.c, r).at("expiring") == expiry_before);
    check_ledger(s.c.id);
    INFO(reason);
  };

  SECTION("the buyer cancels") {
    auto o = place(s, r, order_body(s, 1, 400));
    REQUIRE(o.status == 201);
    t.advance_clock_ms(kDay);
    auto c = t.call("POST", s.order(o.id()) + "/cancel", std::nullopt, r.token, key("cancel"));
    INFO(c.body);
    REQUIRE(c.status == 200);
    check_back(o.id(), "buyer");
    // Cancelling again changes nothing.
    CHECK(t.call("POST", s.order(o.id()) + "/cancel", std::nullopt, r.token, key("cancel")).status == 409);
    CHECK(points(s.c, r) == 1000);
  }
  SECTION("the merchant cancels") {
    auto o = place(s, r, order_body(s, 1, 400));
    REQUIRE(o.status == 201);
    auto c = t.call("POST", s.order(o.id()) + "/cancel", std::nullopt, s.owner.token, key("cancel"));
    REQUIRE(c.status == 200);
    check_back(o.id(), "merchant");
  }
  SECTION("the delivery fails for good (delivered twice: once)") {
    auto o = place(s, r, order_body(s, 1, 400, "delivery"));
    REQUIRE(o.status == 201);
    auto oid = o.id();
    REQUIRE(t.call("POST", s.order(oid) + "/accept", std::nullopt, s.owner.token).status == 200);
    REQUIRE(t.call("POST", s.order(oid) + "/ready", std::nullopt, s.owner.token).status == 200);
    for (int i = 0; i < 2; ++i)
      publish(s.c.id, "delivery.failed", {{"order_id", oid}, {"delivery_id", 77}, {"final", true}});
    t.drain_events();
    REQUIRE(t.get(s.order(oid), r.token).json.at("status") == "cancelled");
    check_back(oid, "delivery failed");
  }
}

TEST_CASE("refund.completed gives the refund's points back once per refund", "[members][spending][refund]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto r = t.resident(s.c);
  t.top_up(s.c, r, 10'000);
  set_program(s.c, {{"expiry_days", 30}});
  grant(s.c, r, 500);
  auto o = place(s, r, order_body(s, 1, 400));
  REQUIRE(o.status == 201);
  auto oid = o.id();
  REQUIRE(points(s.c, r) == 100);
  auto refund = [&](std::int64_t refund_id, std::int64_t pts) {
    return publish(s.c.id, "refund.completed",
                   {{"refund_id", refund_id},
                    {"order_id", oid},
                    {"merchant_id", s.mid},
                    {"buyer_id", r.account_id},
                    {"amount_cents", 300},
                    {"points", pts}});
  };
  // One refund of 150 points, delivered twice; a second refund of 250.
  refund(9001, 150);
  refund(9001, 150);
  t.drain_events();
  CHECK(points(s.c, r) == 250);
  CHECK(history_of(s.c, r, "refund:9001") == std::vector<std::int64_t>{150});
  refund(9002, 250);
  t.drain_events();
  CHECK(points(s.c, r) == 500);
  // The refunded points keep the expiry of the lot they were spent from.
  auto exp = membership(s.c, r).at("expiring").as_array();
  REQUIRE(exp.size() == 1);
  CHECK(exp[0].at("points").as_int64() == 500);
  // A refund without points, or a malformed one, changes nothing.
  refund(9003, 0);
  publish(s.c.id, "refund.completed", {{"refund_id", "x"}, {"points", 5}});
  t.drain_events();
  CHECK(points(s.c, r) == 500);
  check_ledger(s.c.id);
}

TEST_CASE("many concurrent orders spending one member's points never overdraw them",
          "[members][spending][concurrency]") {
  auto& t = TestApp::get();
  auto s = shop(1000, 1000);
  auto r = t.resident(s.c);
  t.top_up(s.c, r, 1'000'000);
  grant(s.c, r, 1000);
  constexpr int kThreads = 16;
  constexpr std::int64_t kEach = 150;  // 6 fit in 1000 points
  std::vector<Result> results(kThreads);
  courtyard::test::in_threads(kThreads, [&](int i) {
    results[i] = place(s, r, order_body(s, 1, kEach));
  });
  int won = 0;
  for (auto const& res : results) {
    INFO(res.status << " " << res.body);
    if (res.status == 201) {
      ++won;
    } else {
      CHECK(res.status == 409);
      CHECK(res.problem_type() == "/problems/insufficient-points");
    }
  }
  CHECK(won == 1000 / kEach);
  CHECK(points(s.c, r) == 1000 - won * kEach);
  CHECK(t.balance(s.c, r) == 1'000'000 - won * (1000 - kEach));
  CHECK(stock(s) == 1000 - won);
  check_ledger(s.c.id);

  // And concurrent cancels of the winners give each order's points back exactly once.
  std::vector<std::int64_t> winners;
  for (auto const& res : results)
    if (res.status == 201) winners.push_back(res.id());
  courtyard::test::in_threads(static_cast<int>(winners.size()) * 2, [&](int i) {
    auto who = i % 2 ? r.token : s.owner.token;
    t.call("POST", s.order(winners[i / 2]) + "/cancel", std::nullopt, who, key("cancel"));
  });
  CHECK(points(s.c, r) == 1000);
  CHECK(t.balance(s.c, r) == 1'000'000);
  check_ledger(s.c.id);
}

TEST_CASE("a tier's shop discount applies at checkout and its multiplier when earning",
          "[members][spending][tiers]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto r = t.resident(s.c);
  auto plain = t.resident(s.c, 1);
  t.top_up(s.c, r, 10'000);
  t.top_up(s.c, plain, 10'000);
  set_tiers(s.c, bj::array{bj::object{{"name", "Silver"}, {"threshold", 100}, {"discount_pct", 10},
                                      {"earn_multiplier_pct", 200}}});
  grant(s.c, r, 100);
  REQUIRE(membership(s.c, r).at("tier").at("name") == "Silver");

  // 2 x 10.00, Silver: 10% off = 2.00; then 100 points pay 1.00 of the 18.00.
  auto o = place(s, r, order_body(s, 2, 100));
  INFO(o.body);
  REQUIRE(o.status == 201);
  CHECK(o.json.at("subtotal_cents").as_int64() == 2000);
  CHECK(o.json.at("tier_discount_pct").as_int64() == 10);
  CHECK(o.json.at("tier_discount_cents").as_int64() == 200);
  CHECK(o.json.at("discount_cents").as_int64() == 200);
  CHECK(o.json.at("total_cents").as_int64() == 1800);
  CHECK(o.json.at("paid_cents").as_int64() == 1700);
  CHECK(t.balance(s.c, r) == 10'000 - 1700);
  // Someone with no tier pays full price.
  auto full = place(s, plain, order_body(s, 2));
  REQUIRE(full.status == 201);
  CHECK(full.json.at("tier_discount_cents").as_int64() == 0);
  CHECK(full.json.at("total_cents").as_int64() == 2000);

  // Completing it earns on the money paid (17.00), doubled by Silver: 1 x 17 x 2.
  set_rule(s.c, {{"kind", "order_completed"}, {"points", 1}});
  t.advance_clock_ms(2);
  auto oid = o.id();
  std::string code(o.json.at("redemption_code").as_string());
  REQUIRE(t.call("POST", s.order(oid) + "/accept", std::nullopt, s.owner.token).status == 200);
  REQUIRE(t.call("POST", s.order(oid) + "/ready", std::nullopt, s.owner.token).status == 200);
  REQUIRE(t.post(s.c.base() + "/merchants/" + std::to_string(s.mid) + "/redemptions", {{"code", code}}, s.owner.token)
              .status == 200);
  t.drain_events();
  CHECK(history_of(s.c, r, "order:" + std::to_string(oid)) == std::vector<std::int64_t>{34, -100});
}

TEST_CASE("event fees take points; cancelling gives them back", "[members][spending][events]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c);
  auto organiser = t.resident(c, 1);
  t.top_up(c, r, 5000);
  grant(c, r, 600);
  auto club = t.post(c.base() + "/clubs", {{"name", t.unique("Runners")}, {"open", true}}, organiser.token);
  REQUIRE(club.status == 201);
  auto event = [&](std::int64_t fee) {
    auto ev = t.post(c.base() + "/clubs/" + std::to_string(club.id()) + "/events",
                     {{"title", "5k"},
                      {"starts_at", courtyard::json::rfc3339(courtyard::db::now_ms() + 7 * kDay)},
                      {"capacity", 10},
                      {"fee_cents", fee}},
                     organiser.token);
    REQUIRE(ev.status == 201);
    return c.base() + "/events/" + std::to_string(ev.id()) + "/rsvp";
  };
  auto paid = event(1000), free = event(0);

  CHECK(t.post(free, {{"points", 10}}, r.token, key("rsvp")).status == 422);
  CHECK(t.post(paid, {{"points", 501}}, r.token, key("rsvp")).status == 422);
  CHECK(t.post(paid, {{"points", -1}}, r.token, key("rsvp")).status == 422);
  CHECK(t.balance(c, r) == 5000);
  CHECK(points(c, r) == 600);

  auto yes = t.post(paid, {{"points", 500}}, r.token, key("rsvp"));
  INFO(yes.body);
  REQUIRE(yes.status == 201);
  CHECK(yes.json.at("points_spent").as_int64() == 500);
  CHECK(yes.json.at("paid_cents").as_int64() == 500);
  CHECK(t.balance(c, r) == 4500);
  CHECK(points(c, r) == 100);

  auto off = t.del(paid, r.token);
  REQUIRE(off.status == 200);
  CHECK(off.json.at("refunded_points").as_int64() == 500);
  CHECK(off.json.at("refunded_cents").as_int64() == 500);
  CHECK(points(c, r) == 600);
  CHECK(t.balance(c, r) == 5000);

  // RSVP again after cancelling: a new charge, given back again.
  auto again = t.post(paid, {{"points", 300}}, r.token, key("rsvp"));
  INFO(again.body);
  REQUIRE(again.status / 100 == 2);
  CHECK(again.json.at("points_spent").as_int64() == 300);
  CHECK(points(c, r) == 300);
  REQUIRE(t.del(paid, r.token).json.at("refunded_points").as_int64() == 300);
  CHECK(points(c, r) == 600);
  // Someone without points: 409, nothing charged.
  auto other = t.resident(c, 2);
  t.top_up(c, other, 5000);
  auto shortr = t.post(paid, {{"points", 100}}, other.token, key("rsvp"));
  CHECK(shortr.status == 409);
  CHECK(shortr.problem_type() == "/problems/insufficient-points");
  CHECK(t.balance(c, other) == 5000);
  // Without a body, as before.
  CHECK(t.call("POST", paid, std::nullopt, other.token, key("rsvp")).status / 100 == 2);
  check_ledger(c.id);
}

TEST_CASE("bills take points only where the manager allows it", "[members][spending][bills]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c);
  t.top_up(c, r, 5000);
  grant(c, r, 1000);
  REQUIRE(t.post(c.base() + "/fee-schedules", {{"name", t.unique("fee")}, {"amount_cents", 2000}, {"scope", "community"}},
                 c.manager.token)
              .status == 201);
  REQUIRE(t.post(c.base() + "/billing-runs", {{"period", "2031-02"}}, c.manager.token).status == 201);
  auto bills = t.get(c.base() + "/bills?unit_id=" + std::to_string(c.unit_ids[0]), c.manager.token);
  REQUIRE(bills.json.at("items").as_array().size() == 1);
  auto pay = c.base() + "/bills/" + std::to_string(bills.json.at("items").at(0).at("id").as_int64()) + "/payments";

  auto off = t.post(pay, {{"method", "wallet"}, {"points", 500}}, r.token, key("pay"));
  CHECK(off.status == 422);
  CHECK(off.json.at("errors").at(0).at("field") == "points");
  set_program(c, {{"points_on_bills", true}});
  CHECK(t.post(pay, {{"method", "offline"}, {"points", 500}}, c.manager.token, key("pay")).status == 422);
  CHECK(t.post(pay, {{"method", "wallet"}, {"points", 1001}}, r.token, key("pay")).status == 422);
  CHECK(t.balance(c, r) == 5000);
  CHECK(points(c, r) == 1000);

  auto ok = t.post(pay, {{"method", "wallet"}, {"points", 800}}, r.token, key("pay"));
  INFO(ok.body);
  REQUIRE(ok.status == 201);
  CHECK(ok.json.at("points_spent").as_int64() == 800);
  CHECK(ok.json.at("points_cents").as_int64() == 800);
  CHECK(t.balance(c, r) == 5000 - 1200);
  CHECK(points(c, r) == 200);
  CHECK(history_of(c, r, "bill:" + std::to_string(bills.json.at("items").at(0).at("id").as_int64())) ==
        std::vector<std::int64_t>{-800});
  check_ledger(c.id);
}

// Issue 12's "Done when": one resident across property, shops and clubs. She pays a bill on
// time (earns), buys bread paying part in points (and earns on the rest), attends an event
// (checked in: earns), is in the manager's segment of recent bakery buyers, receives the
// campaign's single-use coupon through notifications because she consented to marketing (her
// neighbour in the same segment did not, and gets nothing), uses it at checkout, and sees all
// of it in GET /v1/me/membership; the campaign's report counts the use.
TEST_CASE("the loop: an on-time bill earns, bread is paid partly in points, an event earns, a targeted coupon "
          "is used, all in membership",
          "[members][spending][campaigns][e2e]") {
  auto& t = TestApp::get();
  auto s = shop(450, 50);
  auto& c = s.c;
  auto r = t.resident(c, 1);
  auto neighbour = t.resident(c, 2);
  t.top_up(c, r, 100'000);
  t.top_up(c, neighbour, 100'000);
  set_rule(c, {{"kind", "bill_paid_on_time"}, {"points", 300}});
  set_rule(c, {{"kind", "event_attended"}, {"points", 50}});
  set_rule(c, {{"kind", "order_completed"}, {"points", 1}});
  t.advance_clock_ms(5);
  auto collect = [&](Result const& placed) {
    INFO(placed.body);
    REQUIRE(placed.status == 201);
    auto oid = placed.id();
    std::string code(placed.json.at("redemption_code").as_string());
    REQUIRE(t.call("POST", s.order(oid) + "/accept", std::nullopt, s.owner.token).status == 200);
    REQUIRE(t.call("POST", s.order(oid) + "/ready", std::nullopt, s.owner.token).status == 200);
    REQUIRE(t.post(c.base() + "/merchants/" + std::to_string(s.mid) + "/redemptions", {{"code", code}}, s.owner.token)
                .status == 200);
    t.drain_events();
    return oid;
  };

  // A bill paid before it is due: 300 points.
  REQUIRE(t.post(c.base() + "/fee-schedules", {{"name", t.unique("fee")}, {"amount_cents", 5000}, {"scope", "community"}},
                 c.manager.token)
              .status == 201);
  REQUIRE(t.post(c.base() + "/billing-runs", {{"period", "2031-03"}}, c.manager.token).status == 201);
  auto bills = t.get(c.base() + "/bills?unit_id=" + std::to_string(c.unit_ids[1]), c.manager.token);
  REQUIRE(bills.json.at("items").as_array().size() == 1);
  auto bill_id = bills.json.at("items").at(0).at("id").as_int64();
  REQUIRE(t.post(c.base() + "/bills/" + std::to_string(bill_id) + "/payments", {{"method", "wallet"}}, r.token,
                 key("pay"))
              .status == 201);
  t.drain_events();
  REQUIRE(points(c, r) == 300);

  // Bread: two loaves (9.00), 200 points pay 2.00; collected, it earns on the 7.00 paid.
  auto o = place(s, r, order_body(s, 2, 200));
  REQUIRE(o.status == 201);
  CHECK(o.json.at("paid_cents").as_int64() == 700);
  CHECK(points(c, r) == 100);
  auto oid = collect(o);

  // An event she attends: 50 points.
  auto run = club_event(c, 0);
  attend(c, run, r);
  t.drain_events();
  CHECK(points(c, r) == 100 + 7 + 50);

  // Her neighbour buys bread too but never consents to marketing; she does.
  collect(place(s, neighbour, order_body(s, 1)));
  auto consent = t.call("PUT", "/v1/me/consents", bj::value(bj::object{{"marketing", true}}), r.token);
  REQUIRE(consent.status == 200);

  // The manager targets residents who spent at the bakery in the last 30 days: both of
  // them, shown as a band (fewer than 5), with a 20% bakery coupon.
  auto seg = t.post(c.base() + "/segments",
                    {{"name", "Bread buyers"},
                     {"rule", {{"category_spend", {{"category", "bakery"}, {"days", 30}}}, {"last_order_within_days", 30}}}},
                    c.manager.token);
  INFO(seg.body);
  REQUIRE(seg.status == 201);
  CHECK(seg.json.at("size").is_null());
  CHECK(seg.json.at("size_band") == "fewer_than_5");
  auto created = bread_week_campaign(c, seg.id(), s.mid);
  auto campaign = c.base() + "/campaigns/" + std::to_string(created.id());
  auto issued = t.call("POST", campaign + "/issue", std::nullopt, c.manager.token);
  INFO(issued.body);
  REQUIRE(issued.status == 200);
  CHECK(issued.json.at("report").at("targeted").as_int64() == 2);
  CHECK(issued.json.at("report").at("reach").as_int64() == 1);
  CHECK(issued.json.at("report").at("skipped_no_consent").as_int64() == 1);
  CHECK(issued.json.at("report").at("redemptions").as_int64() == 0);

  // Through notifications: her code, and nothing for the neighbour who did not consent.
  CHECK(campaign_notes(neighbour).empty());
  CHECK(membership(c, neighbour).at("campaigns").as_array().empty());
  auto mine = campaign_notes(r);
  REQUIRE(mine.size() == 1);
  CHECK(mine[0].at("title") == "20% off bread");
  std::string coupon(mine[0].at("data").at("coupon_code").as_string());
  // Her membership shows the coupon before she uses it.
  auto before = membership(c, r).at("campaigns").as_array();
  REQUIRE(before.size() == 1);
  CHECK(before[0].at("campaign_id").as_int64() == created.id());
  CHECK(before[0].at("coupon").at("code").as_string() == coupon);
  CHECK(before[0].at("coupon").at("status") == "available");
  // Only she can use it.
  auto theirs = order_body(s, 1);
  theirs["coupon_code"] = coupon;
  CHECK(place(s, neighbour, theirs).status == 422);

  // More bread with the coupon and points: 9.00 less 20% = 7.20; 100 points pay 1.00; the
  // 6.20 paid earns 6 points when collected.
  auto with_coupon = order_body(s, 2, 100);
  with_coupon["coupon_code"] = coupon;
  auto o2 = place(s, r, with_coupon);
  INFO(o2.body);
  REQUIRE(o2.status == 201);
  CHECK(o2.json.at("discount_cents").as_int64() == 180);
  CHECK(o2.json.at("total_cents").as_int64() == 720);
  CHECK(o2.json.at("paid_cents").as_int64() == 620);
  auto oid2 = collect(o2);
  // Single use: a second order with it is refused.
  auto again = order_body(s, 1);
  again["coupon_code"] = coupon;
  CHECK(place(s, r, again).status == 409);

  // The campaign's report: reach 1, one redemption, the 7.20 order, no points given.
  auto report = t.get(campaign, c.manager.token);
  REQUIRE(report.status == 200);
  CHECK(report.json.at("report").at("reach").as_int64() == 1);
  CHECK(report.json.at("report").at("redemptions").as_int64() == 1);
  CHECK(report.json.at("report").at("revenue_cents").as_int64() == 720);
  CHECK(report.json.at("report").at("points_cost").as_int64() == 0);

  // All of it in her membership.
  auto m = membership(c, r);
  CHECK(m.at("points").as_int64() == 300 - 200 + 7 + 50 - 100 + 6);
  std::vector<std::pair<std::string, std::int64_t>> seen;
  for (auto const& h : m.at("history").as_array())
    seen.emplace_back(std::string(h.at("source_ref").as_string()), h.at("points").as_int64());
  std::string order_ref = "order:" + std::to_string(oid), order2_ref = "order:" + std::to_string(oid2);
  CHECK(seen == std::vector<std::pair<std::string, std::int64_t>>{{order2_ref, 6},
                                                                  {order2_ref, -100},
                                                                  {"event:" + std::to_string(run.event), 50},
                                                                  {order_ref, 7},
                                                                  {order_ref, -200},
                                                                  {"bill:" + std::to_string(bill_id), 300}});
  auto received = m.at("campaigns").as_array();
  REQUIRE(received.size() == 1);
  CHECK(received[0].at("from") == "community");
  CHECK(received[0].at("kind") == "coupon");
  CHECK(received[0].at("title") == "20% off bread");
  CHECK(received[0].at("coupon").at("code").as_string() == coupon);
  CHECK(received[0].at("coupon").at("merchant_id").as_int64() == s.mid);
  CHECK(received[0].at("coupon").at("percent_off").as_int64() == 20);
  CHECK(received[0].at("coupon").at("status") == "used");
  CHECK(received[0].at("coupon").at("order_id").as_int64() == oid2);
  auto bought = t.get(s.order(oid), r.token);
  CHECK(bought.json.at("status") == "completed");
  CHECK(bought.json.at("points_spent").as_int64() == 200);
  check_ledger(c.id);
}

TEST_CASE("checkouts placed together in a batch each get their own buyer's tier discount",
          "[members][spending][tiers][batch]") {
  auto& t = TestApp::get();
  auto s = shop(1000, 10'000);
  set_tiers(s.c, bj::array{bj::object{{"name", "Silver"}, {"threshold", 100}, {"discount_pct", 10},
                                      {"earn_multiplier_pct", 100}},
                           bj::object{{"name", "Gold"}, {"threshold", 300}, {"discount_pct", 25},
                                      {"earn_multiplier_pct", 100}}});
  constexpr int kBuyers = 12;
  std::vector<Actor> buyers;
  std::vector<int> pct;
  for (int i = 0; i < kBuyers; ++i) {
    buyers.push_back(t.resident(s.c, static_cast<std::size_t>(i % 3)));
    t.top_up(s.c, buyers.back(), 1'000'000);
    pct.push_back(i % 3 == 0 ? 0 : i % 3 == 1 ? 10 : 25);  // none, Silver, Gold
    if (pct.back() == 10) grant(s.c, buyers.back(), 100);
    if (pct.back() == 25) grant(s.c, buyers.back(), 300);
  }
  auto before = courtyard::shops::checkout_batch_stats().batched_orders;
  std::vector<std::int64_t> paid(kBuyers, 0);
  for (int round = 0; round < 20 && courtyard::shops::checkout_batch_stats().batched_orders - before < 6; ++round) {
    std::vector<Result> results(kBuyers);
    courtyard::test::in_threads(kBuyers, [&](int i) { results[i] = place(s, buyers[i], order_body(s, 2)); });
    for (int i = 0; i < kBuyers; ++i) {
      INFO(i << ": " << results[i].body);
      REQUIRE(results[i].status == 201);
      auto const& o = results[i].json;
      std::int64_t discount = 2000 * pct[i] / 100;
      CHECK(o.at("tier_discount_pct").as_int64() == pct[i]);
      CHECK(o.at("tier_discount_cents").as_int64() == discount);
      CHECK(o.at("total_cents").as_int64() == 2000 - discount);
      paid[i] += 2000 - discount;
    }
  }
  CHECK(courtyard::shops::checkout_batch_stats().batched_orders - before >= 6);
  for (int i = 0; i < kBuyers; ++i) CHECK(t.balance(s.c, buyers[i]) == 1'000'000 - paid[i]);
  check_ledger(s.c.id);
}
