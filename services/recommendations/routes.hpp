#pragma once
// Internal to the recommendations service: routes, subscribers and views.
#include "http/context.hpp"
#include "http/errors.hpp"
#include "http/json.hpp"
#include "http/router.hpp"
#include "services/recommendations/logic.hpp"
#include "services/recommendations/repository.hpp"
#include "services/shops/api.hpp"

#include <boost/json.hpp>

#include <vector>

namespace courtyard::recommendations {

namespace bj = boost::json;
using http::Access;
using http::Request;
using http::Response;

// GET /v1/me/recommendations, GET /v1/communities/{cid}/products/{pid}/recommendations.
void add_recommendation_routes(http::Router& r);

// Subscribers (subscriptions.cpp).
// order.completed: the buyer's new products join their profile and the pair and building
// counters, once per order, unless the buyer opted out of recommendations.
void on_order_completed(events::Event const& e, db::Tx& tx);
// consent.changed: an account that no longer consents to recommendations has its evidence
// taken out of every community's counters and its profile deleted.
void on_consent_changed(events::Event const& e, db::Tx& tx);
// Takes the account's evidence out of the community's counters and deletes its profile (the
// caller holds the profile's lock): an opt-out, and erasure (api.cpp).
void drop_profile(db::Tx& tx, std::int64_t cid, std::int64_t account);

// ---- views (views.cpp)
bj::object product_json(shops::ProductSummary const& p);
// The products in the order of `ids` (those no longer for sale are left out).
bj::array products_json(std::vector<shops::ProductSummary> const& products);

}  // namespace courtyard::recommendations
