// Merchant onboarding from outside (issue 13, item 1): the community's setting, the
// application's business details, the manager's decisions (approve, reject with a reason,
// suspend, reinstate), staff accounts, events; on SQLite and MariaDB.
#include "services/shops/onboarding.hpp"
#include "tests/shops/support.hpp"
#include "tests/support/threads.hpp"

#include <algorithm>
#include <map>
#include <set>

using namespace shops_test;
namespace onboarding = courtyard::shops::onboarding;

namespace {

bj::object details(std::string name = "Olive's Greens") {
  bj::object weekday{{"open", "08:00"}, {"close", "18:00"}};
  return bj::object{{"name", name},
                    {"category", "Grocery"},
                    {"description", "Vegetables from the market.\nDelivered."},
                    {"contact", bj::object{{"email", "Olive@Example.test"}, {"phone", "+44 20 7946 0123"}}},
                    {"opening_hours", bj::object{{"mon", bj::array{weekday}},
                                                 {"sat", bj::array{bj::object{{"open", "14:00"}, {"close", "17:00"}},
                                                                   bj::object{{"open", "09:00"}, {"close", "12:00"}}}}}},
                    {"fulfilment", bj::array{"pickup", "delivery"}}};
}

std::set<std::string> error_fields(Result const& r) {
  std::set<std::string> out;
  if (!r.json.is_object() || !r.json.as_object().contains("errors")) return out;
  for (auto const& e : r.json.at("errors").as_array()) out.insert(std::string(e.at("field").as_string()));
  return out;
}

std::vector<std::int64_t> ids(Result const& r) {
  std::vector<std::int64_t> out;
  for (auto const& i : r.json.at("items").as_array()) out.push_back(i.at("id").as_int64());
  return out;
}

bool contains(std::vector<std::int64_t> const& v, std::int64_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }

Result open_applications(Community const& c, bool open) {
  return TestApp::get().call("PUT", c.base() + "/merchant-settings",
                             bj::value(bj::object{{"merchant_applications_open", open}}), c.manager.token);
}

std::string mpath(Community const& c, std::int64_t mid) { return c.base() + "/merchants/" + std::to_string(mid); }

Result decide(Community const& c, std::int64_t mid, std::string const& verb, std::optional<bj::value> body,
              std::string const& token) {
  return TestApp::get().call("POST", mpath(c, mid) + "/" + verb, std::move(body), token);
}

bj::value reason(std::string r) { return bj::object{{"reason", std::move(r)}}; }

}  // namespace

TEST_CASE("onboarding rules: application fields and decisions", "[shops][onboarding][logic]") {
  onboarding::FieldProblems p;
  std::vector<std::string> wrong;
  auto a = onboarding::read_application(details(), p, wrong);
  CHECK(p.empty());
  CHECK(wrong.empty());
  CHECK(a.category == "grocery");
  CHECK(*a.contact_email == "olive@example.test");
  // Intervals sorted, days in week order, canonical JSON.
  CHECK(a.opening_hours ==
        R"({"mon":[{"open":"08:00","close":"18:00"}],"sat":[{"open":"09:00","close":"12:00"},{"open":"14:00","close":"17:00"}]})");
  CHECK(a.pickup);
  CHECK(a.delivery);

  CHECK(onboarding::parse_clock("00:00") == 0);
  CHECK(onboarding::parse_clock("24:00") == 1440);
  CHECK_FALSE(onboarding::parse_clock("24:01"));
  CHECK_FALSE(onboarding::parse_clock("9:00"));
  CHECK_FALSE(onboarding::parse_clock("09:60"));
  CHECK(onboarding::phone_problem("+44 (20) 7946-0123") == std::nullopt);
  CHECK(onboarding::phone_problem("12345"));
  CHECK(onboarding::phone_problem("call me"));
  CHECK(onboarding::email_problem("a@b.c") == std::nullopt);
  CHECK(onboarding::email_problem("a@b"));
  CHECK(onboarding::email_problem("a b@c.d"));

  using onboarding::Decision;
  using onboarding::Status;
  CHECK(onboarding::decision_from(Decision::Approve) == Status::Pending);
  CHECK(onboarding::decision_to(Decision::Reject) == Status::Rejected);
  CHECK(onboarding::decision_from(Decision::Suspend) == Status::Approved);
  CHECK(onboarding::decision_to(Decision::Reinstate) == Status::Approved);
  CHECK(onboarding::decision_topic(Decision::Reinstate) == "merchant.reinstated");
  for (auto s : {"pending", "approved", "rejected", "suspended"}) CHECK(onboarding::to_string(*onboarding::parse_status(s)) == s);
}

TEST_CASE("an outside account applies where the community takes applications, and is approved",
          "[shops][onboarding]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto other = t.community();
  auto outsider = t.account("olive");
  auto neighbour = t.resident(c);

  // Closed (the default): 404, as for a community that does not exist, whatever the body.
  auto closed = t.post(c.base() + "/merchants", details(), outsider.token);
  CHECK(closed.status == 404);
  CHECK(closed.problem_type() == "/problems/not-found");
  CHECK(t.post(c.base() + "/merchants", bj::object{}, outsider.token).status == 404);
  CHECK(t.post("/v1/communities/999999999/merchants", details(), outsider.token).status == 404);
  CHECK(t.post(c.base() + "/merchants", details()).status == 401);

  // The manager's setting; nobody else's.
  CHECK(t.get(c.base() + "/merchant-settings", c.manager.token).json.at("merchant_applications_open").as_bool() == false);
  CHECK(t.call("PUT", c.base() + "/merchant-settings", bj::value(bj::object{{"merchant_applications_open", true}}),
               neighbour.token)
            .status == 403);
  CHECK(t.call("PUT", c.base() + "/merchant-settings", bj::value(bj::object{{"merchant_applications_open", true}}),
               other.manager.token)
            .status == 404);
  CHECK(t.get(c.base() + "/merchant-settings", outsider.token).status == 404);
  CHECK(t.call("PUT", c.base() + "/merchant-settings", bj::value(bj::object{{"merchant_applications_open", "yes"}}),
               c.manager.token)
            .status == 400);
  CHECK(t.call("PUT", c.base() + "/merchant-settings", bj::value(bj::object{}), c.manager.token).status == 422);
  auto opened = open_applications(c, true);
  REQUIRE(opened.status == 200);
  CHECK(opened.json.at("merchant_applications_open").as_bool());
  CHECK(t.get(c.base() + "/merchant-settings", c.manager.token).json.at("merchant_applications_open").as_bool());
  // Another community stays closed to the outsider.
  CHECK(t.post(other.base() + "/merchants", details(), outsider.token).status == 404);

  auto body = details();
  body["service_area"] = bj::object{{"building_ids", bj::array{c.building_id}}};
  auto applied = t.post(c.base() + "/merchants", body, outsider.token);
  INFO(applied.body);
  REQUIRE(applied.status == 201);
  auto mid = applied.id();
  CHECK(applied.json.at("status").as_string() == "pending");
  CHECK(applied.json.at("owner_id").as_int64() == outsider.account_id);
  CHECK(applied.json.at("contact").at("email").as_string() == "olive@example.test");
  CHECK(applied.json.at("service_area").at("building_ids").as_array() == bj::array{c.building_id});
  CHECK(applied.json.at("opening_hours").at("mon").at(0).at("close").as_string() == "18:00");
  CHECK(applied.json.at("fulfilment").as_array() == bj::array{"pickup", "delivery"});
  CHECK(applied.header("Location") == mpath(c, mid));
  auto applied_events = events(c, "merchant.applied");
  REQUIRE_FALSE(applied_events.empty());
  CHECK(applied_events.back().at("merchant_id").as_int64() == mid);
  CHECK(applied_events.back().at("owner_id").as_int64() == outsider.account_id);

  // One pending application per account and community.
  auto again = t.post(c.base() + "/merchants", details("Second Stall"), outsider.token);
  CHECK(again.status == 409);
  CHECK(again.problem_type() == "/problems/application-pending");

  // The applicant follows it (not yet a member); residents do not see it; managers do.
  CHECK(t.get(mpath(c, mid), outsider.token).json.at("status").as_string() == "pending");
  auto mine = t.get("/v1/me/merchant-applications", outsider.token);
  REQUIRE(mine.status == 200);
  CHECK(contains(ids(mine), mid));
  CHECK(t.get(mpath(c, mid), neighbour.token).status == 404);
  CHECK_FALSE(contains(ids(t.get(c.base() + "/merchants", neighbour.token)), mid));
  CHECK(contains(ids(t.get(c.base() + "/merchants?status=pending", c.manager.token)), mid));
  // Other outsiders learn nothing: the community's reads stay 404.
  auto stranger = t.account("stranger");
  CHECK(t.get(mpath(c, mid), stranger.token).status == 404);
  CHECK(t.get(c.base() + "/merchants", stranger.token).status == 404);

  // Approval makes the applicant the merchant's owner.
  CHECK(decide(c, mid, "approve", std::nullopt, outsider.token).status == 404);  // not a member yet
  CHECK(decide(c, mid, "approve", std::nullopt, neighbour.token).status == 403);
  CHECK(t.call("POST", other.base() + "/merchants/" + std::to_string(mid) + "/approve", std::nullopt,
               other.manager.token)
            .status == 404);
  auto approved = decide(c, mid, "approve", std::nullopt, c.manager.token);
  REQUIRE(approved.status == 200);
  CHECK(approved.json.at("status").as_string() == "approved");
  CHECK(events(c, "merchant.approved").back().at("merchant_id").as_int64() == mid);
  auto me = t.get("/v1/me", outsider.token);
  bool owner = false;
  for (auto const& r : me.json.at("roles").as_array())
    if (r.at("community_id").as_int64() == c.id && r.at("role").as_string() == "merchant") owner = true;
  CHECK(owner);
  CHECK(t.post(mpath(c, mid) + "/products", {{"name", "Kale"}, {"price_cents", 300}, {"stock", 5}}, outsider.token)
            .status == 201);
  CHECK(contains(ids(t.get(c.base() + "/merchants", neighbour.token)), mid));
  // Once decided, the account may apply again (another shop).
  CHECK(t.post(c.base() + "/merchants", details("Olive's Flowers"), outsider.token).status == 201);

  // Closing again stops new outside applications; members may still apply.
  REQUIRE(open_applications(c, false).status == 200);
  CHECK(t.post(c.base() + "/merchants", details("Late"), t.account("late").token).status == 404);
  CHECK(t.post(c.base() + "/merchants", details("Neighbour's Cakes"), neighbour.token).status == 201);
}

TEST_CASE("a merchant application's details are validated, every problem in one 422", "[shops][onboarding][errors]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto elsewhere = t.community();
  REQUIRE(open_applications(c, true).status == 200);
  auto who = t.account("validate");
  auto apply = [&](bj::object body) { return t.post(c.base() + "/merchants", body, who.token); };

  auto no_contact = details();
  no_contact.erase("contact");
  auto r = apply(no_contact);
  CHECK(r.status == 422);
  CHECK(r.problem_type() == "/problems/validation");
  CHECK(error_fields(r) == std::set<std::string>{"contact"});

  auto bad = details();
  bad["name"] = "";
  bad["contact"] = bj::object{{"email", "not-an-email"}, {"phone", "12"}};
  bad["opening_hours"] = bj::object{
      {"mon", bj::array{bj::object{{"open", "18:00"}, {"close", "08:00"}}}},
      {"tue", bj::array{bj::object{{"open", "08:00"}, {"close", "12:00"}}, bj::object{{"open", "11:00"}, {"close", "13:00"}}}},
      {"wed", bj::array{bj::object{{"open", "8am"}, {"close", "12:00"}}}},
      {"funday", bj::array{}}};
  bad["fulfilment"] = bj::array{"pickup", "drone"};
  bad["service_area"] = bj::object{{"building_ids", bj::array{elsewhere.building_id}}};
  bad["description"] = std::string(2001, 'x');
  r = apply(bad);
  CHECK(r.status == 422);
  CHECK(error_fields(r) == std::set<std::string>{"name", "contact.email", "contact.phone", "opening_hours.mon[0].close",
                                                 "opening_hours.tue", "opening_hours.wed[0].open",
                                                 "opening_hours.funday", "fulfilment[1]", "service_area.building_ids",
                                                 "description"});

  auto empty_modes = details();
  empty_modes["fulfilment"] = bj::array{};
  CHECK(error_fields(apply(empty_modes)) == std::set<std::string>{"fulfilment"});
  auto area = details();
  area["service_area"] = "everywhere";
  CHECK(error_fields(apply(area)) == std::set<std::string>{"service_area"});
  // A field of the wrong JSON type is a 400, as everywhere in the API.
  for (auto [field, value] : {std::pair<char const*, bj::value>{"category", 5}, {"contact", "me@example.test"},
                              {"opening_hours", bj::array{}}, {"fulfilment", "pickup"}}) {
    auto typed = details();
    typed[field] = value;
    INFO(field);
    CHECK(apply(typed).status == 400);
  }
  CHECK(t.call("POST", c.base() + "/merchants", std::nullopt, who.token).status == 400);

  // Nothing was written by the refused applications.
  CHECK(ids(t.get(c.base() + "/merchants?status=pending", c.manager.token)).empty());
  // "community" and an absent service area both mean the whole community.
  auto whole = details();
  whole["service_area"] = "community";
  auto ok = apply(whole);
  REQUIRE(ok.status == 201);
  CHECK(ok.json.at("service_area").as_string() == "community");
}

TEST_CASE("the manager rejects with a reason, suspends and reinstates", "[shops][onboarding]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto& c = s.c;
  auto other = t.community();
  REQUIRE(open_applications(c, true).status == 200);
  auto outsider = t.account("rejected");
  auto mid = t.post(c.base() + "/merchants", details(), outsider.token).id();

  // Reject: a reason is required; the applicant sees it.
  CHECK(decide(c, mid, "reject", bj::object{}, c.manager.token).status == 422);
  CHECK(decide(c, mid, "reject", reason(""), c.manager.token).status == 422);
  CHECK(decide(c, mid, "reject", reason("x"), s.owner.token).status == 403);
  CHECK(decide(c, mid, "reject", reason("x"), other.manager.token).status == 404);
  CHECK(t.call("POST", other.base() + "/merchants/" + std::to_string(mid) + "/reject", reason("x"), other.manager.token)
            .status == 404);
  auto rejected = decide(c, mid, "reject", reason("We already have a grocer on site."), c.manager.token);
  REQUIRE(rejected.status == 200);
  CHECK(rejected.json.at("status").as_string() == "rejected");
  auto seen = t.get(mpath(c, mid), outsider.token);
  CHECK(seen.json.at("decision_reason").as_string() == "We already have a grocer on site.");
  CHECK(t.get("/v1/me/merchant-applications", outsider.token).json.at("items").at(0).at("decision_reason").as_string() ==
        "We already have a grocer on site.");
  CHECK(events(c, "merchant.rejected").back().at("reason").as_string() == "We already have a grocer on site.");
  auto twice = decide(c, mid, "reject", reason("again"), c.manager.token);
  CHECK(twice.status == 409);
  CHECK(twice.problem_type() == "/problems/merchant-not-pending");
  CHECK(decide(c, mid, "approve", std::nullopt, c.manager.token).status == 409);
  CHECK(decide(c, mid, "suspend", reason("x"), c.manager.token).problem_type() == "/problems/merchant-not-approved");

  // Suspend an approved merchant with an order in flight.
  auto pid = product(s, "Bread", 300, 10);
  auto buyer = shops_test::buyer(s, 10'000);
  auto placed = place(s, buyer, order_body(s.mid, {{pid, 1}}));
  REQUIRE(placed.status == 201);
  auto oid = placed.id();
  CHECK(decide(c, s.mid, "suspend", bj::object{}, c.manager.token).status == 422);
  CHECK(decide(c, s.mid, "reinstate", std::nullopt, c.manager.token).problem_type() == "/problems/merchant-not-suspended");
  auto suspended = decide(c, s.mid, "suspend", reason("Food hygiene inspection pending."), c.manager.token);
  REQUIRE(suspended.status == 200);
  CHECK(suspended.json.at("status").as_string() == "suspended");
  CHECK(events(c, "merchant.suspended").back().at("merchant_id").as_int64() == s.mid);
  // Gone from residents' listings and page; no new orders (409 with its own type).
  CHECK_FALSE(contains(ids(t.get(c.base() + "/merchants", buyer.token)), s.mid));
  CHECK(t.get(s.merchant_base(), buyer.token).status == 404);
  CHECK(contains(ids(t.get(c.base() + "/merchants?status=suspended", c.manager.token)), s.mid));
  auto refused = place(s, buyer, order_body(s.mid, {{pid, 1}}));
  CHECK(refused.status == 409);
  CHECK(refused.problem_type() == "/problems/merchant-suspended");
  CHECK(t.get(s.products(), buyer.token).problem_type() == "/problems/merchant-suspended");  // it has products
  // The owner still sees its merchant (and why) and fulfils the order already placed.
  CHECK(t.get(s.merchant_base(), s.owner.token).json.at("decision_reason").as_string() ==
        "Food hygiene inspection pending.");
  CHECK(t.call("POST", s.order(oid) + "/accept", std::nullopt, s.owner.token).status == 200);
  auto second = place(s, buyer, order_body(s.mid, {{pid, 1}}));
  CHECK(second.status == 409);
  // ... or refunds it: the buyer's money comes back while the merchant is suspended.
  auto balance_before_refund = t.balance(c, buyer);
  CHECK(t.call("POST", s.order(oid) + "/cancel", std::nullopt, s.owner.token).status == 200);
  CHECK(t.balance(c, buyer) == balance_before_refund + 300);

  // Reinstated: listed and selling again.
  CHECK(decide(c, s.mid, "reinstate", std::nullopt, s.owner.token).status == 403);
  auto back = decide(c, s.mid, "reinstate", std::nullopt, c.manager.token);
  REQUIRE(back.status == 200);
  CHECK(back.json.at("status").as_string() == "approved");
  CHECK(back.json.at("decision_reason").is_null());
  CHECK(events(c, "merchant.reinstated").back().at("merchant_id").as_int64() == s.mid);
  CHECK(contains(ids(t.get(c.base() + "/merchants", buyer.token)), s.mid));
  CHECK(place(s, buyer, order_body(s.mid, {{pid, 1}})).status == 201);
  CHECK(decide(c, 999999999, "suspend", reason("x"), c.manager.token).status == 404);

  // Every decision is in the community's audit trail (refused ones are not).
  auto audit = t.get(c.base() + "/audit?limit=100", c.manager.token);
  REQUIRE(audit.status == 200);
  std::map<std::string, int> decisions;
  for (auto const& e : audit.json.at("items").as_array()) {
    std::string action(e.at("action").as_string());
    for (auto verb : {"approve", "reject", "suspend", "reinstate"})
      if (action == "POST /v1/communities/{cid}/merchants/{mid}/" + std::string(verb)) ++decisions[verb];
  }
  CHECK(decisions["reject"] == 1);
  CHECK(decisions["suspend"] == 1);
  CHECK(decisions["reinstate"] == 1);
}

TEST_CASE("a merchant's staff handle orders and redemptions only", "[shops][onboarding][staff]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto rival = second_shop(s);
  auto other = t.community();
  auto staff = t.account("staff");
  auto base = s.merchant_base() + "/staff";

  // The owner adds staff by email; nobody else may.
  CHECK(t.post(base, {{"email", staff.email}}, rival.owner.token).status == 403);
  CHECK(t.post(base, {{"email", staff.email}}, s.c.manager.token).status == 403);
  CHECK(t.post(base, {{"email", staff.email}}, other.manager.token).status == 404);
  CHECK(t.post(base, {{"email", "nobody-" + t.unique("x") + "@example.test"}}, s.owner.token).status == 422);
  CHECK(t.post(base, {{"email", "not an email"}}, s.owner.token).status == 422);
  CHECK(t.post(base, {{"email", staff.email}, {"role", "owner"}}, s.owner.token).status == 422);
  auto added = t.post(base, {{"email", staff.email}}, s.owner.token);
  REQUIRE(added.status == 201);
  CHECK(added.json.at("role").as_string() == "staff");
  CHECK(added.json.at("account_id").as_int64() == staff.account_id);
  auto dup = t.post(base, {{"email", staff.email}}, s.owner.token);
  CHECK(dup.status == 409);
  CHECK(dup.problem_type() == "/problems/already-merchant-staff");
  CHECK(t.post(base, {{"email", s.owner.email}}, s.owner.token).status == 409);  // the owner already acts for it
  auto listed = t.get(base, s.owner.token);
  REQUIRE(listed.status == 200);
  std::set<std::string> roles;
  for (auto const& m : listed.json.at("items").as_array()) roles.insert(std::string(m.at("role").as_string()));
  CHECK(roles == std::set<std::string>{"owner", "staff"});

  // Staff: orders and redemptions.
  auto pid = product(s, "Milk", 150, 10);
  auto buyer = shops_test::buyer(s, 10'000);
  auto oid = place(s, buyer, order_body(s.mid, {{pid, 1}})).id();
  CHECK(t.get(s.merchant_base() + "/orders", staff.token).status == 200);
  CHECK(t.get(s.order(oid), staff.token).status == 200);
  CHECK(t.call("POST", s.order(oid) + "/accept", std::nullopt, staff.token).status == 200);
  auto code = t.get(s.order(oid), buyer.token).json.at("redemption_code");
  if (code.is_string()) {
    auto redeemed = t.post(s.merchant_base() + "/redemptions", {{"code", code}}, staff.token);
    CHECK(redeemed.status != 403);
  }
  // ... and nothing else: catalogue, stock, coupons, keys, staff, money, figures.
  CHECK(t.post(s.products(), {{"name", "X"}, {"price_cents", 1}, {"stock", 1}}, staff.token).status == 403);
  CHECK(t.patch(s.product(pid), {{"name", "Y"}}, staff.token).status == 403);
  CHECK(t.post(s.product(pid) + "/stock", {{"delta", 1}, {"reason", "purchase"}}, staff.token).status == 403);
  CHECK(t.get(s.product(pid) + "/stock-movements", staff.token).status == 403);
  CHECK(t.get(s.merchant_base() + "/coupons", staff.token).status == 403);
  CHECK(t.get(s.merchant_base() + "/api-keys", staff.token).status == 403);
  CHECK(t.post(s.merchant_base() + "/api-keys", {{"name", "k"}, {"scopes", bj::array{"orders:read"}}}, staff.token)
            .status == 403);
  CHECK(t.get(base, staff.token).status == 403);
  CHECK(t.post(base, {{"email", buyer.email}}, staff.token).status == 403);
  CHECK(t.get(s.merchant_base() + "/wallet", staff.token).status == 403);
  CHECK(t.get(s.merchant_base() + "/figures", staff.token).status == 403);
  // Another merchant's orders: not theirs.
  CHECK(t.get(rival.merchant_base() + "/orders", staff.token).status == 403);
  // The catalogue stays readable, like for any member.
  CHECK(t.get(s.products(), staff.token).status == 200);

  // Removal: owner only; the staff account loses the merchant.
  CHECK(t.del(base + "/" + std::to_string(staff.account_id), staff.token).status == 403);
  CHECK(t.del(base + "/" + std::to_string(s.owner.account_id), s.owner.token).status == 404);  // never the owner
  CHECK(t.del(base + "/" + std::to_string(staff.account_id), s.owner.token).status == 204);
  CHECK(t.del(base + "/" + std::to_string(staff.account_id), s.owner.token).status == 404);
  CHECK(t.get(s.merchant_base() + "/orders", staff.token).status == 404);  // no role left in the community
  // Every staff change and decision is in the audit trail.
  auto audit = t.get(s.c.base() + "/audit?limit=100", s.c.manager.token);
  REQUIRE(audit.status == 200);
  int staff_entries = 0;
  for (auto const& e : audit.json.at("items").as_array())
    if (std::string(e.at("action").as_string()).find("/staff") != std::string::npos) ++staff_entries;
  CHECK(staff_entries >= 2);
}

TEST_CASE("two concurrent applications from one account: exactly one is pending", "[shops][onboarding][concurrency]") {
  auto& t = TestApp::get();
  auto c = t.community();
  REQUIRE(open_applications(c, true).status == 200);
  for (int round = 0; round < 3; ++round) {
    auto who = t.account("racer");
    constexpr int kThreads = 4;
    std::vector<int> statuses(kThreads);
    courtyard::test::in_threads(kThreads, [&](int i) {
      statuses[i] = t.post(c.base() + "/merchants", details("Racer " + std::to_string(i)), who.token).status;
    });
    CHECK(std::count(statuses.begin(), statuses.end(), 201) == 1);
    CHECK(std::count(statuses.begin(), statuses.end(), 409) == kThreads - 1);
    int pending = 0;
    auto mine = t.get("/v1/me/merchant-applications", who.token);
    REQUIRE(mine.status == 200);
    for (auto const& m : mine.json.at("items").as_array())
      if (m.at("status").as_string() == "pending") ++pending;
    CHECK(pending == 1);
  }
}
