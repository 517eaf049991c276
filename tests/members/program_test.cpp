// The manager's programme routes: validation (problem+json, nothing written),
// access, audit, and tiers: raised as points are earned, lowered only at a
// period end.
#include "services/members/api.hpp"
#include "tests/members/helpers.hpp"

using namespace members_test;
using soci::use;

namespace {

std::int64_t audit_entries(Community const& c, std::string const& action) {
  return scalar("SELECT COUNT(*) FROM audit_log WHERE community_id = :c AND action = :a", use(c.id, "c"),
                use(action, "a"));
}

}  // namespace

TEST_CASE("programme settings: defaults, validation, access and audit", "[members][program]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c);
  auto other = t.community();
  auto got = t.get(loyalty(c, "program"), c.manager.token);
  REQUIRE(got.status == 200);
  CHECK(got.json.at("expiry_days").as_int64() == 365);
  CHECK(got.json.at("notice_days").as_int64() == 30);
  CHECK(got.json.at("updated_at").is_null());

  auto bad = t.call("PUT", loyalty(c, "program"), bj::value(bj::object{{"expiry_days", -1}, {"notice_days", 9999}}),
                    c.manager.token);
  CHECK(bad.status == 422);
  CHECK(bad.header("Content-Type") == "application/problem+json");
  CHECK(bad.json.at("errors").as_array().size() == 2);
  CHECK(t.call("PUT", loyalty(c, "program"), bj::value(bj::object{{"expiry_days", "x"}}), c.manager.token).status ==
        400);
  CHECK(t.call("PUT", loyalty(c, "program"), bj::value(bj::object{{"expiry_days", 90}}), r.token).status == 403);
  CHECK(t.call("PUT", loyalty(c, "program"), bj::value(bj::object{{"expiry_days", 90}}), other.manager.token).status ==
        404);
  CHECK(t.call("PUT", loyalty(c, "program"), bj::value(bj::object{{"expiry_days", 90}})).status == 401);
  CHECK(audit_entries(c, "PUT /v1/communities/{cid}/loyalty/program") == 0);

  auto ok = t.call("PUT", loyalty(c, "program"), bj::value(bj::object{{"expiry_days", 90}}), c.manager.token);
  REQUIRE(ok.status == 200);
  CHECK(ok.json.at("expiry_days").as_int64() == 90);
  CHECK(audit_entries(c, "PUT /v1/communities/{cid}/loyalty/program") == 1);
}

TEST_CASE("earn rules: validation, foreign merchants, access and audit", "[members][program][rules]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto other = t.community();
  auto [owner, foreign_mid] = t.merchant(other);
  auto r = t.resident(c);
  auto put = [&](bj::object body, std::string const& token) {
    return t.call("PUT", loyalty(c, "earn-rules"), bj::value(body), token);
  };
  CHECK(put({{"kind", "birthday"}, {"points", 1}}, c.manager.token).status == 422);
  CHECK(put({{"kind", "order_completed"}, {"points", -1}}, c.manager.token).status == 422);
  CHECK(put({{"kind", "order_completed"}, {"points", 1}, {"multiplier_pct", 0}}, c.manager.token).status == 422);
  CHECK(put({{"kind", "order_completed"}, {"points", 1}, {"daily_cap", -5}}, c.manager.token).status == 422);
  CHECK(put({{"kind", "event_attended"},
             {"points", 1},
             {"merchant_multipliers", bj::array{bj::object{{"merchant_id", 1}, {"multiplier_pct", 120}}}}},
            c.manager.token)
            .status == 422);
  // A merchant of another community is not one of ours.
  auto foreign =
      put({{"kind", "order_completed"},
           {"points", 1},
           {"merchant_multipliers", bj::array{bj::object{{"merchant_id", foreign_mid}, {"multiplier_pct", 150}}}}},
          c.manager.token);
  CHECK(foreign.status == 422);
  CHECK(put({{"kind", "order_completed"}, {"points", 1}}, r.token).status == 403);
  CHECK(put({{"kind", "order_completed"}, {"points", 1}}, other.manager.token).status == 404);
  CHECK(t.get(loyalty(c, "earn-rules"), r.token).status == 403);
  CHECK(t.get(loyalty(c, "earn-rules"), c.manager.token).json.at("items").as_array().empty());
  CHECK(audit_entries(c, "PUT /v1/communities/{cid}/loyalty/earn-rules") == 0);

  auto v1 = set_rule(c, {{"kind", "order_completed"}, {"points", 2}, {"daily_cap", 500}});
  CHECK(v1.at("version").as_int64() == 1);
  CHECK(v1.at("multiplier_pct").as_int64() == 100);
  CHECK(v1.at("effective_from").is_string());
  CHECK(audit_entries(c, "PUT /v1/communities/{cid}/loyalty/earn-rules") == 1);
  CHECK(t.get(loyalty(other, "earn-rules"), other.manager.token).json.at("items").as_array().empty());
}

TEST_CASE("tiers: raised as points are earned, lowered only at the period end, with a notice",
          "[members][program][tiers]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c);
  bj::array twice{bj::object{{"name", "A"}, {"threshold", 5}}, bj::object{{"name", "A"}, {"threshold", 9}}};
  CHECK(t.call("PUT", loyalty(c, "tiers"), bj::value(bj::object{{"tiers", twice}}), c.manager.token).status == 422);
  CHECK(t.call("PUT", loyalty(c, "tiers"), bj::value(bj::object{{"tiers", bj::array{}}}), r.token).status == 403);
  set_tiers(c, bj::array{bj::object{{"name", "Silver"}, {"threshold", 100}, {"earn_multiplier_pct", 150}},
                         bj::object{
                             {"name", "Gold"}, {"threshold", 300}, {"discount_pct", 5}, {"earn_multiplier_pct", 200}}});
  auto listed = t.get(loyalty(c, "tiers"), r.token);  // members may read the tiers
  REQUIRE(listed.status == 200);
  CHECK(listed.json.at("items").at(0).at("name") == "Silver");
  CHECK(listed.json.at("items").at(1).at("discount_pct").as_int64() == 5);

  set_rule(c, {{"kind", "event_attended"}, {"points", 60}});
  checked_in(c, r, 1);  // 60: no tier
  t.drain_events();
  auto m = membership(c, r);
  CHECK(m.at("tier").is_null());
  CHECK(m.at("next_tier").at("name") == "Silver");
  CHECK(m.at("next_tier").at("points_needed").as_int64() == 40);
  checked_in(c, r, 2);  // 120: Silver
  t.drain_events();
  m = membership(c, r);
  CHECK(m.at("tier").at("name") == "Silver");
  CHECK(m.at("earned_12m").as_int64() == 120);
  checked_in(c, r, 3);  // Silver's multiplier: 90 -> 210
  t.drain_events();
  CHECK(points(c, r) == 210);
  CHECK(membership(c, r).at("next_tier").at("points_needed").as_int64() == 90);

  // A month on: still within 12 months, no change. Thirteen months on: the earnings have left
  // the window; the review at the period end lowers her, once, and tells her.
  t.advance_clock_ms(31 * kDay);
  r = relogin(r);  // past the session lifetime
  REQUIRE(t.run_job("members.review_tiers"));
  CHECK(membership(c, r).at("tier").at("name") == "Silver");
  t.advance_clock_ms(365 * kDay);
  r = relogin(r);
  CHECK(membership(c, r).at("tier").at("name") == "Silver");  // not before a review
  REQUIRE(t.run_job("members.review_tiers"));
  REQUIRE(t.run_job("members.review_tiers"));
  CHECK(membership(c, r).at("tier").is_null());
  CHECK(scalar("SELECT COUNT(*) FROM events WHERE topic = 'tier.changed' AND community_id = :c "
               "AND payload LIKE '%\"down\"%'",
               use(c.id, "c")) == 1);
  t.drain_events();
  bool told = false;
  auto notes = t.get("/v1/me/notifications", r.token);
  INFO(notes.body);
  REQUIRE(notes.status == 200);
  for (auto const& n : notes.json.at("items").as_array())
    if (n.at("type") == "tier.changed" && n.at("data").at("direction") == "down") told = true;
  CHECK(told);
}

TEST_CASE("replacing the tiers keeps a tier's id by name and moves members of a removed tier",
          "[members][program][tiers]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto r = t.resident(c);
  set_tiers(c, bj::array{bj::object{{"name", "Silver"}, {"threshold", 100}},
                         bj::object{{"name", "Gold"}, {"threshold", 1000}}});
  auto gold_id = t.get(loyalty(c, "tiers"), r.token).json.at("items").at(1).at("id").as_int64();
  set_rule(c, {{"kind", "event_attended"}, {"points", 150}});
  checked_in(c, r, 1);
  t.drain_events();
  REQUIRE(membership(c, r).at("tier").at("name") == "Silver");

  set_tiers(c, bj::array{bj::object{{"name", "Bronze"}, {"threshold", 50}},
                         bj::object{{"name", "Gold"}, {"threshold", 120}, {"discount_pct", 3}}});
  auto tiers = t.get(loyalty(c, "tiers"), r.token).json.at("items").as_array();
  REQUIRE(tiers.size() == 2);
  CHECK(tiers[1].at("id").as_int64() == gold_id);  // kept, with its new threshold
  // Silver is gone: she holds what her 150 points reach now, Gold.
  CHECK(membership(c, r).at("tier").at("name") == "Gold");
  CHECK(membership(c, r).at("tier").at("discount_pct").as_int64() == 3);
}
