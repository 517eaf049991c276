// Settlement on both backends: commission at completion (exactly once, also from racing
// threads), a week's statement that adds up and agrees with the ledger, closing (route and
// job, concurrently), late corrections, payouts, CSV, and who may see what.
#include "db/query.hpp"
#include "services/settlement/routes.hpp"
#include "services/wallet/api.hpp"
#include "tests/shops/support.hpp"
#include "tests/support/threads.hpp"

#include <atomic>
#include <thread>

using namespace shops_test;
using courtyard::test::in_threads;

namespace {

constexpr std::int64_t kWeekMs = 7 * 86'400'000LL;

void redeem(Shop const& s, std::string const& code) {
  auto& t = TestApp::get();
  REQUIRE(t.post(s.merchant_base() + "/redemptions", {{"code", code}}, s.owner.token).status == 200);
  t.drain_events();
}

// A completed order whose events have been delivered (settlement takes its commission then).
std::int64_t commissioned_order(Shop const& s, Actor const& who,
                                std::vector<std::pair<std::int64_t, std::int64_t>> items) {
  auto oid = completed_order(s, who, std::move(items));
  TestApp::get().drain_events();
  return oid;
}

// As checkout with points records it: `cents` of the order paid with `points`, so the wallet
// was charged that much less (the buyer gets it back here).
void pay_with_points(Shop const& s, Actor const& buyer, std::int64_t oid, std::int64_t points, std::int64_t cents) {
  auto& t = TestApp::get();
  courtyard::db::transact(t.app().db(), nullptr, [&](courtyard::db::Tx& tx) {
    tx.exec("UPDATE orders SET points_spent = :p, points_cents = :c WHERE id = :o", soci::use(points, "p"),
            soci::use(cents, "c"), soci::use(oid, "o"));
    courtyard::wallet::transfer(tx, s.c.id, courtyard::wallet::merchant_for_order(s.mid, oid),
                                courtyard::wallet::resident(buyer.account_id), cents, "test_points",
                                "order:" + std::to_string(oid));
  });
}

std::int64_t community_balance(Community const& c) {
  auto& t = TestApp::get();
  return courtyard::db::transact(t.app().db(), nullptr, [&](courtyard::db::Tx& tx) {
    return courtyard::wallet::balance(tx, c.id, courtyard::wallet::community());
  });
}

// Money for the community's revenue account, as property fees would bring.
void fund_community(Community const& c, std::int64_t cents) {
  auto& t = TestApp::get();
  courtyard::db::transact(t.app().db(), nullptr, [&](courtyard::db::Tx& tx) {
    courtyard::wallet::transfer(tx, c.id, courtyard::wallet::cash(), courtyard::wallet::community(), cents, "test_fees",
                                "fees");
  });
}

void set_rate(Community const& c, std::string const& category, std::int64_t bp) {
  auto r = TestApp::get().call("PUT", c.base() + "/commission-rates/" + category, bj::value(bj::object{{"rate_bp", bp}}),
                               c.manager.token);
  INFO(r.body);
  REQUIRE(r.status == 200);
}

Result close_now(Community const& c) {
  return TestApp::get().call("POST", c.base() + "/settlement/close", std::nullopt, c.manager.token);
}

std::vector<bj::object> statements_closed(Community const& c, std::int64_t mid) {
  std::vector<bj::object> out;
  for (auto& e : events(c, "statement.closed"))
    if (e.at("merchant_id").as_int64() == mid) out.push_back(e);
  return out;
}

std::int64_t count_postings(Community const& c, std::string const& kind) {
  auto& t = TestApp::get();
  return courtyard::db::transact(t.app().db(), nullptr, [&](courtyard::db::Tx& tx) {
    return courtyard::db::scalar(tx, "SELECT COUNT(*) FROM settlement_postings WHERE community_id = :c AND kind = :k",
                                 soci::use(c.id, "c"), soci::use(kind, "k"));
  });
}

}  // namespace

TEST_CASE("a week's statement adds up, agrees with the ledger, closes once and is paid out", "[settlement]") {
  auto& t = TestApp::get();
  auto s = shop("grocery");
  auto rival = second_shop(s);  // category bakery: no rate, no commission
  set_rate(s.c, "grocery", 1000);  // 10 %
  CHECK(t.call("PUT", s.c.base() + "/refund-settings", bj::value(bj::object{{"window_days", 30}}), s.c.manager.token)
            .status == 200);
  auto cheese = product(s, "Cheese", 1000, 20);
  auto bun = product(rival, "Bun", 250, 20);
  auto r = buyer(s, 20'000);
  std::int64_t merchant_start = merchant_balance(s);

  auto o1 = commissioned_order(s, r, {{cheese, 2}});  // 2000, commission 200
  CHECK(community_balance(s.c) == 200);
  CHECK(merchant_balance(s) == merchant_start + 1800);
  auto [o2, code2] = accepted_order(s, r, {{cheese, 1}});
  pay_with_points(s, r, o2, 100, 400);  // 1000: 600 in money, 400 with points
  redeem(s, code2);                     // commission 100 on the whole 1000
  auto rb = commissioned_order(rival, r, {{bun, 2}});
  CHECK(rb > 0);
  auto refund = t.post(s.order(o1) + "/refunds",
                       {{"reason", "one was mouldy"}, {"items", bj::array{bj::object{{"product_id", cheese}, {"quantity", 1}}}}},
                       r.token);
  REQUIRE(refund.status == 201);
  REQUIRE(t.post(s.c.base() + "/refunds/" + std::to_string(refund.id()) + "/accept", bj::object{}, s.owner.token).status == 200);
  t.drain_events();

  // The running figures of the open week.
  auto current = t.get(s.merchant_base() + "/statements/current", s.owner.token);
  INFO(current.body);
  REQUIRE(current.status == 200);
  auto const& now = current.json.at("items").at(0).as_object();
  CHECK(now.at("status").as_string() == "open");
  CHECK(now.at("gross_cents").as_int64() == 2600);
  CHECK(now.at("net_payable_cents").as_int64() == 2600 - 1000 - 300 + 400);

  // Redelivered completions post nothing twice.
  publish(s.c, "order.completed", {{"order_id", o1}, {"merchant_id", s.mid}});
  t.drain_events();
  CHECK(community_balance(s.c) == 300);
  CHECK(count_postings(s.c, "commission") == 2);

  // Not over yet: nothing to close.
  auto early = close_now(s.c);
  REQUIRE(early.status == 200);
  CHECK(early.json.at("statements").as_array().empty());

  fund_community(s.c, 1000);  // property fees, say: the reimbursement (400) exceeds the commission (300)
  t.advance_clock_ms(kWeekMs + 1000);
  auto closed = close_now(s.c);
  INFO(closed.body);
  REQUIRE(closed.status == 200);
  REQUIRE(closed.json.at("statements").as_array().size() == 2);
  t.drain_events();
  auto listed = t.get(s.merchant_base() + "/statements", s.owner.token);
  REQUIRE(listed.status == 200);
  REQUIRE(listed.json.at("items").as_array().size() == 1);
  auto st = listed.json.at("items").at(0).as_object();
  std::int64_t sid = st.at("id").as_int64();
  CHECK(st.at("status").as_string() == "closed");
  CHECK(st.at("orders").as_int64() == 2);
  CHECK(st.at("gross_cents").as_int64() == 2600);
  CHECK(st.at("refunds_cents").as_int64() == 1000);
  CHECK(st.at("commission_cents").as_int64() == 300);
  CHECK(st.at("points_reimbursed_cents").as_int64() == 400);
  std::int64_t net = st.at("net_payable_cents").as_int64();
  CHECK(net == 2600 - 1000 - 300 + 400);
  // The ledger agrees: the merchant's wallet moved by exactly the net payable.
  CHECK(merchant_balance(s) - merchant_start == net);
  CHECK(community_balance(s.c) == 1000 + 300 - 400);
  CHECK(ledger_balanced(s.c));
  // Berlin's Monday midnight, in UTC.
  std::string start(st.at("period").at("start").as_string());
  CHECK((start.find("T23:00:00Z") != std::string::npos || start.find("T22:00:00Z") != std::string::npos));
  CHECK(statements_closed(s.c, s.mid).size() == 1);

  // A statement's lines, and the same as CSV.
  auto one = t.get(s.c.base() + "/statements/" + std::to_string(sid), s.owner.token);
  REQUIRE(one.status == 200);
  CHECK(one.json.at("postings").as_array().size() == 6);  // 2 orders, their 2 commissions, 1 points, 1 refund
  auto csv = t.call("GET", s.c.base() + "/statements/" + std::to_string(sid), std::nullopt, s.owner.token,
                    {{"Accept", "text/csv"}});
  REQUIRE(csv.status == 200);
  CHECK(csv.header("Content-Type").find("text/csv") == 0);
  CHECK(csv.body.rfind("statement_id,posting_id,kind,", 0) == 0);
  auto list_csv = t.get(s.merchant_base() + "/statements?format=csv", s.owner.token);
  REQUIRE(list_csv.status == 200);
  CHECK(list_csv.body.find(std::to_string(sid) + "," + std::to_string(s.mid) + ",") != std::string::npos);
  CHECK(t.get(s.merchant_base() + "/statements?format=xml", s.owner.token).status == 422);
  auto again = close_now(s.c);
  REQUIRE(again.status == 200);
  CHECK(again.json.at("statements").as_array().empty());

  // Payout: the manager records the transfer; the net leaves the wallet once.
  CHECK(t.post(s.c.base() + "/statements/" + std::to_string(sid) + "/payout", bj::object{}, s.c.manager.token).status == 422);
  CHECK(t.post(s.c.base() + "/statements/999999999/payout", {{"reference", "x"}}, s.c.manager.token).status == 404);
  CHECK(t.post(s.c.base() + "/statements/" + std::to_string(sid) + "/payout", {{"reference", "x"}}, s.owner.token)
            .status == 403);
  auto paid = t.post(s.c.base() + "/statements/" + std::to_string(sid) + "/payout", {{"reference", "SEPA 2026-48"}},
                     s.c.manager.token);
  INFO(paid.body);
  REQUIRE(paid.status == 200);
  CHECK(paid.json.at("status").as_string() == "paid");
  CHECK(paid.json.at("payout").at("reference").as_string() == "SEPA 2026-48");
  CHECK(merchant_balance(s) == merchant_start);
  auto twice = t.post(s.c.base() + "/statements/" + std::to_string(sid) + "/payout", {{"reference", "again"}},
                      s.c.manager.token);
  CHECK(twice.status == 409);
  CHECK(twice.problem_type() == "/problems/statement-paid");
  auto made = events(s.c, "payout.made");
  REQUIRE(made.size() == 1);
  CHECK(made[0].at("amount_cents").as_int64() == net);
  CHECK(ledger_balanced(s.c));

  // The next week: a new order, a late refund of last week's order (a correction in this
  // period; the closed statement does not change) and a failed delivery at the rival.
  commissioned_order(s, r, {{cheese, 2}});  // 2000, commission 200
  auto late = t.post(s.order(o2) + "/refunds", {{"reason", "late"}}, r.token);
  REQUIRE(late.status == 201);
  REQUIRE(t.post(s.c.base() + "/refunds/" + std::to_string(late.id()) + "/accept", bj::object{}, s.owner.token).status == 200);
  auto delivery = place(rival, r, order_body(rival.mid, {{bun, 1}}, "delivery"));
  REQUIRE(delivery.status == 201);
  REQUIRE(t.call("POST", rival.order(delivery.id()) + "/accept", std::nullopt, rival.owner.token).status == 200);
  REQUIRE(t.call("POST", rival.order(delivery.id()) + "/ready", std::nullopt, rival.owner.token).status == 200);
  publish(s.c, "delivery.failed", {{"order_id", delivery.id()}, {"final", true}});
  t.drain_events();
  auto unchanged = t.get(s.c.base() + "/statements/" + std::to_string(sid), s.owner.token);
  CHECK(unchanged.json.at("net_payable_cents").as_int64() == net);
  CHECK(unchanged.json.at("refunds_cents").as_int64() == 1000);
  auto next = t.get(s.merchant_base() + "/statements/current", s.owner.token);
  CHECK(next.json.at("items").at(0).at("refunds_cents").as_int64() == 600);
  CHECK(next.json.at("items").at(0).at("points_reimbursed_cents").as_int64() == -400);

  t.advance_clock_ms(kWeekMs);
  auto second = close_now(s.c);
  INFO(second.body);
  REQUIRE(second.status == 200);
  REQUIRE(second.json.at("statements").as_array().size() == 2);
  for (auto const& x : second.json.at("statements").as_array()) {
    auto const& o = x.as_object();
    if (o.at("merchant_id").as_int64() == s.mid) {
      CHECK(o.at("net_payable_cents").as_int64() == 2000 - 600 - 200 - 400);
      CHECK(merchant_balance(s) - merchant_start == o.at("net_payable_cents").as_int64());
    } else {
      CHECK(o.at("cancelled_refunds_cents").as_int64() == 250);
      CHECK(o.at("net_payable_cents").as_int64() == 0);
      auto nothing = t.post(s.c.base() + "/statements/" + std::to_string(o.at("id").as_int64()) + "/payout",
                            {{"reference", "x"}}, s.c.manager.token);
      CHECK(nothing.status == 409);
      CHECK(nothing.problem_type() == "/problems/nothing-to-pay");
    }
  }
  CHECK(ledger_balanced(s.c));

  // The manager's view of every merchant.
  auto all = t.get(s.c.base() + "/statements?status=paid", s.c.manager.token);
  REQUIRE(all.status == 200);
  CHECK(all.json.at("items").as_array().size() == 1);
  CHECK(t.get(s.c.base() + "/statements?merchant_id=" + std::to_string(rival.mid), s.c.manager.token)
            .json.at("items")
            .as_array()
            .size() == 2);
  CHECK(t.get(s.c.base() + "/statements?status=open", s.c.manager.token).status == 422);
  CHECK(t.get(s.c.base() + "/statements?format=csv", s.c.manager.token).body.rfind("statement_id,", 0) == 0);
}

TEST_CASE("statements are the merchant's own: other merchants, staff, keys, roles, communities", "[settlement]") {
  auto& t = TestApp::get();
  auto s = shop("grocery");
  auto rival = second_shop(s);
  auto other = t.community();
  auto pid = product(s, "Apples", 300, 10);
  auto r = buyer(s, 5000);
  commissioned_order(s, r, {{pid, 1}});
  t.advance_clock_ms(kWeekMs + 1000);
  REQUIRE(close_now(s.c).status == 200);
  auto listed = t.get(s.merchant_base() + "/statements", s.owner.token);
  REQUIRE(listed.json.at("items").as_array().size() == 1);
  std::int64_t sid = listed.json.at("items").at(0).at("id").as_int64();
  std::string one = s.c.base() + "/statements/" + std::to_string(sid);

  auto staff = t.account("staff");
  REQUIRE(t.post(s.merchant_base() + "/staff", {{"email", staff.email}}, s.owner.token).status == 201);
  staff.token = std::string(
      t.post("/v1/auth/login", {{"email", staff.email}, {"password", "correct-horse-battery-staple"}}).json.at("token").as_string());
  auto key = t.post(s.merchant_base() + "/api-keys", {{"name", "erp"}, {"scopes", bj::array{"statements"}}}, s.owner.token);
  REQUIRE(key.status == 201);
  auto orders_key = t.post(s.merchant_base() + "/api-keys", {{"name", "pos"}, {"scopes", bj::array{"orders:read"}}},
                           s.owner.token);
  REQUIRE(orders_key.status == 201);
  std::string k(key.json.at("key").as_string()), ok(orders_key.json.at("key").as_string());

  CHECK(t.get(one, s.owner.token).status == 200);
  CHECK(t.get(one, k).status == 200);
  CHECK(t.get(s.merchant_base() + "/statements", k).status == 200);
  CHECK(t.get(one, s.c.manager.token).status == 200);
  CHECK(t.get(one, rival.owner.token).status == 404);  // another merchant's statement does not exist for it
  CHECK(t.get(s.merchant_base() + "/statements", rival.owner.token).status == 403);
  CHECK(t.get(one, ok).status == 403);                 // a key without the scope
  CHECK(t.get(one, staff.token).status == 403);        // staff: orders and redemptions only
  CHECK(t.get(s.merchant_base() + "/statements", staff.token).status == 403);
  CHECK(t.get(one, r.token).status == 403);
  CHECK(t.get(one, other.manager.token).status == 404);
  CHECK(t.get(other.base() + "/statements/" + std::to_string(sid), other.manager.token).status == 404);
  CHECK(t.get(s.c.base() + "/statements", s.owner.token).status == 403);
  CHECK(t.get(s.c.base() + "/merchants/999999999/statements", s.c.manager.token).status == 404);
  CHECK(t.call("POST", s.c.base() + "/settlement/close", std::nullopt, s.owner.token).status == 403);
  CHECK(t.call("POST", s.c.base() + "/settlement/close", std::nullopt, other.manager.token).status == 404);
  CHECK(t.post(one + "/payout", {{"reference", "x"}}, other.manager.token).status == 404);

  // Commission rates: the manager sets them; merchants read them.
  auto rates = s.c.base() + "/commission-rates";
  CHECK(t.call("PUT", rates + "/grocery", bj::value(bj::object{{"rate_bp", 250}}), s.owner.token).status == 403);
  CHECK(t.call("PUT", rates + "/grocery", bj::value(bj::object{{"rate_bp", 250}}), other.manager.token).status == 404);
  CHECK(t.call("PUT", rates + "/grocery", bj::value(bj::object{{"rate_bp", 10001}}), s.c.manager.token).status == 422);
  CHECK(t.call("PUT", rates + "/grocery", bj::value(bj::object{}), s.c.manager.token).status == 422);
  CHECK(t.call("PUT", rates + "/grocery", bj::value(bj::object{{"rate_bp", 250}}), s.c.manager.token).status == 200);
  auto read = t.get(rates, s.owner.token);
  REQUIRE(read.status == 200);
  CHECK(read.json.at("items").at(0).at("rate_bp").as_int64() == 250);
  CHECK(t.get(rates, r.token).status == 403);
  CHECK(t.get(rates, other.manager.token).status == 404);
}

TEST_CASE("concurrent deliveries of one completion post its commission once", "[settlement][concurrency]") {
  auto& t = TestApp::get();
  auto s = shop("grocery");
  set_rate(s.c, "grocery", 500);
  auto pid = product(s, "Pears", 2000, 10);
  auto r = buyer(s, 5000);
  auto [oid, code] = accepted_order(s, r, {{pid, 1}});
  REQUIRE(t.post(s.merchant_base() + "/redemptions", {{"code", code}}, s.owner.token).status == 200);
  // The subscriber run for the same completion from racing threads, as two instances would
  // after a lease ran out: each retries until its transaction commits.
  courtyard::events::Event ev;
  ev.id = 0;
  ev.topic = "order.completed";
  ev.community_id = s.c.id;
  ev.payload = bj::object{{"order_id", oid}, {"merchant_id", s.mid}};
  ev.created_at = courtyard::db::now_ms();
  std::atomic<int> committed{0};
  in_threads(6, [&](int) {
    for (int attempt = 0; attempt < 10; ++attempt) {
      try {
        courtyard::db::transact(t.app().db(), &t.app().bus(),
                                [&](courtyard::db::Tx& tx) { courtyard::settlement::on_order_completed(ev, tx); });
        ++committed;
        return;
      } catch (std::exception const&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5 * (attempt + 1)));
      }
    }
  });
  CHECK(committed.load() == 6);
  t.drain_events();
  CHECK(community_balance(s.c) == 100);
  CHECK(count_postings(s.c, "commission") == 1);
  CHECK(count_postings(s.c, "order") == 1);
  CHECK(merchant_balance(s) == 1900);
  CHECK(ledger_balanced(s.c));
}

TEST_CASE("closing from racing threads and the job writes each statement once; payouts race too",
          "[settlement][concurrency]") {
  auto& t = TestApp::get();
  auto s = shop("grocery");
  auto pid = product(s, "Plums", 700, 10);
  auto r = buyer(s, 5000);
  commissioned_order(s, r, {{pid, 2}});
  t.advance_clock_ms(kWeekMs + 1000);
  std::vector<Result> results(4);
  in_threads(4, [&](int i) {
    if (i == 3) t.run_job("settlement.close_periods");
    else results[i] = close_now(s.c);
  });
  for (int i = 0; i < 3; ++i) {
    INFO(results[i].status << " " << results[i].body);
    CHECK(results[i].status == 200);
  }
  t.drain_events();
  auto listed = t.get(s.merchant_base() + "/statements", s.owner.token);
  REQUIRE(listed.json.at("items").as_array().size() == 1);
  CHECK(statements_closed(s.c, s.mid).size() == 1);
  std::int64_t sid = listed.json.at("items").at(0).at("id").as_int64();
  CHECK(listed.json.at("items").at(0).at("net_payable_cents").as_int64() == 1400);

  std::vector<Result> payouts(4);
  in_threads(4, [&](int i) {
    payouts[i] = t.post(s.c.base() + "/statements/" + std::to_string(sid) + "/payout",
                        {{"reference", "T" + std::to_string(i)}}, s.c.manager.token);
  });
  int ok = 0;
  for (auto const& p : payouts) {
    INFO(p.status << " " << p.body);
    if (p.status == 200) ++ok;
    else CHECK(p.status == 409);
  }
  CHECK(ok == 1);
  CHECK(merchant_balance(s) == 0);
  CHECK(events(s.c, "payout.made").size() == 1);
  CHECK(ledger_balanced(s.c));
}

TEST_CASE("access walk: settlement", "[settlement][access]") { courtyard::test::walk_access(TestApp::get(), "settlement"); }
