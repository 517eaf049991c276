// The manager's dashboard: GMV by merchant and category, active residents and cohorts,
// bills, tickets, events and posts; access.
#include "tests/analytics/helpers.hpp"

using namespace analytics_test;

TEST_CASE("manager dashboard from orders and community events", "[manager]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto other = second_shop(s);
  auto tea = product(s, "Tea", 500, 100, "drinks");
  auto bread = product(other, "Bread", 300, 100, "bakery");
  auto a = buyer(s, 100'000, 0), b = buyer(s, 100'000, 1), c = buyer(s, 0, 2);
  order(s, a, {{tea, 2}});
  order(other, b, {{bread, 1}});
  std::int64_t now = courtyard::db::now_ms();
  std::int64_t base = 8'000'000 + s.c.id * 10;
  publish(s.c.id, "bill.issued", {{"bill_id", base + 1}, {"amount_cents", 4000}, {"due_at_ms", now - 5 * kDay}});
  publish(s.c.id, "bill.issued", {{"bill_id", base + 2}, {"amount_cents", 6000}, {"due_at_ms", now + 5 * kDay}});
  publish(s.c.id, "bill.paid",
          {{"bill_id", base + 2}, {"amount_cents", 6000}, {"paid_by", b.account_id}, {"due_at_ms", now + 5 * kDay},
           {"paid_at_ms", now}});
  publish(s.c.id, "bill.overdue", {{"bill_id", base + 1}, {"amount_cents", 4000}});
  publish(s.c.id, "event.rsvp", {{"event_id", 1}, {"account_id", c.account_id}, {"status", "going"}});
  publish(s.c.id, "event.rsvp", {{"event_id", 1}, {"account_id", a.account_id}, {"status", "going"}});
  publish(s.c.id, "event.checked_in", {{"event_id", 1}, {"account_id", c.account_id}});
  publish(s.c.id, "post.published", {{"post_id", base}, {"club_id", 0}, {"author_id", c.account_id}});
  publish(s.c.id, "ticket.resolved", {{"ticket_id", 1}, {"opened_by", a.account_id}, {"status", "resolved"}});
  t.drain_events();

  auto d = ok(s.c.base() + "/analytics/dashboard" + range(today() - 6, today()), s.c.manager.token);
  auto const& sales = d.at("sales").as_object();
  CHECK(sales.at("orders").as_int64() == 2);
  CHECK(sales.at("gmv_cents").as_int64() == 1300);
  REQUIRE(sales.at("by_merchant").as_array().size() == 2);
  CHECK(sales.at("by_merchant").at(0).at("merchant_id").as_int64() == s.mid);
  CHECK(sales.at("by_category").at(0).at("category").as_string() == "drinks");

  auto const& res = d.at("residents").as_object();
  CHECK(res.at("active").as_int64() == 3);  // a, b ordered (b also paid); c attended and posted
  REQUIRE(res.at("cohorts").as_array().size() == 1);
  CHECK(res.at("cohorts").at(0).at("residents").as_int64() == 3);

  auto const& bills = d.at("bills").as_object();
  CHECK(bills.at("issued").as_int64() == 2);
  CHECK(bills.at("paid_cents").as_int64() == 6000);
  CHECK(bills.at("collection_rate").as_double() == Approx(0.6));
  CHECK(bills.at("became_overdue_in_range").as_int64() == 1);
  CHECK(bills.at("overdue_ageing").at(0).at("bills").as_int64() == 1);
  CHECK(bills.at("overdue_ageing").at(0).at("cents").as_int64() == 4000);

  CHECK(d.at("events").at("rsvps").as_int64() == 2);
  CHECK(d.at("events").at("checkins").as_int64() == 1);
  CHECK(d.at("events").at("no_show_rate").as_double() == Approx(0.5));
  CHECK(d.at("tickets").at("resolved").as_int64() == 1);
  CHECK(d.at("posts").as_int64() == 1);
}

TEST_CASE("manager dashboard: roles 403, other community 404, bad range 422", "[manager][access]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto url = s.c.base() + "/analytics/dashboard";
  CHECK(get(url, s.c.manager.token).status == 200);
  CHECK(get(url, s.owner.token).status == 403);
  CHECK(get(url, t.resident(s.c).token).status == 403);
  CHECK(get(url, t.community().manager.token).status == 404);
  CHECK(get(url, "").status == 401);
  CHECK(get(url + "?from=2026-01-10&to=2026-01-01", s.c.manager.token).status == 422);
}

TEST_CASE("retention by monthly cohort: a resident first active weeks ago and active again now",
          "[manager][cohorts]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto early = buyer(s, 0, 0), fresh = buyer(s, 0, 1);
  std::int64_t base = 9'000'000 + s.c.id * 10;
  // 40 days ago (the app clock moved back and forward again): the early resident posts.
  t.advance_clock_ms(-40 * kDay);
  std::int64_t then = today();
  publish(s.c.id, "post.published", {{"post_id", base + 1}, {"club_id", 0}, {"author_id", early.account_id}});
  t.drain_events();
  t.advance_clock_ms(40 * kDay);
  // Now both post.
  publish(s.c.id, "post.published", {{"post_id", base + 2}, {"club_id", 0}, {"author_id", early.account_id}});
  publish(s.c.id, "post.published", {{"post_id", base + 3}, {"club_id", 0}, {"author_id", fresh.account_id}});
  t.drain_events();

  namespace logic = courtyard::analytics::logic;
  auto d = ok(s.c.base() + "/analytics/dashboard" + range(then, today()), s.c.manager.token);
  auto const& res = d.at("residents").as_object();
  CHECK(res.at("active").as_int64() == 2);
  std::string first = logic::format_month(logic::month_of(then)), now = logic::format_month(logic::month_of(today()));
  bool seen_first = false, seen_now = false;
  for (auto const& c : res.at("cohorts").as_array()) {
    auto months = c.at("months").as_array();
    if (c.at("cohort") == first.c_str()) {
      seen_first = true;
      CHECK(c.at("residents").as_int64() == 1);
      auto const& last = months.back();
      CHECK(last.at("month") == now.c_str());
      CHECK(last.at("active").as_int64() == 1);
      CHECK(last.at("retention").as_double() == Approx(1.0));
    } else if (c.at("cohort") == now.c_str()) {
      seen_now = true;
      CHECK(c.at("residents").as_int64() == 1);  // the fresh resident only: the early one's cohort is older
    }
  }
  CHECK(seen_first);
  CHECK(seen_now);
}
