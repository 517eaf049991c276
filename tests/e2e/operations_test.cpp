// Issue 14's operations loops through the real binary, its own dispatcher and job scheduler:
// a group buy whose threshold is reached becomes a batched delivery that a courier completes
// household by household with each one's proof code; and a delivery slot's capacity holds
// when many checkouts race for its last places over real connections.
#include "tests/e2e/fault_support.hpp"
#include "tests/e2e/http_client.hpp"
#include "tests/e2e/server_process.hpp"
#include "tests/e2e/session.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <ctime>
#include <functional>
#include <thread>
#include <vector>

using namespace courtyard::e2e;
namespace bj = boost::json;

namespace {

std::string str(std::int64_t v) { return std::to_string(v); }

HttpResponse send(unsigned short port, std::string_view method, std::string const& target, bj::value const& body,
                  std::string const& token, HeaderList extra = {}) {
  return fetch(port, method, target, body.is_null() ? std::string() : bj::serialize(body), bearer(token, std::move(extra)));
}

bj::value ok(unsigned short port, std::string_view method, std::string const& target, bj::value const& body,
             std::string const& token, int expect = 200) {
  auto r = send(port, method, target, body, token);
  INFO(method << " " << target << " -> " << r.status << " " << r.body);
  REQUIRE(r.status == expect);
  return r.body.empty() ? bj::value() : r.json();
}

std::string rfc3339(std::chrono::system_clock::time_point at) {
  std::time_t t = std::chrono::system_clock::to_time_t(at);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Polls `done` every 200 ms for up to `limit`; true when it became true.
bool eventually(std::function<bool()> const& done, std::chrono::seconds limit = std::chrono::seconds(40)) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return done();
}

// A courier of the community: registered, given the role by the manager, signed in.
std::string courier(unsigned short port, Seeded const& s, std::string const& name) {
  std::string email = name + "-" + str(s.community_id) + "@ops.example.com";
  auto id = ok(port, "POST", "/v1/auth/register",
               bj::object{{"email", email}, {"password", "ops-courier-password"}, {"display_name", name}}, "", 201)
                .at("id")
                .as_int64();
  ok(port, "POST", s.base + "/staff", bj::object{{"account_id", id}, {"role", "courier"}}, s.manager_token, 201);
  return std::string(ok(port, "POST", "/v1/auth/login",
                        bj::object{{"email", email}, {"password", "ops-courier-password"}}, "")
                         .at("token")
                         .as_string());
}

SeedOptions small_world(int residents) {
  SeedOptions o;
  o.residents = residents;
  o.products = 1;
  o.stock = 1000;
  o.top_up_cents = 100'000;
  o.bill_periods = 0;
  return o;
}

}  // namespace

TEST_CASE("e2e: group buy -> threshold reached -> one batch -> the courier delivers each household with its code",
          "[e2e][operations]") {
  ServerProcess server;
  auto port = server.port();
  auto s = seed_community(port, small_world(3));
  std::string shop = s.base + "/merchants/" + str(s.merchant_id);
  auto pid = s.product_ids.at(0);

  auto gb = ok(port, "POST", s.base + "/group-buys",
               bj::object{{"product_id", pid},
                          {"unit_price_cents", 100},
                          {"min_participants", 3},
                          {"closes_at", rfc3339(std::chrono::system_clock::now() + std::chrono::seconds(8))}},
               s.merchant_owner_token, 201);
  auto gid = gb.at("id").as_int64();
  std::string join = s.base + "/group-buys/" + str(gid) + "/join";
  // Joined in reverse unit order; the round still goes by floor and unit.
  for (auto i = s.residents.size(); i-- > 0;) {
    auto r = send(port, "POST", join, bj::object{{"quantity", 1}, {"fulfilment", "delivery"}}, s.residents[i].token,
                  {{"Idempotency-Key", "join-" + str(static_cast<std::int64_t>(i))}});
    INFO(r.body);
    REQUIRE(r.status == 201);
  }

  // The server's closer job reaches the threshold at closes_at; its dispatcher turns
  // groupbuy.closed into one batch for the building.
  bj::value batch;
  REQUIRE(eventually([&] {
    auto r = send(port, "GET", s.base + "/delivery-batches", nullptr, s.manager_token);
    if (r.status != 200) return false;
    auto list = r.json();
    if (list.at("items").as_array().empty()) return false;
    batch = list.at("items").at(0);
    return true;
  }));
  CHECK(batch.at("group_buy_id").as_int64() == gid);
  CHECK(batch.at("kind") == "delivery");
  CHECK(batch.at("progress").at("total").as_int64() == 3);
  CHECK(batch.at("progress").at("done").as_int64() == 0);
  std::string path = s.base + "/delivery-batches/" + str(batch.at("id").as_int64());

  auto detail = ok(port, "GET", path, nullptr, s.manager_token);
  auto const& stops = detail.at("stops").as_array();
  REQUIRE(stops.size() == 3);
  for (std::size_t i = 0; i < stops.size(); ++i) CHECK(stops[i].at("unit_number") == str(100 + i).c_str());

  // Each household sees the batch and its own code; the merchant sees the batch.
  struct Stop {
    std::int64_t id = 0;
    std::string code;
  };
  std::vector<Stop> household;
  for (auto const& r : s.residents) {
    auto mine = ok(port, "GET", "/v1/me/delivery-batches", nullptr, r.token).at("items").as_array();
    REQUIRE(mine.size() == 1);
    household.push_back({mine[0].at("my_stop").at("id").as_int64(),
                         std::string(mine[0].at("my_stop").at("proof_code").as_string())});
  }
  CHECK(household[0].code != household[1].code);
  CHECK(ok(port, "GET", shop + "/delivery-batches", nullptr, s.merchant_owner_token).at("items").as_array().size() == 1);

  auto dan = courier(port, s, "dan");
  ok(port, "POST", path + "/claim", bj::object{}, dan);
  ok(port, "POST", path + "/pick-up", bj::object{}, dan);
  auto deliver = [&](Stop const& stop, std::string const& code) {
    return send(port, "POST", path + "/stops/" + str(stop.id) + "/deliver", bj::object{{"proof_code", code}}, dan);
  };
  auto wrong = deliver(household[0], household[1].code);
  CHECK(wrong.status == 422);
  for (std::size_t i = 0; i < household.size(); ++i) {
    auto r = deliver(household[i], household[i].code);
    INFO(r.body);
    REQUIRE(r.status == 200);
    CHECK(r.json().at("progress").at("done").as_int64() == static_cast<std::int64_t>(i + 1));
    CHECK(r.json().at("status") == (i + 1 == household.size() ? "completed" : "picked_up"));
  }
  CHECK(deliver(household[0], household[0].code).status == 409);  // done already

  // Shops completes each household's order from delivery.delivered, asynchronously.
  for (auto const& r : s.residents) {
    CHECK(eventually([&] {
      auto orders = send(port, "GET", "/v1/me/orders", nullptr, r.token);
      if (orders.status != 200) return false;
      auto items = orders.json().at("items").as_array();
      return items.size() == 1 && items[0].at("status") == "completed" && items[0].at("fulfilment") == "delivery";
    }));
  }
  auto progress = ok(port, "GET", "/v1/me/delivery-batches", nullptr, s.residents[0].token).at("items").at(0);
  CHECK(progress.at("status") == "completed");
  CHECK(progress.at("progress").at("done").as_int64() == 3);
}

TEST_CASE("e2e: a delivery slot's capacity holds when checkouts race for it", "[e2e][operations]") {
  ServerProcess server;
  auto port = server.port();
  auto s = seed_community(port, small_world(3));
  std::string shop = s.base + "/merchants/" + str(s.merchant_id);
  auto pid = s.product_ids.at(0);
  constexpr std::int64_t kCapacity = 5;
  auto now = std::chrono::system_clock::now();
  auto slot = ok(port, "POST", shop + "/delivery-slots",
                 bj::object{{"starts_at", rfc3339(now + std::chrono::hours(2))},
                            {"ends_at", rfc3339(now + std::chrono::hours(3))},
                            {"capacity", kCapacity}},
                 s.merchant_owner_token, 201);
  auto sid = slot.at("id").as_int64();
  bj::object body{{"merchant_id", s.merchant_id},
                  {"items", bj::array{bj::object{{"product_id", pid}, {"quantity", 1}}}},
                  {"fulfilment", "delivery"},
                  {"slot_id", sid}};
  std::string const order_body = bj::serialize(body);

  // 18 checkouts at once, each on its own connection: exactly the capacity gets a place.
  constexpr int kThreads = 18;
  std::atomic<int> placed{0}, full{0}, other{0};
  std::vector<std::int64_t> orders(kThreads, 0);
  std::vector<std::string> unexpected(kThreads);
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&, i] {
      auto const& r = s.residents[i % s.residents.size()];
      while (!go.load()) std::this_thread::yield();
      auto res = fetch(port, "POST", s.base + "/orders", order_body,
                       bearer(r.token, {{"Idempotency-Key", "slot-race-" + str(i)}}));
      if (res.status == 201) {
        ++placed;
        orders[i] = res.json().at("id").as_int64();
      } else if (res.status == 409 && res.json().at("type") == "/problems/slot-full") {
        ++full;
      } else {
        ++other;
        unexpected[i] = str(res.status) + " " + res.body;
      }
    });
  go = true;
  for (auto& t : threads) t.join();
  for (auto const& u : unexpected)
    if (!u.empty()) UNSCOPED_INFO("unexpected answer: " << u);
  CHECK(other.load() == 0);
  CHECK(placed.load() == kCapacity);
  CHECK(full.load() == kThreads - kCapacity);

  auto booked = [&] {
    auto const list = ok(port, "GET", shop + "/delivery-slots", nullptr, s.merchant_owner_token);
    for (auto const& it : list.at("items").as_array())
      if (it.at("id").as_int64() == sid) return it.at("booked").as_int64();
    return std::int64_t{-1};
  };
  CHECK(booked() == kCapacity);

  // A cancelled order gives its place back (order.cancelled, asynchronously); the next
  // checkout takes it, and the one after is refused again.
  std::int64_t cancel_id = 0;
  std::size_t owner_index = 0;
  for (int i = 0; i < kThreads && !cancel_id; ++i)
    if (orders[i]) {
      cancel_id = orders[i];
      owner_index = i % s.residents.size();
    }
  REQUIRE(cancel_id > 0);
  ok(port, "POST", s.base + "/orders/" + str(cancel_id) + "/cancel", bj::object{}, s.residents[owner_index].token);
  REQUIRE(eventually([&] { return booked() == kCapacity - 1; }));
  auto again = fetch(port, "POST", s.base + "/orders", order_body,
                     bearer(s.residents[0].token, {{"Idempotency-Key", "slot-race-again"}}));
  CHECK(again.status == 201);
  auto refused = fetch(port, "POST", s.base + "/orders", order_body,
                       bearer(s.residents[1].token, {{"Idempotency-Key", "slot-race-refused"}}));
  CHECK(refused.status == 409);
  CHECK(booked() == kCapacity);
}
