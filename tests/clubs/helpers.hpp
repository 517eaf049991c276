#pragma once
// Shared fixtures for the clubs tests.
#include "db/tx.hpp"
#include "http/json.hpp"
#include "tests/clubs/probe.hpp"
#include "tests/support/test_app.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace courtyard::test::clubs {

namespace bj = boost::json;

constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kDay = 24 * kHour;

// An RFC 3339 time `ms` after the application clock's now.
inline std::string in(std::int64_t ms) { return json::rfc3339(db::now_ms() + ms); }

inline std::string str(Result const& r, char const* key) { return std::string(r.json.at(key).as_string()); }

inline std::int64_t create_club(TestApp& t, Community const& c, Actor const& who, bool open,
                                std::string const& name = "Chess") {
  auto r = t.post(c.base() + "/clubs", {{"name", t.unique(name)}, {"open", open}}, who.token);
  REQUIRE(r.status == 201);
  return r.id();
}

// A new community with two residents: alice (unit 0) and bob (unit 1).
struct Neighbours {
  TestApp& t = TestApp::get();
  Community c = t.community();
  Actor alice = t.resident(c);
  Actor bob = t.resident(c, 1);
};

// A new community's club founded by a resident (org), and two more residents who are not
// members (bob in unit 1, carol in unit 2).
struct ClubSetup {
  Community c;
  Actor org, bob, carol;
  std::int64_t club = 0;
};

inline ClubSetup club_setup(TestApp& t, bool open) {
  ClubSetup s;
  s.c = t.community();
  s.org = t.resident(s.c);
  s.bob = t.resident(s.c, 1);
  s.carol = t.resident(s.c, 2);
  s.club = create_club(t, s.c, s.org, open);
  return s;
}

inline std::int64_t create_event(TestApp& t, Community const& c, std::int64_t club, Actor const& organiser,
                                 std::int64_t capacity, std::int64_t fee_cents = 0, std::int64_t starts_in = 3 * kDay) {
  auto r = t.post(c.base() + "/clubs/" + std::to_string(club) + "/events",
                  {{"title", "Evening"}, {"starts_at", in(starts_in)}, {"capacity", capacity}, {"fee_cents", fee_cents}},
                  organiser.token);
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.id();
}

inline std::string club_path(Community const& c, std::int64_t club) { return c.base() + "/clubs/" + std::to_string(club); }
inline std::string event_path(Community const& c, std::int64_t eid) { return c.base() + "/events/" + std::to_string(eid); }
inline std::string post_path(Community const& c, std::int64_t pid) { return c.base() + "/posts/" + std::to_string(pid); }

// Runs fn(i) on `n` threads started together; returns when all are done.
inline void in_parallel(int n, std::function<void(int)> const& fn) {
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) threads.emplace_back([&, i] { fn(i); });
  for (auto& th : threads) th.join();
}

// One community with a pool of residents shared by the tests that need many people.
struct Crowd {
  Community c;
  std::vector<Actor> residents;
};
inline Crowd& crowd() {
  static Crowd cr = [] {
    auto& t = TestApp::get();
    Crowd x;
    x.c = t.community();
    for (int i = 0; i < 24; ++i) x.residents.push_back(t.resident(x.c, static_cast<std::size_t>(i % 3)));
    return x;
  }();
  return cr;
}

}  // namespace courtyard::test::clubs
