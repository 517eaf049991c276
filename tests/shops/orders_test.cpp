// Orders: checkout from the wallet, the state machine, pickup redemption, delivery
// completion, cancellation with refund and restock, coupons at checkout, reviews, figures,
// and what the order events carry.
#include "services/shops/logic.hpp"
#include "tests/shops/support.hpp"

using namespace shops_test;

TEST_CASE("pickup order: placed, accepted, ready, redeemed, reviewed", "[shops][orders]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto a = product(s, "Apples", 250, 10, "fruit");
  auto b = product(s, "Bread", 199, 5, "bakery");
  auto r = buyer(s, 10'000, 1);

  auto placed = place(s, r, order_body(s.mid, {{a, 3}, {b, 1}}));
  REQUIRE(placed.status == 201);
  auto oid = placed.id();
  CHECK(placed.header("Location") == s.order(oid));
  CHECK(placed.json.at("status").as_string() == "placed");
  CHECK(placed.json.at("subtotal_cents").as_int64() == 949);
  CHECK(placed.json.at("discount_cents").as_int64() == 0);
  CHECK(placed.json.at("total_cents").as_int64() == 949);
  CHECK(placed.json.at("items").as_array().size() == 2);
  CHECK(placed.json.at("unit_id").as_int64() == s.c.unit_ids[1]);
  auto code = std::string(placed.json.at("redemption_code").as_string());
  CHECK(code.size() == 12);

  // Paid and taken.
  CHECK(t.balance(s.c, r) == 10'000 - 949);
  CHECK(merchant_balance(s) == 949);
  CHECK(stock(s, a) == 7);
  CHECK(stock(s, b) == 4);
  auto ledger = t.get(s.product(a) + "/stock-movements", s.owner.token);
  auto const& sale = ledger.json.at("items").at(0);
  CHECK(sale.at("reason").as_string() == "sale");
  CHECK(sale.at("delta").as_int64() == -3);
  CHECK(sale.at("order_id").as_int64() == oid);
  CHECK(ledger_balanced(s.c));
  auto ev = order_events(s.c, "order.placed", oid);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].at("buyer_id").as_int64() == r.account_id);
  CHECK(ev[0].at("merchant_id").as_int64() == s.mid);
  CHECK(ev[0].at("total_cents").as_int64() == 949);
  CHECK(ev[0].at("fulfilment").as_string() == "pickup");
  // What it sold rides along (EVENTS.md), as the order's rows say.
  CHECK(ev[0].at("subtotal_cents").as_int64() == 949);
  CHECK(ev[0].at("discount_cents").as_int64() == 0);
  CHECK(ev[0].at("coupon_id").as_int64() == 0);
  auto const& lines = ev[0].at("items").as_array();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == bj::value(bj::object{{"product_id", a}, {"name", "Apples"}, {"category", "fruit"}, {"quantity", 3},
                                         {"unit_price_cents", 250}, {"line_total_cents", 750}}));
  CHECK(lines[1] == bj::value(bj::object{{"product_id", b}, {"name", "Bread"}, {"category", "bakery"}, {"quantity", 1},
                                         {"unit_price_cents", 199}, {"line_total_cents", 199}}));
  event_facts_match(s.c, ev[0]);

  // Who sees it: the buyer (with the code), the merchant (without), nobody else.
  CHECK(t.get(s.order(oid), r.token).json.at("redemption_code").as_string() == code);
  auto as_merchant = t.get(s.order(oid), s.owner.token);
  REQUIRE(as_merchant.status == 200);
  CHECK_FALSE(as_merchant.json.as_object().contains("redemption_code"));
  auto neighbour = t.resident(s.c);
  CHECK(t.get(s.order(oid), neighbour.token).status == 404);
  auto rival = second_shop(s);
  CHECK(t.get(s.order(oid), rival.owner.token).status == 404);
  CHECK(t.get(s.order(oid), s.c.manager.token).status == 403);
  auto other = t.community();
  CHECK(t.get(s.order(oid), other.manager.token).status == 404);
  auto stranger = t.resident(other);
  CHECK(t.get(other.base() + "/orders/" + std::to_string(oid), stranger.token).status == 404);
  auto mine = t.get("/v1/me/orders?status=placed", r.token);
  REQUIRE(mine.status == 200);
  CHECK(mine.json.at("items").at(0).at("id").as_int64() == oid);
  CHECK(t.get("/v1/me/orders?status=lost", r.token).status == 422);
  auto listed = t.get(s.merchant_base() + "/orders?status=placed", s.owner.token);
  REQUIRE(listed.status == 200);
  CHECK(listed.json.at("items").at(0).at("id").as_int64() == oid);
  CHECK(t.get(s.merchant_base() + "/orders?status=completed", s.owner.token).json.at("items").as_array().empty());
  CHECK(t.get(s.merchant_base() + "/orders", r.token).status == 403);
  CHECK(t.get(s.merchant_base() + "/orders", rival.owner.token).status == 403);

  // Not reviewable before completion; not redeemable before acceptance.
  auto early = t.post(s.order(oid) + "/review", {{"rating", 5}, {"text", "great"}}, r.token);
  CHECK(early.status == 409);
  CHECK(early.problem_type() == "/problems/order-not-completed");
  auto redeem_path = s.merchant_base() + "/redemptions";
  CHECK(t.post(redeem_path, {{"code", code}}, s.owner.token).status == 409);

  // State machine (merchant only; illegal moves 409).
  CHECK(t.call("POST", s.order(oid) + "/ready", std::nullopt, s.owner.token).status == 409);
  CHECK(t.call("POST", s.order(oid) + "/accept", std::nullopt, r.token).status == 403);
  CHECK(t.call("POST", s.order(oid) + "/accept", std::nullopt, rival.owner.token).status == 403);
  CHECK(t.call("POST", s.orders() + "/999999999/accept", std::nullopt, s.owner.token).status == 404);
  auto accepted = t.call("POST", s.order(oid) + "/accept", std::nullopt, s.owner.token);
  REQUIRE(accepted.status == 200);
  CHECK(accepted.json.at("status").as_string() == "accepted");
  CHECK(t.call("POST", s.order(oid) + "/accept", std::nullopt, s.owner.token).problem_type() == "/problems/order-state");
  // The buyer may cancel only while placed.
  CHECK(t.call("POST", s.order(oid) + "/cancel", std::nullopt, r.token).status == 409);
  auto ready = t.call("POST", s.order(oid) + "/ready", std::nullopt, s.owner.token);
  REQUIRE(ready.status == 200);
  CHECK(ready.json.at("status").as_string() == "ready");
  auto ready_ev = order_events(s.c, "order.ready", oid);
  REQUIRE(ready_ev.size() == 1);
  CHECK(ready_ev[0].at("fulfilment").as_string() == "pickup");
  CHECK(ready_ev[0].at("buyer_id").as_int64() == r.account_id);
  CHECK(ready_ev[0].at("unit_id").as_int64() == s.c.unit_ids[1]);
  CHECK(order_events(s.c, "order.accepted", oid).size() == 1);

  // Redemption: the code the buyer shows (case and dashes do not matter), once.
  CHECK(t.post(redeem_path, {{"code", "ZZZZZZZZZZZZ"}}, s.owner.token).status == 404);
  CHECK(t.post(rival.merchant_base() + "/redemptions", {{"code", code}}, rival.owner.token).status == 404);
  CHECK(t.post(redeem_path, {{"code", code}}, r.token).status == 403);
  CHECK(t.post(redeem_path, boost::json::object{}, s.owner.token).status == 422);
  std::string typed = code.substr(0, 4) + "-" + code.substr(4);
  for (auto& ch : typed) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  auto redeemed = t.post(redeem_path, {{"code", typed}}, s.owner.token);
  REQUIRE(redeemed.status == 200);
  CHECK(redeemed.json.at("status").as_string() == "completed");
  auto twice = t.post(redeem_path, {{"code", code}}, s.owner.token);
  CHECK(twice.status == 409);
  CHECK(twice.problem_type() == "/problems/already-redeemed");
  CHECK(order_events(s.c, "order.completed", oid).size() == 1);
  CHECK(t.call("POST", s.order(oid) + "/cancel", std::nullopt, s.owner.token).status == 409);

  // Review: the buyer, once; rating aggregate updated with it.
  CHECK(t.post(s.order(oid) + "/review", {{"rating", 6}, {"text", "x"}}, r.token).status == 422);
  CHECK(t.post(s.order(oid) + "/review", {{"rating", "5"}}, r.token).status == 400);
  CHECK(t.post(s.order(oid) + "/review", {{"rating", 4}}, neighbour.token).status == 404);
  CHECK(t.post(s.order(oid) + "/review", {{"rating", 4}}, s.c.manager.token).status == 403);
  CHECK(t.post(s.orders() + "/999999999/review", {{"rating", 4}}, r.token).status == 404);
  auto review = t.post(s.order(oid) + "/review", {{"rating", 4}, {"text", "Crisp apples"}}, r.token);
  REQUIRE(review.status == 201);
  CHECK(review.json.at("rating").as_int64() == 4);
  CHECK_FALSE(review.header("Location").empty());
  auto dup = t.post(s.order(oid) + "/review", {{"rating", 5}}, r.token);
  CHECK(dup.status == 409);
  CHECK(dup.problem_type() == "/problems/already-reviewed");
  auto reviews = t.get(s.merchant_base() + "/reviews", neighbour.token);
  REQUIRE(reviews.status == 200);
  CHECK(reviews.json.at("items").at(0).at("text").as_string() == "Crisp apples");
  CHECK(reviews.json.at("rating").at("count").as_int64() == 1);
  auto m = t.get(s.merchant_base(), neighbour.token);
  CHECK(m.json.at("rating").at("avg").as_double() == Approx(4.0));
  CHECK(m.json.at("rating").at("count").as_int64() == 1);
  auto posted = events(s.c, "review.posted");
  REQUIRE(posted.size() == 1);
  CHECK(posted[0].at("order_id").as_int64() == oid);
  CHECK(posted[0].at("rating").as_int64() == 4);
  CHECK(posted[0].at("buyer_id").as_int64() == r.account_id);
  CHECK(t.get(s.merchant_base() + "/reviews", other.manager.token).status == 404);
}

TEST_CASE("checkout refusals take nothing", "[shops][orders][errors]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto a = product(s, "Eggs", 300, 2);
  auto off = product(s, "Old stock", 100, 5);
  REQUIRE(t.patch(s.product(off), {{"active", false}}, s.owner.token).status == 200);
  auto rival = second_shop(s);
  auto theirs = product(rival, "Cake", 500, 5);
  auto r = buyer(s, 1000);

  CHECK(place(s, r, order_body(s.mid, {})).status == 422);
  CHECK(place(s, r, order_body(s.mid, {{a, 0}})).status == 422);
  CHECK(place(s, r, order_body(s.mid, {{a, 1}}, "drone")).status == 422);
  CHECK(place(s, r, boost::json::object{{"items", boost::json::array{}}}).status == 422);
  CHECK(place(s, r, boost::json::object{{"merchant_id", "x"}}).status == 400);
  CHECK(place(s, r, boost::json::object{{"merchant_id", s.mid}, {"items", "a"}, {"fulfilment", "pickup"}}).status == 400);
  CHECK(t.call("POST", s.orders(), std::nullopt, r.token).status == 400);
  auto bad_product = place(s, r, order_body(s.mid, {{theirs, 1}}));
  CHECK(bad_product.status == 422);
  CHECK(bad_product.json.at("errors").at(0).at("field").as_string() == "items[0].product_id");
  CHECK(place(s, r, order_body(s.mid, {{off, 1}})).status == 422);
  CHECK(place(s, r, order_body(999999999, {{a, 1}})).status == 404);
  auto other = t.community();
  auto far = t.merchant(other);
  CHECK(place(s, r, order_body(far.second, {{a, 1}})).status == 404);
  CHECK(place(s, s.c.manager, order_body(s.mid, {{a, 1}})).status == 403);
  CHECK(place(s, other.manager, order_body(s.mid, {{a, 1}})).status == 404);
  CHECK(t.post(s.orders(), order_body(s.mid, {{a, 1}})).status == 401);

  // Not enough stock of one line: nothing is taken, nobody is charged.
  auto plenty = product(s, "Salt", 50, 100);
  auto short_stock = place(s, r, order_body(s.mid, {{plenty, 2}, {a, 3}}));
  CHECK(short_stock.status == 409);
  CHECK(short_stock.problem_type() == "/problems/insufficient-stock");
  CHECK(stock(s, plenty) == 100);
  CHECK(stock(s, a) == 2);
  CHECK(t.balance(s.c, r) == 1000);

  // Not enough money: stock goes back too.
  auto pricey = product(s, "Truffle", 5000, 3);
  auto broke = place(s, r, order_body(s.mid, {{plenty, 1}, {pricey, 1}}));
  CHECK(broke.status == 409);
  CHECK(broke.problem_type() == "/problems/insufficient-funds");
  CHECK(stock(s, pricey) == 3);
  CHECK(stock(s, plenty) == 100);
  CHECK(movements_total(s, pricey) == 3);
  CHECK(t.balance(s.c, r) == 1000);
  CHECK(merchant_balance(s) == 0);
  CHECK(events(s.c, "order.placed").empty());

  // Repeated product lines are merged.
  auto merged = place(s, r, order_body(s.mid, {{plenty, 1}, {plenty, 2}}));
  REQUIRE(merged.status == 201);
  CHECK(merged.json.at("items").as_array().size() == 1);
  CHECK(merged.json.at("items").at(0).at("quantity").as_int64() == 3);
  CHECK(stock(s, plenty) == 97);
}

TEST_CASE("cancel: refund and restock in one transaction", "[shops][orders][cancel]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto a = product(s, "Cheese", 400, 6);
  auto r = buyer(s, 5000);
  auto neighbour = t.resident(s.c);

  auto o1 = place(s, r, order_body(s.mid, {{a, 2}}));
  REQUIRE(o1.status == 201);
  CHECK(t.call("POST", s.order(o1.id()) + "/cancel", std::nullopt, neighbour.token).status == 404);
  CHECK(t.call("POST", s.order(o1.id()) + "/cancel", std::nullopt, s.c.manager.token).status == 403);
  auto by_buyer = t.call("POST", s.order(o1.id()) + "/cancel", std::nullopt, r.token);
  REQUIRE(by_buyer.status == 200);
  CHECK(by_buyer.json.at("status").as_string() == "cancelled");
  CHECK(t.balance(s.c, r) == 5000);
  CHECK(merchant_balance(s) == 0);
  CHECK(stock(s, a) == 6);
  auto moves = t.get(s.product(a) + "/stock-movements", s.owner.token);
  CHECK(moves.json.at("items").at(0).at("reason").as_string() == "cancel");
  CHECK(moves.json.at("items").at(0).at("delta").as_int64() == 2);
  auto cancelled_ev = order_events(s.c, "order.cancelled", o1.id());
  REQUIRE(cancelled_ev.size() == 1);
  CHECK(cancelled_ev[0].at("previous_status") == "placed");
  CHECK(cancelled_ev[0].at("reason") == "buyer");
  CHECK(cancelled_ev[0].at("items").as_array().size() == 1);
  event_facts_match(s.c, cancelled_ev[0]);
  CHECK(t.call("POST", s.order(o1.id()) + "/cancel", std::nullopt, r.token).status == 409);
  CHECK(t.call("POST", s.order(o1.id()) + "/accept", std::nullopt, s.owner.token).status == 409);

  // The merchant may cancel until completion (here: when ready).
  auto o2 = place(s, r, order_body(s.mid, {{a, 1}}, "delivery"));
  REQUIRE(o2.status == 201);
  CHECK_FALSE(o2.json.as_object().contains("redemption_code"));
  REQUIRE(t.call("POST", s.order(o2.id()) + "/accept", std::nullopt, s.owner.token).status == 200);
  REQUIRE(t.call("POST", s.order(o2.id()) + "/ready", std::nullopt, s.owner.token).status == 200);
  auto k = t.unique("cancel");
  auto by_merchant = t.post(s.order(o2.id()) + "/cancel", boost::json::object{}, s.owner.token, idem(k));
  REQUIRE(by_merchant.status == 200);
  auto replay = t.post(s.order(o2.id()) + "/cancel", boost::json::object{}, s.owner.token, idem(k));
  CHECK(replay.status == 200);
  CHECK(replay.body == by_merchant.body);
  auto merchant_ev = order_events(s.c, "order.cancelled", o2.id());
  REQUIRE(merchant_ev.size() == 1);
  CHECK(merchant_ev[0].at("previous_status") == "ready");  // delivery may see it before order.ready
  CHECK(merchant_ev[0].at("reason") == "merchant");
  CHECK(t.balance(s.c, r) == 5000);
  CHECK(stock(s, a) == 6);
  CHECK(movements_total(s, a) == 6);
  CHECK(ledger_balanced(s.c));
}

TEST_CASE("delivery orders complete when delivery reports them delivered", "[shops][orders][events]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto a = product(s, "Water", 150, 20);
  auto r = buyer(s, 5000, 2);
  auto o = place(s, r, order_body(s.mid, {{a, 2}}, "delivery"));
  REQUIRE(o.status == 201);
  auto oid = o.id();

  // Delivered before it is ready changes nothing.
  publish(s.c, "delivery.delivered", {{"community_id", s.c.id}, {"delivery_id", 1}, {"order_id", oid}});
  t.drain_events();
  CHECK(t.get(s.order(oid), r.token).json.at("status").as_string() == "placed");

  REQUIRE(t.call("POST", s.order(oid) + "/accept", std::nullopt, s.owner.token).status == 200);
  REQUIRE(t.call("POST", s.order(oid) + "/ready", std::nullopt, s.owner.token).status == 200);
  auto ready = order_events(s.c, "order.ready", oid);
  REQUIRE(ready.size() == 1);
  CHECK(ready[0].at("fulfilment").as_string() == "delivery");
  CHECK(ready[0].at("unit_id").as_int64() == s.c.unit_ids[2]);

  publish(s.c, "delivery.delivered", {{"community_id", s.c.id}, {"delivery_id", 2}, {"order_id", oid}});
  t.drain_events();
  CHECK(t.get(s.order(oid), r.token).json.at("status").as_string() == "completed");
  // Redelivered (at-least-once) and repeated events change nothing more.
  publish(s.c, "delivery.delivered", {{"community_id", s.c.id}, {"delivery_id", 2}, {"order_id", oid}});
  t.drain_events();
  CHECK(order_events(s.c, "order.completed", oid).size() == 1);
  // Another community's event about this order id is ignored.
  auto other = t.community();
  publish(other, "delivery.delivered", {{"community_id", other.id}, {"delivery_id", 3}, {"order_id", oid}});
  t.drain_events();
  CHECK(order_events(other, "order.completed", oid).empty());
  // Now it can be reviewed.
  CHECK(t.post(s.order(oid) + "/review", {{"rating", 5}, {"text", "fast"}}, r.token).status == 201);
}

TEST_CASE("coupons at checkout: discount, expiry, minimum spend, exhaustion", "[shops][orders][coupons]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto a = product(s, "Honey", 999, 50);
  auto r = buyer(s, 100'000);
  auto coupons = s.merchant_base() + "/coupons";
  auto in = [](std::int64_t ms) { return courtyard::json::rfc3339(courtyard::db::now_ms() + ms); };
  REQUIRE(t.post(coupons, {{"code", "TENOFF"}, {"percent_off", 10}, {"min_spend_cents", 1500}, {"max_redemptions", 2},
                           {"expires_at", in(86'400'000)}},
                 s.owner.token)
              .status == 201);
  REQUIRE(t.post(coupons, {{"code", "FIVER"}, {"amount_off_cents", 500}, {"max_redemptions", 10},
                           {"expires_at", in(3'000)}},
                 s.owner.token)
              .status == 201);

  auto body = [&](std::int64_t q, std::string code) {
    auto b = order_body(s.mid, {{a, q}});
    b["coupon_code"] = code;
    return b;
  };
  auto ok = place(s, r, body(2, "tenoff"));
  REQUIRE(ok.status == 201);
  CHECK(ok.json.at("subtotal_cents").as_int64() == 1998);
  CHECK(ok.json.at("discount_cents").as_int64() == 200);  // 199.8 -> 200
  CHECK(ok.json.at("total_cents").as_int64() == 1798);
  CHECK(ok.json.at("coupon_code").as_string() == "TENOFF");

  auto below = place(s, r, body(1, "TENOFF"));
  CHECK(below.status == 422);
  CHECK(below.json.at("errors").at(0).at("field").as_string() == "coupon_code");
  auto unknown = place(s, r, body(2, "NOPE"));
  CHECK(unknown.status == 422);
  CHECK(unknown.json.at("errors").at(0).at("field").as_string() == "coupon_code");

  auto second = place(s, r, body(2, "TENOFF"));
  REQUIRE(second.status == 201);
  auto exhausted = place(s, r, body(2, "TENOFF"));
  CHECK(exhausted.status == 409);
  CHECK(exhausted.problem_type() == "/problems/coupon-exhausted");
  // Cancelling gives the redemption back.
  REQUIRE(t.call("POST", s.order(second.id()) + "/cancel", std::nullopt, r.token).status == 200);
  CHECK(place(s, r, body(2, "TENOFF")).status == 201);

  // Amount off, then expired.
  auto fiver = place(s, r, body(1, "FIVER"));
  REQUIRE(fiver.status == 201);
  CHECK(fiver.json.at("total_cents").as_int64() == 499);
  t.advance_clock_ms(5'000);
  auto expired = place(s, r, body(1, "FIVER"));
  CHECK(expired.status == 422);
  CHECK(expired.json.at("errors").at(0).at("field").as_string() == "coupon_code");
  auto listed = t.get(coupons, s.owner.token);
  for (auto const& c : listed.json.at("items").as_array())
    if (c.at("code").as_string() == "TENOFF") CHECK(c.at("redemptions").as_int64() == 2);
  CHECK(ledger_balanced(s.c));
}

TEST_CASE("order events without all their facts are read from the order", "[shops][orders][events]") {
  auto s = shop();
  auto a = product(s, "Honey", 999, 50);
  auto r = buyer(s, 100'000);
  add_coupon(s, {{"code", "TENOFF"}, {"percent_off", 10}, {"max_redemptions", 5}});
  auto body = order_body(s.mid, {{a, 2}});
  body["coupon_code"] = "TENOFF";
  auto placed = place(s, r, body);
  REQUIRE(placed.status == 201);
  auto ev = order_events(s.c, "order.placed", placed.id());
  REQUIRE(ev.size() == 1);
  // With a coupon: its campaign is not in the payload, so the facts are read.
  CHECK(ev[0].at("coupon_id").as_int64() > 0);
  CHECK(ev[0].at("items").as_array().size() == 1);
  CHECK_FALSE(courtyard::shops::order_facts_of_event(s.c.id, ev[0]));

  // An event stored before the facts were added, and payloads that are not whole.
  auto plain = place(s, r, order_body(s.mid, {{a, 1}}));
  REQUIRE(plain.status == 201);
  auto full = order_events(s.c, "order.placed", plain.id()).at(0);
  CHECK(courtyard::shops::order_facts_of_event(s.c.id, full));
  auto without = [&](std::string const& key) {
    auto p = full;
    p.erase(key);
    return courtyard::shops::order_facts_of_event(s.c.id, p);
  };
  for (auto key : {"items", "created_at_ms", "coupon_id", "status", "order_id", "subtotal_cents", "total_cents"}) {
    INFO(key);
    CHECK_FALSE(without(key));
  }
  auto broken = full;
  broken["items"] = bj::array{bj::object{{"product_id", a}, {"quantity", 1}, {"line_total_cents", 999}}};  // no category
  CHECK_FALSE(courtyard::shops::order_facts_of_event(s.c.id, broken));
  broken["items"] = bj::array{};
  CHECK_FALSE(courtyard::shops::order_facts_of_event(s.c.id, broken));
  broken["items"] = "two jars";
  CHECK_FALSE(courtyard::shops::order_facts_of_event(s.c.id, broken));
  CHECK_FALSE(courtyard::shops::order_facts_of_event(s.c.id, bj::value("not an object")));
}

TEST_CASE("the largest order's event fits its row on both backends", "[shops][orders][events][limits]") {
  auto s = shop();
  auto r = buyer(s, 10'000'000);
  // 50 lines (the most an order has), each name 100 four-byte characters (the longest), each
  // category 50 (idem): the payload must stay within the events row (TEXT, 64 KiB on MariaDB).
  std::string clef;
  for (int i = 0; i < 100; ++i) clef += "\xF0\x9D\x84\x9E";  // U+1D11E
  std::vector<std::pair<std::int64_t, std::int64_t>> lines;
  for (std::size_t i = 0; i < courtyard::shops::logic::kMaxOrderLines; ++i) {
    auto name = std::to_string(i) + clef.substr(0, clef.size() - 4 * std::to_string(i).size());
    lines.emplace_back(product(s, name, 100, 10, clef.substr(0, 200)), 1);
  }
  auto placed = place(s, r, order_body(s.mid, lines));
  INFO(placed.body.substr(0, 300));
  REQUIRE(placed.status == 201);
  auto ev = order_events(s.c, "order.placed", placed.id());
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].at("items").as_array().size() == courtyard::shops::logic::kMaxOrderLines);
  CHECK(bj::serialize(ev[0]).size() < 48 * 1024);
  event_facts_match(s.c, ev[0]);
}

TEST_CASE("order Idempotency-Key: replay and reuse", "[shops][orders][idempotency]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto a = product(s, "Tea", 300, 10);
  auto r = buyer(s, 5000);
  auto k = t.unique("order");
  auto first = place(s, r, order_body(s.mid, {{a, 2}}), k);
  REQUIRE(first.status == 201);
  auto again = place(s, r, order_body(s.mid, {{a, 2}}), k);
  CHECK(again.status == 201);
  CHECK(again.body == first.body);
  CHECK(again.header("Idempotent-Replayed") == "true");
  REQUIRE_FALSE(first.header("Location").empty());
  CHECK(again.header("Location") == first.header("Location"));  // the stored answer's header too
  auto reused = place(s, r, order_body(s.mid, {{a, 3}}), k);
  CHECK(reused.status == 422);
  CHECK(reused.problem_type() == "/problems/idempotency-key-reused");
  CHECK(stock(s, a) == 8);
  CHECK(t.balance(s.c, r) == 4400);
  // A refusal is remembered too: the same key repeats the 409.
  auto k2 = t.unique("order");
  CHECK(place(s, r, order_body(s.mid, {{a, 50}}), k2).status == 409);
  REQUIRE(t.post(s.product(a) + "/stock", {{"delta", 100}, {"reason", "purchase"}}, s.owner.token).status == 201);
  CHECK(place(s, r, order_body(s.mid, {{a, 50}}), k2).status == 409);
}

TEST_CASE("merchant figures", "[shops][figures]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto fruit = product(s, "Pears", 200, 100, "fruit");
  auto bread = product(s, "Bagel", 150, 100, "bread");
  auto r1 = buyer(s, 10'000);
  auto r2 = buyer(s, 10'000);
  auto r3 = buyer(s, 10'000);

  REQUIRE(place(s, r1, order_body(s.mid, {{fruit, 2}, {bread, 1}})).status == 201);  // 550
  REQUIRE(place(s, r1, order_body(s.mid, {{fruit, 1}})).status == 201);              // 200
  REQUIRE(place(s, r2, order_body(s.mid, {{bread, 2}})).status == 201);              // 300
  auto cancelled = place(s, r3, order_body(s.mid, {{fruit, 5}}));
  REQUIRE(cancelled.status == 201);
  REQUIRE(t.call("POST", s.order(cancelled.id()) + "/cancel", std::nullopt, r3.token).status == 200);

  auto f = t.get(s.merchant_base() + "/figures", s.owner.token);
  REQUIRE(f.status == 200);
  CHECK(f.json.at("sales_cents").as_int64() == 1050);
  CHECK(f.json.at("orders").as_int64() == 3);
  CHECK(f.json.at("units").as_int64() == 6);
  auto const& days = f.json.at("by_day").as_array();
  REQUIRE(days.size() == 1);
  CHECK(days[0].at("sales_cents").as_int64() == 1050);
  auto const& cats = f.json.at("by_category").as_array();
  REQUIRE(cats.size() == 2);
  CHECK(cats[0].at("category").as_string() == "fruit");
  CHECK(cats[0].at("sales_cents").as_int64() == 600);
  CHECK(cats[0].at("units").as_int64() == 3);
  CHECK(cats[1].at("sales_cents").as_int64() == 450);
  CHECK(f.json.at("orders_by_status").at("placed").as_int64() == 3);
  CHECK(f.json.at("orders_by_status").at("cancelled").as_int64() == 1);
  CHECK(f.json.at("buyers").as_int64() == 2);
  CHECK(f.json.at("repeat_buyers").as_int64() == 1);
  CHECK(f.json.at("repeat_buyer_rate").as_double() == Approx(0.5));

  // An explicit range that excludes today is empty.
  auto past = t.get(s.merchant_base() + "/figures?from=2020-01-01&to=2020-01-31", s.owner.token);
  REQUIRE(past.status == 200);
  CHECK(past.json.at("orders").as_int64() == 0);
  CHECK(t.get(s.merchant_base() + "/figures?from=2020-02-01&to=2020-01-01", s.owner.token).status == 422);
  CHECK(t.get(s.merchant_base() + "/figures?from=yesterday", s.owner.token).status == 422);
  CHECK(t.get(s.merchant_base() + "/figures?from=2020-01-01&to=2022-01-01", s.owner.token).status == 422);
  CHECK(t.get(s.merchant_base() + "/figures", s.c.manager.token).status == 403);
  CHECK(t.get(s.merchant_base() + "/figures", r1.token).status == 403);
  auto other = t.community();
  CHECK(t.get(s.merchant_base() + "/figures", other.manager.token).status == 404);
}

TEST_CASE("order lists carry each order's own items, page by page", "[shops][orders][lists]") {
  // The items of a page of orders are read in one statement and shared out by order id: every
  // listed order must hold exactly the items its own read shows, in the same order.
  auto& t = TestApp::get();
  auto s = shop();
  auto rival = second_shop(s);
  auto a = product(s, "Apples", 250, 100, "fruit");
  auto b = product(s, "Bread", 199, 100, "bakery");
  auto c = product(s, "Cheese", 410, 100, "dairy");
  auto d = product(rival, "Doughnut", 120, 100);
  auto r = buyer(s, 100'000, 1);
  std::vector<std::vector<std::pair<std::int64_t, std::int64_t>>> baskets = {
      {{a, 1}}, {{b, 2}, {a, 3}}, {{c, 1}, {b, 1}, {a, 2}}, {{c, 4}}, {{a, 5}, {c, 2}}};
  std::vector<std::int64_t> placed;
  for (std::size_t i = 0; i < baskets.size(); ++i) {
    auto o = place(s, r, order_body(s.mid, baskets[i]));
    REQUIRE(o.status == 201);
    placed.push_back(o.id());
    if (i == 2) {  // one order from the other shop, in the middle
      auto other = place(rival, r, order_body(rival.mid, {{d, 2}}));
      REQUIRE(other.status == 201);
      placed.push_back(other.id());
    }
  }
  auto check_list = [&](std::string const& first, std::string const& token, std::size_t expected) {
    std::size_t seen = 0;
    std::string url = first;
    for (int pages = 0; pages < 10; ++pages) {
      auto page = t.get(url, token);
      REQUIRE(page.status == 200);
      for (auto const& o : page.json.at("items").as_array()) {
        auto oid = o.at("id").as_int64();
        auto own = t.get(s.order(oid), token);
        REQUIRE(own.status == 200);
        INFO("order " << oid);
        CHECK(o.at("items") == own.json.at("items"));
        CHECK_FALSE(o.at("items").as_array().empty());
        ++seen;
      }
      auto const& next = page.json.at("next_cursor");
      if (next.is_null()) break;
      url = first + "&cursor=" + std::string(next.as_string());
    }
    CHECK(seen == expected);
  };
  check_list("/v1/me/orders?limit=2", r.token, placed.size());
  check_list("/v1/me/orders?limit=200", r.token, placed.size());
  check_list(s.merchant_base() + "/orders?limit=4", s.owner.token, baskets.size());
  auto one = t.get("/v1/me/orders?limit=1", r.token);
  REQUIRE(one.json.at("items").as_array().size() == 1);
  CHECK(one.json.at("items").at(0).at("items").as_array().size() == 2);  // the last basket: a and c
}

TEST_CASE("a catalogue page: the merchant's status beside its products, empty pages, other communities",
          "[shops][catalogue][lists]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto r = buyer(s, 0);
  // No products yet: an empty page (the status is read on its own).
  auto empty = t.get(s.products(), r.token);
  REQUIRE(empty.status == 200);
  CHECK(empty.json.at("items").as_array().empty());
  CHECK(empty.json.at("next_cursor").is_null());
  std::vector<std::int64_t> pids;
  for (int i = 0; i < 5; ++i) pids.push_back(product(s, "Loaf " + std::to_string(i), 100 + i, 3, i % 2 ? "rye" : "wheat"));
  auto page = t.get(s.products() + "?limit=2", r.token);
  REQUIRE(page.status == 200);
  REQUIRE(page.json.at("items").as_array().size() == 2);
  CHECK(page.json.at("items").at(0).at("id").as_int64() == pids[4]);
  CHECK(page.json.at("items").at(0) == t.get(s.product(pids[4]), r.token).json);
  auto rest = t.get(s.products() + "?limit=200&cursor=" + std::string(page.json.at("next_cursor").as_string()), r.token);
  CHECK(rest.json.at("items").as_array().size() == 3);
  CHECK(rest.json.at("next_cursor").is_null());
  CHECK(t.get(s.products() + "?category=rye", r.token).json.at("items").as_array().size() == 2);
  // A category with nothing in it is an empty page, not a missing merchant.
  CHECK(t.get(s.products() + "?category=spelt", r.token).status == 200);
  // A merchant of another community, asked for through this one: 404, with or without products.
  auto far = shop();
  product(far, "Far loaf", 100, 1);
  auto through_here = s.c.base() + "/merchants/" + std::to_string(far.mid) + "/products";
  CHECK(t.get(through_here, r.token).status == 404);
  CHECK(t.get(s.c.base() + "/merchants/999999999/products", r.token).status == 404);
}
