// Mass assignment (issue 10): every write body, with community_id, role, balance_cents,
// price_cents, total_cents, status, stock and buyer_id added with hostile values, is either
// refused (422) or the extra fields are ignored: the resource read back through the API
// carries the path's community, the computed totals, the caller as buyer, the initial status,
// and balances move only by what the route itself allows.
//
// A hostile field is added only where it is not a field of the route's own body (a product's
// price_cents is its price). Cases whose hostile field was applied are failures unless listed
// in known_defects() (reported on every run, for the owning engineer).
#include "tests/matrix/world.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <iostream>
#include <set>
#include <sstream>

namespace courtyard::test::matrix {
namespace {

constexpr char kPassword[] = "correct-horse-battery-staple";

struct Case {
  std::string name;
  std::string method;
  std::string path;
  std::string token;
  bj::object body;              // a valid body
  std::string hostile_status;   // the status a caller would like to skip to
  std::string read_path;        // where to read the resource back ("" = the Location header)
  bool idempotent = false;      // send an Idempotency-Key
  // Specific checks on the resource read back (besides the generic ones); returns problems.
  std::function<void(bj::object const&, std::vector<std::string>&)> check;
  std::vector<std::string> omit = {};  // hostile fields not sent (each is refused on its own)
};

bj::object hostile(World const& foreign, std::string const& status) {
  return bj::object{{"community_id", foreign.c.id},
                    {"role", "manager"},
                    {"balance_cents", 999'999'999},
                    {"price_cents", 1},
                    {"total_cents", 1},
                    {"status", status},
                    {"stock", 999'999},
                    {"buyer_id", foreign.resident.account_id}};
}

std::set<std::string> const& known_defects() {
  static std::set<std::string> const d{};
  return d;
}

std::int64_t int_at(bj::object const& o, char const* k) {
  auto const* v = o.if_contains(k);
  return v && v->is_int64() ? v->as_int64() : (v && v->is_uint64() ? std::int64_t(v->as_uint64()) : -1);
}
std::string str_at(bj::object const& o, char const* k) {
  auto const* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : "";
}

// The caller's roles as /v1/me reports them.
bj::array roles_of(TestApp& t, std::string const& token) {
  auto me = t.get("/v1/me", token);
  REQUIRE(me.status == 200);
  return me.json.at("roles").as_array();
}

}  // namespace

TEST_CASE("mass assignment: hostile extra fields on every write body are refused or ignored", "[matrix][mass]") {
  auto& t = TestApp::get();
  auto scopes = route_scopes(t);
  World a = build_world(t, scopes);
  World b = build_world(t, scopes);
  auto const& c = a.c;
  auto mgr = c.manager.token;
  auto sid = [](std::int64_t v) { return std::to_string(v); };

  // A buyer with a known balance, for the order and bill cases.
  auto buyer = t.resident(c, 0);
  t.top_up(c, buyer, 100'000);
  auto product_price = 250;  // build_world's products
  std::int64_t balance_before_order = 0, balance_before_bill = 0, balance_before_top_up = 0;
  std::int64_t bill_amount = 0, buyer_bill = 0;
  {
    auto bills = t.get("/v1/me/bills?limit=100", buyer.token);
    REQUIRE(bills.status == 200);
    for (auto const& it : bills.json.at("items").as_array())
      if (it.at("community_id").as_int64() == c.id && str_at(it.as_object(), "status") != "paid") {
        buyer_bill = it.at("id").as_int64();
        bill_amount = it.at("amount_cents").as_int64();
        break;
      }
    REQUIRE(buyer_bill != 0);
  }
  auto staff_account = t.account("staff");
  auto new_account_email = t.unique("massreg") + "@example.test";
  std::string product_path = a.mbase() + "/products/" + sid(a.pid);
  std::int64_t product_stock = 0;
  {
    auto p = t.get(product_path, a.merchant.token);
    REQUIRE(p.status == 200);
    product_stock = p.json.at("stock").as_int64();
  }

  std::vector<Case> cases{
      {"register", "POST", "/v1/auth/register", "",
       {{"email", new_account_email}, {"password", kPassword}, {"display_name", "Mallory"}}, "approved", "-", false,
       [&](bj::object const&, std::vector<std::string>& bad) {
         auto login = t.post("/v1/auth/login", {{"email", new_account_email}, {"password", kPassword}});
         if (login.status != 200) return bad.push_back("cannot sign in: " + login.body);
         auto me = t.get("/v1/me", std::string(login.json.at("token").as_string()));
         if (me.json.at("admin").as_bool()) bad.push_back("the new account is an admin");
         if (!me.json.at("roles").as_array().empty()) bad.push_back("the new account holds roles: " + me.body);
       }},
      {"apply for residency", "POST", c.base() + "/residency-applications", t.account("applicant").token,
       {{"unit_id", c.unit_ids[2]}}, "approved", "", false,
       [&](bj::object const& v, std::vector<std::string>& bad) {
         if (str_at(v, "status") != "pending") bad.push_back("status is " + str_at(v, "status"));
       }},
      {"add staff", "POST", c.base() + "/staff", mgr, {{"account_id", staff_account.account_id}, {"role", "courier"}},
       "approved", "-", false,
       [&](bj::object const&, std::vector<std::string>& bad) {
         for (auto const& r : roles_of(t, staff_account.token))
           if (r.at("community_id").as_int64() != c.id || r.at("role").as_string() != "courier")
             bad.push_back("staff holds " + bj::serialize(r));
       }},
      {"apply as merchant", "POST", c.base() + "/merchants", a.resident2.token,
       {{"name", t.unique("Stall")}, {"category", "grocery"}, {"contact", {{"phone", "+44 20 7946 0000"}}}},
       "approved", "", false,
       [&](bj::object const& v, std::vector<std::string>& bad) {
         if (str_at(v, "status") == "approved") bad.push_back("the merchant is approved on application");
       }},
      {"create product", "POST", a.mbase() + "/products", a.merchant.token,
       {{"name", t.unique("Pears")}, {"price_cents", 300}, {"stock", 7}}, "inactive", "", false,
       [&](bj::object const& v, std::vector<std::string>& bad) {
         if (int_at(v, "stock") != 7) bad.push_back("stock " + std::to_string(int_at(v, "stock")));
         if (int_at(v, "price_cents") != 300) bad.push_back("price " + std::to_string(int_at(v, "price_cents")));
       }},
      {"update product (name only)", "PATCH", product_path, a.merchant.token, {{"name", "Renamed apples"}}, "inactive",
       product_path, false,
       [&](bj::object const& v, std::vector<std::string>& bad) {
         if (int_at(v, "stock") != product_stock) bad.push_back("stock " + std::to_string(int_at(v, "stock")));
         if (int_at(v, "price_cents") != product_price)
           bad.push_back("price " + std::to_string(int_at(v, "price_cents")));
       },
       {"price_cents"}},
      // PATCH refuses `stock` by name (422, stock moves through .../stock): send the others.
      {"update product (without stock)", "PATCH", product_path, a.merchant.token, {{"name", "Renamed again"}},
       "inactive", product_path, false,
       [&](bj::object const& v, std::vector<std::string>& bad) {
         if (int_at(v, "stock") != product_stock) bad.push_back("stock " + std::to_string(int_at(v, "stock")));
       },
       {"stock", "price_cents"}},
      {"place an order", "POST", c.base() + "/orders", buyer.token,
       {{"merchant_id", a.mid},
        {"items", bj::array{bj::object{{"product_id", a.pid}, {"quantity", 2}}}},
        {"fulfilment", "pickup"}},
       "completed", "", true,
       [&](bj::object const& v, std::vector<std::string>& bad) {
         if (int_at(v, "total_cents") != 2 * product_price)
           bad.push_back("total " + std::to_string(int_at(v, "total_cents")));
         if (int_at(v, "buyer_id") != buyer.account_id) bad.push_back("buyer " + std::to_string(int_at(v, "buyer_id")));
         if (str_at(v, "status") != "placed") bad.push_back("status " + str_at(v, "status"));
         auto paid = balance_before_order - t.balance(c, buyer);
         if (paid != 2 * product_price) bad.push_back("the buyer paid " + std::to_string(paid));
       }},
      {"pay a bill from the wallet", "POST", c.base() + "/bills/" + sid(buyer_bill) + "/payments", buyer.token,
       {{"method", "wallet"}}, "void", c.base() + "/bills/" + sid(buyer_bill), true,
       [&](bj::object const& v, std::vector<std::string>& bad) {
         if (int_at(v, "amount_cents") != bill_amount) bad.push_back("amount " + std::to_string(int_at(v, "amount_cents")));
         auto paid = balance_before_bill - t.balance(c, buyer);
         if (paid != bill_amount) bad.push_back("the resident paid " + std::to_string(paid));
       }},
      {"top up a wallet", "POST", c.base() + "/wallets/" + sid(a.resident2.account_id) + "/top-ups", mgr,
       {{"amount_cents", 500}}, "approved", "-", true,
       [&](bj::object const&, std::vector<std::string>& bad) {
         auto got = t.balance(c, a.resident2) - balance_before_top_up;
         if (got != 500) bad.push_back("the balance moved by " + std::to_string(got));
       }},
      {"open a ticket", "POST", c.base() + "/tickets", a.resident.token,
       {{"unit_id", c.unit_ids[0]}, {"category", "plumbing"}, {"description", "Leak"}}, "resolved", "", false,
       [&](bj::object const& v, std::vector<std::string>& bad) {
         if (int_at(v, "opened_by") != a.resident.account_id) bad.push_back("opened_by " + std::to_string(int_at(v, "opened_by")));
       }},
      {"issue a visitor pass", "POST", c.base() + "/visitor-passes", a.resident.token,
       {{"visitor_name", "Aunt"}, {"valid_from", at(kHour)}, {"valid_until", at(kDay)}}, "used", "", false, {}},
      {"create an amenity", "POST", c.base() + "/amenities", mgr, {{"name", t.unique("Pool")}, {"capacity", 3}},
       "closed", "", false, {}},
      {"book an amenity", "POST", c.base() + "/amenities/" + sid(a.amenity) + "/bookings", a.resident2.token,
       {{"starts_at", at(4 * kDay)}, {"ends_at", at(4 * kDay + kHour)}}, "cancelled", "", false, {}},
      {"make a suggestion", "POST", c.base() + "/suggestions", a.resident.token, {{"title", "Plants"}, {"body", "More"}},
       "accepted", "", false, {}},
      {"publish an announcement", "POST", c.base() + "/announcements", mgr, {{"title", "Hi"}, {"body", "There"}},
       "hidden", "", false, {}},
      {"create a fee schedule", "POST", c.base() + "/fee-schedules", mgr,
       {{"name", "Lift"}, {"amount_cents", 300}, {"scope", "community"}}, "inactive", "", false,
       [&](bj::object const& v, std::vector<std::string>& bad) {
         if (int_at(v, "amount_cents") != 300) bad.push_back("amount " + std::to_string(int_at(v, "amount_cents")));
       }},
      {"log a parcel", "POST", c.base() + "/parcels", mgr,
       {{"unit_id", c.unit_ids[0]}, {"carrier", "UPS"}, {"tracking_no", "MA1"}}, "picked_up", "", false, {}},
      {"create a club", "POST", c.base() + "/clubs", a.resident.token,
       {{"name", t.unique("Knitting")}, {"description", "Wed"}, {"open", true}}, "closed", "", false, {}},
      {"create a club event", "POST", c.base() + "/clubs/" + sid(a.club) + "/events", a.resident.token,
       {{"title", "Open night"}, {"starts_at", at(5 * kDay)}, {"capacity", 5}, {"fee_cents", 0}}, "cancelled", "", false,
       [&](bj::object const& v, std::vector<std::string>& bad) {
         if (int_at(v, "fee_cents") != 0) bad.push_back("fee " + std::to_string(int_at(v, "fee_cents")));
       }},
      {"publish a post", "POST", c.base() + "/posts", a.resident.token, {{"body", "Hello"}}, "hidden", "", false, {}},
      {"create a group buy", "POST", c.base() + "/group-buys", a.merchant.token,
       {{"product_id", a.pid}, {"unit_price_cents", 180}, {"min_participants", 2}, {"closes_at", at(2 * kDay)}},
       "succeeded", "", false,
       [&](bj::object const& v, std::vector<std::string>& bad) {
         if (int_at(v, "unit_price_cents") != 180) bad.push_back("unit price " + std::to_string(int_at(v, "unit_price_cents")));
       }},
      {"create a coupon", "POST", a.mbase() + "/coupons", a.merchant.token, {{"code", "MASS10"}, {"percent_off", 10}, {"max_redemptions", 5}, {"expires_at", at(3 * kDay)}}, "expired", "-", false,
       {}},
      {"create an API key", "POST", a.mbase() + "/api-keys", a.merchant.token,
       {{"name", t.unique("mass key")}, {"scopes", bj::array{"orders:read"}}}, "approved", "-", false,
       [&](bj::object const& v, std::vector<std::string>& bad) {
         if (int_at(v, "community_id") != c.id) bad.push_back("key community " + std::to_string(int_at(v, "community_id")));
         auto const* k = v.if_contains("key");
         if (!k || !k->is_string()) return;
         // The key must not open the foreign community.
         auto r = t.get(b.mbase() + "/orders", std::string(k->as_string()));
         if (r.status / 100 == 2) bad.push_back("the key reads the foreign community's orders");
       }},
  };

  std::vector<std::string> failures, defects_seen;
  int applied_checks = 0;
  for (auto& k : cases) {
    bj::object body = k.body;
    for (auto const& [field, value] : hostile(b, k.hostile_status))
      if (!body.contains(field) && std::find(k.omit.begin(), k.omit.end(), field) == k.omit.end()) body[field] = value;
    balance_before_order = t.balance(c, buyer);
    balance_before_bill = balance_before_order;
    balance_before_top_up = t.balance(c, a.resident2);

    http::Headers h;
    if (k.idempotent) h.emplace_back("Idempotency-Key", t.unique("mass"));
    auto res = t.call(k.method, k.path, bj::value(body), k.token, h);
    std::vector<std::string> bad;
    if (res.status == 422 || res.status == 400) {
      // Refused: fine, as long as the valid body alone is accepted (else the case proves nothing).
      std::cout << "mass assignment: " << k.name << ": refused with " << res.status << " " << res.body.substr(0, 160)
                << "\n";
      http::Headers h2;
      if (k.idempotent) h2.emplace_back("Idempotency-Key", t.unique("mass"));
      auto plain = t.call(k.method, k.path, bj::value(k.body), k.token, h2);
      if (plain.status / 100 != 2)
        bad.push_back("the valid body alone is refused too (" + std::to_string(plain.status) + " " +
                      plain.body.substr(0, 200) + "): fix the case");
    } else if (res.status / 100 != 2) {
      bad.push_back("answered " + std::to_string(res.status) + " " + res.body.substr(0, 200));
    } else {
      ++applied_checks;
      bj::object view = res.json.is_object() ? res.json.as_object() : bj::object{};
      std::string read = k.read_path.empty() ? res.header("Location") : k.read_path;
      if (read != "-" && !read.empty()) {
        auto back = t.get(read, k.token);
        if (back.status != 200) bad.push_back("read back " + read + ": " + std::to_string(back.status));
        else view = back.json.as_object();
      }
      {
        if (view.contains("community_id") && int_at(view, "community_id") != c.id)
          bad.push_back("community_id is " + std::to_string(int_at(view, "community_id")));
        auto bad_fields = hostile(b, k.hostile_status);
        for (auto const& [field, value] : bad_fields)
          if (body.contains(field) && !k.body.contains(field) && field != "community_id" && view.contains(field) &&
              view.at(field) == value)
            bad.push_back(std::string(field) + " was applied (" + bj::serialize(value) + ")");
      }
      if (k.check) k.check(view, bad);
    }
    if (bad.empty()) continue;
    std::string line = k.method + " " + k.path + " (" + k.name + "): ";
    for (auto const& x : bad) line += x + "; ";
    (known_defects().count(k.name) ? defects_seen : failures).push_back(line);
  }
  std::cout << "mass assignment: " << cases.size() << " write routes, " << applied_checks
            << " accepted and read back\n";
  for (auto const& d : defects_seen) std::cout << "  KNOWN DEFECT (reported, not failed) " << d << "\n";
  for (auto const& f : failures) std::cout << "  APPLIED " << f << "\n";
  CHECK(failures.empty());
}

}  // namespace courtyard::test::matrix
