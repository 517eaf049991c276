#include "tests/support/test_app.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <thread>
#include <vector>

using namespace courtyard;
using test::TestApp;
namespace bj = boost::json;

namespace {

constexpr int kThreads = 8;

template <class F>
std::vector<int> race(F call) {
  std::vector<int> statuses(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) threads.emplace_back([&, i] { statuses[i] = call(i); });
  for (auto& th : threads) th.join();
  return statuses;
}

// `who` applies to live in the community's unit; returns the pending application's path.
std::string application(TestApp& t, test::Community const& c, test::Actor const& who, std::size_t unit) {
  auto app = t.post(c.base() + "/residency-applications", {{"unit_id", c.unit_ids[unit]}}, who.token);
  REQUIRE(app.status == 201);
  return c.base() + "/residency-applications/" + std::to_string(app.id());
}

}  // namespace

TEST_CASE("8 concurrent registrations of one email: one 201, the rest 409", "[identity][concurrency]") {
  auto& t = TestApp::get();
  auto email = t.unique("race") + "@example.test";
  auto statuses = race([&](int i) {
    return t
        .post("/v1/auth/register",
              {{"email", email}, {"password", "racing password"}, {"display_name", "Racer " + std::to_string(i)}})
        .status;
  });
  INFO("statuses: " << bj::serialize(bj::value_from(statuses)));
  CHECK(std::count(statuses.begin(), statuses.end(), 201) == 1);
  CHECK(std::count(statuses.begin(), statuses.end(), 409) == kThreads - 1);
  CHECK(t.post("/v1/auth/login", {{"email", email}, {"password", "racing password"}}).status == 200);
}

TEST_CASE("8 concurrent approvals of one application: one 200, the rest 409", "[identity][concurrency]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto a = t.account("contested");
  auto path = application(t, c, a, 0);
  auto statuses = race([&](int) { return t.call("POST", path + "/approve", std::nullopt, c.manager.token).status; });
  INFO("statuses: " << bj::serialize(bj::value_from(statuses)));
  CHECK(std::count(statuses.begin(), statuses.end(), 200) == 1);
  CHECK(std::count(statuses.begin(), statuses.end(), 409) == kThreads - 1);

  auto roles = t.get("/v1/me", a.token).json.at("roles").as_array();
  CHECK(roles.size() == 1);
}

TEST_CASE("8 concurrent decisions, approve against reject: exactly one wins", "[identity][concurrency]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto a = t.account("contested");
  auto path = application(t, c, a, 1);
  auto statuses = race([&](int i) {
    return t.call("POST", path + (i % 2 ? "/approve" : "/reject"), std::nullopt, c.manager.token).status;
  });
  CHECK(std::count(statuses.begin(), statuses.end(), 200) == 1);
  CHECK(std::count(statuses.begin(), statuses.end(), 409) == kThreads - 1);
  auto final_state = t.get(path, c.manager.token).json.at("status").as_string();
  auto roles = t.get("/v1/me", a.token).json.at("roles").as_array();
  CHECK(roles.size() == (final_state == "approved" ? 1u : 0u));
}
