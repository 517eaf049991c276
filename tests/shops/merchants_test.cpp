// Merchants, the catalogue with its stock ledger, coupons, access and the OpenAPI entries.
#include "services/identity/api.hpp"
#include "tests/shops/support.hpp"
#include "tests/support/openapi_walk.hpp"

#include <algorithm>
#include <set>

using namespace shops_test;

namespace {

std::vector<std::int64_t> ids(Result const& r) {
  std::vector<std::int64_t> out;
  for (auto const& i : r.json.at("items").as_array()) out.push_back(i.at("id").as_int64());
  return out;
}

bool contains(std::vector<std::int64_t> const& v, std::int64_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }

}  // namespace

TEST_CASE("a member applies as a merchant and a manager approves it", "[shops][merchants]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto owner = t.resident(c);
  auto neighbour = t.resident(c, 1);

  auto applied = t.post(c.base() + "/merchants",
                        {{"name", "Corner Grocer"}, {"category", "Grocery"}, {"contact", {{"phone", "+44 20 7946 0001"}}}},
                        owner.token);
  REQUIRE(applied.status == 201);
  auto mid = applied.id();
  CHECK(applied.json.at("status").as_string() == "pending");
  CHECK(applied.json.at("category").as_string() == "grocery");
  CHECK(applied.json.at("owner_id").as_int64() == owner.account_id);
  CHECK(applied.header("Location") == c.base() + "/merchants/" + std::to_string(mid));
  auto path = c.base() + "/merchants/" + std::to_string(mid);

  // Pending: hidden from other residents, visible to the manager and the applicant.
  CHECK(t.get(path, neighbour.token).status == 404);
  CHECK(t.get(path, owner.token).status == 200);
  CHECK(t.get(path, c.manager.token).json.at("status").as_string() == "pending");
  CHECK_FALSE(contains(ids(t.get(c.base() + "/merchants", neighbour.token)), mid));
  CHECK_FALSE(contains(ids(t.get(c.base() + "/merchants?status=pending", neighbour.token)), mid));
  CHECK(contains(ids(t.get(c.base() + "/merchants?status=pending", c.manager.token)), mid));
  CHECK(t.get(c.base() + "/merchants?status=closed", c.manager.token).status == 422);

  // A pending merchant does not sell: the owner has no merchant role yet, and even an admin
  // cannot list products for it; its catalogue and orders answer 409.
  CHECK(t.post(path + "/products", {{"name", "Apples"}, {"price_cents", 100}, {"stock", 1}}, owner.token).status == 403);
  auto admin = t.admin();
  auto early = t.post(path + "/products", {{"name", "Apples"}, {"price_cents", 100}, {"stock", 1}}, admin.token);
  CHECK(early.status == 409);
  CHECK(early.problem_type() == "/problems/merchant-not-approved");
  CHECK(t.get(path + "/products", neighbour.token).problem_type() == "/problems/merchant-not-approved");
  CHECK(t.get(path + "/products/1", neighbour.token).problem_type() == "/problems/merchant-not-approved");
  auto early_coupon = t.post(path + "/coupons",
                             {{"code", "EARLY"}, {"percent_off", 5}, {"max_redemptions", 1},
                              {"expires_at", courtyard::json::rfc3339(courtyard::db::now_ms() + 86'400'000)}},
                             admin.token);
  CHECK(early_coupon.status == 409);
  CHECK(early_coupon.problem_type() == "/problems/merchant-not-approved");
  auto buyer = t.resident(c, 2);
  auto order = t.post(c.base() + "/orders", order_body(mid, {{1, 1}}), buyer.token);
  CHECK(order.status == 409);
  CHECK(order.problem_type() == "/problems/merchant-not-approved");

  // Approval: manager only; once.
  CHECK(t.call("POST", path + "/approve", std::nullopt, owner.token).status == 403);
  CHECK(t.call("POST", c.base() + "/merchants/999999999/approve", std::nullopt, c.manager.token).status == 404);
  auto approved = t.call("POST", path + "/approve", std::nullopt, c.manager.token);
  REQUIRE(approved.status == 200);
  CHECK(approved.json.at("status").as_string() == "approved");
  CHECK(approved.json.at("rating").at("count").as_int64() == 0);
  CHECK(approved.json.at("rating").at("avg").is_null());
  auto again = t.call("POST", path + "/approve", std::nullopt, c.manager.token);
  CHECK(again.status == 409);
  CHECK(again.problem_type() == "/problems/merchant-not-pending");

  // The owner now acts for the merchant.
  CHECK(t.post(path + "/products", {{"name", "Apples"}, {"price_cents", 100}, {"stock", 1}}, owner.token).status == 201);
  CHECK(contains(ids(t.get(c.base() + "/merchants", neighbour.token)), mid));
  CHECK(contains(ids(t.get(c.base() + "/merchants?category=grocery", neighbour.token)), mid));
  CHECK_FALSE(contains(ids(t.get(c.base() + "/merchants?category=bakery", neighbour.token)), mid));
  CHECK(t.get(path, neighbour.token).status == 200);
}

TEST_CASE("merchant application errors and tenancy", "[shops][merchants][errors]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto other = t.community();
  auto r = t.resident(s.c);

  CHECK(t.post(s.c.base() + "/merchants", {{"category", "grocery"}}, r.token).status == 422);
  CHECK(t.post(s.c.base() + "/merchants", {{"name", "X"}, {"category", ""}}, r.token).status == 422);
  CHECK(t.post(s.c.base() + "/merchants", {{"name", 5}, {"category", "grocery"}}, r.token).status == 400);
  CHECK(t.call("POST", s.c.base() + "/merchants", std::nullopt, r.token).status == 400);
  CHECK(t.post(s.c.base() + "/merchants", {{"name", "X"}, {"category", "grocery"}}).status == 401);
  CHECK(t.post(s.c.base() + "/merchants", {{"name", "X"}, {"category", "grocery"}}, r.token).status == 422);  // contact
  // Someone from another community: the community (closed to outside applications) is not theirs.
  CHECK(t.post(s.c.base() + "/merchants", {{"name", "X"}, {"category", "grocery"}, {"contact", {{"phone", "+44 20 7946 0002"}}}},
               other.manager.token)
            .status == 404);
  CHECK(t.get(s.merchant_base(), other.manager.token).status == 404);
  // This merchant through another community's path (where the caller is a member) -> 404.
  auto path = other.base() + "/merchants/" + std::to_string(s.mid);
  CHECK(t.get(path, other.manager.token).status == 404);
  CHECK(t.call("POST", path + "/approve", std::nullopt, other.manager.token).status == 404);
  CHECK(t.get(path + "/products", other.manager.token).status == 404);
  CHECK(t.get(path + "/reviews", other.manager.token).status == 404);
}

TEST_CASE("catalogue: products, updates and the stock ledger", "[shops][catalogue]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto r = t.resident(s.c);
  auto rival = second_shop(s);

  auto created = t.post(s.products(), {{"name", "Sourdough"}, {"price_cents", 450}, {"stock", 12}, {"category", "Bread"}},
                        s.owner.token);
  REQUIRE(created.status == 201);
  auto pid = created.id();
  CHECK(created.header("Location") == s.product(pid));
  CHECK(created.json.at("stock").as_int64() == 12);
  CHECK(created.json.at("category").as_string() == "bread");
  CHECK(created.json.at("active").as_bool());
  auto plain = product(s, "Milk", 120, 0);
  CHECK(t.get(s.product(plain), r.token).json.at("category").as_string() == "grocery");  // the merchant's

  // Validation and roles.
  CHECK(t.post(s.products(), {{"name", "X"}, {"price_cents", -1}, {"stock", 1}}, s.owner.token).status == 422);
  CHECK(t.post(s.products(), {{"name", "X"}, {"price_cents", 1}, {"stock", -1}}, s.owner.token).status == 422);
  CHECK(t.post(s.products(), {{"price_cents", 1}, {"stock", 1}}, s.owner.token).status == 422);
  CHECK(t.post(s.products(), {{"name", "X"}, {"price_cents", "1"}, {"stock", 1}}, s.owner.token).status == 400);
  CHECK(t.post(s.products(), {{"name", "X"}, {"price_cents", 1}, {"stock", 1}}, r.token).status == 403);
  CHECK(t.post(s.products(), {{"name", "X"}, {"price_cents", 1}, {"stock", 1}}, rival.owner.token).status == 403);
  CHECK(t.post(s.products(), {{"name", "X"}, {"price_cents", 1}, {"stock", 1}}).status == 401);

  // Listing: residents see what is for sale; filter by category.
  auto listed = t.get(s.products() + "?category=bread", r.token);
  REQUIRE(listed.status == 200);
  CHECK(ids(listed) == std::vector<std::int64_t>{pid});
  CHECK(t.get(s.products() + "?limit=1", r.token).json.at("next_cursor").is_string());
  CHECK(t.get(s.products() + "?limit=0", r.token).status == 422);
  CHECK(t.get(s.products() + "?cursor=zzz", r.token).status == 422);

  // PATCH: name, price, category, active; never stock.
  auto patched = t.patch(s.product(pid), {{"name", "Rye"}, {"price_cents", 500}, {"active", false}}, s.owner.token);
  REQUIRE(patched.status == 200);
  CHECK(patched.json.at("name").as_string() == "Rye");
  CHECK(patched.json.at("price_cents").as_int64() == 500);
  CHECK_FALSE(patched.json.at("active").as_bool());
  CHECK(t.patch(s.product(pid), {{"stock", 100}}, s.owner.token).status == 422);
  CHECK(t.patch(s.product(pid), {{"price_cents", -5}}, s.owner.token).status == 422);
  CHECK(t.patch(s.product(pid), {{"active", "no"}}, s.owner.token).status == 400);
  CHECK(t.patch(s.product(999999999), {{"name", "Z"}}, s.owner.token).status == 404);
  CHECK(t.patch(s.product(pid), {{"name", "Z"}}, r.token).status == 403);
  // The rival's own path with this product id: not its product.
  CHECK(t.patch(rival.product(pid), {{"name", "Z"}}, rival.owner.token).status == 404);
  // Inactive: hidden from residents, still listed for the merchant.
  CHECK_FALSE(contains(ids(t.get(s.products(), r.token)), pid));
  CHECK(t.get(s.product(pid), r.token).status == 404);
  CHECK(contains(ids(t.get(s.products(), s.owner.token)), pid));
  CHECK(t.patch(s.product(pid), {{"active", true}}, s.owner.token).status == 200);

  // Stock movements: purchase / adjustment / return; never below zero.
  auto stock_path = s.product(pid) + "/stock";
  auto moved = t.post(stock_path, {{"delta", 8}, {"reason", "purchase"}}, s.owner.token);
  REQUIRE(moved.status == 201);
  CHECK(moved.json.at("stock").as_int64() == 20);
  CHECK(moved.json.at("reason").as_string() == "purchase");
  CHECK(moved.json.at("stock_after").as_int64() == 20);
  CHECK(t.post(stock_path, {{"delta", -5}, {"reason", "adjustment"}}, s.owner.token).json.at("stock").as_int64() == 15);
  CHECK(t.post(stock_path, {{"delta", 1}, {"reason", "return"}}, s.owner.token).json.at("stock").as_int64() == 16);
  auto below = t.post(stock_path, {{"delta", -17}, {"reason", "adjustment"}}, s.owner.token);
  CHECK(below.status == 409);
  CHECK(below.problem_type() == "/problems/insufficient-stock");
  CHECK(t.post(stock_path, {{"delta", -1}, {"reason", "purchase"}}, s.owner.token).status == 422);
  CHECK(t.post(stock_path, {{"delta", 0}, {"reason", "adjustment"}}, s.owner.token).status == 422);
  CHECK(t.post(stock_path, {{"delta", -1}, {"reason", "sale"}}, s.owner.token).status == 422);
  CHECK(t.post(stock_path, {{"delta", 1}, {"reason", "gift"}}, s.owner.token).status == 422);
  CHECK(t.post(stock_path, {{"delta", "1"}, {"reason", "purchase"}}, s.owner.token).status == 400);
  CHECK(t.post(stock_path, {{"delta", 1}, {"reason", "purchase"}}, r.token).status == 403);
  CHECK(t.post(s.product(999999999) + "/stock", {{"delta", 1}, {"reason", "purchase"}}, s.owner.token).status == 404);
  // Idempotency-Key: a replayed purchase is counted once.
  auto k = t.unique("stock");
  auto once = t.post(stock_path, {{"delta", 4}, {"reason", "purchase"}}, s.owner.token, idem(k));
  auto twice = t.post(stock_path, {{"delta", 4}, {"reason", "purchase"}}, s.owner.token, idem(k));
  CHECK(once.status == 201);
  CHECK(twice.status == 201);
  CHECK(twice.body == once.body);
  CHECK(stock(s, pid) == 20);

  // The purchase-sale-stock view: opening purchase first; stock == sum of movements.
  auto ledger = t.get(s.product(pid) + "/stock-movements", s.owner.token);
  REQUIRE(ledger.status == 200);
  auto const& items = ledger.json.at("items").as_array();
  REQUIRE(items.size() == 5);
  CHECK(items.back().at("reason").as_string() == "purchase");
  CHECK(items.back().at("delta").as_int64() == 12);
  CHECK(ledger.json.at("stock").as_int64() == 20);
  CHECK(ledger.json.at("movements_total").as_int64() == 20);
  CHECK(t.get(s.product(pid) + "/stock-movements", r.token).status == 403);
  CHECK(t.get(s.product(999999999) + "/stock-movements", s.owner.token).status == 404);
}

TEST_CASE("coupons: definition, listing, errors", "[shops][coupons]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto r = t.resident(s.c);
  auto path = s.merchant_base() + "/coupons";
  auto future = courtyard::json::rfc3339(courtyard::db::now_ms() + 86'400'000);
  auto past = courtyard::json::rfc3339(courtyard::db::now_ms() - 1000);

  auto made = t.post(path, {{"code", "spring10"}, {"percent_off", 10}, {"min_spend_cents", 500}, {"max_redemptions", 3},
                            {"expires_at", future}},
                     s.owner.token);
  REQUIRE(made.status == 201);
  CHECK(made.json.at("code").as_string() == "SPRING10");
  CHECK(made.json.at("redemptions").as_int64() == 0);
  CHECK_FALSE(made.header("Location").empty());
  auto dup = t.post(path, {{"code", "SPRING10"}, {"amount_off_cents", 100}, {"max_redemptions", 3}, {"expires_at", future}},
                    s.owner.token);
  CHECK(dup.status == 409);
  CHECK(dup.problem_type() == "/problems/coupon-exists");

  CHECK(t.post(path, {{"code", "BOTH"}, {"percent_off", 5}, {"amount_off_cents", 100}, {"max_redemptions", 1},
                      {"expires_at", future}},
               s.owner.token)
            .status == 422);
  CHECK(t.post(path, {{"code", "NEITHER"}, {"max_redemptions", 1}, {"expires_at", future}}, s.owner.token).status == 422);
  CHECK(t.post(path, {{"code", "OLD"}, {"percent_off", 5}, {"max_redemptions", 1}, {"expires_at", past}}, s.owner.token)
            .status == 422);
  CHECK(t.post(path, {{"code", "a b"}, {"percent_off", 5}, {"max_redemptions", 1}, {"expires_at", future}}, s.owner.token)
            .status == 422);
  CHECK(t.post(path, {{"code", "ZERO"}, {"percent_off", 5}, {"max_redemptions", 0}, {"expires_at", future}}, s.owner.token)
            .status == 422);
  CHECK(t.post(path, {{"code", "BAD"}, {"percent_off", "5"}, {"max_redemptions", 1}, {"expires_at", future}}, s.owner.token)
            .status == 400);
  CHECK(t.post(path, {{"code", "RES"}, {"percent_off", 5}, {"max_redemptions", 1}, {"expires_at", future}}, r.token)
            .status == 403);

  auto list = t.get(path, s.owner.token);
  REQUIRE(list.status == 200);
  REQUIRE(list.json.at("items").as_array().size() == 1);
  CHECK(t.get(path, r.token).status == 403);
  auto other = t.community();
  CHECK(t.get(path, other.manager.token).status == 404);
}

TEST_CASE("shops access walk: every route x every role", "[shops][access]") {
  auto& t = TestApp::get();
  courtyard::test::walk_access(t, "shops");
}

TEST_CASE("every shops route is in the OpenAPI document", "[shops][openapi]") {
  auto& t = TestApp::get();
  auto doc = t.get("/v1/openapi.json");
  REQUIRE(doc.status == 200);
  auto const& paths = doc.json.at("paths").as_object();
  auto n = courtyard::test::for_each_documented_route(t, paths, "shops", [](auto const& r, auto const& op) {
    auto const& responses = op.at("responses").as_object();
    CHECK(responses.contains("401"));
    if (r.access.level == courtyard::http::Access::Level::Community) {
      CHECK(responses.contains("403"));
      CHECK(responses.contains("404"));
    }
  });
  CHECK(n >= 25);
  // Nothing documented under shops that is not routed.
  std::set<std::string> routed;
  for (auto const& r : t.app().router().routes()) routed.insert(r->pattern);
  for (auto const& [p, item] : paths)
    for (auto const& [m, op] : item.as_object())
      if (op.is_object() && op.as_object().contains("tags") && op.at("tags").as_array().size() &&
          op.at("tags").at(0).as_string() == "shops") {
        INFO(p);
        CHECK(routed.count(std::string(p)) == 1);
      }
}

// Issue 10, defect 12: a merchant whose only role is merchant (a member of staff, or the
// merchant's API key) browses other merchants' public pages like any member; what belongs
// to a merchant (stock ledger, coupons, orders, figures, wallet) stays its own.
TEST_CASE("a merchant-only caller reads other merchants' catalogues but not their merchant data",
          "[shops][access][catalogue]") {
  auto& t = TestApp::get();
  auto a = shop();
  auto b = second_shop(a);
  auto pid = product(a, "Apples", 300, 5);
  auto r = buyer(a, 0);

  // Staff of shop b: the merchant role for b and no other role in the community.
  auto staff = t.account("staff");
  courtyard::db::transact(t.app().db(), nullptr, [&](courtyard::db::Tx& tx) {
    courtyard::identity::grant_role(tx, staff.account_id, a.c.id, courtyard::Role::Merchant, 0, b.mid);
  });
  auto key = t.post(b.merchant_base() + "/api-keys",
                    {{"name", "catalogue"}, {"scopes", bj::array{"products:read", "reviews:read"}}}, b.owner.token);
  REQUIRE(key.status == 201);
  std::string api_key(key.json.at("key").as_string());

  for (auto const& token : {staff.token, api_key}) {
    INFO((token == staff.token ? "staff account" : "API key"));
    // The public catalogue of shop a.
    auto products = t.get(a.products(), token);
    CHECK(products.status == 200);
    if (products.status == 200) CHECK(products.json.at("items").as_array().size() == 1);
    CHECK(t.get(a.product(pid), token).status == 200);
    CHECK(t.get(a.merchant_base() + "/reviews", token).status == 200);
    // Shop a's own data stays shop a's.
    CHECK(t.get(a.product(pid) + "/stock-movements", token).status == 403);
    CHECK(t.get(a.merchant_base() + "/coupons", token).status == 403);
    CHECK(t.get(a.merchant_base() + "/orders", token).status == 403);
    CHECK(t.get(a.merchant_base() + "/figures", token).status == 403);
    CHECK(t.patch(a.product(pid), {{"price_cents", 1}}, token).status == 403);
    // Its own shop as before.
    CHECK(t.get(b.products(), token).status == 200);
  }
  // The merchant page itself: the staff account reads it, and so does a key with products:read
  // (the catalogue's scope); a key without it does not.
  CHECK(t.get(a.merchant_base(), staff.token).status == 200);
  CHECK(t.get(a.merchant_base(), api_key).status == 200);
  auto reviews_only = t.post(b.merchant_base() + "/api-keys",
                             {{"name", "reviews"}, {"scopes", bj::array{"reviews:read"}}}, b.owner.token);
  REQUIRE(reviews_only.status == 201);
  CHECK(t.get(a.merchant_base(), std::string(reviews_only.json.at("key").as_string())).status == 403);
  CHECK(t.get(a.c.base() + "/merchants", staff.token).status == 200);

  // Still nothing for outsiders: another community's members get 404, anonymous 401.
  auto other = t.community();
  CHECK(t.get(a.products(), other.manager.token).status == 404);
  CHECK(t.get(a.merchant_base(), other.manager.token).status == 404);
  CHECK(t.get(a.product(pid), other.manager.token).status == 404);
  CHECK(t.get(a.merchant_base() + "/reviews", other.manager.token).status == 404);
  CHECK(t.get(a.products()).status == 401);
  // A merchant API key of another community: 404 too.
  auto far = shop();
  auto far_key = t.post(far.merchant_base() + "/api-keys",
                        {{"name", "far"}, {"scopes", bj::array{"products:read"}}}, far.owner.token);
  REQUIRE(far_key.status == 201);
  CHECK(t.get(a.products(), std::string(far_key.json.at("key").as_string())).status == 404);
  // An API key without the scope: 403.
  auto bare = t.post(b.merchant_base() + "/api-keys", {{"name", "bare"}, {"scopes", bj::array{"orders:read"}}},
                     b.owner.token);
  REQUIRE(bare.status == 201);
  CHECK(t.get(a.products(), std::string(bare.json.at("key").as_string())).status == 403);
  // Every other role of the community reads it as before.
  CHECK(t.get(a.products(), r.token).status == 200);
  CHECK(t.get(a.products(), a.c.manager.token).status == 200);
  CHECK(t.get(a.products(), t.courier(a.c).token).status == 200);
}
