// Delivery slots: merchants publish them, residents list the open ones, checkout books a
// place in the order's transaction (a full slot refuses, also under real threads), a
// cancelled order frees its place, couriers list tasks by slot and a late task is flagged.
#include "db/tx.hpp"
#include "http/json.hpp"
#include "tests/delivery/helpers.hpp"
#include "tests/support/threads.hpp"

using namespace courtyard;
using namespace courtyard::test;
using namespace courtyard::test::delivery;

namespace {

constexpr std::int64_t kHour = 3600LL * 1000;

struct SlotShop {
  Community c;
  Actor owner;
  std::int64_t mid = 0;
  std::int64_t pid = 0;
  std::string base() const { return c.base() + "/merchants/" + std::to_string(mid); }
  std::string slots() const { return base() + "/delivery-slots"; }
};

SlotShop slot_shop(std::int64_t stock = 100) {
  auto& t = TestApp::get();
  SlotShop s;
  s.c = t.community();
  auto [owner, mid] = t.merchant(s.c);
  s.owner = owner;
  s.mid = mid;
  auto p = t.post(s.base() + "/products", {{"name", "Milk"}, {"price_cents", 200}, {"stock", stock}}, owner.token);
  REQUIRE(p.status == 201);
  s.pid = p.id();
  return s;
}

Result publish(SlotShop const& s, std::int64_t starts_in, std::int64_t length, std::int64_t capacity,
               std::string const& token = "") {
  std::int64_t now = db::now_ms();
  return TestApp::get().post(s.slots(),
                             {{"starts_at", json::rfc3339(now + starts_in)},
                              {"ends_at", json::rfc3339(now + starts_in + length)},
                              {"capacity", capacity}},
                             token.empty() ? s.owner.token : token);
}

std::int64_t slot(SlotShop const& s, std::int64_t capacity, std::int64_t starts_in = kHour) {
  auto r = publish(s, starts_in, kHour, capacity);
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.id();
}

Result order(SlotShop const& s, Actor const& buyer, std::optional<std::int64_t> slot_id,
             std::string const& fulfilment = "delivery") {
  bj::object body{{"merchant_id", s.mid},
                  {"items", bj::array{bj::object{{"product_id", s.pid}, {"quantity", 1}}}},
                  {"fulfilment", fulfilment}};
  if (slot_id) body["slot_id"] = *slot_id;
  return TestApp::get().post(s.c.base() + "/orders", body, buyer.token,
                             {{"Idempotency-Key", TestApp::get().unique("slot-order")}});
}

bj::object slot_of(SlotShop const& s, std::int64_t sid) {
  auto r = TestApp::get().get(s.slots() + "?limit=200", s.owner.token);
  REQUIRE(r.status == 200);
  for (auto const& it : r.json.at("items").as_array())
    if (it.at("id").as_int64() == sid) return it.as_object();
  FAIL("slot " << sid << " not listed");
  return {};
}

Actor funded(SlotShop const& s, std::size_t unit = 0, std::int64_t cents = 10'000) {
  auto& t = TestApp::get();
  auto a = t.resident(s.c, unit);
  t.top_up(s.c, a, cents);
  return a;
}

std::int64_t stock_of(SlotShop const& s) {
  auto r = TestApp::get().get(s.base() + "/products/" + std::to_string(s.pid), s.owner.token);
  REQUIRE(r.status == 200);
  return r.json.at("stock").as_int64();
}

}  // namespace

TEST_CASE("merchants publish delivery slots; residents list the open ones", "[delivery][slots]") {
  auto& t = TestApp::get();
  auto s = slot_shop();
  auto resident = t.resident(s.c);
  auto courier = t.courier(s.c);

  auto made = publish(s, kHour, kHour, 3);
  REQUIRE(made.status == 201);
  CHECK(made.json.at("places_left").as_int64() == 3);
  CHECK(made.json.at("status") == "open");
  CHECK(made.header("Location") == s.slots() + "/" + std::to_string(made.id()));

  // Field problems, all at once; nothing stored.
  auto bad = publish(s, -kHour, -2 * kHour, 0);
  CHECK(bad.status == 422);
  CHECK(bad.json.at("errors").as_array().size() == 3);
  CHECK(publish(s, kHour, 25 * kHour, 1).status == 422);
  CHECK(t.post(s.slots(), {{"capacity", 2}}, s.owner.token).status == 422);

  // Roles: residents and couriers do not publish; another merchant does not publish for this one.
  CHECK(publish(s, kHour, kHour, 3, resident.token).status == 403);
  CHECK(publish(s, kHour, kHour, 3, courier.token).status == 403);
  auto [rival, rival_mid] = t.merchant(s.c, "bakery");
  CHECK(publish(s, kHour, kHour, 3, rival.token).status == 403);
  CHECK(t.get(s.slots(), rival.token).status == 403);

  // Residents see what they can book; ?merchant_id= narrows it.
  auto open = t.get(s.c.base() + "/delivery-slots", resident.token);
  REQUIRE(open.status == 200);
  REQUIRE(open.json.at("items").as_array().size() == 1);
  CHECK(open.json.at("items").as_array()[0].at("id").as_int64() == made.id());
  CHECK(items(t.get(s.c.base() + "/delivery-slots?merchant_id=" + std::to_string(rival_mid), resident.token)).empty());
  CHECK(t.get(s.c.base() + "/delivery-slots?merchant_id=x", resident.token).status == 422);
  CHECK(t.get(s.c.base() + "/delivery-slots?from=yesterday", resident.token).status == 422);

  // Closing stops new bookings and hides it from residents; closing twice is a conflict.
  auto close = t.post(s.slots() + "/" + std::to_string(made.id()) + "/close", bj::object{}, s.owner.token);
  REQUIRE(close.status == 200);
  CHECK(close.json.at("status") == "closed");
  CHECK(t.post(s.slots() + "/" + std::to_string(made.id()) + "/close", bj::object{}, s.owner.token).status == 409);
  CHECK(t.post(s.slots() + "/999999999/close", bj::object{}, s.owner.token).status == 404);
  CHECK(items(t.get(s.c.base() + "/delivery-slots", resident.token)).empty());
  CHECK(slot_of(s, made.id()).at("status") == "closed");

  // Another community's member sees none of it.
  auto other = t.community();
  CHECK(t.get(s.c.base() + "/delivery-slots", other.manager.token).status == 404);
  CHECK(t.get(s.slots(), other.manager.token).status == 404);
}

TEST_CASE("checkout books a slot place; a full slot refuses; cancelling frees the place", "[delivery][slots]") {
  auto& t = TestApp::get();
  auto s = slot_shop();
  auto sid = slot(s, 1);
  auto first = funded(s, 0);
  auto second = funded(s, 1);

  auto placed = order(s, first, sid);
  INFO(placed.body);
  REQUIRE(placed.status == 201);
  CHECK(placed.json.at("delivery_slot_id").as_int64() == sid);
  CHECK(slot_of(s, sid).at("places_left").as_int64() == 0);
  // The order names its slot's window to its buyer and its merchant.
  auto order_path = s.c.base() + "/orders/" + std::to_string(placed.id());
  auto seen = t.get(order_path, first.token);
  REQUIRE(seen.status == 200);
  auto const& booked = seen.json.at("delivery_slot").as_object();
  CHECK(booked.at("id").as_int64() == sid);
  CHECK(booked.at("starts_at") == slot_of(s, sid).at("starts_at"));
  CHECK(booked.at("ends_at") == slot_of(s, sid).at("ends_at"));
  CHECK(t.get(order_path, s.owner.token).json.at("delivery_slot").at("id").as_int64() == sid);

  std::int64_t stock_before = stock_of(s);
  auto full = order(s, second, sid);
  CHECK(full.status == 409);
  CHECK(full.problem_type() == "/problems/slot-full");
  CHECK(t.balance(s.c, second) == 10'000);  // not charged
  CHECK(stock_of(s) == stock_before);        // no stock taken

  // Bad slot choices: 422 and nothing changes.
  auto pickup = order(s, second, sid, "pickup");
  CHECK(pickup.status == 422);
  CHECK(order(s, second, 999999999).status == 422);
  auto rival = slot_shop();
  auto theirs = slot(rival, 5);
  auto wrong = order(s, second, theirs);
  CHECK(wrong.status == 422);
  CHECK(wrong.json.at("errors").as_array()[0].at("field") == "slot_id");
  CHECK(order(s, second, 0).status == 422);
  auto started = slot(s, 5, 1000);
  t.advance_clock_ms(2000);
  CHECK(order(s, second, started).status == 422);
  CHECK(t.balance(s.c, second) == 10'000);

  // The buyer cancels: the place comes back (order.cancelled), and the next buyer gets it.
  auto cancel = t.post(s.c.base() + "/orders/" + std::to_string(placed.id()) + "/cancel", bj::object{}, first.token);
  REQUIRE(cancel.status == 200);
  t.drain_events();
  t.drain_events();
  CHECK(slot_of(s, sid).at("places_left").as_int64() == 1);
  CHECK(t.get(order_path, first.token).json.at("delivery_slot").is_null());  // its place is given back
  auto without = order(s, second, std::nullopt);
  REQUIRE(without.status == 201);
  CHECK(t.get(s.c.base() + "/orders/" + std::to_string(without.id()), second.token).json.at("delivery_slot").is_null());
  CHECK(order(s, second, sid).status == 201);
  CHECK(slot_of(s, sid).at("places_left").as_int64() == 0);
}

TEST_CASE("a slot's tasks: couriers list them by slot; a late one is flagged once", "[delivery][slots]") {
  auto& t = TestApp::get();
  auto s = slot_shop();
  auto sid = slot(s, 4);
  auto other_slot = slot(s, 4, 3 * kHour);
  auto buyer = funded(s, 2);
  auto courier = t.courier(s.c);
  auto placed = order(s, buyer, sid);
  REQUIRE(placed.status == 201);
  auto opath = s.c.base() + "/orders/" + std::to_string(placed.id());
  REQUIRE(t.post(opath + "/accept", bj::object{}, s.owner.token).status == 200);
  REQUIRE(t.post(opath + "/ready", bj::object{}, s.owner.token).status == 200);
  t.drain_events();

  auto task = task_of_order(t, buyer, placed.id());
  REQUIRE(task.at("slot").is_object());
  CHECK(task.at("slot").at("id").as_int64() == sid);
  CHECK(task.at("late") == false);

  auto by_slot = items(t.get(deliveries(s.c) + "?slot_id=" + std::to_string(sid), courier.token));
  REQUIRE(by_slot.size() == 1);
  CHECK(by_slot[0].at("order_id").as_int64() == placed.id());
  CHECK(items(t.get(deliveries(s.c) + "?slot_id=" + std::to_string(other_slot), courier.token)).empty());
  CHECK(t.get(deliveries(s.c) + "?slot_id=abc", courier.token).status == 422);
  CHECK(t.get(deliveries(s.c) + "?late=maybe", courier.token).status == 422);
  CHECK(items(t.get(deliveries(s.c) + "?late=true", courier.token)).empty());

  // Past the slot's end and not delivered: late on read, flagged once by the job.
  t.advance_clock_ms(3 * kHour);
  auto late = items(t.get(deliveries(s.c) + "?late=true", s.c.manager.token));
  REQUIRE(late.size() == 1);
  CHECK(late[0].at("late") == true);
  REQUIRE(t.run_job("delivery.flag_late"));
  t.run_job("delivery.flag_late");
  auto tid = task.at("id").as_int64();
  CHECK(events_with(t, "delivery.late", "delivery_id", tid) == 1);
  auto flagged = t.get(task_path(s.c, tid), s.c.manager.token);
  CHECK(flagged.json.at("late_flagged_at").is_string());

  // Delivered late: no longer listed as late.
  auto path = task_path(s.c, tid);
  REQUIRE(t.post(path + "/claim", bj::object{}, courier.token).status == 200);
  REQUIRE(t.post(path + "/pick-up", bj::object{}, courier.token).status == 200);
  REQUIRE(t.post(path + "/deliver", {{"proof_code", task.at("proof_code")}}, courier.token).status == 200);
  CHECK(items(t.get(deliveries(s.c) + "?late=true", s.c.manager.token)).empty());
}

TEST_CASE("16 residents race for a slot with 5 places: exactly 5 get one", "[delivery][slots][concurrency]") {
  auto& t = TestApp::get();
  constexpr int kBuyers = 16, kPlaces = 5;
  auto s = slot_shop(100);
  auto sid = slot(s, kPlaces);
  std::vector<Actor> buyers;
  for (int i = 0; i < kBuyers; ++i) buyers.push_back(funded(s, static_cast<std::size_t>(i % 3)));
  std::int64_t stock_before = stock_of(s);

  std::vector<Result> results(kBuyers);
  courtyard::test::in_threads(kBuyers, [&](int i) {
    results[i] = order(s, buyers[i], sid);
  });

  int won = 0;
  for (int i = 0; i < kBuyers; ++i) {
    INFO(results[i].status << " " << results[i].body);
    if (results[i].status == 201) {
      ++won;
      CHECK(t.balance(s.c, buyers[i]) == 10'000 - 200);
    } else {
      CHECK(results[i].status == 409);
      CHECK(results[i].problem_type() == "/problems/slot-full");
      CHECK(t.balance(s.c, buyers[i]) == 10'000);
    }
  }
  CHECK(won == kPlaces);
  auto after = slot_of(s, sid);
  CHECK(after.at("booked").as_int64() == kPlaces);
  CHECK(after.at("places_left").as_int64() == 0);
  CHECK(stock_of(s) == stock_before - kPlaces);
}
