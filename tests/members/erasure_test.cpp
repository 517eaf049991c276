// Account erasure across every service: what blocks it, what it pseudonymises, what it keeps
// (ledgers, orders, bills balanced and referring to the same ids), and that it happens once.
// Also the marketing category of notification preferences, which needs members' consents.
#include "services/members/routes.hpp"
#include "services/notifications/api.hpp"
#include "tests/members/helpers.hpp"

#include <atomic>
#include <thread>

using namespace members_test;
using soci::use;

namespace {

constexpr char kPassword[] = "correct-horse-battery-staple";

std::string id(std::int64_t v) { return std::to_string(v); }

// The wallet's invariants for one community: every transaction sums to zero, each account's
// balance equals its entries, all balances sum to zero, no resident below zero.
void check_wallet(std::int64_t cid) {
  CHECK(scalar("SELECT COUNT(*) FROM (SELECT transaction_id FROM wallet_entries WHERE community_id = :c "
               "GROUP BY transaction_id HAVING SUM(amount_cents) <> 0) x",
               use(cid, "c")) == 0);
  CHECK(scalar("SELECT COALESCE(SUM(balance_cents), 0) FROM wallet_accounts WHERE community_id = :c", use(cid, "c")) ==
        0);
  CHECK(scalar("SELECT COUNT(*) FROM wallet_accounts a WHERE a.community_id = :c AND a.balance_cents <> "
               "(SELECT COALESCE(SUM(e.amount_cents), 0) FROM wallet_entries e WHERE e.account_id = a.id)",
               use(cid, "c")) == 0);
}

std::string export_of(std::int64_t account_id) {
  auto& t = TestApp::get();
  courtyard::Principal who;
  who.kind = courtyard::Principal::Kind::Session;
  who.account_id = account_id;
  return bj::serialize(courtyard::db::transact(t.app().db(), &t.app().bus(), [&](courtyard::db::Tx& tx) {
    return courtyard::members::export_document(tx, who);
  }));
}

Result erase_me(Actor const& a, std::string const& password = kPassword) {
  return TestApp::get().post("/v1/me/erasure", {{"password", password}}, a.token);
}

bool can_sign_in(Actor const& a) {
  return TestApp::get().post("/v1/auth/login", {{"email", a.email}, {"password", kPassword}}).status == 200;
}

bj::value author_label_of_post(Community const& c, Actor const& viewer, std::int64_t post_id) {
  auto feed = TestApp::get().get(c.base() + "/posts?limit=100", viewer.token);
  REQUIRE(feed.status == 200);
  for (auto const& p : feed.json.at("items").as_array())
    if (p.at("id").as_int64() == post_id) return p.at("author_label");
  FAIL("post " << post_id << " not in the feed");
  return nullptr;
}

}  // namespace

TEST_CASE("erasure: a resident with orders, bills, points, posts and reviews", "[members][erasure][e2e]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto [owner, mid] = t.merchant(c);
  auto r = t.resident(c, 1);
  auto neighbour = t.resident(c, 2);
  set_rule(c, {{"kind", "bill_paid_on_time"}, {"points", 100}});
  set_rule(c, {{"kind", "order_completed"}, {"points", 1}});
  t.advance_clock_ms(5);
  // Exactly what she spends: a 10.00 bill and a 12.50 order leave her wallet at zero.
  t.top_up(c, r, 1000 + 1250);

  REQUIRE(t.post(c.base() + "/fee-schedules", {{"name", t.unique("fee")}, {"amount_cents", 1000}, {"scope", "community"}},
                 c.manager.token)
              .status == 201);
  REQUIRE(t.post(c.base() + "/billing-runs", {{"period", "2031-01"}}, c.manager.token).status == 201);
  auto bills = t.get(c.base() + "/bills?unit_id=" + id(c.unit_ids[1]), c.manager.token);
  REQUIRE(bills.json.at("items").as_array().size() == 1);
  auto bill_id = bills.json.at("items").at(0).at("id").as_int64();
  REQUIRE(t.post(c.base() + "/bills/" + id(bill_id) + "/payments", {{"method", "wallet"}}, r.token,
                 {{"Idempotency-Key", t.unique("pay")}})
              .status == 201);

  auto loaf = loaf_order(c, mid, owner, r);
  auto oid = loaf.order.id();

  auto post = t.post(c.base() + "/posts", {{"body", "Lost cat near the bins"}}, r.token);
  REQUIRE(post.status == 201);
  auto their_post = t.post(c.base() + "/posts", {{"body", "Found a scarf"}}, neighbour.token);
  REQUIRE(their_post.status == 201);
  auto ticket = t.post(c.base() + "/tickets",
                       {{"unit_id", c.unit_ids[1]}, {"category", "electrical"}, {"description", "Alice Example's lamp"}},
                       r.token);
  REQUIRE(ticket.status == 201);
  auto now = courtyard::db::now_ms();
  auto pass = t.post(c.base() + "/visitor-passes",
                     {{"visitor_name", "Grandma Example"},
                      {"valid_from", courtyard::json::rfc3339(now + 3600'000)},
                      {"valid_until", courtyard::json::rfc3339(now + 5 * 3600'000)}},
                     r.token);
  REQUIRE(pass.status == 201);
  REQUIRE(t.call("PUT", "/v1/me/consents", bj::value(bj::object{{"marketing", true}}), r.token).status == 200);
  REQUIRE(t.post(c.base() + "/members/" + id(r.account_id) + "/tags", {{"tag", "early-riser"}}, c.manager.token)
              .status == 200);
  t.drain_events();

  {  // refused while an order is open, with a wrong password, or by an API key: nothing changes
    CHECK(erase_me(r, "not-my-password").status == 403);
    CHECK(erase_me(r, "not-my-password").problem_type() == "/problems/wrong-password");
    CHECK(t.post("/v1/me/erasure", bj::object{}, r.token).status == 422);
    auto blocked = erase_me(r);
    INFO(blocked.body);
    CHECK(blocked.status == 409);
    CHECK(blocked.problem_type() == "/problems/erasure-blocked");
    CHECK(blocked.body.find("open-orders") != std::string::npos);
    auto key = t.post(c.base() + "/merchants/" + id(mid) + "/api-keys",
                      {{"name", "till"}, {"scopes", bj::array{"orders:read"}}}, owner.token);
    REQUIRE(key.status == 201);
    std::string ck(key.json.at("key").as_string());
    CHECK(t.post("/v1/me/erasure", {{"password", kPassword}}, ck).status == 403);
    CHECK(t.get("/v1/me/notification-preferences", ck).status == 403);
    CHECK(t.get("/v1/me", r.token).status == 200);
    CHECK(can_sign_in(r));
  }

  // The order completes (redeemed at the shop), she reviews it; her wallet is now empty.
  collect_order(c, mid, owner, loaf.order);
  REQUIRE(t.post(c.base() + "/orders/" + id(oid) + "/review", {{"rating", 5}, {"text", "Best bread, Alice"}}, r.token)
              .status == 201);
  t.drain_events();
  auto points_before = points(c, r);
  CHECK(points_before == 100 + 12);
  REQUIRE(t.balance(c, r) == 0);
  auto neighbour_notes = scalar("SELECT COUNT(*) FROM notifications WHERE account_id = :a",
                                use(neighbour.account_id, "a"));
  std::string before = export_of(r.account_id);
  REQUIRE(before.find(r.email) != std::string::npos);
  REQUIRE(before.find("Grandma Example") != std::string::npos);
  {  // the export holds her member facts and her recommendation profile (she never opted out)
    auto doc = bj::parse(before).as_object();
    auto tags = doc.at("members").at("tags").as_array();
    REQUIRE(tags.size() == 1);
    CHECK(tags[0].at("tag") == "early-riser");
    auto profiles = doc.at("recommendations").at("profiles").as_array();
    REQUIRE(profiles.size() == 1);
    CHECK(profiles[0].at("community_id").as_int64() == c.id);
    REQUIRE(profiles[0].at("products").as_array().size() == 1);
    CHECK(profiles[0].at("products").at(0).at("product_id").as_int64() == loaf.product);
  }
  auto mine = [&](char const* table) {
    return scalar(std::string("SELECT COUNT(*) FROM ") + table + " WHERE account_id = :a", use(r.account_id, "a"));
  };
  REQUIRE(mine("members_facts") == 1);
  REQUIRE(mine("members_fact_spend") >= 1);
  REQUIRE(mine("members_fact_tags") == 1);
  REQUIRE(mine("rec_profiles") == 1);
  REQUIRE(mine("rec_buyer_products") == 1);

  // A failed sign-in with her address is counted by address: erasure removes the count too.
  CHECK(t.post("/v1/auth/login", {{"email", r.email}, {"password", "not-my-password"}}).status == 401);
  auto attempts = [&] { return scalar("SELECT COUNT(*) FROM login_attempts WHERE email = :e", use(r.email, "e")); };
  auto counted = attempts();
  REQUIRE(counted >= 1);

  auto done = erase_me(r);
  INFO(done.body);
  REQUIRE(done.status == 200);
  CHECK(done.json.at("account_id").as_int64() == r.account_id);
  CHECK(done.json.at("changed").at("identity").at("account_pseudonymised") == true);
  CHECK(done.json.at("changed").at("identity").at("login_counters_removed").as_int64() == counted);
  CHECK(attempts() == 0);
  CHECK(done.json.at("changed").at("shops").at("reviews").as_int64() == 1);
  CHECK(done.json.at("changed").at("clubs").at("posts").as_int64() == 1);
  CHECK(done.json.at("changed").at("recommendations").at("profiles").as_int64() == 1);
  CHECK(done.json.at("changed").at("members").at("facts").as_int64() >= 3);
  // No segment counts her and no recommendation uses her purchases any more.
  for (char const* table : {"members_facts", "members_fact_spend", "members_fact_customers",
                            "members_fact_merchant_spend", "members_fact_tags", "rec_buyer_products"})
    CHECK(mine(table) == 0);
  CHECK(scalar("SELECT COUNT(*) FROM rec_building_products WHERE community_id = :c AND product_id = :p",
               use(c.id, "c"), use(loaf.product, "p")) == 0);

  // She cannot sign in, her session is gone, and a second erasure finds her gone.
  CHECK(t.get("/v1/me", r.token).status == 401);
  CHECK_FALSE(can_sign_in(r));
  auto again = t.post("/v1/admin/accounts/" + id(r.account_id) + "/erasure", {{"reason", "repeat"}}, t.admin().token);
  CHECK(again.status == 410);
  CHECK(again.problem_type() == "/problems/account-erased");

  // Her export holds nothing personal any more.
  std::string after = export_of(r.account_id);
  INFO(after);
  for (std::string personal : {r.email, std::string("Alice Example"), std::string("Grandma Example")})
    CHECK(after.find(personal) == std::string::npos);
  auto doc = bj::parse(after).as_object();
  CHECK(doc.at("identity").at("display_name") == "Former resident");
  CHECK(doc.at("identity").at("roles").as_array().empty());
  CHECK(doc.at("notifications").at("notifications").as_array().empty());
  CHECK(doc.at("members").at("consents").at("marketing") == false);
  CHECK(doc.at("members").at("tags").as_array().empty());
  // (the profile's lock row stays, as after an opt-out: it holds no products)
  for (auto const& profile : doc.at("recommendations").at("profiles").as_array())
    CHECK(profile.at("products").as_array().empty());

  // What others see: her post and review stay, by a former resident; the neighbour's are hers.
  CHECK(author_label_of_post(c, neighbour, post.id()) == "former resident");
  CHECK(author_label_of_post(c, neighbour, their_post.id()).is_null());
  auto reviews = t.get(c.base() + "/merchants/" + id(mid) + "/reviews", neighbour.token);
  REQUIRE(reviews.status == 200);
  REQUIRE(reviews.json.at("items").as_array().size() == 1);
  CHECK(reviews.json.at("items").at(0).at("author_label") == "former resident");
  CHECK(reviews.json.at("items").at(0).at("rating").as_int64() == 5);

  // The books: the order, the bill payment and every ledger still add up, under the same ids.
  auto o = t.get(c.base() + "/orders/" + id(oid), owner.token);
  REQUIRE(o.status == 200);
  CHECK(o.json.at("buyer_id").as_int64() == r.account_id);
  CHECK(o.json.at("total_cents").as_int64() == 1250);
  CHECK(scalar("SELECT COUNT(*) FROM property_bills WHERE id = :b AND paid_by = :a AND status = 'paid'",
               use(bill_id, "b"), use(r.account_id, "a")) == 1);
  CHECK(scalar("SELECT COALESCE(SUM(balance), 0) FROM members_points_accounts WHERE owner_kind = 'member' AND "
               "owner_id = :a AND community_id = :c",
               use(r.account_id, "a"), use(c.id, "c")) == points_before);
  check_ledger(c.id);
  check_wallet(c.id);
  CHECK(scalar("SELECT COUNT(*) FROM events WHERE topic = 'account.erased' AND community_id = :c",
               use(c.id, "c")) == 1);

  // Nobody else is touched.
  CHECK(can_sign_in(neighbour));
  CHECK(t.get("/v1/me", neighbour.token).status == 200);
  CHECK(scalar("SELECT COUNT(*) FROM notifications WHERE account_id = :a", use(neighbour.account_id, "a")) ==
        neighbour_notes);
  CHECK(t.get(c.base() + "/merchants/" + id(mid), owner.token).status == 200);

  // Her e-mail address is free again: a new account, with nothing of hers.
  auto reg = t.post("/v1/auth/register", {{"email", r.email}, {"password", kPassword}, {"display_name", "New"}});
  CHECK(reg.status == 201);
  CHECK(reg.id() != r.account_id);
}

TEST_CASE("erasure: what blocks it, the admin route, and once under a race", "[members][erasure]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto admin = t.admin();

  // Money in the wallet is hers: refused until it is gone.
  auto saver = t.resident(c, 0);
  t.top_up(c, saver, 500);
  auto blocked = erase_me(saver);
  CHECK(blocked.status == 409);
  CHECK(blocked.body.find("wallet-not-empty") != std::string::npos);
  CHECK(can_sign_in(saver));

  // A merchant's owner hands the shop over first; a platform admin cannot erase itself.
  auto [owner, mid] = t.merchant(c);
  CHECK(erase_me(owner).body.find("merchant-owner") != std::string::npos);
  auto self = erase_me(admin);
  CHECK(self.status == 409);
  CHECK(self.body.find("platform-admin") != std::string::npos);

  // The admin route: admin only, a reason required, 404 for nobody.
  auto victim = t.resident(c, 1);
  auto path = "/v1/admin/accounts/" + id(victim.account_id) + "/erasure";
  CHECK(t.post(path, {{"reason", "x"}}, victim.token).status == 403);
  CHECK(t.post(path, {{"reason", "x"}}, c.manager.token).status == 403);
  CHECK(t.post(path, {{"reason", "x"}}).status == 401);
  CHECK(t.post(path, bj::object{}, admin.token).status == 422);
  CHECK(t.post("/v1/admin/accounts/999999999/erasure", {{"reason", "x"}}, admin.token).status == 404);
  CHECK(can_sign_in(victim));

  // Eight admins' requests at once: one erasure, the others find it gone.
  std::atomic<int> ok{0}, gone{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      auto r = t.post(path, {{"reason", "GDPR request 42"}}, admin.token);
      (r.status == 200 ? ok : r.status == 410 ? gone : other)++;
    });
  for (auto& th : threads) th.join();
  CHECK(ok == 1);
  CHECK(gone == 7);
  CHECK(other == 0);
  CHECK_FALSE(can_sign_in(victim));
  std::string pattern = "%\"account_id\":" + id(victim.account_id) + ",%";
  CHECK(scalar("SELECT COUNT(*) FROM events WHERE topic = 'account.erased' AND payload LIKE :p", use(pattern, "p")) ==
        1);
  CHECK(scalar("SELECT COUNT(*) FROM memberships WHERE account_id = :a", use(victim.account_id, "a")) == 0);
  CHECK(t.get(c.base() + "/members/" + id(victim.account_id), c.manager.token).status == 404);
  // The audit trail names the admin's erasure once.
  CHECK(scalar("SELECT COUNT(*) FROM audit_log WHERE target = :p", use(path, "p")) == 1);
}

TEST_CASE("marketing notifications need the consent and the preference", "[members][preferences]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c);
  auto campaign = [&] {
    return courtyard::db::transact(t.app().db(), &t.app().bus(), [&](courtyard::db::Tx& tx) {
      return courtyard::notifications::notify(tx, r.account_id, c.id, "campaign.message", "Bread -20%", "This week");
    });
  };
  auto marketing = [&] {
    auto p = t.get("/v1/me/notification-preferences", r.token);
    REQUIRE(p.status == 200);
    for (auto const& x : p.json.at("categories").as_array())
      if (x.at("category") == "marketing") return x.as_object();
    FAIL("no marketing category");
    return bj::object{};
  };
  CHECK(campaign() == 0);  // no consent: dropped
  CHECK(marketing().at("delivered") == false);
  REQUIRE(t.call("PUT", "/v1/me/consents", bj::value(bj::object{{"marketing", true}}), r.token).status == 200);
  CHECK(marketing().at("in_app") == true);  // the default follows the consent
  CHECK(marketing().at("consent").at("given") == true);
  CHECK(campaign() > 0);
  REQUIRE(t.call("PUT", "/v1/me/notification-preferences", bj::value(bj::object{{"marketing", {{"in_app", false}}}}),
                 r.token)
              .status == 200);
  CHECK(campaign() == 0);  // consented, but turned off
  REQUIRE(t.call("PUT", "/v1/me/notification-preferences", bj::value(bj::object{{"marketing", {{"in_app", true}}}}),
                 r.token)
              .status == 200);
  REQUIRE(t.call("PUT", "/v1/me/consents", bj::value(bj::object{{"marketing", false}}), r.token).status == 200);
  CHECK(campaign() == 0);  // the preference alone is not enough
  CHECK(marketing().at("delivered") == false);
}
