// The points ledger's invariants: balanced postings, no member below zero (with
// threads racing), lots consumed oldest first, expiry only of what is left,
// currencies never mixed.
#include "services/members/api.hpp"
#include "tests/members/helpers.hpp"

#include <atomic>
#include <thread>
#include <vector>

using namespace members_test;
using courtyard::db::Tx;
using courtyard::members::Points;
using soci::use;

namespace {

std::int64_t debit(Community const& c, Actor const& who, std::int64_t n, std::string const& ref) {
  auto& t = TestApp::get();
  return courtyard::db::transact(t.app().db(), &t.app().bus(), [&](Tx& tx) {
    return courtyard::members::debit(tx, c.id, who.account_id, Points(n), ref);
  });
}

std::int64_t lot_remaining(Community const& c, Actor const& who, std::string const& source_ref) {
  return scalar(
      "SELECT l.remaining FROM members_points_lots l JOIN members_points_postings p ON p.id = l.posting_id "
      "WHERE l.community_id = :c AND l.account_id = :a AND p.source_ref = :r",
      use(c.id, "c"), use(who.account_id, "a"), use(source_ref, "r"));
}

bool rejected(std::string const& sql) {
  auto& t = TestApp::get();
  try {
    courtyard::db::transact(t.app().db(), &t.app().bus(), [&](Tx& tx) { tx.exec(sql); });
    return false;
  } catch (std::exception const&) {
    return true;
  }
}

}  // namespace

TEST_CASE("spending takes the oldest lots first and expiry takes only what is left", "[members][ledger][expiry]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c);
  REQUIRE(t.call("PUT", loyalty(c, "program"), bj::value(bj::object{{"expiry_days", 3}, {"notice_days", 1}}),
                 c.manager.token)
              .status == 200);
  set_rule(c, {{"kind", "event_attended"}, {"points", 100}});
  checked_in(c, r, 1);  // lot A: day 0, expires day 3
  t.drain_events();
  t.advance_clock_ms(kDay);
  checked_in(c, r, 2);  // lot B: day 1, expires day 4
  t.drain_events();
  REQUIRE(points(c, r) == 200);

  // 130 points spent: all of A, 30 of B.
  CHECK(debit(c, r, 130, "test:spend-1") == 130);
  CHECK(lot_remaining(c, r, "event:1") == 0);
  CHECK(lot_remaining(c, r, "event:2") == 70);
  // The same reference again changes nothing; more than the balance is refused whole.
  CHECK(debit(c, r, 130, "test:spend-1") == 0);
  CHECK_THROWS_AS(debit(c, r, 71, "test:spend-2"), courtyard::Conflict);
  CHECK(points(c, r) == 70);

  auto expiring_events = [&] {
    return scalar("SELECT COUNT(*) FROM events WHERE topic = 'points.expiring' AND community_id = :c", use(c.id, "c"));
  };
  // Day 2: B expires in two days, outside the one-day notice. Day 3.5: inside it, told once.
  t.advance_clock_ms(kDay);
  REQUIRE(t.run_job("members.announce_expiring_points"));
  CHECK(expiring_events() == 0);
  t.advance_clock_ms(kDay + kDay / 2);
  REQUIRE(t.run_job("members.announce_expiring_points"));
  REQUIRE(t.run_job("members.announce_expiring_points"));
  CHECK(expiring_events() == 1);
  t.drain_events();
  auto notes = t.get("/v1/me/notifications", r.token);
  INFO(notes.body);
  REQUIRE(notes.status == 200);
  bool told = false;
  for (auto const& n : notes.json.at("items").as_array())
    if (n.at("type") == "points.expiring") {
      told = true;
      CHECK(std::string(n.at("title").as_string()).rfind("70 points expire on ", 0) == 0);
    }
  CHECK(told);
  auto m = membership(c, r);
  REQUIRE(m.at("expiring").as_array().size() == 1);
  CHECK(m.at("expiring").at(0).at("points").as_int64() == 70);

  // Day 5: both lots are past their date; A was spent, so only B's 70 expire, once.
  t.advance_clock_ms(kDay + kDay / 2);
  REQUIRE(t.run_job("members.expire_points"));
  REQUIRE(t.run_job("members.expire_points"));
  CHECK(points(c, r) == 0);
  CHECK(
      scalar("SELECT COALESCE(SUM(points), 0) FROM members_points_postings WHERE community_id = :c AND kind = 'expire'",
             use(c.id, "c")) == 70);
  CHECK(scalar("SELECT COUNT(*) FROM members_points_postings WHERE community_id = :c AND kind = 'expire'",
               use(c.id, "c")) == 1);
  CHECK(membership(c, r).at("history").at(0).at("points").as_int64() == -70);
  check_ledger(c.id);
}

TEST_CASE("expiry racing spending never expires spent points nor goes below zero", "[members][ledger][concurrency]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c);
  REQUIRE(t.call("PUT", loyalty(c, "program"), bj::value(bj::object{{"expiry_days", 1}}), c.manager.token).status ==
          200);
  set_rule(c, {{"kind", "event_attended"}, {"points", 10}});
  for (int i = 0; i < 10; ++i) checked_in(c, r, 100 + i);
  t.drain_events();
  REQUIRE(points(c, r) == 100);
  t.advance_clock_ms(2 * kDay);

  // Eight spenders of 30 and two expiry jobs at once: whatever order, spent +
  // expired = 100.
  std::atomic<int> spent{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      try {
        spent += static_cast<int>(debit(c, r, 30, "race:" + std::to_string(i)));
      } catch (courtyard::Conflict const&) {
      }
    });
  for (int i = 0; i < 2; ++i)
    threads.emplace_back(
        [&] { courtyard::members::expire_due_points(t.app().db(), t.app().bus(), courtyard::db::now_ms()); });
  for (auto& th : threads) th.join();
  auto expired = scalar(
      "SELECT COALESCE(SUM(points), 0) FROM members_points_postings WHERE community_id = :c "
      "AND kind = 'expire'",
      use(c.id, "c"));
  CHECK(spent.load() % 30 == 0);
  CHECK(spent.load() <= 90);
  CHECK(spent.load() + expired == 100);
  CHECK(points(c, r) == 0);
  check_ledger(c.id);
}

TEST_CASE("concurrent debits never take a member below zero", "[members][ledger][concurrency]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c);
  set_rule(c, {{"kind", "order_completed"}, {"points", 1}});
  order_completed(c, r, 1, 10000);  // 100 points
  t.drain_events();
  std::atomic<int> ok{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 12; ++i)
    threads.emplace_back([&, i] {
      try {
        if (debit(c, r, 15, "spend:" + std::to_string(i)) == 15) ++ok;
      } catch (courtyard::Conflict const& e) {
        if (e.slug() == "insufficient-points") ++refused;
      }
    });
  for (auto& th : threads) th.join();
  CHECK(ok.load() == 6);  // 6 x 15 = 90 <= 100 < 105
  CHECK(refused.load() == 6);
  CHECK(points(c, r) == 10);
  check_ledger(c.id);
}

TEST_CASE("the database refuses an entry in another currency and a member below zero",
          "[members][ledger][constraints]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c);
  set_rule(c, {{"kind", "event_attended"}, {"points", 5}});
  checked_in(c, r, 1);
  t.drain_events();
  auto posting = scalar("SELECT MAX(id) FROM members_points_postings WHERE community_id = :c", use(c.id, "c"));
  auto account = scalar(
      "SELECT id FROM members_points_accounts WHERE "
      "community_id = :c AND owner_kind = 'member'",
      use(c.id, "c"));
  REQUIRE(posting > 0);
  REQUIRE(account > 0);
  std::string p = std::to_string(posting), a = std::to_string(account), cid = std::to_string(c.id);
  // Cents can never be written into the points ledger: not as an entry, a
  // posting or an account.
  CHECK(
      rejected("INSERT INTO members_points_entries (posting_id, account_id, community_id, currency, amount, "
               "balance_after, created_at) VALUES (" +
               p + ", " + a + ", " + cid + ", 'cents', 5, 5, 0)"));
  CHECK(rejected("UPDATE members_points_postings SET currency = 'cents' WHERE id = " + p));
  CHECK(rejected("UPDATE members_points_accounts SET currency = 'cents' WHERE id = " + a));
  // An entry must belong to an existing points posting and account.
  CHECK(
      rejected("INSERT INTO members_points_entries (posting_id, account_id, community_id, currency, amount, "
               "balance_after, created_at) VALUES (999999999, " +
               a + ", " + cid + ", 'points', 5, 5, 0)"));
  // A member account below zero, a lot with more left than it held.
  CHECK(rejected("UPDATE members_points_accounts SET balance = -1 WHERE id = " + a));
  CHECK(
      rejected("UPDATE members_points_lots SET remaining = points + 1 WHERE "
               "community_id = " +
               cid));
  // The same source event twice for one member.
  CHECK(
      rejected("INSERT INTO members_points_postings (community_id, account_id, currency, kind, points, source, "
               "source_ref, source_event_id, created_at) SELECT community_id, account_id, 'points', 'earn', 1, "
               "'event', 'event:other', source_event_id, 0 FROM "
               "members_points_postings WHERE id = " +
               p));
  check_ledger(c.id);
}
