#pragma once
// Internal to the members service: route registration by area, the subscribers,
// and the JSON views the handlers share.
#include "http/context.hpp"
#include "http/errors.hpp"
#include "http/json.hpp"
#include "http/router.hpp"
#include "services/members/logic.hpp"
#include "services/members/repository.hpp"

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

void add_program_routes(http::Router& r);     // the manager's programme: expiry, earn rules, tiers
void add_membership_routes(http::Router& r);  // my membership, consents, export;
                                              // the manager's member view

// Subscribers (subscriptions.cpp): earning from other services' events.
void on_bill_paid(events::Event const& e, db::Tx& tx);
void on_order_completed(events::Event const& e, db::Tx& tx);
void on_event_checked_in(events::Event const& e, db::Tx& tx);
void on_review_posted(events::Event const& e, db::Tx& tx);
void on_suggestion_adopted(events::Event const& e, db::Tx& tx);
// order.completed of an order placed with a neighbour's referral code (shops::order_referral):
// the referrer earns under the "referral" rule, once per referred account and merchant.
void on_referral_order_completed(events::Event const& e, db::Tx& tx);

// export.cpp: the caller's data from every service, one document (GET
// /v1/me/export).
bj::object export_document(db::Tx& tx, Principal const& who);

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

}  // namespace courtyard::members
