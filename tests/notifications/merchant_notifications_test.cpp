// merchant.* events (shops' onboarding) -> the applicant hears each decision with its reason;
// the managers hear of each application.
#include "tests/notifications/helpers.hpp"

using namespace courtyard::test;
using namespace courtyard::test::notif;

namespace {

int count_type(bj::array const& items, std::string const& type) {
  int n = 0;
  for (auto const& i : items)
    if (i.at("type").as_string() == type) ++n;
  return n;
}

}  // namespace

TEST_CASE("merchant decisions notify the applicant, applications the managers", "[notifications][merchants]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto applicant = t.account("applicant");
  auto bystander = t.resident(c);
  bj::object base{{"merchant_id", 41}, {"owner_id", applicant.account_id}, {"name", "Olive's Greens"},
                  {"category", "grocery"}};

  auto applied = base;
  applied["status"] = "pending";
  publish(t, "merchant.applied", c.id, applied);
  CHECK(count_type(mine(t, c.manager), "merchant.applied") == 1);
  CHECK(count_type(mine(t, applicant), "merchant.applied") == 0);

  auto rejected = base;
  rejected["status"] = "rejected";
  rejected["reason"] = "We already have a grocer.";
  publish(t, "merchant.rejected", c.id, rejected);
  auto got = mine(t, applicant);
  REQUIRE(count_type(got, "merchant.rejected") == 1);
  for (auto const& n : got)
    if (n.at("type").as_string() == "merchant.rejected") {
      CHECK(std::string(n.at("body").as_string()).find("We already have a grocer.") != std::string::npos);
      CHECK(n.at("data").at("reason").as_string() == "We already have a grocer.");
    }
  for (auto topic : {"merchant.approved", "merchant.suspended", "merchant.reinstated"}) {
    auto p = base;
    p["status"] = "approved";
    p["reason"] = "inspection";
    publish(t, topic, c.id, p);
    CHECK(count_type(mine(t, applicant), topic) == 1);
  }
  CHECK(mine(t, bystander).empty());
}
