// Trust between neighbours on the feed: a post shows its author's verified-resident badge and
// tenure band, never who they are; only the author and moderators see author_id.
#include "tests/clubs/helpers.hpp"

using namespace courtyard::test;
using namespace courtyard::test::clubs;

TEST_CASE_METHOD(Neighbours, "posts carry a trust badge instead of the author's identity", "[clubs][posts][trust]") {
  auto courier = t.courier(c);
  auto r = t.post(c.base() + "/posts", {{"body", "Plant swap on Sunday"}}, alice.token);
  REQUIRE(r.status == 201);
  CHECK(r.json.at("author").at("label") == "new resident, A");
  REQUIRE(t.post(c.base() + "/posts", {{"body", "Parcel for 102?"}}, courier.token).status == 201);

  auto feed = t.get(c.base() + "/posts", bob.token);
  REQUIRE(feed.status == 200);
  auto const& items = feed.json.at("items").as_array();
  REQUIRE(items.size() == 2);
  // Newest first: the courier is no resident, so no badge; then Alice's.
  CHECK_FALSE(items[0].at("author").at("verified_resident").as_bool());
  CHECK(items[0].at("author").at("label") == "neighbour");
  CHECK(items[1].at("author").at("verified_resident").as_bool());
  CHECK(items[1].at("author").at("tenure_band") == "new resident");
  CHECK(items[1].at("author").at("building") == "A");
  for (auto const& p : items) CHECK_FALSE(p.as_object().contains("author_id"));
  CHECK(feed.body.find(alice.email) == std::string::npos);

  auto single = t.get(c.base() + "/posts/" + std::to_string(r.id()), bob.token);
  REQUIRE(single.status == 200);
  CHECK_FALSE(single.json.as_object().contains("author_id"));
  CHECK(single.json.at("author").at("verified_resident").as_bool());
  // Moderators and the author still see whose post it is.
  CHECK(t.get(c.base() + "/posts/" + std::to_string(r.id()), c.manager.token).json.at("author_id").as_int64() ==
        alice.account_id);
  CHECK(t.get(c.base() + "/posts/" + std::to_string(r.id()), alice.token).json.at("author_id").as_int64() ==
        alice.account_id);
}
