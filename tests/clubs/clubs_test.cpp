// Clubs and memberships through the HTTP API.
#include "tests/clubs/helpers.hpp"

#include <atomic>

using namespace courtyard::test;
using namespace courtyard::test::clubs;

TEST_CASE_METHOD(Neighbours, "clubs: create, list, get; validation and roles", "[clubs]") {

  auto r = t.post(c.base() + "/clubs", {{"name", "Chess club"}, {"description", "Tuesdays"}, {"open", true}}, alice.token);
  REQUIRE(r.status == 201);
  auto id = r.id();
  CHECK(r.header("Location") == c.base() + "/clubs/" + std::to_string(id));
  CHECK(str(r, "name") == "Chess club");
  CHECK(str(r, "description") == "Tuesdays");
  CHECK(r.json.at("open").as_bool());
  CHECK(r.json.at("member_count").as_int64() == 1);
  CHECK(r.json.at("my_membership").at("organiser").as_bool());
  CHECK(r.json.at("my_membership").at("status").as_string() == "member");

  // Managers may create clubs too; couriers may not.
  CHECK(t.post(c.base() + "/clubs", {{"name", "Garden"}, {"open", false}}, c.manager.token).status == 201);
  auto courier = t.courier(c);
  CHECK(t.post(c.base() + "/clubs", {{"name", "Couriers"}, {"open", true}}, courier.token).status == 403);

  // Validation: 422 for missing/invalid values, 400 for wrong types or a non-object body.
  r = t.post(c.base() + "/clubs", {{"open", true}}, alice.token);
  CHECK(r.status == 422);
  CHECK(r.problem_type() == "/problems/validation");
  CHECK(t.post(c.base() + "/clubs", {{"name", "   "}, {"open", true}}, alice.token).status == 422);
  CHECK(t.post(c.base() + "/clubs", {{"name", std::string(121, 'x')}, {"open", true}}, alice.token).status == 422);
  CHECK(t.post(c.base() + "/clubs", {{"name", "X"}}, alice.token).status == 422);
  CHECK(t.post(c.base() + "/clubs", {{"name", "X"}, {"open", "yes"}}, alice.token).status == 400);
  CHECK(t.post(c.base() + "/clubs", {{"name", 5}, {"open", true}}, alice.token).status == 400);
  CHECK(t.post(c.base() + "/clubs", bj::value("not an object"), alice.token).status == 400);
  CHECK(t.post(c.base() + "/clubs", {{"name", "X"}, {"open", true}}).status == 401);

  // Bob sees the club without a membership.
  r = t.get(club_path(c, id), bob.token);
  REQUIRE(r.status == 200);
  CHECK(r.json.at("my_membership").is_null());
  CHECK(r.json.at("member_count").as_int64() == 1);

  // The list pages through every club of the community.
  r = t.get(c.base() + "/clubs?limit=1", bob.token);
  REQUIRE(r.status == 200);
  CHECK(r.json.at("items").as_array().size() == 1);
  REQUIRE(r.json.at("next_cursor").is_string());
  auto r2 = t.get(c.base() + "/clubs?limit=1&cursor=" + str(r, "next_cursor"), bob.token);
  REQUIRE(r2.status == 200);
  CHECK(r2.json.at("items").as_array().size() == 1);
  CHECK(r2.json.at("items").at(0).at("id") != r.json.at("items").at(0).at("id"));
  CHECK(t.get(c.base() + "/clubs?limit=0", bob.token).status == 422);
  CHECK(t.get(c.base() + "/clubs?cursor=!!", bob.token).status == 422);

  // Another community's club is unknown here; another community's member sees 404.
  auto other = t.community();
  auto stranger = t.resident(other);
  auto foreign = create_club(t, other, stranger, true);
  CHECK(t.get(club_path(c, foreign), alice.token).status == 404);
  CHECK(t.call("POST", club_path(c, foreign) + "/join", std::nullopt, alice.token).status == 404);
  CHECK(t.get(club_path(c, id), stranger.token).status == 404);
  CHECK(t.get(c.base() + "/clubs", stranger.token).status == 404);
  CHECK(t.get(club_path(c, 999999999), alice.token).status == 404);
}

TEST_CASE("clubs: joining an open club; club.joined consumed", "[clubs]") {
  auto& t = TestApp::get();
  auto [c, alice, bob, carol, club] = club_setup(t, true);

  auto r = t.call("POST", club_path(c, club) + "/join", std::nullopt, bob.token);
  REQUIRE(r.status == 200);
  CHECK(str(r, "status") == "member");
  CHECK_FALSE(r.json.at("organiser").as_bool());
  CHECK(t.get(club_path(c, club), bob.token).json.at("member_count").as_int64() == 2);

  r = t.call("POST", club_path(c, club) + "/join", std::nullopt, bob.token);
  CHECK(r.status == 409);
  CHECK(r.problem_type() == "/problems/already-member");

  t.drain_events();
  auto joined = delivered(c.id, "club.joined");
  REQUIRE(joined.size() == 1);
  CHECK(joined[0].payload.at("club_id").as_int64() == club);
  CHECK(joined[0].payload.at("account_id").as_int64() == bob.account_id);
  CHECK(joined[0].payload.at("status").as_string() == "member");
  CHECK(joined[0].payload.at("community_id").as_int64() == c.id);

  // Members of an open club are visible to the community; pending ones are not listed.
  r = t.get(club_path(c, club) + "/members", c.manager.token);
  REQUIRE(r.status == 200);
  CHECK(r.json.at("items").as_array().size() == 2);
  CHECK(r.json.at("items").at(0).at("display_name").is_string());
}

TEST_CASE("clubs: closed clubs need an organiser's approval", "[clubs]") {
  auto& t = TestApp::get();
  auto [c, org, bob, carol, club] = club_setup(t, false);

  auto r = t.call("POST", club_path(c, club) + "/join", std::nullopt, bob.token);
  REQUIRE(r.status == 200);
  CHECK(str(r, "status") == "pending");
  CHECK(t.get(club_path(c, club), bob.token).json.at("member_count").as_int64() == 1);
  CHECK(t.get(club_path(c, club), bob.token).json.at("my_membership").at("status").as_string() == "pending");

  // The organiser sees the pending request; outsiders and the applicant do not see a closed club's members.
  r = t.get(club_path(c, club) + "/members", org.token);
  REQUIRE(r.status == 200);
  REQUIRE(r.json.at("items").as_array().size() == 2);
  CHECK(r.json.at("items").at(1).at("status").as_string() == "pending");
  CHECK(t.get(club_path(c, club) + "/members", carol.token).status == 403);
  CHECK(t.get(club_path(c, club) + "/members", bob.token).status == 403);
  r = t.get(club_path(c, club) + "/members", c.manager.token);  // managers moderate
  REQUIRE(r.status == 200);
  CHECK(r.json.at("items").as_array().size() == 1);  // not an organiser: members only

  auto approve = [&](Actor const& who, std::int64_t account) {
    return t.call("POST", club_path(c, club) + "/members/" + std::to_string(account) + "/approve", std::nullopt,
                  who.token);
  };
  CHECK(approve(carol, bob.account_id).status == 403);
  CHECK(approve(c.manager, bob.account_id).status == 403);
  CHECK(approve(org, carol.account_id).status == 404);  // no request from carol
  r = approve(org, bob.account_id);
  REQUIRE(r.status == 200);
  CHECK(str(r, "status") == "member");
  CHECK(r.json.at("display_name").is_string());
  r = approve(org, bob.account_id);
  CHECK(r.status == 409);
  CHECK(r.problem_type() == "/problems/not-pending");
  CHECK(t.get(club_path(c, club), bob.token).json.at("member_count").as_int64() == 2);
  CHECK(t.get(club_path(c, club) + "/members", bob.token).status == 200);

  t.drain_events();
  auto joined = delivered(c.id, "club.joined");
  REQUIRE(joined.size() == 2);
  CHECK(joined[0].payload.at("status").as_string() == "pending");
  CHECK(joined[1].payload.at("status").as_string() == "member");

  // Another community's organiser cannot reach this club.
  auto other = t.community();
  CHECK(t.call("POST", club_path(c, club) + "/members/" + std::to_string(bob.account_id) + "/approve", std::nullopt,
               other.manager.token)
            .status == 404);
}

TEST_CASE("clubs: organisers and leaving", "[clubs]") {
  auto& t = TestApp::get();
  auto [c, org, bob, carol, club] = club_setup(t, false);
  auto base = club_path(c, club);
  auto join = [&](Actor const& a) { return t.call("POST", base + "/join", std::nullopt, a.token); };
  auto promote = [&](Actor const& who, std::int64_t account) {
    return t.call("POST", base + "/members/" + std::to_string(account) + "/organiser", std::nullopt, who.token);
  };
  REQUIRE(join(bob).status == 200);
  REQUIRE(t.call("POST", base + "/members/" + std::to_string(bob.account_id) + "/approve", std::nullopt, org.token)
              .status == 200);
  REQUIRE(join(carol).status == 200);  // pending

  // The only organiser cannot leave while bob is a member.
  auto r = t.del(base + "/members/me", org.token);
  CHECK(r.status == 409);
  CHECK(r.problem_type() == "/problems/last-organiser");

  CHECK(promote(bob, carol.account_id).status == 403);  // bob is no organiser
  CHECK(promote(org, 999999999).status == 404);
  r = promote(org, carol.account_id);  // still pending
  CHECK(r.status == 409);
  CHECK(r.problem_type() == "/problems/not-member");
  r = promote(org, bob.account_id);
  REQUIRE(r.status == 200);
  CHECK(r.json.at("organiser").as_bool());
  CHECK(promote(org, bob.account_id).status == 409);

  // Now the founder may leave; bob, an organiser, approves from here on.
  CHECK(t.del(base + "/members/me", org.token).status == 204);
  CHECK(t.del(base + "/members/me", org.token).status == 404);
  CHECK(t.get(base, bob.token).json.at("member_count").as_int64() == 1);
  // Carol withdraws her request; the count is unaffected.
  CHECK(t.del(base + "/members/me", carol.token).status == 204);
  CHECK(t.get(base, bob.token).json.at("member_count").as_int64() == 1);
  // Alone, the last organiser may leave.
  CHECK(t.del(base + "/members/me", bob.token).status == 204);
  CHECK(t.get(base, bob.token).json.at("member_count").as_int64() == 0);
  CHECK(t.del(club_path(c, 999999999) + "/members/me", bob.token).status == 404);
}

TEST_CASE("clubs: concurrent joins and leaves keep the member count exact", "[clubs][concurrency]") {
  auto& t = TestApp::get();
  auto& cr = crowd();
  auto club = create_club(t, cr.c, cr.residents[0], true);
  auto base = club_path(cr.c, club);
  constexpr int kThreads = 16;

  std::atomic<int> ok{0}, other{0};
  in_parallel(kThreads, [&](int i) {
    auto r = t.call("POST", base + "/join", std::nullopt, cr.residents[static_cast<std::size_t>(i + 1)].token);
    (r.status == 200 ? ok : other)++;
  });
  CHECK(ok == kThreads);
  CHECK(other == 0);
  CHECK(t.get(base, cr.residents[0].token).json.at("member_count").as_int64() == kThreads + 1);

  // One account joining many times at once: exactly one membership.
  auto club2 = create_club(t, cr.c, cr.residents[0], true);
  std::atomic<int> joined{0}, dup{0};
  in_parallel(8, [&](int) {
    auto r = t.call("POST", club_path(cr.c, club2) + "/join", std::nullopt, cr.residents[1].token);
    if (r.status == 200) joined++;
    else if (r.status == 409) dup++;
  });
  CHECK(joined == 1);
  CHECK(dup == 7);
  CHECK(t.get(club_path(cr.c, club2), cr.residents[0].token).json.at("member_count").as_int64() == 2);

  // Half leave while the organiser tries to: the organiser is refused while others remain.
  std::atomic<int> left{0};
  int org_status = 0;
  in_parallel(kThreads / 2 + 1, [&](int i) {
    if (i == kThreads / 2) {
      org_status = t.del(base + "/members/me", cr.residents[0].token).status;
      return;
    }
    if (t.del(base + "/members/me", cr.residents[static_cast<std::size_t>(i + 1)].token).status == 204) left++;
  });
  CHECK(left == kThreads / 2);
  CHECK(org_status == 409);
  CHECK(t.get(base, cr.residents[0].token).json.at("member_count").as_int64() == kThreads / 2 + 1);
}
