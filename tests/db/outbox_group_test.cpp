// Grouped transactional deliveries (DispatcherOptions::group): up to `group` due deliveries
// of one transactional subscriber's queue are taken, run and marked done in one transaction;
// a failing one rolls the group back and each is delivered again alone, so only it is
// rescheduled; a delivery another instance has leased is left out of the group.
#include "tests/db/outbox_support.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>
#include <vector>

using namespace outbox_test;

namespace {

// A transactional subscriber that records each call's event number and writes a row in the
// delivery's transaction; event number `poison` throws after writing its row.
struct Calls {
  std::vector<std::int64_t> seen;
  events::Handler handler(std::string sub, std::int64_t poison = -1) {
    return [this, sub, poison](events::Event const& e, db::Tx& tx) {
      auto i = e.payload.at("i").as_int64();
      seen.push_back(i);
      record(e, tx, sub, "d");
      if (i == poison) throw std::runtime_error("poison");
    };
  }
};

}  // namespace

TEST_CASE_METHOD(OwnTopic,
                 "a transactional subscriber's queue is delivered in groups; a poison event rolls its group back and only "
                 "it is retried",
                 "[events][group][dead]") {
  auto sub = t.unique("grouped");
  Calls calls;
  bus.subscribe(sub, topic, calls.handler(sub, 3));
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(publish(bus, topic, i));

  events::Dispatcher d(database(), bus,
                       {.owner = t.unique("inst"), .max_attempts = 2, .backoff_base = std::chrono::milliseconds(50)});
  CHECK(d.run_once() == 5);
  // One group (stopped by the poison), then each alone, oldest first.
  CHECK(calls.seen == std::vector<std::int64_t>{0, 1, 2, 3, 0, 1, 2, 3, 4, 5});
  // The group's writes were rolled back; each event alone committed once, the poison none.
  check_only_poison_retried(t, d, ids, sub, 3);
}

TEST_CASE_METHOD(OwnTopic,
                 "a healthy queue goes in groups of `group` deliveries, one transaction each", "[events][group]") {
  auto sub = t.unique("grouped");
  // What another session sees committed when each delivery runs: it moves once per group.
  std::vector<std::int64_t> committed;
  bus.subscribe(sub, topic, [&](events::Event const& e, db::Tx& tx) {
    committed.push_back(handled(sub));
    record(e, tx, sub, "d");
  });
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 10; ++i) ids.push_back(publish(bus, topic, i));

  events::Dispatcher d(database(), bus, {.owner = t.unique("inst"), .group = 4});
  CHECK(d.run_once() == 10);
  CHECK(committed == std::vector<std::int64_t>{0, 0, 0, 0, 4, 4, 4, 4, 8, 8});
  CHECK(handled(sub) == 10);
  for (auto id : ids) CHECK(status_of(id, sub) == "done");
  CHECK(d.run_once() == 0);
}

TEST_CASE_METHOD(OwnTopic,
                 "group = 1 delivers one per transaction: a poison event runs once per attempt", "[events][group]") {
  auto sub = t.unique("single");
  Calls calls;
  bus.subscribe(sub, topic, calls.handler(sub, 1));
  for (int i = 0; i < 3; ++i) publish(bus, topic, i);
  events::Dispatcher d(database(), bus, {.owner = t.unique("inst"), .group = 1});
  CHECK(d.run_once() == 2);
  CHECK(calls.seen == std::vector<std::int64_t>{0, 1, 2});
  CHECK(handled(sub) == 2);
  forget(topic);
}

TEST_CASE("a delivery another instance leased after the round read its queue is left out of the group",
          "[events][group][lease]") {
  auto& t = app();
  // The queues in the round-robin's order (by topic): `first` runs before `grouped`.
  auto topic_a = t.unique("a-topic"), topic_b = t.unique("b-topic");
  auto first = t.unique("first"), sub = t.unique("grouped");
  events::Bus bus;
  std::vector<std::int64_t> ids;
  // Between the round's read of the queues and the grouped queue's turn, another instance
  // leases the grouped queue's third delivery.
  bus.subscribe(first, topic_a, [&](events::Event const& e, db::Tx& tx) {
    record(e, tx, first, "d");
    lease_to_ghost(tx, sub, ids.at(2));
  });
  Calls calls;
  bus.subscribe(sub, topic_b, calls.handler(sub));
  publish(bus, topic_a, 0);
  for (int i = 0; i < 4; ++i) ids.push_back(publish(bus, topic_b, i));

  events::Dispatcher d(database(), bus, {.owner = t.unique("inst")});
  CHECK(d.run_once() == 4);  // first's one and the group's three
  CHECK(calls.seen == std::vector<std::int64_t>{0, 1, 3});
  CHECK(status_of(ids[2], sub) == "pending");
  CHECK(attempts_of(ids[2], sub) == 0);
  for (auto i : {0, 1, 3}) CHECK(status_of(ids[static_cast<std::size_t>(i)], sub) == "done");
  forget(topic_b);
}
