// Posts, comments, likes, reports and moderation.
#include "tests/clubs/helpers.hpp"

#include <atomic>

using namespace courtyard::test;
using namespace courtyard::test::clubs;

namespace {

std::int64_t publish(TestApp& t, Community const& c, Actor const& who, std::string const& body,
                     std::int64_t club = 0) {
  bj::object o{{"body", body}};
  if (club) o["club_id"] = club;
  auto r = t.post(c.base() + "/posts", o, who.token);
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.id();
}

std::vector<std::int64_t> feed_ids(TestApp& t, std::string const& target, Actor const& who) {
  auto r = t.get(target, who.token);
  REQUIRE(r.status == 200);
  std::vector<std::int64_t> ids;
  for (auto const& p : r.json.at("items").as_array()) ids.push_back(p.at("id").as_int64());
  return ids;
}

}  // namespace

TEST_CASE("posts: community feed, newest first, paged; post.published consumed", "[clubs][posts]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto alice = t.resident(c);
  auto courier = t.courier(c);

  auto r = t.post(c.base() + "/posts", {{"body", "Lost cat near building A"}}, alice.token);
  REQUIRE(r.status == 201);
  auto p1 = r.id();
  CHECK(r.header("Location") == post_path(c, p1));
  CHECK(r.json.at("club_id").is_null());
  CHECK(r.json.at("author_id").as_int64() == alice.account_id);
  CHECK(r.json.at("like_count").as_int64() == 0);
  CHECK_FALSE(r.json.as_object().contains("report_count"));  // moderation fields are for managers
  auto p2 = publish(t, c, courier, "Deliveries late today");
  auto p3 = publish(t, c, c.manager, "Water off on Friday");

  CHECK(feed_ids(t, c.base() + "/posts", alice) == std::vector<std::int64_t>{p3, p2, p1});
  r = t.get(c.base() + "/posts?limit=2", alice.token);
  REQUIRE(r.json.at("items").as_array().size() == 2);
  CHECK(feed_ids(t, c.base() + "/posts?limit=2&cursor=" + str(r, "next_cursor"), alice) ==
        std::vector<std::int64_t>{p1});
  r = t.get(post_path(c, p1), courier.token);
  REQUIRE(r.status == 200);
  CHECK(str(r, "body") == "Lost cat near building A");
  CHECK_FALSE(r.json.at("liked_by_me").as_bool());

  CHECK(t.post(c.base() + "/posts", {{"body", ""}}, alice.token).status == 422);
  CHECK(t.post(c.base() + "/posts", bj::object{}, alice.token).status == 422);
  CHECK(t.post(c.base() + "/posts", {{"body", std::string(5001, 'a')}}, alice.token).status == 422);
  CHECK(t.post(c.base() + "/posts", {{"body", 7}}, alice.token).status == 400);
  CHECK(t.post(c.base() + "/posts", {{"body", "x"}, {"club_id", "1"}}, alice.token).status == 400);
  CHECK(t.post(c.base() + "/posts", {{"body", "x"}, {"club_id", 999999999}}, alice.token).status == 404);
  CHECK(t.get(c.base() + "/posts?reported=maybe", c.manager.token).status == 422);
  CHECK(t.get(c.base() + "/posts?limit=500", alice.token).status == 422);

  auto other = t.community();
  auto stranger = t.resident(other);
  CHECK(t.get(c.base() + "/posts", stranger.token).status == 404);
  auto foreign = publish(t, other, stranger, "elsewhere");
  CHECK(t.get(post_path(c, foreign), alice.token).status == 404);
  CHECK(t.post(post_path(c, foreign) + "/comments", {{"body", "hi"}}, alice.token).status == 404);
  CHECK(t.call("POST", post_path(c, foreign) + "/likes", std::nullopt, alice.token).status == 404);
  CHECK(t.post(post_path(c, foreign) + "/report", {{"reason", "spam"}}, alice.token).status == 404);
  CHECK(t.call("POST", post_path(c, foreign) + "/hide", std::nullopt, c.manager.token).status == 404);
  CHECK(feed_ids(t, c.base() + "/posts", alice) == std::vector<std::int64_t>{p3, p2, p1});

  t.drain_events();
  auto published = delivered(c.id, "post.published");
  REQUIRE(published.size() == 3);
  CHECK(published[0].payload.at("post_id").as_int64() == p1);
  CHECK(published[0].payload.at("club_id").as_int64() == 0);
  CHECK(published[0].payload.at("author_id").as_int64() == alice.account_id);
}

TEST_CASE("posts: club feeds are written by club members", "[clubs][posts]") {
  auto& t = TestApp::get();
  auto [c, org, bob, carol, open] = club_setup(t, true);
  auto closed = create_club(t, c, org, false);

  auto r = t.post(c.base() + "/posts", {{"body", "hello"}, {"club_id", open}}, bob.token);
  CHECK(r.status == 403);
  REQUIRE(t.call("POST", club_path(c, open) + "/join", std::nullopt, bob.token).status == 200);
  auto in_open = publish(t, c, bob, "first!", open);
  auto in_closed = publish(t, c, org, "members only", closed);

  // Club posts stay out of the community feed.
  auto community = feed_ids(t, c.base() + "/posts", bob);
  CHECK(std::find(community.begin(), community.end(), in_open) == community.end());
  CHECK(feed_ids(t, c.base() + "/posts?club_id=" + std::to_string(open), bob) == std::vector<std::int64_t>{in_open});
  // A closed club's feed and posts: members and managers only.
  CHECK(t.get(c.base() + "/posts?club_id=" + std::to_string(closed), bob.token).status == 403);
  CHECK(t.get(post_path(c, in_closed), bob.token).status == 403);
  CHECK(t.post(post_path(c, in_closed) + "/comments", {{"body", "?"}}, bob.token).status == 403);
  CHECK(feed_ids(t, c.base() + "/posts?club_id=" + std::to_string(closed), org) == std::vector<std::int64_t>{in_closed});
  CHECK(feed_ids(t, c.base() + "/posts?club_id=" + std::to_string(closed), c.manager) ==
        std::vector<std::int64_t>{in_closed});
  CHECK(t.get(c.base() + "/posts?club_id=999999999", bob.token).status == 404);

  t.drain_events();
  bool seen = false;
  for (auto const& e : delivered(c.id, "post.published"))
    if (e.payload.at("post_id").as_int64() == in_open) {
      seen = true;
      CHECK(e.payload.at("club_id").as_int64() == open);
    }
  CHECK(seen);
}

TEST_CASE_METHOD(Neighbours, "posts: comments", "[clubs][posts]") {
  auto pid = publish(t, c, alice, "BBQ on Saturday?");

  auto r = t.post(post_path(c, pid) + "/comments", {{"body", "Count me in"}}, bob.token);
  REQUIRE(r.status == 201);
  CHECK(r.json.at("author_id").as_int64() == bob.account_id);
  CHECK(r.json.at("post_id").as_int64() == pid);
  REQUIRE(t.post(post_path(c, pid) + "/comments", {{"body", "Me too"}}, c.manager.token).status == 201);
  CHECK(t.post(post_path(c, pid) + "/comments", {{"body", ""}}, bob.token).status == 422);
  CHECK(t.post(post_path(c, pid) + "/comments", {{"body", true}}, bob.token).status == 400);
  CHECK(t.post(post_path(c, 999999999) + "/comments", {{"body", "x"}}, bob.token).status == 404);

  r = t.get(post_path(c, pid) + "/comments", alice.token);
  REQUIRE(r.status == 200);
  auto const& items = r.json.at("items").as_array();
  REQUIRE(items.size() == 2);
  CHECK(items[0].at("body").as_string() == "Count me in");  // oldest first
  r = t.get(post_path(c, pid) + "/comments?limit=1", alice.token);
  auto r2 = t.get(post_path(c, pid) + "/comments?limit=1&cursor=" + str(r, "next_cursor"), alice.token);
  CHECK(r2.json.at("items").at(0).at("body").as_string() == "Me too");
  CHECK(t.get(post_path(c, pid), alice.token).json.at("comment_count").as_int64() == 2);
  CHECK(t.get(post_path(c, 999999999) + "/comments", alice.token).status == 404);
}

TEST_CASE_METHOD(Neighbours, "posts: likes, one per account", "[clubs][posts]") {
  auto pid = publish(t, c, alice, "Sunset from the roof");

  auto r = t.call("POST", post_path(c, pid) + "/likes", std::nullopt, bob.token);
  REQUIRE(r.status == 201);
  CHECK(r.json.at("like_count").as_int64() == 1);
  CHECK(r.json.at("liked").as_bool());
  r = t.call("POST", post_path(c, pid) + "/likes", std::nullopt, bob.token);
  CHECK(r.status == 409);
  CHECK(r.problem_type() == "/problems/already-liked");
  CHECK(t.get(post_path(c, pid), bob.token).json.at("liked_by_me").as_bool());

  r = t.del(post_path(c, pid) + "/likes", bob.token);
  REQUIRE(r.status == 200);
  CHECK(r.json.at("like_count").as_int64() == 0);
  CHECK(t.del(post_path(c, pid) + "/likes", bob.token).status == 404);
  CHECK(t.call("POST", post_path(c, 999999999) + "/likes", std::nullopt, bob.token).status == 404);
  CHECK(t.call("POST", post_path(c, pid) + "/likes", std::nullopt, bob.token).status == 201);  // like again
}

TEST_CASE_METHOD(Neighbours, "posts: reports and moderation", "[clubs][posts]") {
  auto carol = t.resident(c, 2);
  auto fine = publish(t, c, alice, "Book swap in the lobby");
  auto bad = publish(t, c, alice, "Buy cheap watches!!!");

  auto r = t.post(post_path(c, bad) + "/report", {{"reason", "spam"}}, bob.token);
  REQUIRE(r.status == 201);
  CHECK(r.json.at("reported").as_bool());
  r = t.post(post_path(c, bad) + "/report", {{"reason", "spam again"}}, bob.token);
  CHECK(r.status == 409);
  CHECK(r.problem_type() == "/problems/already-reported");
  CHECK(t.post(post_path(c, bad) + "/report", {{"reason", "also spam"}}, carol.token).status == 201);
  CHECK(t.post(post_path(c, bad) + "/report", {{"reason", ""}}, alice.token).status == 422);
  CHECK(t.post(post_path(c, bad) + "/report", {{"reason", 1}}, alice.token).status == 400);
  CHECK(t.post(post_path(c, 999999999) + "/report", {{"reason", "x"}}, alice.token).status == 404);

  // Managers see reported posts with their counts; residents may not ask.
  CHECK(t.get(c.base() + "/posts?reported=true", bob.token).status == 403);
  r = t.get(c.base() + "/posts?reported=true", c.manager.token);
  REQUIRE(r.status == 200);
  REQUIRE(r.json.at("items").as_array().size() == 1);
  CHECK(r.json.at("items").at(0).at("id").as_int64() == bad);
  CHECK(r.json.at("items").at(0).at("report_count").as_int64() == 2);

  // Hiding: managers only; once.
  CHECK(t.call("POST", post_path(c, bad) + "/hide", std::nullopt, bob.token).status == 403);
  r = t.call("POST", post_path(c, bad) + "/hide", std::nullopt, c.manager.token);
  REQUIRE(r.status == 200);
  CHECK(r.json.at("hidden").as_bool());
  r = t.call("POST", post_path(c, bad) + "/hide", std::nullopt, c.manager.token);
  CHECK(r.status == 409);
  CHECK(r.problem_type() == "/problems/already-hidden");
  CHECK(t.call("POST", post_path(c, 999999999) + "/hide", std::nullopt, c.manager.token).status == 404);

  // Hidden posts vanish for everyone but managers -- their author included.
  CHECK(feed_ids(t, c.base() + "/posts", bob) == std::vector<std::int64_t>{fine});
  CHECK(feed_ids(t, c.base() + "/posts", alice) == std::vector<std::int64_t>{fine});
  CHECK(t.get(post_path(c, bad), alice.token).status == 404);
  CHECK(t.call("POST", post_path(c, bad) + "/likes", std::nullopt, bob.token).status == 404);
  CHECK(t.post(post_path(c, bad) + "/comments", {{"body", "x"}}, bob.token).status == 404);
  CHECK(feed_ids(t, c.base() + "/posts", c.manager) == std::vector<std::int64_t>{bad, fine});
  CHECK(t.get(post_path(c, bad), c.manager.token).json.at("hidden").as_bool());
}

TEST_CASE("posts: concurrent likes keep like_count exact", "[clubs][posts][concurrency]") {
  auto& t = TestApp::get();
  auto& cr = crowd();
  auto pid = publish(t, cr.c, cr.residents[0], "Like me");
  constexpr int kThreads = 16;

  std::atomic<int> ok{0};
  in_parallel(kThreads, [&](int i) {
    if (t.call("POST", post_path(cr.c, pid) + "/likes", std::nullopt, cr.residents[static_cast<std::size_t>(i)].token)
            .status == 201)
      ok++;
  });
  CHECK(ok == kThreads);
  CHECK(t.get(post_path(cr.c, pid), cr.residents[0].token).json.at("like_count").as_int64() == kThreads);

  // One account liking many times at once: one like.
  auto pid2 = publish(t, cr.c, cr.residents[0], "Like me once");
  std::atomic<int> liked{0}, dup{0};
  in_parallel(8, [&](int) {
    auto r = t.call("POST", post_path(cr.c, pid2) + "/likes", std::nullopt, cr.residents[1].token);
    if (r.status == 201) liked++;
    else if (r.status == 409) dup++;
  });
  CHECK(liked == 1);
  CHECK(dup == 7);
  CHECK(t.get(post_path(cr.c, pid2), cr.residents[0].token).json.at("like_count").as_int64() == 1);

  // Likes and unlikes interleaved: the count equals the rows.
  in_parallel(kThreads, [&](int i) {
    auto const& who = cr.residents[static_cast<std::size_t>(i)];
    if (i % 2 == 0) t.del(post_path(cr.c, pid) + "/likes", who.token);
  });
  CHECK(t.get(post_path(cr.c, pid), cr.residents[0].token).json.at("like_count").as_int64() == kThreads / 2);
}

TEST_CASE("posts: reports are one per account under concurrency", "[clubs][posts][concurrency]") {
  auto& t = TestApp::get();
  auto& cr = crowd();
  auto pid = publish(t, cr.c, cr.residents[0], "Controversial");
  std::atomic<int> created{0}, dup{0};
  in_parallel(8, [&](int) {
    auto r = t.post(post_path(cr.c, pid) + "/report", {{"reason", "rude"}}, cr.residents[2].token);
    if (r.status == 201) created++;
    else if (r.status == 409) dup++;
  });
  CHECK(created == 1);
  CHECK(dup == 7);
  auto r = t.get(post_path(cr.c, pid), cr.c.manager.token);
  CHECK(r.json.at("report_count").as_int64() == 1);
}
