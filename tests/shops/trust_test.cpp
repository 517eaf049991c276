// Trust between neighbours: reviews carry a verified-resident badge and tenure band instead
// of who wrote them, and the merchant's rating weighs each review by verified purchase and
// the reviewer's tenure (logic::review_weight, ARCHITECTURE.md).
#include "services/identity/api.hpp"
#include "services/shops/logic.hpp"
#include "tests/shops/support.hpp"

using namespace shops_test;
namespace logic = courtyard::shops::logic;

namespace {

constexpr std::int64_t kDayMs = 86'400'000;

// Moves the account's residency start back (as if they had moved in `days` ago).
void lived_here_for(Community const& c, Actor const& who, std::int64_t days) {
  auto& t = TestApp::get();
  courtyard::db::transact(t.app().db(), nullptr, [&](courtyard::db::Tx& tx) {
    std::int64_t since = courtyard::db::now_ms() - days * kDayMs;
    tx.exec("UPDATE memberships SET created_at = :t WHERE account_id = :a AND community_id = :c AND role = 'resident'",
            soci::use(since, "t"), soci::use(who.account_id, "a"), soci::use(c.id, "c"));
  });
}

std::int64_t completed_order(Shop const& s, Actor const& who, std::int64_t pid) {
  auto& t = TestApp::get();
  auto placed = place(s, who, order_body(s.mid, {{pid, 1}}));
  REQUIRE(placed.status == 201);
  auto code = placed.json.at("redemption_code");
  REQUIRE(t.post(s.order(placed.id()) + "/accept", bj::object{}, s.owner.token).status == 200);
  REQUIRE(t.post(s.merchant_base() + "/redemptions", {{"code", code}}, s.owner.token).status == 200);
  return placed.id();
}

}  // namespace

TEST_CASE("review weights and tenure bands", "[shops][trust][logic]") {
  logic::ReviewerStanding s;
  s.verified_resident = true;
  s.tenure_days = 10;
  CHECK(logic::review_weight(s) == 600);
  s.tenure_days = 200;
  CHECK(logic::review_weight(s) == 800);
  s.tenure_days = 400;
  CHECK(logic::review_weight(s) == 1000);
  s.tenure_days = 800;
  CHECK(logic::review_weight(s) == 1100);
  s.tenure_days = 2000;
  CHECK(logic::review_weight(s) == 1200);
  s.verified_purchase = false;
  CHECK(logic::review_weight(s) == 600);
  s.verified_resident = false;
  s.verified_purchase = true;
  CHECK(logic::review_weight(s) == 400);
  std::int64_t now = 100'000 * kDayMs;
  CHECK(courtyard::identity::tenure_band(now - 30 * kDayMs, now) == "new resident");
  CHECK(courtyard::identity::tenure_band(now - 200 * kDayMs, now) == "resident 6+ months");
  CHECK(courtyard::identity::tenure_band(now - 400 * kDayMs, now) == "resident 1+ year");
  CHECK(courtyard::identity::tenure_band(now - 800 * kDayMs, now) == "resident 2+ years");
  CHECK(courtyard::identity::tenure_band(now - 2000 * kDayMs, now) == "resident 5+ years");
  CHECK(logic::normalize_referral_code("abcde-fghjk") == "ABCDEFGHJK");
  CHECK_FALSE(logic::normalize_referral_code("ABCDEFGHJ0"));  // 0 is not in the alphabet
  CHECK_FALSE(logic::normalize_referral_code("ABC"));
}

TEST_CASE("reviews show a badge instead of the reviewer; the rating is trust-weighted", "[shops][trust]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto pid = product(s, "Sourdough", 500, 100);
  auto old_timer = buyer(s, 10'000, 1);
  auto newcomer = buyer(s, 10'000, 2);
  lived_here_for(s.c, old_timer, 800);
  auto o1 = completed_order(s, old_timer, pid);
  auto o2 = completed_order(s, newcomer, pid);
  auto mine = t.post(s.order(o1) + "/review", {{"rating", 5}, {"text", "Best bread"}}, old_timer.token);
  REQUIRE(mine.status == 201);
  CHECK(mine.json.at("buyer_id").as_int64() == old_timer.account_id);  // the author sees it is theirs
  CHECK(mine.json.at("author").at("label") == "resident 2+ years, A");
  REQUIRE(t.post(s.order(o2) + "/review", {{"rating", 1}, {"text", "Too sour"}}, newcomer.token).status == 201);

  auto neighbour = buyer(s, 0);
  auto list = t.get(s.merchant_base() + "/reviews", neighbour.token);
  REQUIRE(list.status == 200);
  auto const& items = list.json.at("items").as_array();
  REQUIRE(items.size() == 2);
  for (auto const& r : items) {
    CHECK_FALSE(r.as_object().contains("buyer_id"));
    CHECK(r.at("author").at("verified_resident").as_bool());
    CHECK(r.at("verified_purchase").as_bool());
    CHECK(r.at("author").at("building") == "A");
  }
  CHECK(items[0].at("author").at("tenure_band") == "new resident");
  CHECK(items[1].at("author").at("tenure_band") == "resident 2+ years");
  CHECK(list.body.find(old_timer.email) == std::string::npos);
  // (5 x 1100 + 1 x 600) / 1700 = 3.59; unweighted 3.0.
  auto const& rating = list.json.at("rating");
  CHECK(rating.at("avg").as_double() == Approx(3.59));
  CHECK(rating.at("unweighted_avg").as_double() == Approx(3.0));
  CHECK(rating.at("count").as_int64() == 2);
  auto merchant = t.get(s.merchant_base(), neighbour.token);
  REQUIRE(merchant.status == 200);
  CHECK(merchant.json.at("rating").at("avg").as_double() == Approx(3.59));
  // The author reading the list sees their own buyer_id only.
  auto own = t.get(s.merchant_base() + "/reviews", newcomer.token);
  CHECK(own.json.at("items").at(0).at("buyer_id").as_int64() == newcomer.account_id);
  CHECK_FALSE(own.json.at("items").at(1).as_object().contains("buyer_id"));
}
