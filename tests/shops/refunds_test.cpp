// After-sales refunds on both backends: request, accept, decline, dispute, arbitration, the
// window, every refusal, other communities, roles, a failed delivery's record, and real
// threads accepting at once.
#include "db/query.hpp"
#include "services/identity/api.hpp"
#include "tests/shops/support.hpp"
#include "tests/support/threads.hpp"

#include <set>

using namespace shops_test;
using courtyard::test::in_threads;

namespace {

std::string refunds_of(Shop const& s, std::int64_t oid) { return s.order(oid) + "/refunds"; }
std::string refund(Shop const& s, std::int64_t rid) { return s.c.base() + "/refunds/" + std::to_string(rid); }

Result post_verb(Shop const& s, std::int64_t rid, std::string const& verb, bj::object body, std::string const& token) {
  return TestApp::get().post(refund(s, rid) + "/" + verb, std::move(body), token);
}

// Accepts the refund requests `rids` (the same one again, or several) each on its own thread
// at once; returns how many were accepted. Every other answer is a 409 of `problem`.
int accept_at_once(Shop const& s, std::vector<std::int64_t> const& rids, std::string const& problem) {
  std::vector<Result> results(rids.size());
  in_threads(static_cast<int>(rids.size()),
             [&](int i) { results[i] = post_verb(s, rids[i], "accept", {}, s.owner.token); });
  int ok = 0;
  for (auto const& res : results) {
    INFO(res.status << " " << res.body);
    if (res.status == 200) ++ok;
    else {
      CHECK(res.status == 409);
      CHECK(res.problem_type() == problem);
    }
  }
  return ok;
}

std::vector<bj::object> refund_events(Community const& c, std::string const& topic, std::int64_t rid) {
  std::vector<bj::object> out;
  for (auto& e : events(c, topic))
    if (e.at("refund_id").as_int64() == rid) out.push_back(e);
  return out;
}

// Sets what an order was paid with points, as checkout with points records it.
void pay_with_points(std::int64_t oid, std::int64_t points, std::int64_t cents) {
  auto& t = TestApp::get();
  courtyard::db::transact(t.app().db(), nullptr, [&](courtyard::db::Tx& tx) {
    tx.exec("UPDATE orders SET points_spent = :p, points_cents = :c WHERE id = :o", soci::use(points, "p"),
            soci::use(cents, "c"), soci::use(oid, "o"));
  });
}

}  // namespace

TEST_CASE("a whole refund with the goods returned: money back, stock back, events", "[shops][refunds]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto bread = product(s, "Bread", 300, 10);
  auto milk = product(s, "Milk", 150, 10);
  auto r = buyer(s, 5000);
  auto oid = completed_order(s, r, {{bread, 2}, {milk, 1}});
  REQUIRE(t.balance(s.c, r) == 5000 - 750);
  REQUIRE(merchant_balance(s) == 750);

  auto asked = t.post(refunds_of(s, oid), {{"reason", "stale"}, {"returned", true}}, r.token);
  INFO(asked.body);
  REQUIRE(asked.status == 201);
  CHECK(asked.header("Location") == s.c.base() + "/refunds/" + std::to_string(asked.id()));
  CHECK(asked.json.at("status").as_string() == "requested");
  CHECK(asked.json.at("goods_cents").as_int64() == 750);
  CHECK(asked.json.at("items").as_array().size() == 2);
  std::int64_t rid = asked.id();
  CHECK(refund_events(s.c, "refund.requested", rid).size() == 1);

  // Everyone concerned reads it; the buyer, the merchant and the manager list it.
  CHECK(t.get(refund(s, rid), r.token).status == 200);
  CHECK(t.get(refund(s, rid), s.owner.token).status == 200);
  CHECK(t.get(refund(s, rid), s.c.manager.token).status == 200);
  CHECK(t.get(refunds_of(s, oid), r.token).json.at("items").as_array().size() == 1);
  CHECK(t.get(s.merchant_base() + "/refunds?status=requested", s.owner.token).json.at("items").as_array().size() == 1);
  CHECK(t.get(s.c.base() + "/refunds?status=requested", s.c.manager.token).json.at("items").as_array().size() == 1);

  auto accepted = post_verb(s, rid, "accept", {{"reason", "sorry"}}, s.owner.token);
  INFO(accepted.body);
  REQUIRE(accepted.status == 200);
  CHECK(accepted.json.at("status").as_string() == "completed");
  CHECK(accepted.json.at("amount_cents").as_int64() == 750);
  CHECK(accepted.json.at("decision").at("reason").as_string() == "sorry");
  CHECK(t.balance(s.c, r) == 5000);
  CHECK(merchant_balance(s) == 0);
  CHECK(stock(s, bread) == 10);
  CHECK(stock(s, milk) == 10);
  CHECK(movements_total(s, bread) == 10);
  auto moves = t.get(s.product(bread) + "/stock-movements?limit=1", s.owner.token);
  CHECK(moves.json.at("items").at(0).at("reason").as_string() == "return");
  CHECK(ledger_balanced(s.c));

  CHECK(refund_events(s.c, "refund.accepted", rid).size() == 1);
  auto done = refund_events(s.c, "refund.completed", rid);
  REQUIRE(done.size() == 1);
  for (auto key : {"refund_id", "order_id", "merchant_id", "buyer_id", "amount_cents", "points"})
    CHECK(done[0].contains(key));
  CHECK(done[0].at("order_id").as_int64() == oid);
  CHECK(done[0].at("merchant_id").as_int64() == s.mid);
  CHECK(done[0].at("buyer_id").as_int64() == r.account_id);
  CHECK(done[0].at("amount_cents").as_int64() == 750);
  CHECK(done[0].at("points").as_int64() == 0);

  // Nothing is left to refund; accepting again changes nothing.
  auto again = t.post(refunds_of(s, oid), {{"reason", "again"}}, r.token);
  CHECK(again.status == 409);
  CHECK(again.problem_type() == "/problems/already-refunded");
  auto twice = post_verb(s, rid, "accept", {}, s.owner.token);
  CHECK(twice.status == 409);
  CHECK(twice.problem_type() == "/problems/refund-state");
  CHECK(t.balance(s.c, r) == 5000);
}

TEST_CASE("partial refunds by item add up to exactly what was paid; kept goods stay sold", "[shops][refunds]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto jam = product(s, "Jam", 333, 10);
  auto tea = product(s, "Tea", 101, 10);
  add_coupon(s, {{"code", "TENPCT"}, {"percent_off", 10}, {"max_redemptions", 5}});
  auto r = buyer(s, 5000);
  auto oid = completed_order(s, r, {{jam, 3}, {tea, 1}}, "TENPCT");  // 1100 - 110 = 990
  REQUIRE(t.balance(s.c, r) == 5000 - 990);

  auto one = t.post(refunds_of(s, oid),
                    {{"reason", "one jar broken"},
                     {"items", bj::array{bj::object{{"product_id", jam}, {"quantity", 1}, {"returned", false}}}}},
                    r.token);
  REQUIRE(one.status == 201);
  CHECK(one.json.at("goods_cents").as_int64() == 333);
  auto a1 = post_verb(s, one.id(), "accept", {}, s.owner.token);
  REQUIRE(a1.status == 200);
  std::int64_t first = a1.json.at("amount_cents").as_int64();
  CHECK(first == 990 * 333 / 1100);  // floor: 299
  CHECK(stock(s, jam) == 7);         // not returned: no movement

  // More than is left of a line: 422, nothing stored.
  auto too_many = t.post(refunds_of(s, oid),
                         {{"reason", "x"}, {"items", bj::array{bj::object{{"product_id", jam}, {"quantity", 3}}}}}, r.token);
  CHECK(too_many.status == 422);
  auto rest = t.post(refunds_of(s, oid), {{"reason", "the rest"}, {"returned", true}}, r.token);
  REQUIRE(rest.status == 201);
  CHECK(rest.json.at("goods_cents").as_int64() == 2 * 333 + 101);
  auto a2 = post_verb(s, rest.id(), "accept", {}, s.owner.token);
  REQUIRE(a2.status == 200);
  CHECK(first + a2.json.at("amount_cents").as_int64() == 990);
  CHECK(t.balance(s.c, r) == 5000);
  CHECK(stock(s, jam) == 9);
  CHECK(stock(s, tea) == 10);
  CHECK(ledger_balanced(s.c));
}

TEST_CASE("an order paid partly with points refunds money in proportion and names the points", "[shops][refunds]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto cake = product(s, "Cake", 1000, 10);
  auto r = buyer(s, 5000);
  auto oid = completed_order(s, r, {{cake, 2}});  // 2000
  pay_with_points(oid, 301, 600);                 // as if 600 of it had been paid with 301 points
  std::int64_t before = t.balance(s.c, r);

  auto half = t.post(refunds_of(s, oid),
                     {{"reason", "one was dry"}, {"items", bj::array{bj::object{{"product_id", cake}, {"quantity", 1}}}}},
                     r.token);
  REQUIRE(half.status == 201);
  auto a = post_verb(s, half.id(), "accept", {}, s.owner.token);
  REQUIRE(a.status == 200);
  CHECK(a.json.at("amount_cents").as_int64() == 700);  // (2000 - 600) / 2
  CHECK(a.json.at("points").as_int64() == 150);        // floor(301 / 2)
  CHECK(a.json.at("points_cents").as_int64() == 300);
  CHECK(t.balance(s.c, r) == before + 700);
  auto done = refund_events(s.c, "refund.completed", half.id());
  REQUIRE(done.size() == 1);
  CHECK(done[0].at("points").as_int64() == 150);

  auto rest = t.post(refunds_of(s, oid), {{"reason", "both"}}, r.token);
  REQUIRE(rest.status == 201);
  auto b = post_verb(s, rest.id(), "accept", {}, s.owner.token);
  REQUIRE(b.status == 200);
  CHECK(b.json.at("amount_cents").as_int64() == 700);
  CHECK(b.json.at("points").as_int64() == 151);  // the whole order returns every point
}

TEST_CASE("decline, dispute and arbitration both ways", "[shops][refunds]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto pid = product(s, "Soap", 500, 10);
  auto r = buyer(s, 5000);
  auto oid = completed_order(s, r, {{pid, 2}});

  auto asked = t.post(refunds_of(s, oid), {{"reason", "smells odd"}}, r.token);
  REQUIRE(asked.status == 201);
  std::int64_t rid = asked.id();
  // Disputing before a decline, arbitrating before a dispute: 409.
  CHECK(post_verb(s, rid, "dispute", {{"reason", "x"}}, r.token).status == 409);
  CHECK(post_verb(s, rid, "arbitrate", {{"decision", "accept"}, {"reason", "x"}}, s.c.manager.token).status == 409);
  CHECK(post_verb(s, rid, "decline", {}, s.owner.token).status == 422);  // a reason is required
  auto declined = post_verb(s, rid, "decline", {{"reason", "it is lavender"}}, s.owner.token);
  REQUIRE(declined.status == 200);
  CHECK(declined.json.at("status").as_string() == "declined");
  CHECK(refund_events(s.c, "refund.declined", rid).size() == 1);
  CHECK(post_verb(s, rid, "accept", {}, s.owner.token).status == 409);

  CHECK(post_verb(s, rid, "dispute", {{"reason", "x"}}, s.owner.token).status == 404);  // a resident, but not the buyer
  auto disputed = post_verb(s, rid, "dispute", {{"reason", "it is not"}}, r.token);
  REQUIRE(disputed.status == 200);
  CHECK(disputed.json.at("status").as_string() == "disputed");
  CHECK(refund_events(s.c, "refund.disputed", rid).size() == 1);
  CHECK(t.get(s.c.base() + "/refunds?status=disputed", s.c.manager.token).json.at("items").as_array().size() == 1);

  CHECK(post_verb(s, rid, "arbitrate", {{"decision", "maybe"}, {"reason", "x"}}, s.c.manager.token).status == 422);
  CHECK(post_verb(s, rid, "arbitrate", {{"decision", "accept"}}, s.c.manager.token).status == 422);
  auto upheld = post_verb(s, rid, "arbitrate", {{"decision", "accept"}, {"reason", "buyer is right"}}, s.c.manager.token);
  REQUIRE(upheld.status == 200);
  CHECK(upheld.json.at("status").as_string() == "completed");
  CHECK(upheld.json.at("amount_cents").as_int64() == 1000);
  CHECK(t.balance(s.c, r) == 5000);
  CHECK(refund_events(s.c, "refund.completed", rid).size() == 1);
  CHECK(refund_events(s.c, "refund.accepted", rid).at(0).at("by").as_string() == "manager");

  // The other way: the manager upholds the merchant's decline.
  auto oid2 = completed_order(s, r, {{pid, 1}});
  auto second = t.post(refunds_of(s, oid2), {{"reason", "changed my mind"}}, r.token);
  REQUIRE(second.status == 201);
  REQUIRE(post_verb(s, second.id(), "decline", {{"reason", "no"}}, s.owner.token).status == 200);
  REQUIRE(post_verb(s, second.id(), "dispute", {{"reason", "please"}}, r.token).status == 200);
  auto kept = post_verb(s, second.id(), "arbitrate", {{"decision", "decline"}, {"reason", "not faulty"}}, s.c.manager.token);
  REQUIRE(kept.status == 200);
  CHECK(kept.json.at("status").as_string() == "rejected");
  CHECK(kept.json.at("arbitration").at("reason").as_string() == "not faulty");
  CHECK(refund_events(s.c, "refund.completed", second.id()).empty());
  CHECK(t.balance(s.c, r) == 4500);
}

TEST_CASE("refund refusals: state, window, input, other communities, roles", "[shops][refunds]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto rival = second_shop(s);
  auto other = t.community();
  auto pid = product(s, "Rice", 400, 10);
  auto other_pid = product(rival, "Flour", 100, 10);
  auto r = buyer(s, 5000);
  auto stranger = buyer(s, 0, 1);

  // Not completed yet.
  auto placed = place(s, r, order_body(s.mid, {{pid, 1}}));
  REQUIRE(placed.status == 201);
  auto early = t.post(refunds_of(s, placed.id()), {{"reason", "x"}}, r.token);
  CHECK(early.status == 409);
  CHECK(early.problem_type() == "/problems/order-not-completed");

  auto oid = completed_order(s, r, {{pid, 2}});
  // Input: 400 malformed, 422 fields; nothing stored.
  CHECK(t.call("POST", refunds_of(s, oid), std::nullopt, r.token).status == 400);
  CHECK(t.post(refunds_of(s, oid), bj::object{}, r.token).status == 422);
  CHECK(t.post(refunds_of(s, oid), {{"reason", "x"}, {"items", bj::array{}}}, r.token).status == 422);
  CHECK(t.post(refunds_of(s, oid),
               {{"reason", "x"}, {"items", bj::array{bj::object{{"product_id", other_pid}, {"quantity", 1}}}}}, r.token)
            .status == 422);
  CHECK(t.post(refunds_of(s, oid),
               {{"reason", "x"},
                {"items", bj::array{bj::object{{"product_id", pid}, {"quantity", 1}},
                                    bj::object{{"product_id", pid}, {"quantity", 1}}}}},
               r.token)
            .status == 422);
  CHECK(t.post(refunds_of(s, oid), {{"reason", "x"}, {"items", bj::array{bj::object{{"product_id", pid}, {"quantity", 0}}}}},
               r.token)
            .status == 422);
  CHECK(t.get(refunds_of(s, oid), r.token).json.at("items").as_array().empty());

  // Someone else's order, another community, wrong roles.
  CHECK(t.post(refunds_of(s, oid), {{"reason", "x"}}, stranger.token).status == 404);
  CHECK(t.post(refunds_of(s, oid), {{"reason", "x"}}, other.manager.token).status == 404);
  CHECK(t.post(refunds_of(s, oid), {{"reason", "x"}}, s.c.manager.token).status == 403);
  CHECK(t.get(refunds_of(s, oid), stranger.token).status == 404);
  CHECK(t.get(refunds_of(s, oid), rival.owner.token).status == 404);

  auto asked = t.post(refunds_of(s, oid), {{"reason", "x"}}, r.token);
  REQUIRE(asked.status == 201);
  std::int64_t rid = asked.id();
  CHECK(t.get(refund(s, rid), stranger.token).status == 404);
  CHECK(t.get(refund(s, rid), rival.owner.token).status == 404);
  CHECK(t.get(refund(s, rid), other.manager.token).status == 404);
  CHECK(t.get(other.base() + "/refunds/" + std::to_string(rid), other.manager.token).status == 404);
  CHECK(t.get(refund(s, 999999999), r.token).status == 404);
  CHECK(post_verb(s, rid, "accept", {}, rival.owner.token).status == 404);  // another merchant's refund
  CHECK(post_verb(s, rid, "accept", {}, s.c.manager.token).status == 403);  // managers arbitrate, not accept
  CHECK(post_verb(s, rid, "accept", {}, r.token).status == 403);
  CHECK(post_verb(s, rid, "accept", {}, other.manager.token).status == 404);
  CHECK(post_verb(s, rid, "decline", {{"reason", "no"}}, rival.owner.token).status == 404);
  CHECK(post_verb(s, rid, "arbitrate", {{"decision", "accept"}, {"reason", "x"}}, s.owner.token).status == 403);
  CHECK(post_verb(s, rid, "dispute", {{"reason", "x"}}, stranger.token).status == 404);
  CHECK(t.get(s.c.base() + "/refunds", s.owner.token).status == 403);
  CHECK(t.get(s.merchant_base() + "/refunds", rival.owner.token).status == 403);
  CHECK(t.get(s.merchant_base() + "/refunds?status=lost", s.owner.token).status == 422);
  CHECK(t.get(s.c.base() + "/merchants/999999999/refunds", s.c.manager.token).status == 403);

  // The window: settings are the manager's; a closed window is a 409.
  auto settings = s.c.base() + "/refund-settings";
  CHECK(t.get(settings, r.token).json.at("window_days").as_int64() == 7);
  CHECK(t.call("PUT", settings, bj::value(bj::object{{"window_days", 3}}), s.owner.token).status == 403);
  CHECK(t.call("PUT", settings, bj::value(bj::object{{"window_days", 3}}), other.manager.token).status == 404);
  CHECK(t.call("PUT", settings, bj::value(bj::object{{"window_days", -1}}), s.c.manager.token).status == 422);
  CHECK(t.call("PUT", settings, bj::value(bj::object{{"window_days", 0}}), s.c.manager.token).status == 200);
  t.advance_clock_ms(2000);
  auto late = t.post(refunds_of(s, oid), {{"reason", "late"}}, r.token);
  CHECK(late.status == 409);
  CHECK(late.problem_type() == "/problems/refund-window-closed");
  CHECK(t.get(settings, r.token).json.at("window_days").as_int64() == 0);
}

TEST_CASE("staff and API keys with the orders scope accept refunds; keys without it do not", "[shops][refunds]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto pid = product(s, "Eggs", 250, 20);
  auto r = buyer(s, 5000);
  auto staff = t.account("staff");
  REQUIRE(t.post(s.merchant_base() + "/staff", {{"email", staff.email}}, s.owner.token).status == 201);
  staff.token = std::string(t.post("/v1/auth/login", {{"email", staff.email}, {"password", "correct-horse-battery-staple"}})
                                .json.at("token")
                                .as_string());
  auto write_key = t.post(s.merchant_base() + "/api-keys", {{"name", "pos"}, {"scopes", bj::array{"orders:write", "orders:read"}}},
                          s.owner.token);
  REQUIRE(write_key.status == 201);
  auto read_key = t.post(s.merchant_base() + "/api-keys", {{"name", "ro"}, {"scopes", bj::array{"orders:read"}}}, s.owner.token);
  REQUIRE(read_key.status == 201);
  std::string wk(write_key.json.at("key").as_string()), rk(read_key.json.at("key").as_string());

  auto o1 = completed_order(s, r, {{pid, 1}});
  auto o2 = completed_order(s, r, {{pid, 1}});
  auto f1 = t.post(refunds_of(s, o1), {{"reason", "a"}}, r.token);
  auto f2 = t.post(refunds_of(s, o2), {{"reason", "b"}}, r.token);
  REQUIRE(f1.status == 201);
  REQUIRE(f2.status == 201);
  CHECK(t.get(refund(s, f1.id()), rk).status == 200);
  CHECK(post_verb(s, f1.id(), "accept", {}, rk).status == 403);
  CHECK(post_verb(s, f1.id(), "accept", {}, wk).status == 200);
  if (!staff.token.empty()) CHECK(post_verb(s, f2.id(), "accept", {}, staff.token).status == 200);
}

TEST_CASE("a failed delivery's cancellation is recorded as a completed refund", "[shops][refunds]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto pid = product(s, "Melon", 800, 5);
  auto r = buyer(s, 5000);
  auto placed = place(s, r, order_body(s.mid, {{pid, 1}}, "delivery"));
  REQUIRE(placed.status == 201);
  std::int64_t oid = placed.id();
  REQUIRE(t.call("POST", s.order(oid) + "/accept", std::nullopt, s.owner.token).status == 200);
  REQUIRE(t.call("POST", s.order(oid) + "/ready", std::nullopt, s.owner.token).status == 200);
  publish(s.c, "delivery.failed", {{"order_id", oid}, {"final", true}, {"delivery_id", 1}});
  t.drain_events();
  publish(s.c, "delivery.failed", {{"order_id", oid}, {"final", true}, {"delivery_id", 1}});  // redelivered
  t.drain_events();

  CHECK(t.get(s.order(oid), r.token).json.at("status").as_string() == "cancelled");
  CHECK(t.balance(s.c, r) == 5000);
  CHECK(stock(s, pid) == 5);
  auto listed = t.get(refunds_of(s, oid), r.token);
  REQUIRE(listed.status == 200);
  REQUIRE(listed.json.at("items").as_array().size() == 1);
  auto const& f = listed.json.at("items").at(0);
  CHECK(f.at("source").as_string() == "delivery_failed");
  CHECK(f.at("status").as_string() == "completed");
  CHECK(f.at("amount_cents").as_int64() == 800);
  auto done = refund_events(s.c, "refund.completed", f.at("id").as_int64());
  REQUIRE(done.size() == 1);
  CHECK(done[0].at("source").as_string() == "delivery_failed");
  CHECK(order_events(s.c, "order.cancelled", oid).at(0).at("refunded_cents").as_int64() == 800);
}

TEST_CASE("8 threads accept one refund: it completes once", "[shops][refunds][concurrency]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto pid = product(s, "Honey", 900, 10);
  auto r = buyer(s, 5000);
  auto oid = completed_order(s, r, {{pid, 2}});
  auto asked = t.post(refunds_of(s, oid), {{"reason", "crystallised"}, {"returned", true}}, r.token);
  REQUIRE(asked.status == 201);
  CHECK(accept_at_once(s, std::vector<std::int64_t>(8, asked.id()), "/problems/refund-state") == 1);
  CHECK(t.balance(s.c, r) == 5000);
  CHECK(merchant_balance(s) == 0);
  CHECK(stock(s, pid) == 10);
  CHECK(movements_total(s, pid) == 10);
  CHECK(refund_events(s.c, "refund.completed", asked.id()).size() == 1);
  CHECK(ledger_balanced(s.c));
}

TEST_CASE("requests that together exceed the order: concurrent accepts refund it once", "[shops][refunds][concurrency]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto pid = product(s, "Wine", 1500, 10);
  auto r = buyer(s, 10'000);
  auto oid = completed_order(s, r, {{pid, 3}});
  constexpr int kRequests = 6;
  std::vector<std::int64_t> rids;
  for (int i = 0; i < kRequests; ++i) {
    auto asked = t.post(refunds_of(s, oid),
                        {{"reason", "corked " + std::to_string(i)},
                         {"items", bj::array{bj::object{{"product_id", pid}, {"quantity", 2}}}}},
                        r.token);
    REQUIRE(asked.status == 201);
    rids.push_back(asked.id());
  }
  // 2 of 3 bottles each: a second would pass the order.
  CHECK(accept_at_once(s, rids, "/problems/refund-exceeds-order") == 1);
  CHECK(t.balance(s.c, r) == 10'000 - 4500 + 3000);
  CHECK(merchant_balance(s) == 1500);
  CHECK(ledger_balanced(s.c));
  // The refused ones are still open and say so when tried again.
  int completed = 0;
  for (auto rid : rids)
    if (t.get(refund(s, rid), r.token).json.at("status").as_string() == "completed") ++completed;
  CHECK(completed == 1);
}
