// Announcements, visitor passes, amenities and suggestions.
#include "tests/property/support.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <set>
#include <thread>

using namespace courtyard;
using namespace courtyard::test;
using namespace courtyard::test::property;

namespace {

std::string announcements(Community const& c) { return c.base() + "/announcements"; }
std::string passes(Community const& c) { return c.base() + "/visitor-passes"; }
std::string amenities(Community const& c) { return c.base() + "/amenities"; }
std::string bookings(Community const& c, std::int64_t amenity) { return id_path(amenities(c), amenity) + "/bookings"; }
std::string suggestions(Community const& c) { return c.base() + "/suggestions"; }

bj::object window(std::int64_t from, std::int64_t until) { return {{"starts_at", at(from)}, {"ends_at", at(until)}}; }

Result new_pass(TestApp& t, Community const& c, Actor const& who, std::int64_t from, std::int64_t until) {
  return t.post(passes(c), {{"visitor_name", "Grandma"}, {"valid_from", at(from)}, {"valid_until", at(until)}}, who.token);
}

std::int64_t new_amenity(TestApp& t, Community const& c, std::int64_t capacity) {
  auto r = t.post(amenities(c), {{"name", t.unique("Gym")}, {"capacity", capacity}}, c.manager.token);
  REQUIRE(r.status == 201);
  return r.id();
}

// A slot starting on a whole hour well in the future, so tests do not collide in time.
std::int64_t future_slot(int days_ahead) { return (now() / kHour) * kHour + days_ahead * kDay; }

}  // namespace

// ---- announcements

TEST_CASE("announcements: audience, visibility by building, read receipts", "[property][announcements]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto other = t.community();
  auto [b2, b2_unit] = add_building(t, c);
  auto a0 = t.resident(c, 0);
  auto a1 = t.resident(c, 1);
  auto b = t.resident(c, 3);  // lives in the second building
  auto courier = t.courier(c);
  (void)b2_unit;

  auto all = t.post(announcements(c), {{"title", "Water off Tuesday"}, {"body", "From 9 to 11."}}, c.manager.token);
  REQUIRE(all.status == 201);
  CHECK(all.header("Location") == id_path(announcements(c), all.id()));
  CHECK(all.json.at("building_id").is_null());
  CHECK(all.json.at("audience_count").as_int64() == 3);
  CHECK(all.json.at("read_count").as_int64() == 0);
  auto only_b = t.post(announcements(c), {{"title", "Lift service"}, {"body", "Building B lift."}, {"building_id", b2}},
                       c.manager.token);
  REQUIRE(only_b.status == 201);
  CHECK(only_b.json.at("building_id").as_int64() == b2);
  CHECK(only_b.json.at("audience_count").as_int64() == 1);

  auto published = events_of(t, "announcement.published", c.id);
  REQUIRE(published.size() == 2);
  CHECK(published[0].at("announcement_id").as_int64() == all.id());
  CHECK(published[0].at("building_id").as_int64() == 0);
  CHECK(published[0].at("title") == "Water off Tuesday");
  // The audience by reference, never as a list of accounts (a large community would not fit).
  CHECK(published[0].at("audience") == "residents");
  CHECK_FALSE(published[0].contains("account_ids"));
  CHECK(published[1].at("building_id").as_int64() == b2);
  CHECK_FALSE(published[1].contains("account_ids"));

  // Residents of building A see only the community-wide one; B's resident sees both.
  auto seen_a = t.get(announcements(c), a0.token);
  REQUIRE(seen_a.status == 200);
  REQUIRE(seen_a.json.at("items").as_array().size() == 1);
  CHECK(seen_a.json.at("items").at(0).at("id").as_int64() == all.id());
  CHECK_FALSE(seen_a.json.at("items").at(0).as_object().contains("read_count"));
  CHECK(t.get(announcements(c), b.token).json.at("items").as_array().size() == 2);
  CHECK(t.get(id_path(announcements(c), only_b.id()), a0.token).status == 404);
  CHECK(t.get(id_path(announcements(c), only_b.id()), b.token).status == 200);
  CHECK(t.call("POST", id_path(announcements(c), only_b.id()) + "/read", std::nullopt, a0.token).status == 404);

  // Read receipts: once per account, repeating changes nothing.
  auto read = t.call("POST", id_path(announcements(c), all.id()) + "/read", std::nullopt, a0.token);
  REQUIRE(read.status == 200);
  CHECK(read.json.at("read_at").is_string());
  auto read_again = t.call("POST", id_path(announcements(c), all.id()) + "/read", std::nullopt, a0.token);
  REQUIRE(read_again.status == 200);
  CHECK(read_again.json.at("read_at") == read.json.at("read_at"));
  REQUIRE(t.call("POST", id_path(announcements(c), all.id()) + "/read", std::nullopt, b.token).status == 200);
  CHECK(t.get(id_path(announcements(c), all.id()), a1.token).json.at("read_at").is_null());

  auto managed = t.get(announcements(c), c.manager.token);
  REQUIRE(managed.json.at("items").as_array().size() == 2);
  auto const& first = managed.json.at("items").at(1).as_object();  // newest first
  CHECK(first.at("id").as_int64() == all.id());
  CHECK(first.at("read_count").as_int64() == 2);
  CHECK(first.at("audience_count").as_int64() == 3);
  auto single = t.get(id_path(announcements(c), all.id()), c.manager.token);
  CHECK(single.json.at("read_count").as_int64() == 2);

  // Errors and access.
  CHECK(t.post(announcements(c), {{"title", ""}, {"body", "x"}}, c.manager.token).status == 422);
  CHECK(t.post(announcements(c), {{"title", "x"}}, c.manager.token).status == 422);
  CHECK(t.post(announcements(c), {{"title", "x"}, {"body", "x"}, {"building_id", other.building_id}}, c.manager.token)
            .status == 422);
  CHECK(t.post(announcements(c), {{"title", "x"}, {"body", "x"}, {"building_id", "A"}}, c.manager.token).status == 400);
  CHECK(t.post(announcements(c), {{"title", "x"}, {"body", "x"}}, a0.token).status == 403);
  CHECK(t.post(announcements(c), {{"title", "x"}, {"body", "x"}}, other.manager.token).status == 404);
  CHECK(t.call("POST", id_path(announcements(c), all.id()) + "/read", std::nullopt, c.manager.token).status == 403);
  CHECK(t.get(announcements(c), courier.token).status == 403);
  CHECK(t.get(announcements(c), other.manager.token).status == 404);
  auto foreign = t.post(announcements(other), {{"title", "x"}, {"body", "y"}}, other.manager.token);
  REQUIRE(foreign.status == 201);
  CHECK(t.get(id_path(announcements(c), foreign.id()), c.manager.token).status == 404);
  CHECK(t.call("POST", id_path(announcements(c), foreign.id()) + "/read", std::nullopt, a0.token).status == 404);
  t.drain_events();
}

TEST_CASE("concurrent read receipts by one resident count once", "[property][announcements][concurrency]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c, 0);
  auto a = t.post(announcements(c), {{"title", "t"}, {"body", "b"}}, c.manager.token);
  REQUIRE(a.status == 201);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      if (t.call("POST", id_path(announcements(c), a.id()) + "/read", std::nullopt, r.token).status == 200) ++ok;
    });
  for (auto& th : threads) th.join();
  CHECK(ok == 8);
  CHECK(t.get(id_path(announcements(c), a.id()), c.manager.token).json.at("read_count").as_int64() == 1);
}

// ---- visitor passes

TEST_CASE_METHOD(Neighbours, "visitor passes: create, list, verify once inside the window", "[property][passes]") {
  auto p = new_pass(t, c, r, now() - kMinute, now() + 2 * kHour);
  REQUIRE(p.status == 201);
  CHECK(p.header("Location") == id_path(passes(c), p.id()));
  std::string code(p.json.at("code").as_string());
  CHECK(code.size() == 10);
  CHECK(p.json.at("status") == "active");
  CHECK(p.json.at("unit_id").as_int64() == c.unit_ids[0]);
  auto second = new_pass(t, c, n, now(), now() + kHour);
  REQUIRE(second.status == 201);
  CHECK(std::string(second.json.at("code").as_string()) != code);

  auto own = t.get(passes(c), r.token);
  REQUIRE(own.json.at("items").as_array().size() == 1);
  CHECK(std::string(own.json.at("items").at(0).at("code").as_string()) == code);
  auto managed = t.get(passes(c), c.manager.token);
  REQUIRE(managed.json.at("items").as_array().size() == 2);
  CHECK_FALSE(managed.json.at("items").at(0).as_object().contains("code"));  // the code stays with the resident
  CHECK(t.get(id_path(passes(c), p.id()), r.token).status == 200);
  CHECK(t.get(id_path(passes(c), p.id()), n.token).status == 404);
  CHECK(t.get(id_path(passes(c), p.id()), c.manager.token).status == 200);
  CHECK(t.get(id_path(passes(c), p.id()), other.manager.token).status == 404);

  // The gate types it in lower case with spaces: still the same pass.
  std::string typed = " " + code + " ";
  for (auto& ch : typed) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  auto ok = t.post(passes(c) + "/verify", {{"code", typed}}, c.manager.token);
  REQUIRE(ok.status == 200);
  CHECK(ok.json.at("status") == "used");
  CHECK(ok.json.at("visitor_name") == "Grandma");
  CHECK(ok.json.at("verified_by").as_int64() == c.manager.account_id);
  auto used = t.post(passes(c) + "/verify", {{"code", code}}, c.manager.token);
  CHECK(used.status == 409);
  CHECK(used.problem_type() == "/problems/pass-used");
  CHECK(t.get(id_path(passes(c), p.id()), r.token).json.at("status") == "used");

  CHECK(t.post(passes(c) + "/verify", {{"code", "ABCDEFGHJK"}}, c.manager.token).status == 404);
  CHECK(t.post(passes(c) + "/verify", {{"code", "nonsense!"}}, c.manager.token).status == 404);
  CHECK(t.post(passes(c) + "/verify", bj::object{}, c.manager.token).status == 422);
  CHECK(t.post(passes(c) + "/verify", {{"code", 5}}, c.manager.token).status == 400);
  CHECK(t.post(passes(c) + "/verify", {{"code", code}}, r.token).status == 403);
  CHECK(t.post(passes(c) + "/verify", {{"code", code}}, other.manager.token).status == 404);
  // A code of another community is unknown here.
  std::string second_code(second.json.at("code").as_string());
  CHECK(t.post(passes(other) + "/verify", {{"code", second_code}}, other.manager.token).status == 404);
}

TEST_CASE("visitor pass windows: validation, not yet valid, expired", "[property][passes][errors]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c, 0);
  auto courier = t.courier(c);

  CHECK(new_pass(t, c, r, now() + kHour, now() + kHour).status == 422);
  CHECK(new_pass(t, c, r, now() + 2 * kHour, now() + kHour).status == 422);
  CHECK(new_pass(t, c, r, now(), now() + 7 * kDay + kMinute).status == 422);
  CHECK(new_pass(t, c, r, now() - 3 * kHour, now() - kHour).status == 422);
  CHECK(t.post(passes(c), {{"visitor_name", "x"}, {"valid_from", "tomorrow"}, {"valid_until", at(now() + kHour)}}, r.token)
            .status == 422);
  CHECK(t.post(passes(c), {{"visitor_name", ""}, {"valid_from", at(now())}, {"valid_until", at(now() + kHour)}}, r.token)
            .status == 422);
  CHECK(t.post(passes(c), {{"visitor_name", "x"}, {"valid_from", 5}, {"valid_until", at(now() + kHour)}}, r.token)
            .status == 400);
  CHECK(new_pass(t, c, c.manager, now(), now() + kHour).status == 403);
  CHECK(new_pass(t, c, courier, now(), now() + kHour).status == 403);
  CHECK(t.get(passes(c), courier.token).status == 403);

  auto later = new_pass(t, c, r, now() + 2 * kHour, now() + 5 * kHour);
  REQUIRE(later.status == 201);
  auto early = t.post(passes(c) + "/verify", {{"code", later.json.at("code")}}, c.manager.token);
  CHECK(early.status == 409);
  CHECK(early.problem_type() == "/problems/pass-not-valid-now");

  auto short_pass = new_pass(t, c, r, now(), now() + kHour);
  REQUIRE(short_pass.status == 201);
  t.advance_clock_ms(3 * kHour);
  CHECK(t.get(id_path(passes(c), short_pass.id()), r.token).json.at("status") == "expired");
  auto late = t.post(passes(c) + "/verify", {{"code", short_pass.json.at("code")}}, c.manager.token);
  CHECK(late.status == 409);
  CHECK(late.problem_type() == "/problems/pass-not-valid-now");
  // The later pass's window has opened meanwhile.
  CHECK(t.post(passes(c) + "/verify", {{"code", later.json.at("code")}}, c.manager.token).status == 200);
}

TEST_CASE("concurrent verifications of one pass: exactly one succeeds", "[property][passes][concurrency]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c, 0);
  auto staff = add_manager(t, c);
  auto p = new_pass(t, c, r, now() - kMinute, now() + kHour);
  REQUIRE(p.status == 201);
  constexpr int kThreads = 16;
  std::atomic<int> ok{0}, used{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&, i] {
      auto res = t.post(passes(c) + "/verify", {{"code", p.json.at("code")}}, (i % 2 ? staff : c.manager).token);
      if (res.status == 200) ++ok;
      if (res.status == 409 && res.problem_type() == "/problems/pass-used") ++used;
    });
  for (auto& th : threads) th.join();
  CHECK(ok == 1);
  CHECK(used == kThreads - 1);
}

// ---- amenities

TEST_CASE("amenities: create and list", "[property][amenities]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto other = t.community();
  auto r = t.resident(c, 0);
  auto courier = t.courier(c);

  auto a = t.post(amenities(c), {{"name", "Tennis court"}, {"capacity", 4}}, c.manager.token);
  REQUIRE(a.status == 201);
  CHECK(a.header("Location") == id_path(amenities(c), a.id()));
  CHECK(a.json.at("capacity").as_int64() == 4);
  CHECK(t.post(amenities(c), {{"name", "x"}, {"capacity", 0}}, c.manager.token).status == 422);
  CHECK(t.post(amenities(c), {{"name", "x"}, {"capacity", 10001}}, c.manager.token).status == 422);
  CHECK(t.post(amenities(c), {{"name", ""}, {"capacity", 1}}, c.manager.token).status == 422);
  CHECK(t.post(amenities(c), {{"name", "x"}, {"capacity", "1"}}, c.manager.token).status == 400);
  CHECK(t.post(amenities(c), {{"name", "x"}, {"capacity", 1}}, r.token).status == 403);
  CHECK(t.post(amenities(c), {{"name", "x"}, {"capacity", 1}}, other.manager.token).status == 404);

  for (auto const& who : {r, courier, c.manager}) {
    auto list = t.get(amenities(c), who.token);
    REQUIRE(list.status == 200);
    REQUIRE(list.json.at("items").as_array().size() == 1);
    CHECK(list.json.at("items").at(0).at("name") == "Tennis court");
  }
  CHECK(t.get(id_path(amenities(c), a.id()), r.token).status == 200);
  CHECK(t.get(amenities(c), other.manager.token).status == 404);
  CHECK(t.get(id_path(amenities(other), a.id()), other.manager.token).status == 404);
}

TEST_CASE_METHOD(Neighbours, "amenity bookings: capacity at every instant, cancel frees it, validation",
                 "[property][amenities]") {
  auto room = new_amenity(t, c, 1);
  auto slot = future_slot(3);

  auto first = t.post(bookings(c, room), window(slot + 10 * kHour, slot + 12 * kHour), r.token);
  REQUIRE(first.status == 201);
  CHECK(first.header("Location") == id_path(bookings(c, room), first.id()));
  CHECK(first.json.at("status") == "active");
  CHECK(first.json.at("mine") == true);
  // Touching is fine (half-open), overlapping is not.
  CHECK(t.post(bookings(c, room), window(slot + 12 * kHour, slot + 14 * kHour), n.token).status == 201);
  auto clash = t.post(bookings(c, room), window(slot + 11 * kHour, slot + 13 * kHour), n.token);
  CHECK(clash.status == 409);
  CHECK(clash.problem_type() == "/problems/capacity-exceeded");

  // Validation.
  CHECK(t.post(bookings(c, room), window(slot + kHour, slot + kHour), r.token).status == 422);
  CHECK(t.post(bookings(c, room), window(slot + 2 * kHour, slot + kHour), r.token).status == 422);
  CHECK(t.post(bookings(c, room), window(slot, slot + 24 * kHour + kMinute), r.token).status == 422);
  CHECK(t.post(bookings(c, room), window(now() - 3 * kHour, now() - kHour), r.token).status == 422);
  CHECK(t.post(bookings(c, room), {{"starts_at", "noon"}, {"ends_at", at(slot)}}, r.token).status == 422);
  CHECK(t.post(bookings(c, room), {{"starts_at", 1}, {"ends_at", at(slot)}}, r.token).status == 400);
  CHECK(t.post(bookings(c, 999999999), window(slot, slot + kHour), r.token).status == 404);
  auto foreign = new_amenity(t, other, 5);
  CHECK(t.post(bookings(c, foreign), window(slot, slot + kHour), r.token).status == 404);
  CHECK(t.post(bookings(c, room), window(slot, slot + kHour), c.manager.token).status == 403);
  CHECK(t.post(bookings(c, room), window(slot, slot + kHour), courier.token).status == 403);
  CHECK(t.post(bookings(c, room), window(slot, slot + kHour), other.manager.token).status == 404);

  // Listing: members see the slots, only the booker (and managers) see who.
  auto list = t.get(bookings(c, room) + "?from=" + at(slot) + "&to=" + at(slot + kDay), n.token);
  REQUIRE(list.status == 200);
  REQUIRE(list.json.at("items").as_array().size() == 2);
  auto const& theirs = list.json.at("items").at(0).as_object();
  CHECK(theirs.at("id").as_int64() == first.id());
  CHECK(theirs.at("mine") == false);
  CHECK(theirs.at("account_id").is_null());
  CHECK(t.get(bookings(c, room) + "?from=" + at(slot) + "&to=" + at(slot + kDay), c.manager.token)
            .json.at("items").at(0).at("account_id").as_int64() == r.account_id);
  CHECK(t.get(bookings(c, room) + "?from=" + at(slot + 13 * kHour) + "&to=" + at(slot + kDay), courier.token)
            .json.at("items").as_array().size() == 1);
  CHECK(t.get(bookings(c, room) + "?from=yesterday", r.token).status == 422);
  CHECK(t.get(bookings(c, room) + "?from=" + at(slot) + "&to=" + at(slot), r.token).status == 422);
  CHECK(t.get(bookings(c, room) + "?from=" + at(slot) + "&to=" + at(slot + 40 * kDay), r.token).status == 422);
  CHECK(t.get(bookings(c, foreign), r.token).status == 404);

  auto one = t.get(id_path(bookings(c, room), first.id()), n.token);
  REQUIRE(one.status == 200);
  CHECK(one.json.at("account_id").is_null());
  CHECK(t.get(id_path(bookings(c, room), first.id()), r.token).json.at("account_id").as_int64() == r.account_id);
  CHECK(t.get(id_path(bookings(c, foreign), first.id()), r.token).status == 404);
  CHECK(t.get(id_path(bookings(c, room), first.id()), other.manager.token).status == 404);

  // Cancel: the booker or a manager; then the slot is free again.
  CHECK(t.del(id_path(bookings(c, room), first.id()), n.token).status == 403);
  CHECK(t.del(id_path(bookings(c, room), first.id()), courier.token).status == 403);
  CHECK(t.del(id_path(bookings(c, room), first.id()), other.manager.token).status == 404);
  CHECK(t.del(id_path(bookings(c, foreign), first.id()), r.token).status == 404);
  CHECK(t.del(id_path(bookings(c, room), 999999999), r.token).status == 404);
  REQUIRE(t.del(id_path(bookings(c, room), first.id()), r.token).status == 204);
  CHECK(t.get(id_path(bookings(c, room), first.id()), r.token).json.at("status") == "cancelled");
  auto again = t.del(id_path(bookings(c, room), first.id()), r.token);
  CHECK(again.status == 409);
  CHECK(again.problem_type() == "/problems/already-cancelled");
  auto freed = t.post(bookings(c, room), window(slot + 11 * kHour, slot + 12 * kHour), n.token);
  REQUIRE(freed.status == 201);
  CHECK(t.del(id_path(bookings(c, room), freed.id()), c.manager.token).status == 204);

  // Idempotency-Key replays a booking instead of taking a second place.
  auto k = t.unique("book");
  auto once = t.post(bookings(c, room), window(slot + 20 * kHour, slot + 21 * kHour), r.token, idem(k));
  REQUIRE(once.status == 201);
  auto replay = t.post(bookings(c, room), window(slot + 20 * kHour, slot + 21 * kHour), r.token, idem(k));
  CHECK(replay.status == 201);
  CHECK(replay.body == once.body);
  CHECK(t.post(bookings(c, room), window(slot + 22 * kHour, slot + 23 * kHour), r.token, idem(k)).status == 422);
}

TEST_CASE("16 residents book a capacity-3 slot at once: exactly 3 get in", "[property][amenities][concurrency]") {
  auto& t = TestApp::get();
  auto c = t.community();
  constexpr int kResidents = 16;
  std::vector<Actor> residents;
  for (int i = 0; i < kResidents; ++i) residents.push_back(t.resident(c, static_cast<std::size_t>(i % 3)));
  auto gym = new_amenity(t, c, 3);
  auto slot = future_slot(5);

  std::atomic<int> ok{0}, full{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kResidents; ++i)
    threads.emplace_back([&, i] {
      // Identical and partially overlapping windows: the peak is what counts.
      auto from = slot + (i % 2) * 30 * kMinute;
      auto res = t.post(bookings(c, gym), window(from, from + kHour), residents[static_cast<std::size_t>(i)].token);
      if (res.status == 201)
        ++ok;
      else if (res.status == 409 && res.problem_type() == "/problems/capacity-exceeded")
        ++full;
      else
        ++other;
    });
  for (auto& th : threads) th.join();
  CHECK(ok == 3);
  CHECK(full == kResidents - 3);
  CHECK(other == 0);
  auto list = t.get(bookings(c, gym) + "?from=" + at(slot) + "&to=" + at(slot + 2 * kHour), c.manager.token);
  CHECK(list.json.at("items").as_array().size() == 3);
}

// ---- suggestions

TEST_CASE_METHOD(Neighbours, "suggestions: post, list by new and by votes, vote once, unvote",
                 "[property][suggestions]") {

  auto bikes = t.post(suggestions(c), {{"title", "Bike racks"}, {"body", "By the gate"}}, r.token);
  REQUIRE(bikes.status == 201);
  CHECK(bikes.header("Location") == id_path(suggestions(c), bikes.id()));
  CHECK(bikes.json.at("vote_count").as_int64() == 0);
  auto bench = t.post(suggestions(c), {{"title", "Benches"}, {"body", "In the garden"}}, n.token);
  REQUIRE(bench.status == 201);

  auto vote = t.call("POST", id_path(suggestions(c), bikes.id()) + "/votes", std::nullopt, r.token);
  REQUIRE(vote.status == 201);
  CHECK(vote.json.at("vote_count").as_int64() == 1);
  CHECK(vote.json.at("voted") == true);
  auto twice = t.call("POST", id_path(suggestions(c), bikes.id()) + "/votes", std::nullopt, r.token);
  CHECK(twice.status == 409);
  CHECK(twice.problem_type() == "/problems/already-voted");
  REQUIRE(t.call("POST", id_path(suggestions(c), bikes.id()) + "/votes", std::nullopt, n.token).status == 201);

  auto by_new = t.get(suggestions(c), courier.token);
  REQUIRE(by_new.status == 200);
  CHECK(by_new.json.at("items").at(0).at("id").as_int64() == bench.id());
  auto by_votes = t.get(suggestions(c) + "?sort=votes", r.token);
  REQUIRE(by_votes.status == 200);
  CHECK(by_votes.json.at("items").at(0).at("id").as_int64() == bikes.id());
  CHECK(by_votes.json.at("items").at(0).at("vote_count").as_int64() == 2);
  CHECK(by_votes.json.at("items").at(0).at("voted") == true);
  CHECK(by_votes.json.at("items").at(1).at("voted") == false);
  auto page1 = t.get(suggestions(c) + "?sort=votes&limit=1", r.token);
  REQUIRE(page1.json.at("next_cursor").is_string());
  auto page2 = t.get(suggestions(c) + "?sort=votes&limit=1&cursor=" + std::string(page1.json.at("next_cursor").as_string()),
                     r.token);
  REQUIRE(page2.json.at("items").as_array().size() == 1);
  CHECK(page2.json.at("items").at(0).at("id").as_int64() == bench.id());
  CHECK(page2.json.at("next_cursor").is_null());
  CHECK(t.get(suggestions(c) + "?sort=hot", r.token).status == 422);

  REQUIRE(t.del(id_path(suggestions(c), bikes.id()) + "/votes", r.token).status == 204);
  CHECK(t.del(id_path(suggestions(c), bikes.id()) + "/votes", r.token).status == 404);
  auto after = t.get(id_path(suggestions(c), bikes.id()), r.token);
  CHECK(after.json.at("vote_count").as_int64() == 1);
  CHECK(after.json.at("voted") == false);
  // Voting again after unvoting is allowed.
  CHECK(t.call("POST", id_path(suggestions(c), bikes.id()) + "/votes", std::nullopt, r.token).status == 201);

  // Errors and access.
  CHECK(t.post(suggestions(c), {{"title", ""}, {"body", "x"}}, r.token).status == 422);
  CHECK(t.post(suggestions(c), {{"title", "x"}}, r.token).status == 422);
  CHECK(t.post(suggestions(c), {{"title", 1}, {"body", "x"}}, r.token).status == 400);
  CHECK(t.post(suggestions(c), {{"title", "x"}, {"body", "x"}}, c.manager.token).status == 403);
  CHECK(t.post(suggestions(c), {{"title", "x"}, {"body", "x"}}, other.manager.token).status == 404);
  CHECK(t.call("POST", id_path(suggestions(c), bikes.id()) + "/votes", std::nullopt, c.manager.token).status == 403);
  CHECK(t.call("POST", id_path(suggestions(c), 999999999) + "/votes", std::nullopt, r.token).status == 404);
  CHECK(t.del(id_path(suggestions(c), 999999999) + "/votes", r.token).status == 404);
  auto foreign = t.post(suggestions(other), {{"title", "x"}, {"body", "y"}}, t.resident(other, 0).token);
  REQUIRE(foreign.status == 201);
  CHECK(t.call("POST", id_path(suggestions(c), foreign.id()) + "/votes", std::nullopt, r.token).status == 404);
  CHECK(t.get(id_path(suggestions(c), foreign.id()), r.token).status == 404);
  CHECK(t.get(suggestions(c), other.manager.token).status == 404);
  CHECK(t.get(suggestions(c)).status == 401);
}

TEST_CASE("one resident voting from 8 threads at once counts once", "[property][suggestions][concurrency]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c, 0);
  auto s = t.post(suggestions(c), {{"title", "Solar panels"}, {"body", "On the roof"}}, r.token);
  REQUIRE(s.status == 201);
  std::atomic<int> ok{0}, dup{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      auto res = t.call("POST", id_path(suggestions(c), s.id()) + "/votes", std::nullopt, r.token);
      if (res.status == 201) ++ok;
      if (res.status == 409 && res.problem_type() == "/problems/already-voted") ++dup;
    });
  for (auto& th : threads) th.join();
  CHECK(ok == 1);
  CHECK(dup == 7);
  CHECK(t.get(id_path(suggestions(c), s.id()), r.token).json.at("vote_count").as_int64() == 1);
}
