#pragma once
// Internal to the members service: route registration by area, the subscribers,
// and the JSON views the handlers share.
#include "http/context.hpp"
#include "http/errors.hpp"
#include "http/json.hpp"
#include "http/router.hpp"
#include "services/members/logic.hpp"
#include "services/members/repository.hpp"
#include "services/shops/api.hpp"

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace courtyard::members {

namespace bj = boost::json;
using http::Access;
using http::Request;
using http::Response;

// Segments and campaigns (segment_routes.cpp): the owner a route acts for, 0 on the
// community's routes, the merchant in {mid} on a merchant's (404 when the community has no
// such merchant, so a foreign merchant id never reads as an empty list).
std::int64_t segment_owner(db::Tx& tx, http::Request const& req, std::int64_t cid);

void add_program_routes(http::Router& r);     // the manager's programme: expiry, earn rules, tiers
void add_membership_routes(http::Router& r);  // my membership, consents, export;
                                              // the manager's member view
void add_segment_routes(http::Router& r);   // segments (manager's and merchants'), member tags
void add_campaign_routes(http::Router& r);  // campaigns, their reports, the frequency cap
void add_erasure_routes(http::Router& r);     // my erasure; the platform admin's

// Subscribers (subscriptions.cpp): earning from other services' events.
void on_bill_paid(events::Event const& e, db::Tx& tx);
void on_order_completed(events::Event const& e, db::Tx& tx);
void on_event_checked_in(events::Event const& e, db::Tx& tx);
void on_review_posted(events::Event const& e, db::Tx& tx);
void on_suggestion_adopted(events::Event const& e, db::Tx& tx);
// refund.completed: the refund's points go back to the buyer (once per refund).
void on_refund_completed(events::Event const& e, db::Tx& tx);

// Member facts for segments (subscriptions.cpp).
void on_resident_facts(events::Event const& e, db::Tx& tx);
void on_order_facts(events::Event const& e, db::Tx& tx);
void on_bill_overdue_facts(events::Event const& e, db::Tx& tx);
void on_bill_paid_facts(events::Event const& e, db::Tx& tx);
void on_club_joined_facts(events::Event const& e, db::Tx& tx);
// order.completed of an order placed with a neighbour's referral code (shops::order_referral):
// the referrer earns under the "referral" rule, once per referred account and merchant.
void on_referral_order_completed(events::Event const& e, db::Tx& tx);

// export.cpp: the caller's data from every service, one document (GET
// /v1/me/export).
bj::object export_document(db::Tx& tx, Principal const& who);

// erase.cpp: erases the account in every service, in the caller's transaction (404 unknown,
// 410 already erased, 409 erasure-blocked with the blockers); publishes account.erased.
bj::object erase_everywhere(db::Tx& tx, std::int64_t account_id);

// ---- views (views.cpp)

bj::object program_json(std::int64_t cid, repo::Program const& p);
bj::object rule_json(logic::Rule const& r, std::optional<std::int64_t> effective_from);
bj::object tier_json(logic::Tier const& t);
bj::value tier_or_null(std::vector<logic::Tier> const& tiers, std::optional<std::size_t> pos);
bj::object posting_json(repo::Posting const& p);
bj::object lot_json(repo::Lot const& l);
// Every purpose with its value: the stored choice, or the purpose's default.
bj::object consents_json(std::vector<std::pair<std::string, bool>> const& stored);
// Points expiring, summed per expiry day, soonest first (lots with points left
// only).
bj::array expiring_json(std::vector<repo::Lot> const& open_lots);
// The member's tier, its next tier and the points still needed to reach it.
bj::object standing_json(std::vector<logic::Tier> const& tiers, std::optional<std::int64_t> tier_id,
                         std::int64_t earned_12m);

// A count as shown: the number, or null with the band "fewer_than_5" below k (always for
// segment sizes; for campaign reports when `banded`, i.e. a merchant's). Sets
// obj[key] and obj[key + "_band"].
void put_count(bj::object& obj, std::string const& key, std::int64_t n, bool banded = true);
bj::object segment_json(repo::Segment const& s, std::int64_t size);
// The campaign and its report; `banded` for a merchant's (counts below k as a band).
bj::object campaign_json(repo::Campaign const& c, std::int64_t redemptions, std::int64_t revenue_cents,
                         std::int64_t points_cost, bool banded);
bj::object campaign_settings_json(std::int64_t cid, repo::CampaignSettings const& s);
// A campaign as its member received it (GET /v1/me/membership, the export): the message,
// the points, or the coupon with its code and whether it is available, used (by which
// order) or expired; `coupon` is shops' row of it.
bj::object received_json(repo::Received const& r, std::optional<shops::AccountCoupon> const& coupon,
                         std::int64_t now_ms);

}  // namespace courtyard::members
