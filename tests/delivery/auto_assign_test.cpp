// Job delivery.auto_assign: unclaimed tasks older than the configured delay go to the
// community's least-loaded courier; never twice; nothing happens without couriers.
#include "gateway/config.hpp"
#include "tests/delivery/helpers.hpp"

using namespace courtyard;
using namespace courtyard::test;
using namespace courtyard::test::delivery;

namespace {

std::int64_t delay_ms(TestApp& t) {
  return t.app().config().settings.integer("delivery.auto-assign-delay") * 1000;
}

bj::object task(TestApp& t, Community const& c, std::int64_t id) {
  auto r = t.get(task_path(c, id), c.manager.token);
  REQUIRE(r.status == 200);
  return r.json.as_object();
}

}  // namespace

TEST_CASE("auto-assignment goes to the least-loaded courier after the delay", "[delivery][jobs]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto buyer = t.resident(c);
  auto busy = t.courier(c);
  auto idle = t.courier(c);

  // `busy` already carries one active delivery.
  auto first = ready_task(t, c, buyer);
  REQUIRE(t.post(task_path(c, first) + "/claim", bj::object{}, busy.token).status == 200);

  auto id = ready_task(t, c, buyer);
  // Too young: stays pending.
  REQUIRE(t.run_job("delivery.auto_assign"));
  CHECK(task(t, c, id).at("status") == "pending");

  t.advance_clock_ms(delay_ms(t) + 1000);
  REQUIRE(t.run_job("delivery.auto_assign"));
  auto assigned = task(t, c, id);
  CHECK(assigned.at("status") == "claimed");
  CHECK(assigned.at("courier_id").as_int64() == idle.account_id);
  auto const& h = assigned.at("history").as_array();
  REQUIRE(h.size() == 2);
  CHECK(h[1].at("actor_id").is_null());
  CHECK(std::string(h[1].at("note").as_string()).find("auto-assigned") != std::string::npos);
  auto ev = last_event(t, "delivery.claimed", "delivery_id", id);
  CHECK(ev.at("auto_assigned") == true);
  CHECK(ev.at("courier_id").as_int64() == idle.account_id);

  // A second run (as another instance would) changes nothing and publishes nothing.
  REQUIRE(t.run_job("delivery.auto_assign"));
  CHECK(task(t, c, id).at("courier_id").as_int64() == idle.account_id);
  CHECK(events_with(t, "delivery.claimed", "delivery_id", id) == 1);
  CHECK(task(t, c, id).at("history").as_array().size() == 2);

  // The assignee can carry on as if it had claimed it.
  CHECK(t.post(task_path(c, id) + "/pick-up", bj::object{}, idle.token).status == 200);
  CHECK(t.post(task_path(c, id) + "/pick-up", bj::object{}, busy.token).status == 403);

  SECTION("loads are now equal (1 and 1): the tie goes to the lower account id") {
    auto next = ready_task(t, c, buyer);
    t.advance_clock_ms(delay_ms(t) + 1000);
    REQUIRE(t.run_job("delivery.auto_assign"));
    CHECK(task(t, c, next).at("courier_id").as_int64() == std::min(busy.account_id, idle.account_id));
  }
  SECTION("a task claimed meanwhile is left alone") {
    auto next = ready_task(t, c, buyer);
    t.advance_clock_ms(delay_ms(t) + 1000);
    REQUIRE(t.post(task_path(c, next) + "/claim", bj::object{}, busy.token).status == 200);
    REQUIRE(t.run_job("delivery.auto_assign"));
    CHECK(task(t, c, next).at("courier_id").as_int64() == busy.account_id);
    CHECK(events_with(t, "delivery.claimed", "delivery_id", next) == 1);
  }
}

TEST_CASE("without couriers a task stays pending", "[delivery][jobs]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto buyer = t.resident(c);
  auto id = ready_task(t, c, buyer);
  t.advance_clock_ms(delay_ms(t) + 1000);
  REQUIRE(t.run_job("delivery.auto_assign"));
  auto after = task(t, c, id);
  CHECK(after.at("status") == "pending");
  CHECK(after.at("courier_id").is_null());
  CHECK(events_with(t, "delivery.claimed", "delivery_id", id) == 0);

  // Once a courier joins, the next run assigns it.
  auto courier = t.courier(c);
  REQUIRE(t.run_job("delivery.auto_assign"));
  CHECK(task(t, c, id).at("courier_id").as_int64() == courier.account_id);
}
