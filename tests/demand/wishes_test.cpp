// C2B wishes: posting, joining once per resident (also under concurrency), what merchants of
// the category see, answering with a group buy, and the joiners' notifications.
#include "db/query.hpp"
#include "tests/shops/support.hpp"
#include "tests/support/threads.hpp"

#include <algorithm>

using namespace shops_test;
using courtyard::test::in_threads;

namespace {

std::string closes_in(std::int64_t ms) { return courtyard::json::rfc3339(courtyard::db::now_ms() + ms); }

std::int64_t post_wish(Community const& c, Actor const& who, std::string title, std::string category) {
  auto r = TestApp::get().post(c.base() + "/wishes", {{"title", title}, {"category", category}}, who.token);
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.id();
}

std::string wish_url(Community const& c, std::int64_t id) { return c.base() + "/wishes/" + std::to_string(id); }

bj::object offer(std::int64_t pid) {
  return {{"product_id", pid}, {"unit_price_cents", 500}, {"min_participants", 2}, {"closes_at", closes_in(3'600'000)}};
}

bool notified(Actor const& who, std::int64_t wish_id) {
  auto r = TestApp::get().get("/v1/me/notifications?limit=100", who.token);
  REQUIRE(r.status == 200);
  for (auto const& n : r.json.at("items").as_array())
    if (n.at("type").as_string() == "wish.answered" && n.at("data").at("wish_id").as_int64() == wish_id) return true;
  return false;
}

}  // namespace

TEST_CASE("a wish is posted, joined, seen by its category's merchants and answered with a group buy",
          "[demand][wishes]") {
  auto& t = TestApp::get();
  auto s = shop("grocery");
  auto bakery = second_shop(s);
  auto eggs = product(s, "Organic eggs (10)", 700, 50);
  auto bread = product(bakery, "Rye bread", 400, 10);
  auto alice = buyer(s, 0, 0), bob = buyer(s, 0, 1), carol = buyer(s, 0, 2);

  auto wid = post_wish(s.c, alice, "  Organic eggs,   weekly ", "Grocery");
  auto w = t.get(wish_url(s.c, wid), alice.token);
  REQUIRE(w.status == 200);
  CHECK(w.json.at("title").as_string() == "organic eggs, weekly");
  CHECK(w.json.at("category").as_string() == "grocery");
  CHECK(w.json.at("joiners").as_int64() == 1);
  CHECK(w.json.at("joined").as_bool());
  CHECK(w.json.at("mine").as_bool());
  CHECK(!w.json.as_object().contains("author_id"));

  // Neighbours join, once each.
  auto j = t.post(wish_url(s.c, wid) + "/join", bj::object{}, bob.token);
  REQUIRE(j.status == 201);
  CHECK(j.json.at("joiners").as_int64() == 2);
  CHECK(!j.json.at("mine").as_bool());
  auto again = t.post(wish_url(s.c, wid) + "/join", bj::object{}, bob.token);
  CHECK(again.status == 409);
  CHECK(again.problem_type() == "/problems/already-joined");
  CHECK(t.post(wish_url(s.c, wid) + "/join", bj::object{}, alice.token).status == 409);
  REQUIRE(t.post(wish_url(s.c, wid) + "/join", bj::object{}, carol.token).status == 201);

  // The grocery sees it with its count and nobody's identity; the bakery does not see it.
  auto mine = t.get(s.c.base() + "/wishes?merchant_id=" + std::to_string(s.mid), s.owner.token);
  REQUIRE(mine.status == 200);
  REQUIRE(mine.json.at("items").as_array().size() == 1);
  CHECK(mine.json.at("items").at(0).at("joiners").as_int64() == 3);
  CHECK(mine.body.find("account") == std::string::npos);
  CHECK(mine.body.find("author") == std::string::npos);
  CHECK(t.get(s.c.base() + "/wishes?merchant_id=" + std::to_string(bakery.mid), bakery.owner.token)
            .json.at("items")
            .as_array()
            .empty());
  CHECK(t.get(s.c.base() + "/wishes?merchant_id=" + std::to_string(s.mid), bakery.owner.token).status == 403);
  CHECK(t.get(s.c.base() + "/wishes?merchant_id=x", bakery.owner.token).status == 422);
  CHECK(t.get(s.c.base() + "/wishes?category=grocery&status=open", carol.token).json.at("items").as_array().size() ==
        1);
  CHECK(t.get(s.c.base() + "/wishes?status=closed", carol.token).status == 422);

  // Only a merchant of the category, with its own product, answers.
  CHECK(t.post(wish_url(s.c, wid) + "/answer", offer(eggs), alice.token).status == 403);
  CHECK(t.post(wish_url(s.c, wid) + "/answer", offer(bread), s.owner.token).status == 403);  // not its product
  CHECK(t.post(wish_url(s.c, wid) + "/answer", offer(eggs), bakery.owner.token).status == 403);  // not its product
  CHECK(t.post(wish_url(s.c, wid) + "/answer", offer(bread), bakery.owner.token).status == 403);  // not its category
  auto bad = offer(eggs);
  bad["min_participants"] = 0;
  bad["closes_at"] = closes_in(-1000);
  auto invalid = t.post(wish_url(s.c, wid) + "/answer", bad, s.owner.token);
  CHECK(invalid.status == 422);
  CHECK(t.post(wish_url(s.c, wid) + "/answer", {{"product_id", "eggs"}}, s.owner.token).status == 400);

  auto a = t.post(wish_url(s.c, wid) + "/answer", offer(eggs), s.owner.token);
  INFO(a.body);
  REQUIRE(a.status == 201);
  CHECK(a.json.at("status").as_string() == "answered");
  auto gid = a.json.at("group_buy").at("id").as_int64();
  CHECK(a.json.at("group_buy_id").as_int64() == gid);
  CHECK(a.json.at("group_buy").at("product_id").as_int64() == eggs);
  // The group buy is an ordinary one: residents join it with held funds.
  t.top_up(s.c, bob, 5000);
  CHECK(t.post(s.c.base() + "/group-buys/" + std::to_string(gid) + "/join", {{"quantity", 1}}, bob.token).status ==
        201);

  // Answered once; no more joins to the wish itself.
  CHECK(t.post(wish_url(s.c, wid) + "/answer", offer(eggs), s.owner.token).status == 409);
  auto late = buyer(s, 0, 0);
  auto closed = t.post(wish_url(s.c, wid) + "/join", bj::object{}, late.token);
  CHECK(closed.status == 409);
  CHECK(closed.problem_type() == "/problems/wish-not-open");

  // Events, and every joiner is told.
  CHECK(events(s.c, "wish.created").size() == 1);
  CHECK(events(s.c, "wish.joined").size() == 2);
  auto answered = events(s.c, "wish.answered");
  REQUIRE(answered.size() == 1);
  CHECK(answered[0].at("group_buy_id").as_int64() == gid);
  CHECK(!answered[0].contains("author_id"));
  t.drain_events();
  CHECK(notified(alice, wid));
  CHECK(notified(bob, wid));
  CHECK(notified(carol, wid));
  CHECK(!notified(late, wid));
}

TEST_CASE("wishes refuse bad input, other communities and the wrong roles", "[demand][wishes]") {
  auto& t = TestApp::get();
  auto s = shop("grocery");
  auto r = buyer(s, 0);
  auto base = s.c.base() + "/wishes";
  CHECK(t.post(base, {{"title", ""}, {"category", "grocery"}}, r.token).status == 422);
  CHECK(t.post(base, {{"title", "!!!"}, {"category", "grocery"}}, r.token).status == 422);
  CHECK(t.post(base, {{"title", "eggs"}}, r.token).status == 422);
  CHECK(t.post(base, {{"title", 5}, {"category", "grocery"}}, r.token).status == 400);
  CHECK(t.post(base, {{"title", "eggs"}, {"category", "grocery"}}, t.courier(s.c).token).status == 403);
  CHECK(t.post(base, {{"title", "eggs"}, {"category", "grocery"}}, s.c.manager.token).status == 403);
  auto wid = post_wish(s.c, r, "eggs", "grocery");
  CHECK(t.post(wish_url(s.c, wid) + "/join", bj::object{}, s.c.manager.token).status == 403);
  CHECK(t.get(wish_url(s.c, 999999999), r.token).status == 404);

  auto other = t.community();
  auto stranger = t.resident(other);
  CHECK(t.get(wish_url(s.c, wid), stranger.token).status == 404);
  CHECK(t.post(wish_url(s.c, wid) + "/join", bj::object{}, stranger.token).status == 404);
  // The wish's id under another community is not found there.
  CHECK(t.get(wish_url(other, wid), stranger.token).status == 404);
  CHECK(t.post(wish_url(other, wid) + "/join", bj::object{}, stranger.token).status == 404);
}

TEST_CASE("one join per resident under concurrency, and every neighbour counted", "[demand][wishes][concurrency]") {
  auto& t = TestApp::get();
  auto s = shop("grocery");
  auto author = buyer(s, 0);
  auto wid = post_wish(s.c, author, "fresh tofu", "grocery");

  // The same resident from 8 threads: exactly one join.
  auto eager = buyer(s, 0, 1);
  std::vector<int> statuses(8);
  in_threads(8, [&](int i) { statuses[i] = t.post(wish_url(s.c, wid) + "/join", bj::object{}, eager.token).status; });
  CHECK(std::count(statuses.begin(), statuses.end(), 201) == 1);
  CHECK(std::count(statuses.begin(), statuses.end(), 409) == 7);

  // 8 different neighbours at once: all counted.
  std::vector<Actor> neighbours;
  for (int i = 0; i < 8; ++i) neighbours.push_back(buyer(s, 0, static_cast<std::size_t>(i % 3)));
  std::vector<int> joined(8);
  in_threads(8, [&](int i) { joined[i] = t.post(wish_url(s.c, wid) + "/join", bj::object{}, neighbours[i].token).status; });
  CHECK(std::count(joined.begin(), joined.end(), 201) == 8);

  auto w = t.get(wish_url(s.c, wid), author.token);
  REQUIRE(w.status == 200);
  CHECK(w.json.at("joiners").as_int64() == 10);
  std::int64_t rows = 0;
  courtyard::db::transact(t.app().db(), nullptr, [&](courtyard::db::Tx& tx) {
    rows = courtyard::db::scalar(tx, "SELECT COUNT(*) FROM wish_joiners WHERE wish_id = :w", soci::use(wid, "w"));
  });
  CHECK(rows == 10);
}

TEST_CASE("the wish list pages newest first through its cursor", "[demand][wishes][pagination]") {
  auto& t = TestApp::get();
  auto s = shop("grocery");
  auto r = buyer(s, 0);
  std::vector<std::int64_t> posted;
  for (char const* title : {"eggs", "milk", "honey"}) posted.push_back(post_wish(s.c, r, title, "grocery"));
  std::vector<std::int64_t> seen;
  std::string cursor;
  for (int page = 0; page < 5; ++page) {
    auto res = t.get(s.c.base() + "/wishes?limit=2" + (cursor.empty() ? std::string() : "&cursor=" + cursor), r.token);
    REQUIRE(res.status == 200);
    for (auto const& w : res.json.at("items").as_array()) seen.push_back(w.at("id").as_int64());
    if (res.json.at("next_cursor").is_null()) break;
    cursor = std::string(res.json.at("next_cursor").as_string());
  }
  CHECK(seen == std::vector<std::int64_t>(posted.rbegin(), posted.rend()));  // each once, newest first
}
