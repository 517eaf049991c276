// Parcels: logged by a manager for a unit (residents notified with a pick-up code), picked up
// once with that code.
#include "tests/delivery/helpers.hpp"

#include <thread>

using namespace courtyard;
using namespace courtyard::test;
using namespace courtyard::test::delivery;

namespace {

std::string parcels(Community const& c) { return c.base() + "/parcels"; }

}  // namespace

TEST_CASE("a manager logs a parcel; the unit's residents see it with the code", "[delivery][parcels]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r1 = t.resident(c, 0);
  auto r2 = t.resident(c, 0);
  auto neighbour = t.resident(c, 1);

  auto logged = t.post(parcels(c), {{"unit_id", c.unit_ids[0]}, {"carrier", "DHL"}, {"tracking_no", "JD0001"}},
                       c.manager.token);
  REQUIRE(logged.status == 201);
  auto id = logged.id();
  CHECK(logged.header("Location") == parcels(c) + "/" + std::to_string(id));
  CHECK(logged.json.at("status") == "waiting");
  CHECK(!logged.json.as_object().contains("pickup_code"));  // for the residents only

  auto ev = last_event(t, "parcel.logged", "parcel_id", id);
  CHECK(ev.at("unit_id").as_int64() == c.unit_ids[0]);
  std::vector<std::int64_t> to;
  for (auto const& a : ev.at("account_ids").as_array()) to.push_back(a.as_int64());
  std::sort(to.begin(), to.end());
  CHECK(to == std::vector<std::int64_t>{std::min(r1.account_id, r2.account_id), std::max(r1.account_id, r2.account_id)});

  auto mine = t.get(parcels(c), r1.token);
  REQUIRE(mine.status == 200);
  REQUIRE(mine.json.at("items").as_array().size() == 1);
  std::string code(mine.json.at("items").as_array()[0].at("pickup_code").as_string());
  CHECK(code == std::string(ev.at("pickup_code").as_string()));
  CHECK(t.get(parcels(c) + "/" + std::to_string(id), r2.token).json.at("pickup_code") == code.c_str());
  // A neighbour in another unit sees nothing of it.
  CHECK(t.get(parcels(c), neighbour.token).json.at("items").as_array().empty());
  CHECK(t.get(parcels(c) + "/" + std::to_string(id), neighbour.token).status == 404);
  // The manager sees it, without the code.
  auto all = t.get(parcels(c) + "?status=waiting", c.manager.token);
  REQUIRE(all.json.at("items").as_array().size() == 1);
  CHECK(!all.json.at("items").as_array()[0].as_object().contains("pickup_code"));
  CHECK(t.get(parcels(c) + "?status=picked_up", c.manager.token).json.at("items").as_array().empty());
  CHECK(t.get(parcels(c) + "?status=lost", c.manager.token).status == 422);

  SECTION("picked up once with the code") {
    CHECK(t.post(parcels(c) + "/pick-up", {{"code", code}}, r1.token).status == 403);
    auto up = t.post(parcels(c) + "/pick-up", {{"code", code}}, c.manager.token);
    REQUIRE(up.status == 200);
    CHECK(up.json.at("status") == "picked_up");
    CHECK(up.json.at("picked_up_at").is_string());
    auto again = t.post(parcels(c) + "/pick-up", {{"code", code}}, c.manager.token);
    CHECK(again.status == 409);
    CHECK(again.problem_type() == "/problems/already-picked-up");
    auto picked = last_event(t, "parcel.picked_up", "parcel_id", id);
    CHECK(picked.at("account_ids").as_array().size() == 2);
    CHECK(events_with(t, "parcel.picked_up", "parcel_id", id) == 1);
    CHECK(t.get(parcels(c) + "?status=picked_up", r1.token).json.at("items").as_array().size() == 1);
  }
  SECTION("wrong and malformed codes") {
    CHECK(t.post(parcels(c) + "/pick-up", {{"code", code == "ZZZZZZZZ" ? "YYYYYYYY" : "ZZZZZZZZ"}}, c.manager.token)
              .status == 404);
    CHECK(t.post(parcels(c) + "/pick-up", {{"code", ""}}, c.manager.token).status == 422);
    CHECK(t.post(parcels(c) + "/pick-up", bj::object{}, c.manager.token).status == 422);
    CHECK(t.post(parcels(c) + "/pick-up", {{"code", 7}}, c.manager.token).status == 400);
    CHECK(t.call("POST", parcels(c) + "/pick-up", std::nullopt, c.manager.token).status == 400);
  }
  SECTION("another community's manager cannot use the code") {
    auto other = t.community();
    CHECK(t.post(parcels(other) + "/pick-up", {{"code", code}}, other.manager.token).status == 404);
    CHECK(t.post(parcels(c) + "/pick-up", {{"code", code}}, other.manager.token).status == 404);
    CHECK(t.get(parcels(other) + "/" + std::to_string(id), other.manager.token).status == 404);
    CHECK(t.get(parcels(c), other.manager.token).status == 404);
  }
}

TEST_CASE("logging a parcel validates its unit and fields", "[delivery][parcels]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto other = t.community();
  auto resident = t.resident(c);
  auto courier = t.courier(c);
  auto const path = parcels(c);
  bj::object ok{{"unit_id", c.unit_ids[1]}, {"carrier", "UPS"}, {"tracking_no", "1Z"}};

  auto other_unit = ok;
  other_unit["unit_id"] = other.unit_ids[0];
  CHECK(t.post(path, other_unit, c.manager.token).status == 422);
  auto unknown = ok;
  unknown["unit_id"] = 999999999;
  CHECK(t.post(path, unknown, c.manager.token).status == 422);
  auto no_carrier = ok;
  no_carrier.erase("carrier");
  CHECK(t.post(path, no_carrier, c.manager.token).status == 422);
  auto long_tracking = ok;
  long_tracking["tracking_no"] = std::string(129, 'x');
  CHECK(t.post(path, long_tracking, c.manager.token).status == 422);
  auto wrong_type = ok;
  wrong_type["unit_id"] = "101";
  CHECK(t.post(path, wrong_type, c.manager.token).status == 400);
  CHECK(t.call("POST", path, std::nullopt, c.manager.token).status == 400);

  CHECK(t.post(path, ok, resident.token).status == 403);
  CHECK(t.post(path, ok, courier.token).status == 403);
  CHECK(t.get(path, courier.token).status == 403);
  CHECK(t.post(path, ok, other.manager.token).status == 404);
  CHECK(t.post(path, ok).status == 401);
  CHECK(t.post(path, ok, c.manager.token).status == 201);
  // A unit without residents: logged, nobody to tell.
  CHECK(t.get(path + "?limit=0", c.manager.token).status == 422);
}

TEST_CASE("a parcel picked up concurrently is handed out once", "[delivery][parcels][concurrency]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c, 2);
  auto id = t.post(parcels(c), {{"unit_id", c.unit_ids[2]}, {"carrier", "GLS"}, {"tracking_no", "G1"}}, c.manager.token).id();
  std::string code(t.get(parcels(c) + "/" + std::to_string(id), r.token).json.at("pickup_code").as_string());

  std::vector<int> status(8);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < status.size(); ++i)
    threads.emplace_back([&, i] { status[i] = t.post(parcels(c) + "/pick-up", {{"code", code}}, c.manager.token).status; });
  for (auto& th : threads) th.join();
  CHECK(std::count(status.begin(), status.end(), 200) == 1);
  CHECK(std::count(status.begin(), status.end(), 409) == 7);
  CHECK(events_with(t, "parcel.picked_up", "parcel_id", id) == 1);
}

TEST_CASE("access walk: delivery", "[delivery][access]") { walk_access(TestApp::get(), "delivery"); }
