// Recommendations from completed orders: co-occurrence shown only from k = 5 distinct buyers,
// popular in the building, new from the shops one buys from; opted-out residents are not
// counted (and opting out takes their evidence away); nothing crosses communities; the
// counters are exact under concurrent and repeated deliveries.
#include "db/query.hpp"
#include "db/outbox.hpp"
#include "services/recommendations/logic.hpp"
#include "tests/recommendations/helpers.hpp"
#include "tests/support/stored_events.hpp"

#include <thread>

using namespace recs_test;
namespace logic = courtyard::recommendations::logic;

namespace {

std::int64_t pair_buyers(std::int64_t cid, std::int64_t a, std::int64_t b) {
  auto& t = TestApp::get();
  return courtyard::db::read(t.app().db(), [&](soci::session& s) {
    return courtyard::db::scalar(s,
                                 "SELECT COALESCE(SUM(buyers), 0) FROM rec_pairs WHERE community_id = :c AND "
                                 "product_id = :a AND other_id = :b",
                                 soci::use(cid, "c"), soci::use(a, "a"), soci::use(b, "b"));
  });
}

}  // namespace

TEST_CASE("pairs a buyer adds: new with old and new with new, both directions, once", "[recommendations][logic]") {
  auto added = logic::pairs_added({1, 2}, {2, 3, 4});
  std::vector<logic::Pair> want{{1, 3}, {1, 4}, {2, 3}, {2, 4}, {3, 1}, {3, 2}, {3, 4}, {4, 1}, {4, 2}, {4, 3}};
  CHECK(added == want);
  CHECK(logic::pairs_added({1, 2}, {1, 2}).empty());
  CHECK(logic::all_pairs({5, 6}) == std::vector<logic::Pair>{{5, 6}, {6, 5}});
  CHECK(logic::pick({3, 1, 3, 2, 9}, {1}, 2) == std::vector<std::int64_t>{3, 2});
  // Partners of two seeds: 7 has 5 + 6 buyers, 8 has 9, 9 has 5.
  CHECK(logic::rank({{{8, 9}, {7, 5}}, {{7, 6}, {9, 5}}}) == std::vector<std::int64_t>{7, 8, 9});
  // Ties: the larger (newer) id first, as the index is read backwards.
  CHECK(logic::rank({{{3, 5}, {4, 5}}, {{2, 5}}}) == std::vector<std::int64_t>{4, 3, 2});
  // Seeds: the most recently first-bought products, ties by the larger id.
  CHECK(logic::recent({{1, 10}, {2, 30}, {3, 20}, {4, 30}}, 3) == std::vector<std::int64_t>{4, 2, 3});
  CHECK(logic::recent({{1, 10}}, 10) == std::vector<std::int64_t>{1});
  CHECK(logic::recent({}, 10).empty());
  // Look-up windows grow: shown x 2, then x 4 each round.
  CHECK(logic::first_window(10) == 20);
  CHECK(logic::next_window(logic::first_window(10)) == 80);
}

TEST_CASE("a list whose top candidates were taken off sale fills from the next ones", "[recommendations]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto s = shop_in(c);
  auto seed = product(s, "Seed");
  std::vector<std::int64_t> partners;
  for (int i = 0; i < 3; ++i) partners.push_back(product(s, "Partner " + std::to_string(i)));
  // Five buyers of everything in one building: the partners tie (5 buyers), the larger id first.
  for (int i = 0; i < 5; ++i) {
    std::vector<std::int64_t> all{seed};
    all.insert(all.end(), partners.begin(), partners.end());
    buy(s, resident(c, 0), all);
  }
  auto viewer = resident(c, 0);
  buy(s, viewer, {seed});
  t.drain_events();
  auto path = "/v1/me/recommendations?community_id=" + std::to_string(c.id) + "&limit=1";
  auto before = t.get(path, viewer.token);
  REQUIRE(before.status == 200);
  CHECK(ids(before.json.at("neighbours_also_bought")) == std::vector<std::int64_t>{partners[2]});
  CHECK(ids(before.json.at("popular_in_your_building")) == std::vector<std::int64_t>{partners[2]});
  // The first look-up window (2 x limit) holds only withdrawn products: a second round reads on.
  for (int i = 1; i < 3; ++i)
    REQUIRE(t.patch(s.product(partners[i]), bj::object{{"active", false}},
                    s.owner.token)
                .status == 200);
  auto after = t.get(path, viewer.token);
  REQUIRE(after.status == 200);
  CHECK(ids(after.json.at("neighbours_also_bought")) == std::vector<std::int64_t>{partners[0]});
  CHECK(ids(after.json.at("popular_in_your_building")) == std::vector<std::int64_t>{partners[0]});
  auto one = t.get(c.base() + "/products/" + std::to_string(seed) + "/recommendations?limit=1", viewer.token);
  REQUIRE(one.status == 200);
  CHECK(ids(one.json.at("neighbours_also_bought")) == std::vector<std::int64_t>{partners[0]});
  // Without a limit every partner still for sale is shown, none twice.
  CHECK(also_bought(c, viewer, seed) == std::vector<std::int64_t>{partners[0]});
}

TEST_CASE("neighbours also bought needs five distinct buyers of the pair", "[recommendations]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto s = shop_in(c);
  auto bread = product(s, "Bread"), butter = product(s, "Butter"), jam = product(s, "Jam");
  std::vector<Actor> buyers;
  for (int i = 0; i < 4; ++i) buyers.push_back(resident(c, i % 3));
  // One of them buys the pair many times: still one buyer.
  for (int i = 0; i < 3; ++i) buy(s, buyers[0], {bread, butter});
  for (int i = 1; i < 4; ++i) {
    buy(s, buyers[i], {bread});
    buy(s, buyers[i], {butter, jam});  // the pair across two orders counts too
  }
  auto viewer = resident(c);
  buy(s, viewer, {bread});
  t.drain_events();
  CHECK(pair_buyers(c.id, bread, butter) == 4);
  CHECK_FALSE(has(also_bought(c, viewer, bread), butter));
  CHECK_FALSE(has(ids(mine(c, viewer).at("neighbours_also_bought")), butter));

  auto fifth = resident(c, 1);
  buy(s, fifth, {bread, butter});
  t.drain_events();
  CHECK(pair_buyers(c.id, bread, butter) == 5);
  CHECK(has(also_bought(c, viewer, bread), butter));
  auto m = mine(c, viewer);
  CHECK(m.at("personalised").as_bool());
  CHECK(has(ids(m.at("neighbours_also_bought")), butter));
  CHECK_FALSE(has(ids(m.at("neighbours_also_bought")), bread));  // never what I bought already
  // jam + bread: only three buyers.
  CHECK_FALSE(has(also_bought(c, viewer, bread), jam));
  // Nothing about who or how many.
  auto body = t.get(c.base() + "/products/" + std::to_string(bread) + "/recommendations", viewer.token).body;
  CHECK(body.find("buyer_id") == std::string::npos);
  CHECK(body.find("account") == std::string::npos);
}

TEST_CASE("k-anonymity: one neighbour's purchases cannot be learned", "[recommendations][privacy]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto s = shop_in(c);
  auto milk = product(s, "Milk"), test_kit = product(s, "Pregnancy test");
  // Milk is popular; one target also buys the sensitive product.
  std::vector<Actor> crowd;
  for (int i = 0; i < 6; ++i) {
    crowd.push_back(resident(c, 0));
    buy(s, crowd.back(), {milk});
  }
  auto target = resident(c, 0);
  buy(s, target, {milk, test_kit});
  // The attacker and three accomplices buy milk and look at every list, from every angle.
  auto attacker = resident(c, 0);
  buy(s, attacker, {milk});
  std::vector<Actor> accomplices;
  for (int i = 0; i < 3; ++i) {
    accomplices.push_back(resident(c, 0));
    buy(s, accomplices.back(), {milk, test_kit});
  }
  t.drain_events();
  CHECK(pair_buyers(c.id, milk, test_kit) == 4);  // target + 3 accomplices: below k
  CHECK_FALSE(has(also_bought(c, attacker, milk), test_kit));
  auto m = mine(c, attacker);
  CHECK_FALSE(has(ids(m.at("neighbours_also_bought")), test_kit));
  CHECK_FALSE(has(ids(m.at("popular_in_your_building")), test_kit));
  auto fresh = mine(c, resident(c, 0));  // bought nothing: sees the building's popular products
  CHECK(has(ids(fresh.at("popular_in_your_building")), milk));
  CHECK_FALSE(has(ids(fresh.at("popular_in_your_building")), test_kit));
  for (auto const& a : accomplices) {
    CHECK_FALSE(has(also_bought(c, a, milk), test_kit));
    CHECK_FALSE(has(ids(mine(c, a).at("popular_in_your_building")), test_kit));
  }
  // The sensitive product's own page says nothing either (milk is bought with it by 4 only).
  CHECK(also_bought(c, attacker, test_kit).empty());
  // Another resident's list cannot be asked for: there is no account parameter, and a
  // manager (not a resident) is refused.
  auto r = t.get("/v1/me/recommendations?community_id=" + std::to_string(c.id) + "&account_id=" +
                     std::to_string(target.account_id),
                 attacker.token);
  REQUIRE(r.status == 200);
  CHECK_FALSE(has(ids(r.json.at("neighbours_also_bought")), test_kit));
  CHECK(t.get("/v1/me/recommendations?community_id=" + std::to_string(c.id), c.manager.token).status == 403);
}

TEST_CASE("opted-out residents are not profiled, and opting out later removes their evidence",
          "[recommendations][consent]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto s = shop_in(c);
  auto tea = product(s, "Tea"), honey = product(s, "Honey");
  std::vector<Actor> buyers;
  for (int i = 0; i < 5; ++i) {
    buyers.push_back(resident(c));
    buy(s, buyers.back(), {tea, honey});
  }
  auto quiet = resident(c);
  set_consent(quiet, false);
  buy(s, quiet, {tea, honey});
  auto viewer = resident(c);
  buy(s, viewer, {tea});
  t.drain_events();
  CHECK(pair_buyers(c.id, tea, honey) == 5);  // the opted-out buyer is not evidence
  CHECK(has(also_bought(c, viewer, tea), honey));
  auto q = mine(c, quiet);
  CHECK_FALSE(q.at("personalised").as_bool());
  CHECK(q.at("neighbours_also_bought").as_array().empty());
  CHECK(q.at("new_from_your_shops").as_array().empty());

  // One of the five opts out: the pair drops below k at once (after the event).
  set_consent(buyers[0], false);
  t.drain_events();
  CHECK(pair_buyers(c.id, tea, honey) == 4);
  CHECK_FALSE(has(also_bought(c, viewer, tea), honey));
  CHECK_FALSE(has(ids(mine(c, viewer).at("popular_in_your_building")), honey));
  // Opting in again counts only later orders.
  set_consent(buyers[0], true);
  t.drain_events();
  CHECK(pair_buyers(c.id, tea, honey) == 4);
  buy(s, buyers[0], {tea, honey});
  t.drain_events();
  CHECK(pair_buyers(c.id, tea, honey) == 5);
}

TEST_CASE("popular in your building and new from your shops", "[recommendations]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto s = shop_in(c);
  auto other = shop_in(c);
  auto eggs = product(s, "Eggs"), flour = product(s, "Flour");
  auto cake = product(other, "Cake");
  for (int i = 0; i < 5; ++i) buy(s, resident(c, i % 3), {eggs});
  for (int i = 0; i < 4; ++i) buy(s, resident(c, i % 3), {flour});
  auto me = resident(c, 2);
  buy(other, me, {cake});
  t.drain_events();
  auto m = mine(c, me);
  CHECK(has(ids(m.at("popular_in_your_building")), eggs));
  CHECK_FALSE(has(ids(m.at("popular_in_your_building")), flour));  // four buyers only
  CHECK(m.at("new_from_your_shops").as_array().empty());            // cake: I bought it

  auto scone = product(other, "Scone");
  auto pie = product(s, "Pie");
  m = mine(c, me);
  CHECK(has(ids(m.at("new_from_your_shops")), scone));
  CHECK_FALSE(has(ids(m.at("new_from_your_shops")), pie));  // a shop I never bought from
  // A product taken off sale disappears from every list.
  REQUIRE(t.patch(other.product(scone), bj::object{{"active", false}},
                  other.owner.token)
              .status == 200);
  CHECK_FALSE(has(ids(mine(c, me).at("new_from_your_shops")), scone));
  // Limits.
  auto r = t.get("/v1/me/recommendations?community_id=" + std::to_string(c.id) + "&limit=1", me.token);
  REQUIRE(r.status == 200);
  CHECK(r.json.at("popular_in_your_building").as_array().size() <= 1);
}

TEST_CASE("another community's data never appears; errors", "[recommendations][access]") {
  auto& t = TestApp::get();
  auto c1 = t.community(), c2 = t.community();
  auto s1 = shop_in(c1);
  auto a = product(s1, "A"), b = product(s1, "B");
  for (int i = 0; i < 5; ++i) buy(s1, resident(c1), {a, b});
  auto s2 = shop_in(c2);
  auto x = product(s2, "X");
  auto r2 = resident(c2);
  buy(s2, r2, {x});
  t.drain_events();
  // A resident of c2 asking about c1 (their product ids, their community) gets 404s.
  CHECK(t.get("/v1/me/recommendations?community_id=" + std::to_string(c1.id), r2.token).status == 404);
  CHECK(t.get(c1.base() + "/products/" + std::to_string(a) + "/recommendations", r2.token).status == 404);
  CHECK(t.get(c2.base() + "/products/" + std::to_string(a) + "/recommendations", r2.token).status == 404);
  auto m = mine(c2, r2);
  for (auto key : {"neighbours_also_bought", "popular_in_your_building", "new_from_your_shops"})
    for (auto id : ids(m.at(key))) CHECK(id == x);
  // Bad input: problem+json, 422 / 400.
  auto missing = t.get("/v1/me/recommendations", r2.token);
  CHECK(missing.status == 422);
  CHECK(missing.header("Content-Type").find("application/problem+json") != std::string::npos);
  CHECK(t.get("/v1/me/recommendations?community_id=abc", r2.token).status == 422);
  CHECK(t.get("/v1/me/recommendations?community_id=" + std::to_string(c2.id) + "&limit=0", r2.token).status == 422);
  CHECK(t.get("/v1/me/recommendations?community_id=" + std::to_string(c2.id) + "&limit=51", r2.token).status == 422);
  CHECK(t.get("/v1/me/recommendations?community_id=" + std::to_string(c2.id)).status == 401);
  CHECK(t.get(c2.base() + "/products/999999999/recommendations", r2.token).status == 404);
  // A courier is a member (may read a product's list) but no resident (no personal list).
  auto courier = t.courier(c2);
  CHECK(t.get("/v1/me/recommendations?community_id=" + std::to_string(c2.id), courier.token).status == 403);
  CHECK(t.get(c2.base() + "/products/" + std::to_string(x) + "/recommendations", courier.token).status == 200);
}

TEST_CASE("counters stay exact with concurrent and repeated deliveries", "[recommendations][concurrency]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto s = shop_in(c);
  auto p = product(s, "P"), q = product(s, "Q");
  constexpr int kBuyers = 8;
  std::vector<Actor> buyers;
  for (int i = 0; i < kBuyers; ++i) buyers.push_back(resident(c, i % 3));
  std::vector<std::int64_t> orders;
  for (auto const& b : buyers) orders.push_back(buy(s, b, {p, q}));
  // Deliver every order.completed from two threads at once, straight to the subscriber (as
  // two dispatchers would), in a shuffled order; then once more through the outbox.
  auto events = courtyard::test::stored_events(t, c.id, "topic = 'order.completed'");
  REQUIRE(events.size() == kBuyers);
  auto const* handler = t.app().bus().handler("recommendations.order_completed", "order.completed");
  REQUIRE(handler);
  auto run = [&](bool reverse) {
    for (std::size_t i = 0; i < events.size(); ++i) {
      auto const& e = events[reverse ? events.size() - 1 - i : i];
      courtyard::db::transact(t.app().db(), &t.app().bus(), [&](courtyard::db::Tx& tx) { (*handler)(e, tx); });
    }
  };
  std::thread a(run, false), b(run, true);
  a.join();
  b.join();
  t.drain_events();
  CHECK(pair_buyers(c.id, p, q) == kBuyers);
  CHECK(pair_buyers(c.id, q, p) == kBuyers);
  // Concurrent opt-outs and a concurrent order of the same buyers.
  std::vector<std::thread> threads;
  std::vector<int> statuses(3, 0);
  for (int i = 0; i < 3; ++i) threads.emplace_back([&, i] { statuses[i] = put_consent(buyers[i], false).status; });
  for (auto& th : threads) th.join();
  CHECK(statuses == std::vector<int>{200, 200, 200});
  t.drain_events();
  CHECK(pair_buyers(c.id, p, q) == kBuyers - 3);
}

TEST_CASE("recommendations: access walk", "[recommendations][access]") {
  courtyard::test::walk_access(TestApp::get(), "recommendations");
}
