// The merchant's reports from the rollups: sales, customers, movers, categories,
// promotions (coupons, campaigns, group buys), ratings; cancellations taken back; CSV; access
// and bad input.
#include "services/shops/api.hpp"
#include "services/analytics/routes.hpp"
#include "tests/analytics/helpers.hpp"

#include <algorithm>
#include <map>

using namespace analytics_test;

TEST_CASE("merchant overview: sales, customers, movers, categories from orders placed", "[reports]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto tea = product(s, "Tea", 500, 100, "drinks");
  auto cake = product(s, "Cake", 1200, 100, "bakery");
  auto idle = product(s, "Idle", 100, 10, "drinks");
  auto a = buyer(s, 100'000, 0), b = buyer(s, 100'000, 1);
  order(s, a, {{tea, 2}});                 // 1000
  order(s, a, {{tea, 1}, {cake, 1}});      // 1700
  auto gone = order(s, b, {{cake, 3}});    // 3600, cancelled below
  order(s, b, {{cake, 1}});                // 1200
  cancel(s, b, gone);
  t.drain_events();

  auto o = ok(s.report("overview") + range(today() - 6, today()), s.owner.token);
  auto const& sum = o.at("summary").as_object();
  CHECK(sum.at("orders").as_int64() == 3);
  CHECK(sum.at("revenue_cents").as_int64() == 1000 + 1700 + 1200);
  CHECK(sum.at("items").as_int64() == 2 + 2 + 1);
  CHECK(sum.at("cancelled").as_int64() == 1);
  CHECK(sum.at("average_order_cents").as_int64() == 1300);
  CHECK(sum.at("customers").as_int64() == 2);
  CHECK(sum.at("repeat_customers").as_int64() == 1);  // a: two orders; b: one left
  CHECK(sum.at("returning_customers").as_int64() == 0);
  CHECK(sum.at("repeat_purchase_rate").as_double() == Approx(0.5));
  CHECK(o.at("timezone").as_string() == "Europe/Berlin");
  CHECK(o.at("series").as_array().size() == 7);
  CHECK(o.at("series").as_array().back().at("orders").as_int64() == 3);

  auto const& top = o.at("top_movers").as_array();
  REQUIRE(top.size() == 2);
  CHECK(top[0].at("product_id").as_int64() == tea);
  CHECK(top[0].at("items").as_int64() == 3);
  CHECK(o.at("slow_movers").as_array()[0].at("product_id").as_int64() == idle);

  std::int64_t bakery = 0;
  for (auto const& c : o.at("categories").as_array())
    if (c.at("category").as_string() == "bakery") bakery = c.at("revenue_cents").as_int64();
  CHECK(bakery == 2400);

  // Weekly and monthly grains fold the same days.
  auto w = ok(s.report("sales") + range(today() - 30, today()) + "&grain=month", s.owner.token);
  std::int64_t orders = 0;
  for (auto const& p : w.at("items").as_array()) orders += p.at("orders").as_int64();
  CHECK(orders == 3);
  CHECK(w.at("items").as_array().back().at("period").as_string().size() == 7);  // "YYYY-MM"
}

TEST_CASE("returning customers: bought before the range", "[reports]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto tea = product(s, "Tea", 500, 100);
  auto a = buyer(s, 100'000), b = buyer(s, 100'000, 1);
  order(s, a, {{tea, 1}});
  t.drain_events();
  t.advance_clock_ms(2 * kDay);
  order(s, a, {{tea, 1}});
  order(s, b, {{tea, 1}});
  t.drain_events();
  auto o = ok(s.report("sales") + range(today(), today()), s.owner.token);
  CHECK(o.at("summary").at("customers").as_int64() == 2);
  CHECK(o.at("summary").at("returning_customers").as_int64() == 1);
  CHECK(o.at("summary").at("new_customers").as_int64() == 1);
  auto all = ok(s.report("sales") + range(today() - 2, today()), s.owner.token);
  CHECK(all.at("summary").at("customers").as_int64() == 2);
  CHECK(all.at("summary").at("repeat_customers").as_int64() == 1);
  CHECK(all.at("summary").at("returning_customers").as_int64() == 0);
}

TEST_CASE("promotions: coupon orders, discount cost, incremental revenue", "[reports]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto tea = product(s, "Tea", 1000, 100);
  auto in_a_day = courtyard::json::rfc3339(courtyard::db::now_ms() + kDay);
  auto r = t.post(s.base() + "/coupons",
                  bj::object{{"code", "TENOFF"}, {"percent_off", 10}, {"max_redemptions", 10}, {"expires_at", in_a_day}},
                  s.owner.token);
  REQUIRE(r.status == 201);
  auto a = buyer(s, 100'000);
  order(s, a, {{tea, 2}}, "TENOFF");  // 2000 - 200
  order(s, a, {{tea, 1}});
  t.drain_events();
  auto p = ok(s.report("promotions") + range(today() - 1, today()), s.owner.token);
  auto const& items = p.at("items").as_array();
  REQUIRE(items.size() == 1);
  CHECK(items[0].at("kind").as_string() == "coupon");
  CHECK(items[0].at("orders").as_int64() == 1);
  CHECK(items[0].at("redemptions").as_int64() == 1);
  CHECK(items[0].at("revenue_cents").as_int64() == 1800);
  CHECK(items[0].at("discount_cents").as_int64() == 200);
  // No revenue in the four weeks before: everything the merchant sold that day is uplift.
  CHECK(items[0].at("baseline_revenue_cents").as_int64() == 0);
  CHECK(items[0].at("incremental_revenue_cents").as_int64() == 2800);
}

TEST_CASE("promotions: each one's baseline is the merchant's own four weeks before it", "[reports]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto tea = product(s, "Tea", 1000, 1000);
  auto a = buyer(s, 1'000'000);
  auto coupon = [&](std::string const& code) {
    auto until = courtyard::json::rfc3339(courtyard::db::now_ms() + 2 * kDay);
    auto r = t.post(s.base() + "/coupons",
                    bj::object{{"code", code}, {"percent_off", 10}, {"max_redemptions", 10}, {"expires_at", until}},
                    s.owner.token);
    REQUIRE(r.status == 201);
  };
  // Days pass: sign the shop's owner and the buyer in again each time (sessions expire).
  auto later = [&](std::int64_t days) {
    t.advance_clock_ms(days * kDay);
    for (auto* who : {&s.owner, &a}) {
      auto r = t.post("/v1/auth/login", bj::object{{"email", who->email}, {"password", "correct-horse-battery-staple"}});
      REQUIRE(r.status == 200);
      who->token = std::string(r.json.at("token").as_string());
    }
  };
  std::int64_t first = today();
  order(s, a, {{tea, 3}});  // 3000: ten days before the first coupon, inside its baseline
  later(10);
  coupon("FIRST10");
  order(s, a, {{tea, 2}}, "FIRST10");  // 2000 - 200
  order(s, a, {{tea, 1}});             // 1000 the same day
  later(40);
  coupon("LATER10");
  order(s, a, {{tea, 1}}, "LATER10");  // 900; nothing sold in the 28 days before
  t.drain_events();
  auto p = ok(s.report("promotions") + range(first, today()), s.owner.token);
  auto const& items = p.at("items").as_array();
  REQUIRE(items.size() == 2);
  CHECK(items[0].at("merchant_revenue_cents").as_int64() == 2800);
  CHECK(items[0].at("baseline_revenue_cents").as_int64() == 3000);
  CHECK(items[0].at("incremental_revenue_cents").as_int64() == 2800 - 3000 / 28);
  CHECK(items[1].at("merchant_revenue_cents").as_int64() == 900);
  CHECK(items[1].at("baseline_revenue_cents").as_int64() == 0);
  CHECK(items[1].at("incremental_revenue_cents").as_int64() == 900);
  // The overview reads the range's days once and only the rest of each promotion's span
  // itself: the same figures, also for ranges that start after a baseline or a run began.
  for (auto from : {first, first + 5, first + 10, first + 45}) {
    INFO("from day " << from - first);
    auto via_overview = ok(s.report("overview") + range(from, today()), s.owner.token).at("promotions");
    auto via_route = ok(s.report("promotions") + range(from, today()), s.owner.token).at("items");
    CHECK(via_overview == via_route);
    CHECK_FALSE(via_route.as_array().empty());
  }
}

TEST_CASE("ratings over time from reviews", "[reports]") {
  auto& t = TestApp::get();
  auto s = shop();
  publish(s.c.id, "review.posted",
          {{"review_id", 900001 + s.mid * 10}, {"order_id", 1}, {"merchant_id", s.mid}, {"buyer_id", 1}, {"rating", 5}});
  publish(s.c.id, "review.posted",
          {{"review_id", 900002 + s.mid * 10}, {"order_id", 2}, {"merchant_id", s.mid}, {"buyer_id", 1}, {"rating", 2}});
  t.drain_events();
  auto r = ok(s.report("ratings") + range(today(), today()), s.owner.token);
  CHECK(r.at("reviews").as_int64() == 2);
  CHECK(r.at("average").as_double() == Approx(3.5));
  CHECK(r.at("items").as_array()[0].at("stars").at("5").as_int64() == 1);
}

TEST_CASE("CSV: ?format=csv and Accept: text/csv", "[reports][csv]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto tea = product(s, "Tea, green", 500, 100);
  auto a = buyer(s, 100'000);
  order(s, a, {{tea, 2}});
  t.drain_events();
  auto r = get(s.report("products") + range(today(), today()) + "&format=csv", s.owner.token);
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type").rfind("text/csv", 0) == 0);
  CHECK(r.body.rfind("product_id,name,category,orders,items,revenue_cents\r\n", 0) == 0);
  CHECK(r.body.find("\"Tea, green\"") != std::string::npos);

  auto h = t.call("GET", s.report("overview"), std::nullopt, s.owner.token, {{"Accept", "text/csv"}});
  REQUIRE(h.status == 200);
  CHECK(h.body.rfind("section,key,value\r\n", 0) == 0);
  CHECK(h.body.find("summary,orders,1\r\n") != std::string::npos);

  auto m = t.call("GET", s.c.base() + "/analytics/dashboard?format=csv", std::nullopt, s.c.manager.token);
  REQUIRE(m.status == 200);
  CHECK(m.body.find("sales,orders,1\r\n") != std::string::npos);
}

TEST_CASE("bad ranges and formats are 422; nothing else changes", "[reports][errors]") {
  auto s = shop();
  auto url = s.report("sales");
  for (std::string q : {"?from=2026-13-01", "?to=yesterday", "?from=2026-02-30", "?from=2026-05-02&to=2026-05-01",
                        "?from=2020-01-01&to=2026-01-01", "?grain=year", "?format=xml"}) {
    auto r = get(url + q, s.owner.token);
    INFO(q << " -> " << r.body);
    CHECK(r.status == 422);
    CHECK(r.header("content-type").find("application/problem+json") == 0);
  }
}

TEST_CASE("access: other roles 403; other community 404", "[reports][access]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto other = second_shop(s);
  auto url = s.report("overview");
  CHECK(get(url, s.owner.token).status == 200);
  CHECK(get(url, "").status == 401);
  CHECK(get(url, other.owner.token).status == 403);             // another merchant
  CHECK(get(url, t.resident(s.c).token).status == 403);         // a resident
  CHECK(get(url, s.c.manager.token).status == 403);             // the merchant's figures are its own
  auto stranger = shop();
  CHECK(get(url, stranger.owner.token).status == 404);          // not a member of this community
  CHECK(get(s.c.base() + "/merchants/999999999/analytics/overview", t.admin().token).status == 404);
}

// The reports are the owner's and its keys' (scope "analytics"); staff handle orders and
// redemptions only (issue 13), so they are refused.
TEST_CASE("access: a key with the analytics scope reads the reports, staff do not", "[reports][scopes]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto url = s.report("overview");
  // Staff: not among the staff scopes.
  auto staff = t.account("staff");
  auto add = t.post(s.base() + "/staff", bj::object{{"email", staff.email}}, s.owner.token);
  INFO(add.body);
  REQUIRE(add.status == 201);
  CHECK(get(url, staff.token).status == 403);

  // API keys: with the analytics scope yes, without it no.
  auto key = [&](std::string scope) {
    auto r = t.post(s.base() + "/api-keys", bj::object{{"name", "k"}, {"scopes", bj::array{bj::value(scope)}}},
                    s.owner.token);
    INFO(r.body);
    REQUIRE(r.status == 201);
    return std::string(r.json.at("key").as_string());
  };
  CHECK(get(url, key("analytics")).status == 200);
  CHECK(get(url, key("orders:read")).status == 403);
}

TEST_CASE("access walk over every analytics route", "[reports][access]") {
  courtyard::test::walk_access(TestApp::get(), "analytics");
}

TEST_CASE("promotions: a campaign's coupons count together as the campaign", "[reports][campaigns]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto tea = product(s, "Tea", 1000, 100);
  auto a = buyer(s, 100'000, 0), b = buyer(s, 100'000, 1);
  // Members issues one single-use coupon per member of the campaign's segment.
  std::int64_t campaign = 7'000'000 + s.c.id;
  std::vector<std::string> codes;
  for (auto const* who : {&a, &b}) {
    courtyard::shops::MemberCoupon m;
    m.community_id = s.c.id;
    m.merchant_id = s.mid;
    m.account_id = who->account_id;
    m.campaign_id = campaign;
    m.code = "CMP" + std::to_string(s.c.id) + "X" + std::to_string(codes.size());
    m.percent_off = 10;
    m.expires_at = courtyard::db::now_ms() + kDay;
    courtyard::db::transact(t.app().db(), &t.app().bus(),
                            [&](courtyard::db::Tx& tx) { return courtyard::shops::issue_member_coupon(tx, m); });
    codes.push_back(m.code);
  }
  order(s, a, {{tea, 2}}, codes[0]);  // 2000 - 200
  auto cancelled = order(s, b, {{tea, 1}}, codes[1]);
  order(s, b, {{tea, 1}});
  cancel(s, b, cancelled);
  t.drain_events();
  auto p = ok(s.report("promotions") + range(today() - 1, today()), s.owner.token);
  std::map<std::string, bj::object> by_kind;
  std::int64_t coupons = 0;
  for (auto const& it : p.at("items").as_array()) {
    std::string kind(it.at("kind").as_string());
    if (kind == "coupon") ++coupons;
    if (kind == "campaign") by_kind[kind] = it.as_object();
  }
  CHECK(coupons == 2);  // each member's coupon is still its own row
  REQUIRE(by_kind.count("campaign") == 1);
  auto const& c = by_kind["campaign"];
  CHECK(c.at("id").as_int64() == campaign);
  CHECK(c.at("orders").as_int64() == 1);  // the cancelled one taken back out
  CHECK(c.at("revenue_cents").as_int64() == 1800);
  CHECK(c.at("discount_cents").as_int64() == 200);
  CHECK(c.at("incremental_revenue_cents").as_int64() == 2800);
}

TEST_CASE("CSV streams a large table in bounded pieces that add up to the whole", "[reports][csv]") {
  bj::array items;
  for (int i = 0; i < 6000; ++i)
    items.push_back(bj::object{{"product_id", i}, {"name", "Product, number " + std::to_string(i)}, {"orders", i % 7}});
  bj::object report{{"merchant_id", 1}, {"items", std::move(items)}};
  std::string whole = courtyard::analytics::csv_of(report);
  auto next = courtyard::analytics::csv_stream(report);
  std::string joined;
  int pieces = 0;
  for (bool more = true; more;) {
    std::string piece;
    more = next(piece);
    ++pieces;
    CHECK(piece.size() < courtyard::analytics::kCsvPieceBytes + 200);  // a piece stops after the row that fills it
    joined += piece;
  }
  CHECK(pieces > 2);
  CHECK(joined == whole);
  CHECK(whole.rfind("product_id,name,orders\r\n0,\"Product, number 0\",0\r\n", 0) == 0);
  CHECK(std::count(whole.begin(), whole.end(), '\n') == 6001);
}
