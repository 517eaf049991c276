// The residency-apply route (issue 10, defect 12): it must not tell a stranger which
// communities and units exist, and an account may keep only a few applications open.
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

std::string str(std::int64_t v) { return std::to_string(v); }

test::Result apply(TestApp& t, std::int64_t cid, std::int64_t unit_id, std::string const& token) {
  return t.post("/v1/communities/" + str(cid) + "/residency-applications", {{"unit_id", unit_id}}, token);
}

// The parts of a problem that could tell one refusal from another.
std::string shape(test::Result const& r) {
  auto const& o = r.json.as_object();
  return str(r.status) + "|" + std::string(o.at("type").as_string()) + "|" + std::string(o.at("title").as_string()) +
         "|" + std::string(o.at("detail").as_string());
}

}  // namespace

TEST_CASE("applying answers the same 404 for a missing community, a missing unit and a foreign unit",
          "[identity][applications]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto other = t.community();
  auto stranger = t.account("prober");
  auto no_community = apply(t, 999999999, c.unit_ids[0], stranger.token);
  auto no_unit = apply(t, c.id, 999999999, stranger.token);
  auto foreign_unit = apply(t, c.id, other.unit_ids[0], stranger.token);
  REQUIRE(no_community.status == 404);
  CHECK(shape(no_community) == shape(no_unit));
  CHECK(shape(no_unit) == shape(foreign_unit));
  // Nothing was created by the refusals.
  CHECK(t.get("/v1/me/residency-applications", stranger.token).json.at("items").as_array().empty());
}

TEST_CASE("an account keeps one open application per community and three in all", "[identity][applications]") {
  auto& t = TestApp::get();
  std::vector<test::Community> cs;
  for (int i = 0; i < 4; ++i) cs.push_back(t.community());
  auto a = t.account("hopeful");

  auto first = apply(t, cs[0].id, cs[0].unit_ids[0], a.token);
  REQUIRE(first.status == 201);
  auto same_community = apply(t, cs[0].id, cs[0].unit_ids[1], a.token);
  CHECK(same_community.status == 409);
  CHECK(same_community.problem_type() == "/problems/duplicate");
  CHECK(apply(t, cs[1].id, cs[1].unit_ids[0], a.token).status == 201);
  CHECK(apply(t, cs[2].id, cs[2].unit_ids[0], a.token).status == 201);
  auto fourth = apply(t, cs[3].id, cs[3].unit_ids[0], a.token);
  CHECK(fourth.status == 409);
  CHECK(fourth.problem_type() == "/problems/too-many-applications");
  // At the cap, probing tells nothing: a missing community gets the same answer.
  auto probe = apply(t, 999999999, 999999999, a.token);
  CHECK(shape(probe) == shape(fourth));

  // A decision frees a place.
  auto path = cs[0].base() + "/residency-applications/" + str(first.id());
  REQUIRE(t.call("POST", path + "/reject", std::nullopt, cs[0].manager.token).status == 200);
  CHECK(apply(t, cs[3].id, cs[3].unit_ids[0], a.token).status == 201);
  CHECK(t.get("/v1/me/residency-applications", a.token).json.at("items").as_array().size() == 4);
}

TEST_CASE("concurrent applications cannot pass the caps", "[identity][applications][concurrency]") {
  auto& t = TestApp::get();
  constexpr int kThreads = 8;
  std::vector<test::Community> cs;
  for (int i = 0; i < kThreads; ++i) cs.push_back(t.community());
  auto spread = t.account("spread");
  auto focused = t.account("focused");

  auto race = [&](auto call) {
    std::vector<int> statuses(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) threads.emplace_back([&, i] { statuses[i] = call(i); });
    for (auto& th : threads) th.join();
    return statuses;
  };
  // Eight communities at once: three open applications.
  auto across = race([&](int i) { return apply(t, cs[i].id, cs[i].unit_ids[0], spread.token).status; });
  INFO("across: " << bj::serialize(bj::value_from(across)));
  CHECK(std::count(across.begin(), across.end(), 201) == 3);
  CHECK(std::count(across.begin(), across.end(), 409) == kThreads - 3);
  // One community's three units at once: one open application.
  auto within = race([&](int i) { return apply(t, cs[0].id, cs[0].unit_ids[i % 3], focused.token).status; });
  INFO("within: " << bj::serialize(bj::value_from(within)));
  CHECK(std::count(within.begin(), within.end(), 201) == 1);
  CHECK(std::count(within.begin(), within.end(), 409) == kThreads - 1);
}
