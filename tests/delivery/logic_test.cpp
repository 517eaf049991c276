#include "services/delivery/logic.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace courtyard::delivery;

TEST_CASE("delivery state machine", "[delivery][logic]") {
  CHECK(allowed(Verb::Claim, Status::Pending));
  CHECK(!allowed(Verb::Claim, Status::Claimed));
  CHECK(allowed(Verb::PickUp, Status::Claimed));
  CHECK(!allowed(Verb::PickUp, Status::Pending));
  CHECK(allowed(Verb::Deliver, Status::PickedUp));
  CHECK(!allowed(Verb::Deliver, Status::Claimed));
  for (auto s : {Status::Delivered, Status::Failed, Status::Cancelled})
    for (auto v : {Verb::Claim, Verb::PickUp, Verb::Deliver, Verb::Fail, Verb::Cancel}) CHECK(!allowed(v, s));
  for (auto s : {Status::Pending, Status::Claimed, Status::PickedUp, Status::Delivered, Status::Failed, Status::Cancelled})
    CHECK(parse_status(to_string(s)) == s);
  CHECK(!parse_status("lost"));
  CHECK(is_active(Status::Claimed));
  CHECK(is_active(Status::PickedUp));
  CHECK(!is_active(Status::Pending));
}

TEST_CASE("who may move a task", "[delivery][logic]") {
  Actor courier{10, true, false}, other{11, true, false}, manager{20, false, true}, resident{30, false, false};
  CHECK(decide(Verb::Claim, Status::Pending, 0, courier) == Decision::Ok);
  CHECK(decide(Verb::Claim, Status::Claimed, 11, courier) == Decision::Conflict);
  CHECK(decide(Verb::Claim, Status::Pending, 0, manager) == Decision::Forbidden);
  CHECK(decide(Verb::PickUp, Status::Claimed, 10, courier) == Decision::Ok);
  CHECK(decide(Verb::PickUp, Status::Claimed, 10, other) == Decision::Forbidden);
  CHECK(decide(Verb::PickUp, Status::Pending, 0, courier) == Decision::Conflict);
  CHECK(decide(Verb::Deliver, Status::Claimed, 10, courier) == Decision::Conflict);
  CHECK(decide(Verb::Deliver, Status::PickedUp, 10, courier) == Decision::Ok);
  CHECK(decide(Verb::Fail, Status::PickedUp, 10, courier) == Decision::Ok);
  CHECK(decide(Verb::Fail, Status::Pending, 0, courier) == Decision::Conflict);
  CHECK(decide(Verb::Fail, Status::Pending, 0, manager) == Decision::Ok);
  CHECK(decide(Verb::Fail, Status::Claimed, 10, manager) == Decision::Ok);
  CHECK(decide(Verb::Fail, Status::Delivered, 10, manager) == Decision::Conflict);
  CHECK(decide(Verb::Fail, Status::Claimed, 10, resident) == Decision::Forbidden);
  CHECK(decide(Verb::Cancel, Status::PickedUp, 10, resident) == Decision::Ok);
  CHECK(decide(Verb::Cancel, Status::Delivered, 10, resident) == Decision::Conflict);
}

TEST_CASE("least-loaded courier", "[delivery][logic]") {
  CHECK(!least_loaded({}, {}));
  CHECK(least_loaded({5, 3, 9}, {}) == 3);
  CHECK(least_loaded({5, 3, 9}, {{3, 2}, {5, 1}, {9, 1}}) == 5);
  CHECK(least_loaded({5, 3, 9}, {{3, 2}, {5, 1}}) == 9);
  CHECK(least_loaded({7}, {{7, 40}}) == 7);
}

TEST_CASE("codes are random, normalised and compared exactly", "[delivery][logic]") {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto c = new_code();
    REQUIRE(c.size() == kCodeLength);
    for (char ch : c) CHECK(((ch >= 'A' && ch <= 'Z') || (ch >= '2' && ch <= '9')));
    CHECK(c.find_first_of("IO01") == std::string::npos);
    seen.insert(c);
  }
  CHECK(seen.size() == 1000);
  CHECK(normalise_code(" ab3d-ef7h ") == "AB3DEF7H");
  CHECK(codes_match("AB3DEF7H", "ab3d-ef7h"));
  CHECK(!codes_match("AB3DEF7H", "AB3DEF7"));
  CHECK(!codes_match("AB3DEF7H", "AB3DEF7J"));
  CHECK(!codes_match("", ""));
  CHECK(parse_parcel_status("waiting") == ParcelStatus::Waiting);
  CHECK(parse_parcel_status("picked_up") == ParcelStatus::PickedUp);
  CHECK(!parse_parcel_status("gone"));
}

TEST_CASE("a failed attempt is re-dispatched while attempts remain", "[delivery][logic][failed]") {
  using namespace courtyard::delivery;
  CHECK(kDefaultMaxAttempts == 2);
  auto first = after_failure(1, 2);
  CHECK(first.status == Status::Pending);
  CHECK(!first.final);
  CHECK(first.next_attempt == 2);
  auto last = after_failure(2, 2);
  CHECK(last.status == Status::Failed);
  CHECK(last.final);
  // One attempt only: the first failure is final.
  CHECK(after_failure(1, 1).final);
  // Three attempts: two re-dispatches.
  CHECK(!after_failure(2, 3).final);
  CHECK(after_failure(2, 3).next_attempt == 3);
  CHECK(after_failure(3, 3).final);
  // A task past a lowered setting fails for good rather than looping.
  CHECK(after_failure(4, 2).final);
}
