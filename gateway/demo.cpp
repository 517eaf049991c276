#include "gateway/demo.hpp"

#include "db/tx.hpp"
#include "http/json.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>
#include <vector>

namespace courtyard::gateway {

namespace {

namespace bj = boost::json;

constexpr char const* kPassword = "courtyard-demo";
constexpr char const* kManager = "manager@demo.courtyard.local";

struct DemoFailed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The demo goes through App::handle like any client, so it only ever creates what the
// public API allows, with the same validation and events.
class Client {
 public:
  explicit Client(App& app) : app_(app) {}

  bj::value call(std::string method, std::string path, bj::value body, std::string const& token, int expect,
                 bool tolerate_failure = false) {
    Request req;
    req.method = std::move(method);
    req.target = path;
    req.path = std::move(path);
    req.remote_ip = "127.0.0.1";
    req.headers.emplace_back("content-type", "application/json");
    req.headers.emplace_back("idempotency-key", "demo-" + std::to_string(++seq_) + "-" + req.path);
    if (!token.empty()) req.headers.emplace_back("authorization", "Bearer " + token);
    if (!body.is_null()) req.body = bj::serialize(body);
    Response res = app_.handle(req);
    if (res.status != expect) {
      if (tolerate_failure) return nullptr;
      throw DemoFailed(req.method + " " + req.path + " answered " + std::to_string(res.status) + ": " + res.body);
    }
    boost::system::error_code ec;
    auto v = res.body.empty() ? bj::value() : bj::parse(res.body, ec);
    return ec ? bj::value() : v;
  }

  std::string login(std::string const& email, std::string const& password, bool tolerate_failure = false) {
    auto v = call("POST", "/v1/auth/login", bj::object{{"email", email}, {"password", password}}, "", 200,
                  tolerate_failure);
    return v.is_object() ? std::string(v.at("token").as_string()) : std::string();
  }

  // Registers an account and returns {account_id, token}.
  std::pair<std::int64_t, std::string> account(std::string const& email, std::string const& name) {
    auto reg = call("POST", "/v1/auth/register",
                    bj::object{{"email", email}, {"password", kPassword}, {"display_name", name}}, "", 201);
    return {reg.at("id").as_int64(), login(email, kPassword)};
  }

 private:
  App& app_;
  int seq_ = 0;
};

std::string str(std::int64_t v) { return std::to_string(v); }

void print_logins(std::int64_t cid) {
  std::cout << "demo community " << cid << " — logins (password '" << kPassword << "'):\n"
            << "  manager   " << kManager << "\n"
            << "  resident  alice@demo.courtyard.local (wallet topped up)\n"
            << "  resident  bob@demo.courtyard.local (wallet topped up)\n"
            << "  merchant  carol@demo.courtyard.local (Corner Bakery)\n"
            << "  merchant  olive@demo.courtyard.local (Olive's Greens, from outside the community)\n"
            << "  staff     sam@demo.courtyard.local (Olive's Greens: orders and redemptions)\n"
            << "  courier   dan@demo.courtyard.local\n"
            << std::flush;
}

}  // namespace

// A few months of shopping at the bakery, so the analytics reports show something real: the
// clock is moved back twelve weeks and forward a day at a time (before the server serves or
// runs jobs) while Alice and Bob buy; some orders are picked up and reviewed, a few
// cancelled, the stock topped up weekly. Sessions are renewed as simulated time passes.
void seed_order_history(Client& c, std::string const& base, std::int64_t mid) {
  constexpr std::int64_t kDayMs = 86'400'000;
  constexpr int kDays = 84;
  std::string shop = base + "/merchants/" + str(mid);
  std::vector<std::int64_t> products;
  auto listed = c.call("GET", shop + "/products", nullptr, c.login(kManager, kPassword), 200);
  for (auto const& p : listed.at("items").as_array()) products.push_back(p.at("id").as_int64());
  if (products.empty()) return;
  struct Restore {
    ~Restore() { db::set_clock_offset_ms(0); }
  } restore;
  std::string manager, carol, alice, bob;
  std::uint32_t rng = 20261202;
  auto next = [&](std::uint32_t n) {
    rng = rng * 1664525u + 1013904223u;
    return (rng >> 8) % n;
  };
  for (int day = kDays; day >= 1; --day) {
    db::set_clock_offset_ms(-day * kDayMs + static_cast<std::int64_t>(9 + next(9)) * 3'600'000);
    if (day % 7 == 0 || manager.empty()) {
      manager = c.login(kManager, kPassword);
      carol = c.login("carol@demo.courtyard.local", kPassword);
      alice = c.login("alice@demo.courtyard.local", kPassword);
      bob = c.login("bob@demo.courtyard.local", kPassword);
      auto me = [&](std::string const& token) { return c.call("GET", "/v1/me", nullptr, token, 200).at("id").as_int64(); };
      for (auto const& token : {alice, bob})
        c.call("POST", base + "/wallets/" + str(me(token)) + "/top-ups", bj::object{{"amount_cents", 5000}}, manager,
               201, true);
      for (auto pid : products)
        c.call("POST", shop + "/products/" + str(pid) + "/stock", bj::object{{"delta", 25}, {"reason", "purchase"}},
               carol, 201, true);
    }
    int orders = 1 + static_cast<int>(next(3)) + (day % 7 == 1 || day % 7 == 2 ? 2 : 0);  // busier weekends
    for (int i = 0; i < orders; ++i) {
      std::string const& buyer = next(2) ? alice : bob;
      bj::array items{bj::object{{"product_id", products[next(products.size())]}, {"quantity", 1 + next(3)}}};
      auto o = c.call("POST", base + "/orders", bj::object{{"merchant_id", mid}, {"items", items}, {"fulfilment", "pickup"}},
                      buyer, 201, true);
      if (!o.is_object()) continue;
      std::string order = base + "/orders/" + str(o.at("id").as_int64());
      auto fate = next(10);
      if (fate == 0) {
        c.call("POST", order + "/cancel", bj::object{}, buyer, 200, true);
      } else if (fate < 6 && o.as_object().contains("redemption_code")) {
        c.call("POST", order + "/accept", bj::object{}, carol, 200, true);
        c.call("POST", order + "/ready", bj::object{}, carol, 200, true);
        c.call("POST", shop + "/redemptions", bj::object{{"code", o.at("redemption_code")}}, carol, 200, true);
        c.call("POST", order + "/review", bj::object{{"rating", 3 + next(3)}, {"body", "Lovely, thank you!"}}, buyer, 201,
               true);
      }
    }
  }
}

// Twelve weeks of repair tickets under the community's SLA (8 h to a first response, 72 h to
// resolution; plumbing 4 h and 48 h), so the dashboard's tickets section has something real:
// Alice reports a fault every few days, the manager answers and resolves it sooner or later
// (some past the targets) and Alice closes it with a rating.
void seed_ticket_history(Client& c, std::string const& base, std::int64_t unit) {
  constexpr std::int64_t kHourMs = 3'600'000, kDayMs = 24 * kHourMs;
  struct Restore {
    ~Restore() { db::set_clock_offset_ms(0); }
  } restore;
  std::string manager = c.login(kManager, kPassword);
  if (!c.call("PUT", base + "/ticket-sla",
              bj::object{{"first_response_hours", 8},
                         {"resolution_hours", 72},
                         {"categories", bj::object{{"plumbing", bj::object{{"first_response_hours", 4},
                                                                           {"resolution_hours", 48}}}}}},
              manager, 200, true)
           .is_object())
    return;
  auto manager_id = c.call("GET", "/v1/me", nullptr, manager, 200).at("id").as_int64();
  char const* categories[] = {"plumbing", "electrical", "appliance", "common_area", "plumbing", "structural"};
  char const* faults[] = {"Kitchen tap drips", "Hall light flickers", "Oven door does not close",
                          "Lift button sticks", "Shower drains slowly", "Crack above the window"};
  std::uint32_t rng = 14;
  auto next = [&](std::uint32_t n) {
    rng = rng * 1664525u + 1013904223u;
    return static_cast<std::int64_t>((rng >> 8) % n);
  };
  int n = 0;
  std::string alice;
  for (int day = 83; day >= 4; day -= 3 + static_cast<int>(next(4)), ++n) {
    std::int64_t opened = -day * kDayMs + (8 + next(10)) * kHourMs;
    db::set_clock_offset_ms(opened);
    if (n % 4 == 0) {  // sessions outlive the few weeks between renewals
      alice = c.login("alice@demo.courtyard.local", kPassword);
      manager = c.login(kManager, kPassword);
    }
    auto t = c.call("POST", base + "/tickets",
                    bj::object{{"unit_id", unit}, {"category", categories[n % 6]}, {"description", faults[n % 6]}},
                    alice, 201, true);
    if (!t.is_object()) continue;
    std::string path = base + "/tickets/" + str(t.at("id").as_int64());
    std::int64_t answered = opened + (1 + next(12)) * kHourMs;
    db::set_clock_offset_ms(answered);
    c.call("POST", path + "/assign", bj::object{{"staff_id", manager_id}}, manager, 200, true);
    c.call("POST", path + "/start", nullptr, manager, 200, true);
    db::set_clock_offset_ms(answered + (2 + next(80)) * kHourMs);
    c.call("POST", path + "/resolve", bj::object{{"note", "Fixed"}}, manager, 200, true);
    c.call("POST", path + "/close", bj::object{{"rating", 2 + next(4)}}, alice, 200, true);
  }
}

void seed_demo(App& app) {
  // The seeding requests are the server talking to itself: keep them out of the terminal
  // (visible with --log-level debug) so the URLs and logins are what a newcomer sees.
  app.set_access_log_level(spdlog::level::debug);
  struct Restore {
    App& app;
    ~Restore() {
      app.set_access_log_level(spdlog::level::info);
      app.set_rate_limited(true);
    }
  } restore{app};
  app.set_rate_limited(false);
  Client c(app);
  if (auto token = c.login(kManager, kPassword, true); !token.empty()) {
    auto me = c.call("GET", "/v1/me", nullptr, token, 200, true);
    std::int64_t cid = 0;
    if (me.is_object() && me.as_object().contains("roles") && !me.at("roles").as_array().empty())
      cid = me.at("roles").at(0).at("community_id").as_int64();
    print_logins(cid);
    return;
  }
  char const* admin_email = std::getenv("COURTYARD_ADMIN_EMAIL");
  char const* admin_password = std::getenv("COURTYARD_ADMIN_PASSWORD");
  if (!admin_email || !admin_password) {
    spdlog::warn("demo data needs COURTYARD_ADMIN_EMAIL / COURTYARD_ADMIN_PASSWORD; skipped");
    return;
  }
  try {
    std::string admin = c.login(admin_email, admin_password);
    auto cid = c.call("POST", "/v1/communities",
                      bj::object{{"name", "Maple Court"}, {"address", "1 Maple Way"}, {"timezone", "Europe/London"}},
                      admin, 201)
                   .at("id")
                   .as_int64();
    std::string base = "/v1/communities/" + str(cid);
    auto bid = c.call("POST", base + "/buildings", bj::object{{"name", "Block A"}}, admin, 201).at("id").as_int64();
    std::vector<std::int64_t> units;
    for (auto const* n : {"101", "102", "201", "202"})
      units.push_back(c.call("POST", base + "/buildings/" + str(bid) + "/units", bj::object{{"number", n}}, admin, 201)
                          .at("id")
                          .as_int64());

    auto [manager_id, manager] = c.account(kManager, "Morgan (manager)");
    c.call("POST", base + "/staff", bj::object{{"account_id", manager_id}, {"role", "manager"}}, admin, 201);

    auto resident = [&](std::string const& email, std::string const& name, std::int64_t unit) {
      auto [id, token] = c.account(email, name);
      auto app_id = c.call("POST", base + "/residency-applications", bj::object{{"unit_id", unit}}, token, 201)
                        .at("id")
                        .as_int64();
      c.call("POST", base + "/residency-applications/" + str(app_id) + "/approve", nullptr, manager, 200);
      return std::pair{id, token};
    };
    auto [alice_id, alice] = resident("alice@demo.courtyard.local", "Alice", units[0]);
    auto [bob_id, bob] = resident("bob@demo.courtyard.local", "Bob", units[1]);
    auto [carol_id, carol] = resident("carol@demo.courtyard.local", "Carol", units[2]);
    auto [dan_id, dan] = c.account("dan@demo.courtyard.local", "Dan (courier)");
    c.call("POST", base + "/staff", bj::object{{"account_id", dan_id}, {"role", "courier"}}, manager, 201);

    for (auto id : {alice_id, bob_id})
      c.call("POST", base + "/wallets/" + str(id) + "/top-ups", bj::object{{"amount_cents", 50000}}, manager, 201);

    // Optional services: each step is skipped when its service is disabled.
    auto mid_v = c.call("POST", base + "/merchants",
                        bj::object{{"name", "Corner Bakery"},
                                   {"category", "bakery"},
                                   {"contact", bj::object{{"email", "carol@demo.courtyard.local"}}},
                                   {"fulfilment", bj::array{"pickup"}}},
                        carol, 201, true);
    if (mid_v.is_object()) {
      auto mid = mid_v.at("id").as_int64();
      c.call("POST", base + "/merchants/" + str(mid) + "/approve", nullptr, manager, 200);
      carol = c.login("carol@demo.courtyard.local", kPassword);  // picks up the merchant role
      for (auto const& [name, price, stock] : {std::tuple{"Sourdough loaf", 450, 20}, std::tuple{"Croissant", 180, 40},
                                               std::tuple{"Cinnamon bun", 250, 30}})
        c.call("POST", base + "/merchants/" + str(mid) + "/products",
               bj::object{{"name", name}, {"price_cents", price}, {"stock", stock}, {"category", "bakery"}}, carol,
               201);
    }
    // A merchant from outside: Olive lives elsewhere; the manager opens the community to
    // outside applications, Olive applies with her business details, is approved, and adds
    // Sam as staff (orders and redemptions only).
    if (c.call("PUT", base + "/merchant-settings", bj::object{{"merchant_applications_open", true}}, manager, 200,
               true)
            .is_object()) {
      auto [olive_id, olive] = c.account("olive@demo.courtyard.local", "Olive (Olive's Greens)");
      auto [sam_id, sam] = c.account("sam@demo.courtyard.local", "Sam (Olive's Greens staff)");
      bj::object weekday{{"open", "08:00"}, {"close", "18:00"}};
      bj::object hours{{"mon", bj::array{weekday}}, {"tue", bj::array{weekday}}, {"wed", bj::array{weekday}},
                       {"thu", bj::array{weekday}}, {"fri", bj::array{weekday}},
                       {"sat", bj::array{bj::object{{"open", "09:00"}, {"close", "13:00"}}}}};
      auto greens = c.call("POST", base + "/merchants",
                           bj::object{{"name", "Olive's Greens"},
                                      {"category", "grocery"},
                                      {"description", "Organic vegetables from the Saturday market, delivered."},
                                      {"contact", bj::object{{"email", "olive@demo.courtyard.local"},
                                                             {"phone", "+44 20 7946 0123"}}},
                                      {"opening_hours", hours},
                                      {"service_area", bj::object{{"building_ids", bj::array{bid}}}},
                                      {"fulfilment", bj::array{"pickup", "delivery"}}},
                           olive, 201);
      auto greens_id = greens.at("id").as_int64();
      c.call("POST", base + "/merchants/" + str(greens_id) + "/approve", nullptr, manager, 200);
      olive = c.login("olive@demo.courtyard.local", kPassword);  // picks up the owner role
      std::string greens_base = base + "/merchants/" + str(greens_id);
      c.call("POST", greens_base + "/staff", bj::object{{"email", "sam@demo.courtyard.local"}}, olive, 201);
      for (auto const& [name, price, stock] :
           {std::tuple{"Vegetable box", 1800, 15}, std::tuple{"Free-range eggs (6)", 320, 30}})
        c.call("POST", greens_base + "/products",
               bj::object{{"name", name}, {"price_cents", price}, {"stock", stock}}, olive, 201);
      // Delivery slots residents choose from at checkout: two windows a day from now (delivery
      // service; skipped when it is disabled).
      auto tomorrow = (db::now_ms() / 3600000 + 24) * 3600000;
      for (auto const& [from_h, to_h, places] : {std::tuple{0, 2, 8}, std::tuple{3, 5, 4}})
        c.call("POST", greens_base + "/delivery-slots",
               bj::object{{"starts_at", json::rfc3339(tomorrow + from_h * 3600000LL)},
                          {"ends_at", json::rfc3339(tomorrow + to_h * 3600000LL)},
                          {"capacity", places}},
               olive, 201, true);
      (void)olive_id;
      (void)sam_id;
      (void)sam;
    }
    c.call("POST", base + "/fee-schedules",
           bj::object{{"name", "Service charge"}, {"amount_cents", 12000}, {"scope", "community"}}, manager, 201, true);
    c.call("POST", base + "/announcements",
           bj::object{{"title", "Welcome to Courtyard"}, {"body", "Pay bills, report repairs and shop local here."}},
           manager, 201, true);
    auto club = c.call("POST", base + "/clubs",
                       bj::object{{"name", "Morning Runners"}, {"description", "Easy 5k loops"}, {"open", true}}, alice,
                       201, true);
    if (club.is_object()) {
      auto starts = json::rfc3339((db::now_ms() / 3600000 + 7 * 24) * 3600000);
      c.call("POST", base + "/clubs/" + str(club.at("id").as_int64()) + "/events",
             bj::object{{"title", "Saturday 5k"}, {"starts_at", starts}, {"capacity", 20}, {"fee_cents", 0}}, alice,
             201, true);
    }
    // Loyalty (members): points for on-time bills, orders (double at the bakery), events,
    // first reviews and adopted suggestions; three tiers. Skipped when members is disabled.
    auto program = c.call("PUT", base + "/loyalty/program", bj::object{{"expiry_days", 365}, {"notice_days", 30}},
                          manager, 200, true);
    if (program.is_object()) {
      bj::array bakery;
      if (mid_v.is_object())
        bakery.push_back(bj::object{{"merchant_id", mid_v.at("id").as_int64()}, {"multiplier_pct", 200}});
      for (auto const& rule : {bj::object{{"kind", "bill_paid_on_time"}, {"points", 100}},
                               bj::object{{"kind", "order_completed"},
                                          {"points", 1},
                                          {"daily_cap", 500},
                                          {"merchant_multipliers", bakery}},
                               bj::object{{"kind", "event_attended"}, {"points", 20}},
                               bj::object{{"kind", "first_review"}, {"points", 10}},
                               bj::object{{"kind", "suggestion_adopted"}, {"points", 50}}})
        c.call("PUT", base + "/loyalty/earn-rules", rule, manager, 200);
      bj::array tiers{
          bj::object{{"name", "Neighbour"}, {"threshold", 0}},
          bj::object{{"name", "Regular"}, {"threshold", 500}, {"earn_multiplier_pct", 110}},
          bj::object{{"name", "Local hero"}, {"threshold", 2000}, {"discount_pct", 5}, {"earn_multiplier_pct", 125}}};
      c.call("PUT", base + "/loyalty/tiers", bj::object{{"tiers", std::move(tiers)}}, manager, 200);
    }
    // Segments and campaigns (members): Alice opts in to marketing; the manager's segment of
    // Block A's residents and a draft coupon campaign for the bakery, ready to issue (POST
    // …/campaigns/{id}/issue) once the residents' facts have arrived from their events.
    c.call("PUT", "/v1/me/consents", bj::object{{"marketing", true}}, alice, 200, true);
    auto segment = c.call("POST", base + "/segments",
                          bj::object{{"name", "Block A residents"}, {"rule", bj::object{{"building_in", bj::array{bid}}}}},
                          manager, 201, true);
    if (segment.is_object()) {
      bj::object campaign{{"name", "Welcome to the bakery"},
                          {"segment_id", segment.at("id").as_int64()},
                          {"title", "A welcome from Corner Bakery"},
                          {"message", "10% off your next order, this month."}};
      if (mid_v.is_object()) {
        campaign["kind"] = "coupon";
        campaign["coupon"] =
            bj::object{{"merchant_id", mid_v.at("id").as_int64()}, {"percent_off", 10}, {"valid_days", 30}};
      } else {
        campaign["kind"] = "message";
      }
      c.call("POST", base + "/campaigns", campaign, manager, 201);
    }
    if (mid_v.is_object()) seed_order_history(c, base, mid_v.at("id").as_int64());
    seed_ticket_history(c, base, units[0]);
    (void)bob;
    (void)dan;
    print_logins(cid);
  } catch (std::exception const& e) {
    spdlog::error("demo data could not be created: {}", e.what());
  }
}

}  // namespace courtyard::gateway
