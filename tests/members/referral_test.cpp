// Referrals: a resident's code (shops), an order placed with it, and the referrer's points
// (members "referral" rule) when that order completes: once per referred account and
// merchant, never for oneself, within the daily cap, exactly once with dispatchers racing.
#include "db/outbox.hpp"
#include "tests/members/helpers.hpp"

#include <thread>

using namespace members_test;

namespace {

struct Shop {
  Community c;
  Actor owner;
  std::int64_t mid = 0, pid = 0;
  std::string base() const { return c.base() + "/merchants/" + std::to_string(mid); }
};

Shop shop_in(Community const& c) {
  auto& t = TestApp::get();
  auto [owner, mid] = t.merchant(c);
  auto r = t.post(c.base() + "/merchants/" + std::to_string(mid) + "/products",
                  bj::object{{"name", "Loaf"}, {"price_cents", 300}, {"stock", 10000}}, owner.token);
  REQUIRE(r.status == 201);
  return Shop{c, owner, mid, r.id()};
}

Actor shopper(Community const& c) {
  auto& t = TestApp::get();
  auto a = t.resident(c);
  t.top_up(c, a, 100'000);
  return a;
}

std::string code_of(Community const& c, Actor const& who) {
  auto r = TestApp::get().post(c.base() + "/referral-code", bj::object{}, who.token);
  INFO(r.body);
  REQUIRE((r.status == 201 || r.status == 200));
  return std::string(r.json.at("code").as_string());
}

Result order(Shop const& s, Actor const& who, std::string const& code) {
  bj::object body{{"merchant_id", s.mid},
                  {"items", bj::array{bj::object{{"product_id", s.pid}, {"quantity", 1}}}},
                  {"fulfilment", "pickup"}};
  if (!code.empty()) body["referral_code"] = code;
  return TestApp::get().post(s.c.base() + "/orders", body, who.token);
}

// Orders with the code and completes the order (pickup redeemed); returns the order id.
std::int64_t referred_order(Shop const& s, Actor const& who, std::string const& code) {
  auto& t = TestApp::get();
  auto r = order(s, who, code);
  INFO(r.body);
  REQUIRE(r.status == 201);
  REQUIRE(t.post(s.c.base() + "/orders/" + std::to_string(r.id()) + "/accept", bj::object{}, s.owner.token).status ==
          200);
  auto done = t.post(s.base() + "/redemptions", bj::object{{"code", r.json.at("redemption_code")}}, s.owner.token);
  REQUIRE(done.status == 200);
  return r.id();
}

std::int64_t referral_postings(std::int64_t cid, std::int64_t account) {
  return scalar("SELECT COUNT(*) FROM members_points_postings WHERE community_id = :c AND account_id = :a AND "
                "source = 'referral'",
                soci::use(cid, "c"), soci::use(account, "a"));
}

}  // namespace

TEST_CASE("a referral code: created once, shared with a product or a group buy", "[members][referral]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto s = shop_in(c);
  auto me = t.resident(c);
  CHECK(t.get(c.base() + "/referral-code", me.token).status == 404);
  auto first = t.post(c.base() + "/referral-code", bj::object{}, me.token);
  REQUIRE(first.status == 201);
  CHECK(first.header("Location") == c.base() + "/referral-code");
  auto code = std::string(first.json.at("code").as_string());
  CHECK(code.size() == 10);
  CHECK(first.json.at("share").is_null());
  auto shared = t.post(c.base() + "/referral-code", bj::object{{"merchant_id", s.mid}, {"product_id", s.pid}}, me.token);
  REQUIRE(shared.status == 200);
  CHECK(shared.json.at("code").as_string() == code);
  CHECK(shared.json.at("share").at("kind") == "product");
  CHECK(std::string(shared.json.at("share").at("path").as_string()).find("referral_code=" + code) !=
        std::string::npos);
  CHECK(t.get(c.base() + "/referral-code", me.token).json.at("code").as_string() == code);
  // Errors: a product without its merchant, both kinds, unknown ids, wrong types.
  CHECK(t.post(c.base() + "/referral-code", bj::object{{"product_id", s.pid}}, me.token).status == 422);
  CHECK(t.post(c.base() + "/referral-code",
               bj::object{{"merchant_id", s.mid}, {"product_id", s.pid}, {"group_buy_id", 1}}, me.token)
            .status == 422);
  CHECK(t.post(c.base() + "/referral-code", bj::object{{"merchant_id", s.mid}, {"product_id", 999999999}}, me.token)
            .status == 404);
  CHECK(t.post(c.base() + "/referral-code", bj::object{{"group_buy_id", 999999999}}, me.token).status == 404);
  CHECK(t.post(c.base() + "/referral-code", bj::object{{"group_buy_id", "x"}}, me.token).status == 400);
  // Roles and communities: a courier is no resident (403); a stranger sees no community (404).
  CHECK(t.post(c.base() + "/referral-code", bj::object{}, t.courier(c).token).status == 403);
  auto other = t.community();
  auto stranger = t.resident(other);
  CHECK(t.get(c.base() + "/referral-code", stranger.token).status == 404);
  CHECK(t.post(c.base() + "/referral-code", bj::object{}, stranger.token).status == 404);
}

TEST_CASE("the referrer earns once per referred account and merchant, within the daily cap",
          "[members][referral]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto s1 = shop_in(c), s2 = shop_in(c), s3 = shop_in(c);
  set_rule(c, {{"kind", "referral"}, {"points", 50}, {"daily_cap", 150}});
  auto referrer = t.resident(c);
  auto code = code_of(c, referrer);

  auto a = shopper(c);
  referred_order(s1, a, code);
  t.drain_events();
  CHECK(points(c, referrer) == 50);
  // Same account, same merchant: nothing more; another merchant: once more.
  referred_order(s1, a, code);
  referred_order(s2, a, code);
  t.drain_events();
  CHECK(points(c, referrer) == 100);
  // Another account: +50 reaches the cap of 150; the next conversion that day earns nothing.
  referred_order(s1, shopper(c), code);
  referred_order(s3, a, code);
  t.drain_events();
  CHECK(points(c, referrer) == 150);
  CHECK(referral_postings(c.id, referrer.account_id) == 3);
  // The next day the cap starts again.
  t.advance_clock_ms(kDay);
  referrer = relogin(referrer);
  auto b = relogin(shopper(c));
  referred_order(s2, b, code);
  t.drain_events();
  CHECK(points(c, referrer) == 200);
  auto latest = membership(c, referrer).at("history").at(0);
  CHECK(latest.at("source") == "referral");
  check_ledger(c.id);
}

TEST_CASE("referral codes at checkout: own, unknown, malformed, other community; no points before completion",
          "[members][referral]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto s = shop_in(c);
  set_rule(c, {{"kind", "referral"}, {"points", 10}});
  auto referrer = shopper(c);
  auto code = code_of(c, referrer);
  auto self = order(s, referrer, code);
  CHECK(self.status == 422);
  CHECK(self.body.find("referral_code") != std::string::npos);
  auto buyer = shopper(c);
  CHECK(order(s, buyer, "ABCDEFGHJK").status == 422);   // well-formed, nobody's
  CHECK(order(s, buyer, "not a code!").status == 422);  // malformed
  auto other = t.community();
  auto foreign = t.resident(other);
  CHECK(order(s, buyer, code_of(other, foreign)).status == 422);
  auto balance = t.balance(c, buyer);
  CHECK(balance == 100'000);  // refused checkouts changed nothing
  // Placed but not completed, then cancelled: no points.
  auto placed = order(s, buyer, code);
  REQUIRE(placed.status == 201);
  REQUIRE(t.post(c.base() + "/orders/" + std::to_string(placed.id()) + "/cancel", bj::object{}, buyer.token).status ==
          200);
  t.drain_events();
  CHECK(points(c, referrer) == 0);
  // Codes are case and dash insensitive.
  std::string loose = code.substr(0, 5) + "-" + code.substr(5);
  for (auto& ch : loose) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  referred_order(s, buyer, loose);
  t.drain_events();
  CHECK(points(c, referrer) == 10);
}

TEST_CASE("referral earning is exactly once with dispatchers racing and two referrers of one account",
          "[members][referral][concurrency]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto s = shop_in(c);
  set_rule(c, {{"kind", "referral"}, {"points", 25}});
  auto r1 = t.resident(c), r2 = t.resident(c);
  auto buyer = shopper(c);
  auto o1 = referred_order(s, buyer, code_of(c, r1));
  auto o2 = referred_order(s, buyer, code_of(c, r2));
  std::vector<courtyard::events::Event> events;
  for (auto oid : {o1, o2}) {
    courtyard::events::Event e;
    e.topic = "order.completed";
    e.community_id = c.id;
    e.created_at = courtyard::db::now_ms();
    e.id = scalar("SELECT id FROM events WHERE community_id = :c AND topic = 'order.completed' AND payload LIKE :p",
                  soci::use(c.id, "c"), soci::use("%\"order_id\":" + std::to_string(oid) + ",%", "p"));
    REQUIRE(e.id > 0);
    e.payload = bj::object{{"community_id", c.id}, {"order_id", oid}, {"buyer_id", buyer.account_id},
                           {"merchant_id", s.mid}};
    events.push_back(e);
  }
  auto const* handler = t.app().bus().handler("members.referral", "order.completed");
  REQUIRE(handler);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] {
      courtyard::db::transact(t.app().db(), &t.app().bus(),
                              [&](courtyard::db::Tx& tx) { (*handler)(events[i % 2], tx); });
    });
  for (auto& th : threads) th.join();
  t.drain_events();
  CHECK(points(c, r1) + points(c, r2) == 25);
  CHECK(referral_postings(c.id, r1.account_id) + referral_postings(c.id, r2.account_id) == 1);
  check_ledger(c.id);
}
