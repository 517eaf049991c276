#pragma once
// Shared fixtures for the members tests: earn rules set through the API, source
// events published straight into the outbox (the subscribers see only events),
// and direct looks at the points ledger.
#include "db/query.hpp"
#include "db/tx.hpp"
#include "http/json.hpp"
#include "services/members/logic.hpp"
#include "tests/support/prelude.hpp"

namespace members_test {

using namespace courtyard::test::prelude;

constexpr std::int64_t kDay = 86'400'000;

// A fresh session for the actor (tests that move the clock past the session lifetime).
inline Actor relogin(Actor a) {
  auto& t = TestApp::get();
  auto r = t.post("/v1/auth/login", {{"email", a.email}, {"password", "correct-horse-battery-staple"}});
  INFO(r.body);
  REQUIRE(r.status == 200);
  a.token = std::string(r.json.at("token").as_string());
  return a;
}

inline std::string loyalty(Community const& c, std::string const& what) { return c.base() + "/loyalty/" + what; }

// PUT an earn rule (the next version); requires 200.
inline bj::object set_rule(Community const& c, bj::object body) {
  auto& t = TestApp::get();
  auto r = t.call("PUT", loyalty(c, "earn-rules"), bj::value(body), c.manager.token);
  INFO(r.body);
  REQUIRE(r.status == 200);
  return r.json.as_object();
}

inline void set_tiers(Community const& c, bj::array tiers) {
  auto& t = TestApp::get();
  auto r = t.call("PUT", loyalty(c, "tiers"), bj::value(bj::object{{"tiers", std::move(tiers)}}), c.manager.token);
  INFO(r.body);
  REQUIRE(r.status == 200);
}

// A 12.50 pickup order placed by `who`: two loaves of a new 6.25 product of the merchant
// (`owner`'s). Requires 201.
struct LoafOrder {
  std::int64_t product = 0;
  Result order;
};

inline LoafOrder loaf_order(Community const& c, std::int64_t mid, Actor const& owner, Actor const& who) {
  auto& t = TestApp::get();
  auto pid = t.post(c.base() + "/merchants/" + std::to_string(mid) + "/products",
                    {{"name", "Loaf"}, {"price_cents", 625}, {"stock", 10}}, owner.token);
  REQUIRE(pid.status == 201);
  auto order = t.post(c.base() + "/orders",
                      {{"merchant_id", mid},
                       {"items", bj::array{bj::object{{"product_id", pid.id()}, {"quantity", 2}}}},
                       {"fulfilment", "pickup"}},
                      who.token, {{"Idempotency-Key", t.unique("order")}});
  INFO(order.body);
  REQUIRE(order.status == 201);
  return {pid.id(), order};
}

// The merchant (`owner`'s) accepts the pickup order, marks it ready and redeems its code:
// it completes.
inline void collect_order(Community const& c, std::int64_t mid, Actor const& owner, Result const& order) {
  auto& t = TestApp::get();
  auto path = c.base() + "/orders/" + std::to_string(order.id());
  REQUIRE(t.call("POST", path + "/accept", std::nullopt, owner.token).status == 200);
  REQUIRE(t.call("POST", path + "/ready", std::nullopt, owner.token).status == 200);
  REQUIRE(t.post(c.base() + "/merchants/" + std::to_string(mid) + "/redemptions",
                 {{"code", std::string(order.json.at("redemption_code").as_string())}}, owner.token)
              .status == 200);
}

// A free event a week ahead in a new open club of a new organiser (a resident of the unit).
struct ClubEvent {
  Actor organiser;
  std::int64_t club = 0;
  std::int64_t event = 0;
};

inline ClubEvent club_event(Community const& c, std::size_t organiser_unit) {
  auto& t = TestApp::get();
  ClubEvent out{t.resident(c, organiser_unit)};
  auto club = t.post(c.base() + "/clubs", {{"name", t.unique("Runners")}, {"open", true}}, out.organiser.token);
  REQUIRE(club.status == 201);
  out.club = club.id();
  auto ev = t.post(c.base() + "/clubs/" + std::to_string(out.club) + "/events",
                   {{"title", "5k"},
                    {"starts_at", courtyard::json::rfc3339(courtyard::db::now_ms() + 7 * kDay)},
                    {"capacity", 10},
                    {"fee_cents", 0}},
                   out.organiser.token);
  REQUIRE(ev.status == 201);
  out.event = ev.id();
  return out;
}

// `who` RSVPs to the event and the organiser checks her in with her ticket's code.
inline void attend(Community const& c, ClubEvent const& e, Actor const& who) {
  auto& t = TestApp::get();
  auto event = c.base() + "/events/" + std::to_string(e.event);
  auto rsvp = t.post(event + "/rsvp", bj::object{}, who.token, {{"Idempotency-Key", t.unique("rsvp")}});
  INFO(rsvp.body);
  REQUIRE(rsvp.status / 100 == 2);
  std::string ticket(rsvp.json.at("check_in_code").as_string());
  REQUIRE(t.post(event + "/check-in", {{"code", ticket}}, e.organiser.token).status == 200);
}

// Publishes a source event as its service would; returns the event id.
inline std::int64_t publish(std::int64_t cid, std::string const& topic, bj::object payload) {
  auto& t = TestApp::get();
  payload["community_id"] = cid;
  return courtyard::db::transact(t.app().db(), &t.app().bus(),
                                 [&](courtyard::db::Tx& tx) { return tx.publish(topic, cid, payload); });
}

// Orders no shop placed: their ids are offset by kFakeOrder so that they never collide with a
// real order of another test in the same database (recommendations claims each order id once,
// so a fake event with a real order's id would hide that order from it).
constexpr std::int64_t kFakeOrder = 900'000'000;

inline std::int64_t order_completed(Community const& c, Actor const& buyer, std::int64_t order_id,
                                    std::int64_t total_cents, std::int64_t merchant_id = 1) {
  return publish(c.id, "order.completed",
                 {{"order_id", kFakeOrder + order_id},
                  {"buyer_id", buyer.account_id},
                  {"merchant_id", merchant_id},
                  {"total_cents", total_cents},
                  {"status", "completed"}});
}

inline std::int64_t checked_in(Community const& c, Actor const& who, std::int64_t event_id) {
  return publish(c.id, "event.checked_in", {{"event_id", event_id}, {"account_id", who.account_id}, {"club_id", 1}});
}

inline bj::object membership(Community const& c, Actor const& who) {
  auto& t = TestApp::get();
  auto r = t.get("/v1/me/membership?community_id=" + std::to_string(c.id), who.token);
  INFO(r.body);
  REQUIRE(r.status == 200);
  REQUIRE(r.json.at("communities").as_array().size() == 1);
  return r.json.at("communities").at(0).as_object();
}

// The manager drafts "Bread week": a coupon of the merchant's, 20% off for 14 days, for the
// segment's members. Requires 201.
inline Result bread_week_campaign(Community const& c, std::int64_t segment_id, std::int64_t merchant_id) {
  auto& t = TestApp::get();
  auto created = t.post(c.base() + "/campaigns",
                        {{"name", "Bread week"},
                         {"segment_id", segment_id},
                         {"kind", "coupon"},
                         {"title", "20% off bread"},
                         {"message", "For our neighbours."},
                         {"coupon", {{"merchant_id", merchant_id}, {"percent_off", 20}, {"valid_days", 14}}}},
                        c.manager.token);
  INFO(created.body);
  REQUIRE(created.status == 201);
  return created;
}

// The campaign notifications `who` has been sent (their newest 100 notifications).
inline std::vector<bj::object> campaign_notes(Actor const& who) {
  auto& t = TestApp::get();
  auto r = t.get("/v1/me/notifications?limit=100", who.token);
  REQUIRE(r.status == 200);
  std::vector<bj::object> out;
  for (auto const& n : r.json.at("items").as_array())
    if (n.at("type") == "campaign") out.push_back(n.as_object());
  return out;
}

inline std::int64_t points(Community const& c, Actor const& who) { return membership(c, who).at("points").as_int64(); }

template <class... Uses>
std::int64_t scalar(std::string const& sql, Uses&&... uses) {
  auto& t = TestApp::get();
  return courtyard::db::read(
      t.app().db(), [&](soci::session& s) { return courtyard::db::scalar(s, sql, std::forward<Uses>(uses)...); });
}

// The ledger's invariants for one community: every posting sums to zero, member
// balances equal their entries and their lots' remaining points, no member
// below zero, and all balances sum to zero.
inline void check_ledger(std::int64_t cid) {
  using soci::use;
  CHECK(scalar("SELECT COUNT(*) FROM (SELECT posting_id FROM members_points_entries WHERE community_id = :c "
               "GROUP BY posting_id HAVING SUM(amount) <> 0) x",
               use(cid, "c")) == 0);
  CHECK(scalar("SELECT COALESCE(SUM(balance), 0) FROM members_points_accounts "
               "WHERE community_id = :c",
               use(cid, "c")) == 0);
  CHECK(scalar("SELECT COUNT(*) FROM members_points_accounts WHERE community_id = :c AND owner_kind = 'member' "
               "AND balance < 0",
               use(cid, "c")) == 0);
  CHECK(scalar("SELECT COUNT(*) FROM members_points_accounts a WHERE a.community_id = :c AND a.balance <> "
               "(SELECT COALESCE(SUM(e.amount), 0) FROM members_points_entries "
               "e WHERE e.account_id = a.id)",
               use(cid, "c")) == 0);
  CHECK(scalar("SELECT COUNT(*) FROM members_points_accounts a WHERE a.community_id = :c AND a.owner_kind = 'member' "
               "AND a.balance <> (SELECT COALESCE(SUM(l.remaining), 0) FROM members_points_lots l "
               "WHERE l.community_id = a.community_id AND l.account_id = "
               "a.owner_id)",
               use(cid, "c")) == 0);
}

}  // namespace members_test
