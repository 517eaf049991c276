#include "services/property/logic.hpp"
#include "tests/property/support.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <set>
#include <thread>

using namespace courtyard;
using namespace courtyard::test;
using namespace courtyard::test::property;

namespace {

std::string schedules(Community const& c) { return c.base() + "/fee-schedules"; }
std::string runs(Community const& c) { return c.base() + "/billing-runs"; }
std::string bills(Community const& c) { return c.base() + "/bills"; }
std::string pay_path(Community const& c, std::int64_t bill) { return bills(c) + "/" + std::to_string(bill) + "/payments"; }

std::int64_t add_schedule(TestApp& t, Community const& c, std::int64_t cents, std::int64_t building = 0) {
  bj::object body{{"name", t.unique("fee")}, {"amount_cents", cents}, {"scope", building ? "building" : "community"}};
  if (building) body["building_id"] = building;
  auto r = t.post(schedules(c), body, c.manager.token);
  REQUIRE(r.status == 201);
  return r.id();
}

Result run(TestApp& t, Community const& c, std::string const& period) {
  return t.post(runs(c), {{"period", period}}, c.manager.token);
}

// The bills of a unit (manager's view), newest first.
bj::array unit_bills(TestApp& t, Community const& c, std::int64_t unit, std::string const& period) {
  auto r = t.get(bills(c) + "?unit_id=" + std::to_string(unit) + "&period=" + period, c.manager.token);
  REQUIRE(r.status == 200);
  return r.json.at("items").as_array();
}

// A community with one resident in unit 0 and a single community-wide fee: one bill.
struct OneBill {
  Community c;
  Actor resident;
  std::int64_t bill_id = 0;
  std::int64_t amount = 0;
};

OneBill one_bill(TestApp& t, std::int64_t cents, std::string const& period = "2031-01") {
  OneBill o{t.community(), {}, 0, cents};
  o.resident = t.resident(o.c, 0);
  add_schedule(t, o.c, cents);
  REQUIRE(run(t, o.c, period).status == 201);
  auto items = unit_bills(t, o.c, o.c.unit_ids[0], period);
  REQUIRE(items.size() == 1);
  o.bill_id = items[0].at("id").as_int64();
  return o;
}

}  // namespace

TEST_CASE("fee schedules: create, list, deactivate, validation and access", "[property][billing]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto other = t.community();
  auto r = t.resident(c);

  auto created = t.post(schedules(c), {{"name", "Service charge"}, {"amount_cents", 12000}, {"scope", "community"}},
                        c.manager.token);
  REQUIRE(created.status == 201);
  CHECK(created.header("Location") == id_path(schedules(c), created.id()));
  CHECK(created.json.at("scope") == "community");
  CHECK(created.json.at("building_id").is_null());
  CHECK(created.json.at("active") == true);

  auto lift = t.post(schedules(c),
                     {{"name", "Lift"}, {"amount_cents", 2500}, {"scope", "building"}, {"building_id", c.building_id}},
                     c.manager.token);
  REQUIRE(lift.status == 201);
  CHECK(lift.json.at("building_id").as_int64() == c.building_id);

  // Validation: 422 for values, 400 for types and bodies.
  CHECK(t.post(schedules(c), {{"name", "x"}, {"amount_cents", 100}, {"scope", "building"}}, c.manager.token).status == 422);
  CHECK(t.post(schedules(c), {{"name", "x"}, {"amount_cents", 100}, {"scope", "building"}, {"building_id", other.building_id}},
               c.manager.token)
            .status == 422);
  CHECK(t.post(schedules(c), {{"name", "x"}, {"amount_cents", 100}, {"scope", "community"}, {"building_id", c.building_id}},
               c.manager.token)
            .status == 422);
  CHECK(t.post(schedules(c), {{"name", "x"}, {"amount_cents", 0}, {"scope", "community"}}, c.manager.token).status == 422);
  CHECK(t.post(schedules(c), {{"name", "x"}, {"amount_cents", 10'000'001}, {"scope", "community"}}, c.manager.token)
            .status == 422);
  CHECK(t.post(schedules(c), {{"name", "x"}, {"amount_cents", 100}, {"scope", "planet"}}, c.manager.token).status == 422);
  CHECK(t.post(schedules(c), {{"name", ""}, {"amount_cents", 100}, {"scope", "community"}}, c.manager.token).status == 422);
  CHECK(t.post(schedules(c), {{"name", "x"}, {"amount_cents", "100"}, {"scope", "community"}}, c.manager.token).status == 400);
  CHECK(t.call("POST", schedules(c), std::nullopt, c.manager.token).status == 400);
  // Access: residents 403, another community's manager 404, anonymous 401.
  CHECK(t.post(schedules(c), {{"name", "x"}, {"amount_cents", 100}, {"scope", "community"}}, r.token).status == 403);
  CHECK(t.post(schedules(c), {{"name", "x"}, {"amount_cents", 100}, {"scope", "community"}}, other.manager.token).status == 404);
  CHECK(t.post(schedules(c), {{"name", "x"}, {"amount_cents", 100}, {"scope", "community"}}).status == 401);
  CHECK(t.get(schedules(c), r.token).status == 403);

  auto list = t.get(schedules(c), c.manager.token);
  REQUIRE(list.status == 200);
  REQUIRE(list.json.at("items").as_array().size() == 2);
  CHECK(list.json.at("items").at(0).at("id").as_int64() == lift.id());  // newest first
  auto page = t.get(schedules(c) + "?limit=1", c.manager.token);
  REQUIRE(page.status == 200);
  CHECK(page.json.at("items").as_array().size() == 1);
  REQUIRE(page.json.at("next_cursor").is_string());
  auto page2 = t.get(schedules(c) + "?limit=1&cursor=" + std::string(page.json.at("next_cursor").as_string()), c.manager.token);
  CHECK(page2.json.at("items").at(0).at("id").as_int64() == created.id());
  CHECK(page2.json.at("next_cursor").is_null());
  CHECK(t.get(schedules(c) + "?limit=0", c.manager.token).status == 422);
  CHECK(t.get(schedules(c) + "?cursor=zzz", c.manager.token).status == 422);

  CHECK(t.get(id_path(schedules(c), created.id()), c.manager.token).status == 200);
  // Another community's schedule through this community's path: 404.
  auto foreign = add_schedule(t, other, 100);
  CHECK(t.get(id_path(schedules(c), foreign), c.manager.token).status == 404);
  CHECK(t.call("POST", id_path(schedules(c), foreign) + "/deactivate", std::nullopt, c.manager.token).status == 404);

  auto off = t.call("POST", id_path(schedules(c), lift.id()) + "/deactivate", std::nullopt, c.manager.token);
  REQUIRE(off.status == 200);
  CHECK(off.json.at("active") == false);
  auto again = t.call("POST", id_path(schedules(c), lift.id()) + "/deactivate", std::nullopt, c.manager.token);
  CHECK(again.status == 409);
  CHECK(again.problem_type() == "/problems/already-inactive");
  auto active = t.get(schedules(c) + "?active=true", c.manager.token);
  REQUIRE(active.json.at("items").as_array().size() == 1);
  CHECK(t.get(schedules(c) + "?active=maybe", c.manager.token).status == 422);
}

TEST_CASE("billing run: one bill per occupied unit and applicable schedule, once per period", "[property][billing]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto [b2, b2_unit] = add_building(t, c);
  auto r0 = t.resident(c, 0);
  auto r0b = t.resident(c, 0);  // two residents share unit 0
  auto r1 = t.resident(c, 1);
  auto r3 = t.resident(c, 3);  // the unit in the second building; unit 2 stays empty

  auto service = add_schedule(t, c, 10000);
  auto lift = add_schedule(t, c, 2500, c.building_id);
  auto garden = add_schedule(t, c, 700, b2);
  auto retired = add_schedule(t, c, 999);
  REQUIRE(t.call("POST", id_path(schedules(c), retired) + "/deactivate", std::nullopt, c.manager.token).status == 200);

  auto first = run(t, c, "2030-03");
  REQUIRE(first.status == 201);
  // Units 0 and 1 (building A): service + lift; unit 3 (building B): service + garden.
  CHECK(first.json.at("period") == "2030-03");
  CHECK(first.json.at("bills_created").as_int64() == 6);
  CHECK(first.json.at("bills_total").as_int64() == 6);
  CHECK(first.json.at("due_at") == "2030-04-15T00:00:00Z");
  CHECK(first.header("Location") == bills(c) + "?period=2030-03");

  auto second = run(t, c, "2030-03");
  REQUIRE(second.status == 201);
  CHECK(second.json.at("bills_created").as_int64() == 0);
  CHECK(second.json.at("bills_total").as_int64() == 6);

  auto u0 = unit_bills(t, c, c.unit_ids[0], "2030-03");
  REQUIRE(u0.size() == 2);
  std::set<std::int64_t> u0_schedules{u0[0].at("schedule_id").as_int64(), u0[1].at("schedule_id").as_int64()};
  CHECK(u0_schedules == std::set<std::int64_t>{service, lift});
  CHECK(u0[0].at("status") == "unpaid");
  CHECK(u0[0].at("due_at") == "2030-04-15T00:00:00Z");
  auto u3 = unit_bills(t, c, c.unit_ids[3], "2030-03");
  REQUIRE(u3.size() == 2);
  std::set<std::int64_t> u3_schedules{u3[0].at("schedule_id").as_int64(), u3[1].at("schedule_id").as_int64()};
  CHECK(u3_schedules == std::set<std::int64_t>{service, garden});
  CHECK(unit_bills(t, c, c.unit_ids[2], "2030-03").empty());

  // bill.issued once per bill, addressed to the unit's residents.
  auto issued = events_of(t, "bill.issued", c.id);
  REQUIRE(issued.size() == 6);
  int to_unit0 = 0;
  for (auto const& e : issued) {
    CHECK(e.at("community_id").as_int64() == c.id);
    CHECK(e.at("period") == "2030-03");
    CHECK(e.at("due_at_ms").as_int64() == courtyard::property::logic::due_at_ms({2030, 3}));
    if (e.at("unit_id").as_int64() == c.unit_ids[0]) {
      ++to_unit0;
      CHECK(contains_id(e.at("account_ids"), r0.account_id));
      CHECK(contains_id(e.at("account_ids"), r0b.account_id));
      CHECK_FALSE(contains_id(e.at("account_ids"), r1.account_id));
    }
  }
  CHECK(to_unit0 == 2);
  (void)r3;

  // A new period bills again; the deactivated schedule never bills.
  auto next = run(t, c, "2030-04");
  CHECK(next.json.at("bills_created").as_int64() == 6);
  auto all = t.get(bills(c) + "?limit=200", c.manager.token);
  for (auto const& b : all.json.at("items").as_array()) CHECK(b.at("schedule_id").as_int64() != retired);
}

TEST_CASE("billing run validation and access", "[property][billing][errors]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto other = t.community();
  auto r = t.resident(c);
  for (char const* bad : {"2030-13", "2030-1", "March", "1999-12", ""})
    CHECK(t.post(runs(c), {{"period", bad}}, c.manager.token).status == 422);
  CHECK(t.post(runs(c), bj::object{}, c.manager.token).status == 422);
  CHECK(t.post(runs(c), {{"period", 202603}}, c.manager.token).status == 400);
  CHECK(t.post(runs(c), {{"period", "2030-01"}}, r.token).status == 403);
  CHECK(t.post(runs(c), {{"period", "2030-01"}}, other.manager.token).status == 404);
  CHECK(t.post(runs(c), {{"period", "2030-01"}}).status == 401);
  // No schedules yet: a run creates nothing, and says so.
  auto empty = t.post(runs(c), {{"period", "2030-01"}}, c.manager.token);
  REQUIRE(empty.status == 201);
  CHECK(empty.json.at("bills_created").as_int64() == 0);

  // Idempotency-Key: the same request replays the first answer; another body is refused.
  add_schedule(t, c, 300);
  auto k = t.unique("run");
  auto first = t.post(runs(c), {{"period", "2030-02"}}, c.manager.token, idem(k));
  REQUIRE(first.status == 201);
  CHECK(first.json.at("bills_created").as_int64() == 1);
  auto replay = t.post(runs(c), {{"period", "2030-02"}}, c.manager.token, idem(k));
  CHECK(replay.status == 201);
  CHECK(replay.body == first.body);
  CHECK(replay.header("Idempotent-Replayed") == "true");
  CHECK(t.post(runs(c), {{"period", "2030-03"}}, c.manager.token, idem(k)).problem_type() ==
        "/problems/idempotency-key-reused");
}

TEST_CASE("concurrent billing runs for one period never double-bill", "[property][billing][concurrency]") {
  auto& t = TestApp::get();
  auto c = t.community();
  t.resident(c, 0);
  t.resident(c, 1);
  t.resident(c, 2);
  add_schedule(t, c, 5000);
  add_schedule(t, c, 1500, c.building_id);

  constexpr int kThreads = 8;
  std::atomic<int> ok{0};
  std::atomic<std::int64_t> created{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&] {
      auto res = run(t, c, "2030-06");
      if (res.status == 201) {
        ++ok;
        created += res.json.at("bills_created").as_int64();
      }
    });
  for (auto& th : threads) th.join();
  CHECK(ok == kThreads);
  CHECK(created == 6);
  auto all = t.get(bills(c) + "?period=2030-06&limit=200", c.manager.token);
  CHECK(all.json.at("items").as_array().size() == 6);
  CHECK(events_of(t, "bill.issued", c.id).size() == 6);
}

TEST_CASE_METHOD(Neighbours, "bills: manager filters, /v1/me/bills, and who may see one bill", "[property][billing]") {
  add_schedule(t, c, 4000);
  REQUIRE(run(t, c, "2030-07").status == 201);
  REQUIRE(run(t, c, "2030-08").status == 201);
  // r also lives in the other community: /v1/me/bills spans communities.
  auto ro = t.resident(other, 0);
  add_schedule(t, other, 900);
  REQUIRE(run(t, other, "2030-07").status == 201);
  auto both = t.account("both");
  {
    auto app1 = t.post(c.base() + "/residency-applications", {{"unit_id", c.unit_ids[2]}}, both.token);
    REQUIRE(app1.status == 201);
    REQUIRE(t.call("POST", c.base() + "/residency-applications/" + std::to_string(app1.id()) + "/approve", std::nullopt,
                   c.manager.token)
                .status == 200);
    auto app2 = t.post(other.base() + "/residency-applications", {{"unit_id", other.unit_ids[1]}}, both.token);
    REQUIRE(app2.status == 201);
    REQUIRE(t.call("POST", other.base() + "/residency-applications/" + std::to_string(app2.id()) + "/approve",
                   std::nullopt, other.manager.token)
                .status == 200);
  }
  REQUIRE(run(t, c, "2030-09").status == 201);
  REQUIRE(run(t, other, "2030-09").status == 201);

  auto unpaid = t.get(bills(c) + "?status=unpaid&period=2030-07", c.manager.token);
  REQUIRE(unpaid.status == 200);
  CHECK(unpaid.json.at("items").as_array().size() == 2);
  CHECK(t.get(bills(c) + "?status=paid", c.manager.token).json.at("items").as_array().empty());
  CHECK(t.get(bills(c) + "?status=open", c.manager.token).status == 422);
  CHECK(t.get(bills(c) + "?period=2030-7", c.manager.token).status == 422);
  CHECK(t.get(bills(c) + "?unit_id=abc", c.manager.token).status == 422);
  CHECK(t.get(bills(c) + "?unit_id=0", c.manager.token).status == 422);
  CHECK(t.get(bills(c), r.token).status == 403);
  CHECK(t.get(bills(c), courier.token).status == 403);
  CHECK(t.get(bills(c), other.manager.token).status == 404);

  auto mine = t.get("/v1/me/bills", r.token);
  REQUIRE(mine.status == 200);
  REQUIRE(mine.json.at("items").as_array().size() == 3);  // 2030-07, -08, -09 for unit 0
  for (auto const& b : mine.json.at("items").as_array()) CHECK(b.at("unit_id").as_int64() == c.unit_ids[0]);
  auto spanning = t.get("/v1/me/bills", both.token);
  REQUIRE(spanning.json.at("items").as_array().size() == 2);
  auto only_other = t.get("/v1/me/bills?community_id=" + std::to_string(other.id), both.token);
  REQUIRE(only_other.json.at("items").as_array().size() == 1);
  CHECK(only_other.json.at("items").at(0).at("community_id").as_int64() == other.id);
  CHECK(t.get("/v1/me/bills?community_id=" + std::to_string(other.id), n.token).status == 404);
  CHECK(t.get("/v1/me/bills?community_id=x", n.token).status == 422);
  CHECK(t.get("/v1/me/bills?status=unpaid&limit=2", r.token).json.at("items").as_array().size() == 2);
  CHECK(t.get("/v1/me/bills").status == 401);
  CHECK(t.get("/v1/me/bills", courier.token).json.at("items").as_array().empty());

  auto b0 = mine.json.at("items").at(0).at("id").as_int64();
  CHECK(t.get(id_path(bills(c), b0), r.token).status == 200);
  CHECK(t.get(id_path(bills(c), b0), c.manager.token).status == 200);
  CHECK(t.get(id_path(bills(c), b0), n.token).status == 404);  // another unit's resident
  CHECK(t.get(id_path(bills(c), b0), courier.token).status == 403);
  CHECK(t.get(id_path(bills(c), b0), other.manager.token).status == 404);
  CHECK(t.get(id_path(bills(other), b0), ro.token).status == 404);  // wrong community in the path
  CHECK(t.get(id_path(bills(c), 999999999), c.manager.token).status == 404);
}

TEST_CASE("paying a bill from the wallet, with Idempotency-Key", "[property][billing][payments]") {
  auto& t = TestApp::get();
  auto o = one_bill(t, 7500);
  auto& c = o.c;
  t.top_up(c, o.resident, 10000);
  auto k = t.unique("pay");

  auto paid = t.post(pay_path(c, o.bill_id), {{"method", "wallet"}}, o.resident.token, idem(k));
  REQUIRE(paid.status == 201);
  CHECK(paid.json.at("status") == "paid");
  CHECK(paid.json.at("method") == "wallet");
  CHECK(paid.json.at("paid_by").as_int64() == o.resident.account_id);
  CHECK(paid.json.at("transaction_id").is_int64());
  CHECK(paid.json.at("paid_at").is_string());
  CHECK(paid.header("Location") == id_path(bills(c), o.bill_id));
  CHECK(t.balance(c, o.resident) == 2500);

  // Same key, same body: the identical response; nothing charged again.
  auto replay = t.post(pay_path(c, o.bill_id), {{"method", "wallet"}}, o.resident.token, idem(k));
  CHECK(replay.status == 201);
  CHECK(replay.body == paid.body);
  CHECK(replay.header("Idempotent-Replayed") == "true");
  // Same key, another body: 422.
  auto reused = t.post(pay_path(c, o.bill_id), {{"method", "offline"}}, o.resident.token, idem(k));
  CHECK(reused.status == 422);
  CHECK(reused.problem_type() == "/problems/idempotency-key-reused");
  // A new key for a paid bill: 409 already-paid (also for the manager's offline payment).
  auto twice = t.post(pay_path(c, o.bill_id), {{"method", "wallet"}}, o.resident.token, idem(t.unique("pay")));
  CHECK(twice.status == 409);
  CHECK(twice.problem_type() == "/problems/already-paid");
  CHECK(t.post(pay_path(c, o.bill_id), {{"method", "offline"}}, c.manager.token).problem_type() == "/problems/already-paid");
  CHECK(t.balance(c, o.resident) == 2500);

  // The ledger: resident -> community, kind bill_payment, still balanced.
  auto wallet = t.get("/v1/me/wallet?community_id=" + std::to_string(c.id), o.resident.token);
  auto const& entry = wallet.json.at("entries").at(0);
  CHECK(entry.at("kind") == "bill_payment");
  CHECK(std::string(entry.at("reference").as_string()) == "bill:" + std::to_string(o.bill_id));
  CHECK(entry.at("amount_cents").as_int64() == -7500);
  auto summary = t.get(c.base() + "/ledger/summary", c.manager.token);
  CHECK(summary.json.at("balanced") == true);
  CHECK(summary.json.at("by_kind").at("community").at("balance_cents").as_int64() == 7500);

  auto events = events_of(t, "bill.paid", c.id);
  REQUIRE(events.size() == 1);
  CHECK(events[0].at("bill_id").as_int64() == o.bill_id);
  CHECK(events[0].at("method") == "wallet");
  CHECK(events[0].at("paid_by").as_int64() == o.resident.account_id);
  CHECK(events[0].at("amount_cents").as_int64() == 7500);
  CHECK(contains_id(events[0].at("account_ids"), o.resident.account_id));
  t.drain_events();
}

TEST_CASE("bill payment refusals: funds, method, role, visibility", "[property][billing][payments][errors]") {
  auto& t = TestApp::get();
  auto o = one_bill(t, 5000);
  auto& c = o.c;
  auto neighbour = t.resident(c, 1);
  auto other = t.community();
  t.top_up(c, o.resident, 1000);
  auto k = t.unique("poor");

  auto poor = t.post(pay_path(c, o.bill_id), {{"method", "wallet"}}, o.resident.token, idem(k));
  CHECK(poor.status == 409);
  CHECK(poor.problem_type() == "/problems/insufficient-funds");
  // The refusal is stored with the key; nothing changed.
  CHECK(t.post(pay_path(c, o.bill_id), {{"method", "wallet"}}, o.resident.token, idem(k)).body == poor.body);
  CHECK(t.balance(c, o.resident) == 1000);
  CHECK(t.get(id_path(bills(c), o.bill_id), c.manager.token).json.at("status") == "unpaid");
  CHECK(events_of(t, "bill.paid", c.id).empty());

  CHECK(t.post(pay_path(c, o.bill_id), {{"method", "card"}}, o.resident.token).status == 422);
  CHECK(t.post(pay_path(c, o.bill_id), bj::object{}, o.resident.token).status == 422);
  CHECK(t.post(pay_path(c, o.bill_id), {{"method", 1}}, o.resident.token).status == 400);
  CHECK(t.call("POST", pay_path(c, o.bill_id), std::nullopt, o.resident.token).status == 400);
  // Offline is manager-only; the wallet is the unit's residents'.
  auto offline = t.post(pay_path(c, o.bill_id), {{"method", "offline"}}, o.resident.token);
  CHECK(offline.status == 403);
  CHECK(t.post(pay_path(c, o.bill_id), {{"method", "wallet"}}, c.manager.token).status == 403);
  CHECK(t.post(pay_path(c, o.bill_id), {{"method", "wallet"}}, neighbour.token).status == 404);
  CHECK(t.post(pay_path(c, o.bill_id), {{"method", "offline"}}, other.manager.token).status == 404);
  CHECK(t.post(pay_path(c, 999999999), {{"method", "offline"}}, c.manager.token).status == 404);
  CHECK(t.post(pay_path(c, o.bill_id), {{"method", "offline"}}).status == 401);
  CHECK(t.post(pay_path(c, o.bill_id), {{"method", "offline"}}, t.courier(c).token).status == 403);

  // The manager records the cash payment: cash -> community keeps the ledger balanced.
  auto cash = t.post(pay_path(c, o.bill_id), {{"method", "offline"}}, c.manager.token, idem(t.unique("cash")));
  REQUIRE(cash.status == 201);
  CHECK(cash.json.at("method") == "offline");
  CHECK(cash.json.at("paid_by").as_int64() == c.manager.account_id);
  CHECK(t.balance(c, o.resident) == 1000);
  auto summary = t.get(c.base() + "/ledger/summary", c.manager.token);
  CHECK(summary.json.at("balanced") == true);
  CHECK(summary.json.at("by_kind").at("community").at("balance_cents").as_int64() == 5000);
  auto events = events_of(t, "bill.paid", c.id);
  REQUIRE(events.size() == 1);
  CHECK(events[0].at("method") == "offline");
}

TEST_CASE("concurrent payments of one bill: exactly one succeeds, the wallet is charged once",
          "[property][billing][payments][concurrency]") {
  auto& t = TestApp::get();
  auto o = one_bill(t, 3000);
  auto& c = o.c;
  t.top_up(c, o.resident, 50000);
  auto flatmate = t.resident(c, 0);
  t.top_up(c, flatmate, 50000);

  constexpr int kThreads = 12;
  std::atomic<int> created{0}, conflicts{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&, i] {
      // Both residents of the unit, the manager offline, distinct keys (or none).
      Result res;
      if (i % 4 == 3)
        res = t.post(pay_path(c, o.bill_id), {{"method", "offline"}}, c.manager.token);
      else
        res = t.post(pay_path(c, o.bill_id), {{"method", "wallet"}}, (i % 2 ? flatmate : o.resident).token,
                     idem(t.unique("race")));
      if (res.status == 201)
        ++created;
      else if (res.status == 409 && res.problem_type() == "/problems/already-paid")
        ++conflicts;
      else
        ++other;
    });
  for (auto& th : threads) th.join();
  CHECK(created == 1);
  CHECK(conflicts == kThreads - 1);
  CHECK(other == 0);
  auto charged = (50000 - t.balance(c, o.resident)) + (50000 - t.balance(c, flatmate));
  auto bill = t.get(id_path(bills(c), o.bill_id), c.manager.token);
  CHECK(charged == (bill.json.at("method") == "wallet" ? 3000 : 0));
  CHECK(events_of(t, "bill.paid", c.id).size() == 1);
  auto summary = t.get(c.base() + "/ledger/summary", c.manager.token);
  CHECK(summary.json.at("balanced") == true);
  CHECK(summary.json.at("by_kind").at("community").at("balance_cents").as_int64() == 3000);
}

TEST_CASE("the daily job marks unpaid bills overdue once and publishes bill.overdue once per bill",
          "[property][billing][jobs]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r0 = t.resident(c, 0);
  auto r1 = t.resident(c, 1);
  add_schedule(t, c, 2000);
  auto period = courtyard::property::logic::period_of(now()).text();
  REQUIRE(run(t, c, period).status == 201);
  auto b0 = unit_bills(t, c, c.unit_ids[0], period).at(0).at("id").as_int64();
  auto b1 = unit_bills(t, c, c.unit_ids[1], period).at(0).at("id").as_int64();
  t.top_up(c, r1, 2000);
  REQUIRE(t.post(pay_path(c, b1), {{"method", "wallet"}}, r1.token).status == 201);

  // Not due yet: nothing changes.
  REQUIRE(t.run_job("property.mark_overdue"));
  CHECK(t.get(id_path(bills(c), b0), r0.token).json.at("status") == "unpaid");
  CHECK(events_of(t, "bill.overdue", c.id).empty());

  // Just past the due date (at most 45 days away). Sessions last 30 days, so everyone signs
  // in afresh: a new manager (added by the admin) and a new flatmate in unit 0.
  auto due = courtyard::property::logic::due_at_ms(*courtyard::property::logic::parse_period(period));
  t.advance_clock_ms(due - now() - kMinute);
  auto manager = t.account("manager");
  REQUIRE(t.post(c.base() + "/staff", {{"account_id", manager.account_id}, {"role", "manager"}}, t.admin().token).status == 201);
  c.manager = manager;
  auto flatmate = t.resident(c, 0);
  REQUIRE(t.run_job("property.mark_overdue"));
  CHECK(t.get(id_path(bills(c), b0), flatmate.token).json.at("status") == "unpaid");  // due, not yet overdue

  t.advance_clock_ms(2 * kMinute);
  REQUIRE(t.run_job("property.mark_overdue"));
  auto b = t.get(id_path(bills(c), b0), flatmate.token);
  CHECK(b.json.at("status") == "overdue");
  CHECK(b.json.at("overdue_at").is_string());
  CHECK(t.get(id_path(bills(c), b1), c.manager.token).json.at("status") == "paid");
  auto overdue = events_of(t, "bill.overdue", c.id);
  REQUIRE(overdue.size() == 1);
  CHECK(overdue[0].at("bill_id").as_int64() == b0);
  CHECK(std::string(overdue[0].at("period").as_string()) == period);
  CHECK(overdue[0].at("amount_cents").as_int64() == 2000);
  CHECK(contains_id(overdue[0].at("account_ids"), r0.account_id));
  CHECK(contains_id(overdue[0].at("account_ids"), flatmate.account_id));

  // Running again (or on a second instance) publishes nothing new.
  REQUIRE(t.run_job("property.mark_overdue"));
  CHECK(events_of(t, "bill.overdue", c.id).size() == 1);
  CHECK(t.get(bills(c) + "?status=overdue", c.manager.token).json.at("items").as_array().size() == 1);

  // An overdue bill can still be paid.
  t.top_up(c, flatmate, 2000);
  auto paid = t.post(pay_path(c, b0), {{"method", "wallet"}}, flatmate.token);
  REQUIRE(paid.status == 201);
  CHECK(paid.json.at("status") == "paid");
  t.drain_events();
}

TEST_CASE_METHOD(Neighbours, "billing summary: billed, paid, overdue and outstanding per period",
                 "[property][billing][summary]") {
  t.resident(c, 2);
  add_schedule(t, c, 1000);
  REQUIRE(run(t, c, "2020-01").status == 201);  // long past due: the job makes these overdue
  REQUIRE(run(t, c, "2040-01").status == 201);
  REQUIRE(t.run_job("property.mark_overdue"));
  auto old0 = unit_bills(t, c, c.unit_ids[0], "2020-01").at(0).at("id").as_int64();
  REQUIRE(t.post(pay_path(c, old0), {{"method", "offline"}}, c.manager.token).status == 201);
  auto new1 = unit_bills(t, c, c.unit_ids[1], "2040-01").at(0).at("id").as_int64();
  t.top_up(c, n, 1000);
  REQUIRE(t.post(pay_path(c, new1), {{"method", "wallet"}}, n.token).status == 201);
  (void)r;

  auto all = t.get(c.base() + "/billing-summary", c.manager.token);
  REQUIRE(all.status == 200);
  auto const& periods = all.json.at("periods").as_array();
  REQUIRE(periods.size() == 2);
  auto const& p2040 = periods[0].as_object();
  CHECK(p2040.at("period") == "2040-01");
  CHECK(p2040.at("billed_cents").as_int64() == 3000);
  CHECK(p2040.at("paid_cents").as_int64() == 1000);
  CHECK(p2040.at("overdue_cents").as_int64() == 0);
  CHECK(p2040.at("outstanding_cents").as_int64() == 2000);
  CHECK(p2040.at("bills").at("total").as_int64() == 3);
  CHECK(p2040.at("bills").at("unpaid").as_int64() == 2);
  auto const& p2020 = periods[1].as_object();
  CHECK(p2020.at("paid_cents").as_int64() == 1000);
  CHECK(p2020.at("overdue_cents").as_int64() == 2000);
  CHECK(p2020.at("outstanding_cents").as_int64() == 2000);
  CHECK(p2020.at("bills").at("overdue").as_int64() == 2);
  CHECK(p2020.at("bills").at("paid").as_int64() == 1);

  auto one = t.get(c.base() + "/billing-summary?period=2040-01", c.manager.token);
  REQUIRE(one.json.at("periods").as_array().size() == 1);
  auto none = t.get(c.base() + "/billing-summary?period=2041-05", c.manager.token);
  REQUIRE(none.json.at("periods").as_array().size() == 1);
  CHECK(none.json.at("periods").at(0).at("billed_cents").as_int64() == 0);
  CHECK(t.get(c.base() + "/billing-summary?period=2041", c.manager.token).status == 422);
  CHECK(t.get(c.base() + "/billing-summary", n.token).status == 403);
  CHECK(t.get(c.base() + "/billing-summary", other.manager.token).status == 404);
  // Another community's bills never count here.
  CHECK(t.get(other.base() + "/billing-summary", other.manager.token).json.at("periods").as_array().empty());
}
