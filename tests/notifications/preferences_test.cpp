// Notification preferences per category and channel: defaults, changes, refusals, and their
// effect where rows are written (dropped, listed but not pushed) on every write path.
#include "services/notifications/api.hpp"
#include "tests/notifications/helpers.hpp"

#include <algorithm>

using namespace courtyard;
using namespace courtyard::test;
using namespace courtyard::test::notif;

namespace {

bj::object category(Result const& r, std::string const& name) {
  REQUIRE(r.status == 200);
  for (auto const& c : r.json.at("categories").as_array())
    if (c.at("category") == name.c_str()) return c.as_object();
  FAIL("no category " << name);
  return {};
}

Result put_prefs(TestApp& t, Actor const& a, bj::object body) {
  return t.call("PUT", "/v1/me/notification-preferences", bj::value(std::move(body)), a.token);
}

void order_placed(TestApp& t, std::int64_t cid, Actor const& buyer, std::int64_t order_id) {
  publish(t, "order.placed", cid, {{"order_id", order_id}, {"merchant_id", 1}, {"buyer_id", buyer.account_id},
                                   {"total_cents", 100}, {"fulfilment", "pickup"}, {"unit_id", 0}, {"status", "placed"}});
}

std::vector<std::int64_t> ids_of(bj::array const& rows) {
  std::vector<std::int64_t> out;
  for (auto const& r : rows) out.push_back(r.at("id").as_int64());
  return out;
}

}  // namespace

TEST_CASE("notification preferences: defaults per category", "[notifications][preferences]") {
  auto& t = TestApp::get();
  auto a = t.account("prefs");
  auto r = t.get("/v1/me/notification-preferences", a.token);
  REQUIRE(r.status == 200);
  CHECK(r.json.at("categories").as_array().size() >= 10);
  CHECK(r.json.at("channels").at("email").as_string().find("stored only") != std::string::npos);
  auto orders = category(r, "orders");
  CHECK(orders.at("in_app") == true);
  CHECK(orders.at("push") == true);
  CHECK(orders.at("email") == false);
  CHECK(orders.at("locked") == false);
  CHECK(orders.at("customized") == false);
  auto account = category(r, "account");
  CHECK(account.at("locked") == true);
  // Marketing is off until consented (members is not linked here: nobody has consented).
  auto marketing = category(r, "marketing");
  CHECK(marketing.at("in_app") == false);
  CHECK(marketing.at("delivered") == false);
  CHECK(marketing.at("consent").at("given") == false);
  CHECK(t.get("/v1/me/notification-preferences").status == 401);
}

TEST_CASE("notification preferences: changes, and refusals that change nothing", "[notifications][preferences]") {
  auto& t = TestApp::get();
  auto a = t.account("prefs");
  auto ok = put_prefs(t, a, {{"orders", {{"push", false}}}, {"bills", {{"in_app", false}}}, {"events", {{"email", true}}}});
  INFO(ok.body);
  REQUIRE(ok.status == 200);
  CHECK(category(ok, "orders").at("push") == false);
  CHECK(category(ok, "orders").at("in_app") == true);
  CHECK(category(ok, "orders").at("customized") == true);
  // Turning the list off turns the live push off with it.
  CHECK(category(ok, "bills").at("in_app") == false);
  CHECK(category(ok, "bills").at("push") == false);
  CHECK(category(ok, "events").at("email") == true);
  CHECK(category(ok, "parcels").at("customized") == false);

  auto unknown = put_prefs(t, a, {{"orders", {{"push", true}}}, {"horoscopes", {{"push", true}}}});
  CHECK(unknown.status == 422);
  CHECK(put_prefs(t, a, {{"orders", {{"sms", true}}}}).status == 422);
  CHECK(put_prefs(t, a, {{"orders", {{"push", "yes"}}}}).status == 400);
  CHECK(put_prefs(t, a, {{"orders", true}}).status == 400);
  CHECK(put_prefs(t, a, bj::object{}).status == 422);
  auto locked = put_prefs(t, a, {{"orders", {{"push", true}}}, {"account", {{"in_app", false}}}});
  CHECK(locked.status == 422);
  CHECK(locked.problem_type() == "/problems/preference-refused");
  CHECK(put_prefs(t, a, {{"account", {{"push", false}}}}).status == 422);
  CHECK(put_prefs(t, a, {{"parcels", {{"in_app", false}, {"push", true}}}}).status == 422);
  CHECK(t.call("PUT", "/v1/me/notification-preferences", bj::value(bj::object{{"orders", {{"push", true}}}})).status ==
        401);

  // None of the refused calls wrote anything (the orders change in them included).
  auto now = t.get("/v1/me/notification-preferences", a.token);
  CHECK(category(now, "orders").at("push") == false);
  CHECK(category(now, "account").at("in_app") == true);
  CHECK(category(now, "parcels").at("customized") == false);
}

TEST_CASE("notification preferences are applied where rows are written", "[notifications][preferences]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto quiet = t.resident(c, 0);
  auto loud = t.resident(c, 1);
  REQUIRE(put_prefs(t, quiet, {{"orders", {{"push", false}}}, {"bills", {{"in_app", false}}},
                               {"announcements", {{"in_app", false}}}})
              .status == 200);

  // Listed but not pushed.
  order_placed(t, c.id, quiet, 7001);
  order_placed(t, c.id, loud, 7002);
  auto q = mine(t, quiet);
  auto l = mine(t, loud);
  REQUIRE(q.size() == 1);
  REQUIRE(l.size() == 1);
  CHECK(q[0].at("type") == "order.placed");
  auto pushed = notifications::by_ids(t.app().db(), {q[0].at("id").as_int64(), l[0].at("id").as_int64()});
  REQUIRE(pushed.size() == 1);
  CHECK(pushed[0].at("account_id").as_int64() == loud.account_id);

  // Dropped: a bill listing both, and an announcement to the whole community (paged path).
  publish(t, "bill.issued", c.id, {{"bill_id", 9}, {"unit_id", 1},
                                   {"account_ids", bj::array{quiet.account_id, loud.account_id}},
                                   {"amount_cents", 500}, {"period", "2026-12"}, {"due_at_ms", 1795000000000}});
  publish(t, "announcement.published", c.id, {{"announcement_id", 3}, {"building_id", 0}, {"title", "Water off"},
                                               {"audience", "residents"}});
  CHECK(mine(t, quiet).size() == 1);
  auto l2 = mine(t, loud);
  REQUIRE(l2.size() == 3);
  CHECK(l2[0].at("type") == "announcement.published");
  CHECK(l2[1].at("type") == "bill.issued");

  // The api's notify(): marketing without consent is dropped for everyone; other types obey
  // the category; account notices always pass.
  auto rows = db::transact(t.app().db(), &t.app().bus(), [&](db::Tx& tx) {
    return std::vector<std::int64_t>{
        notifications::notify(tx, loud.account_id, c.id, "campaign.message", "20% off bread", "This week only"),
        notifications::notify(tx, quiet.account_id, c.id, "bill.reminder", "Pay", "Soon"),
        notifications::notify(tx, quiet.account_id, c.id, "account.security", "New sign-in", "From a new device")};
  });
  CHECK(rows[0] == 0);
  CHECK(rows[1] == 0);
  CHECK(rows[2] > 0);
  auto q2 = mine(t, quiet);
  REQUIRE(q2.size() == 2);
  CHECK(q2[0].at("type") == "account.security");
  auto both = ids_of(q2);
  CHECK(notifications::by_ids(t.app().db(), both).size() == 1);  // the security notice is pushed

  // The export carries the preferences.
  auto exported = db::transact(t.app().db(), &t.app().bus(),
                               [&](db::Tx& tx) { return notifications::export_account(tx, quiet.account_id); });
  CHECK(exported.at("notification_preferences").as_array().size() == 3);
}
