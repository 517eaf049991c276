#pragma once
// Internal to the shops service: route registration by area, and what the handlers share
// (pages, look-ups that throw the API's errors, JSON views, event payloads).
#include "http/router.hpp"
#include "http/context.hpp"
#include "http/errors.hpp"
#include "http/json.hpp"
#include "services/shops/logic.hpp"
#include "services/shops/repository.hpp"

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace courtyard::shops {

namespace bj = boost::json;

void add_merchant_routes(http::Router& r);   // merchants, catalogue, stock, coupons, reviews list, figures
void add_order_routes(http::Router& r);      // orders, state verbs, redemptions, reviews
void add_group_buy_routes(http::Router& r);  // group buys and joining

// Subscriber: delivery.delivered -> the delivery order completes (idempotent).
void on_delivery_delivered(events::Event const& e, db::Tx& tx);

// `limit` (1-200, default 50) and `cursor`; 422 when invalid.
repo::Page page_of(http::Request const& req);

// {"items": [...], "next_cursor": ...} from rows fetched with limit + 1.
template <class Row, class Render>
bj::object page_json(std::vector<Row> rows, repo::Page const& page, Render render) {
  std::optional<std::int64_t> next;
  if (rows.size() > static_cast<std::size_t>(page.limit)) {
    rows.resize(static_cast<std::size_t>(page.limit));
    next = rows.back().id;
  }
  bj::array items;
  for (auto const& row : rows) items.push_back(render(row));
  return json::page_result(std::move(items), next);
}

// Optional query filter checked against allowed values; 422 otherwise. "" when absent.
std::string query_filter(http::Request const& req, std::string_view name,
                         std::initializer_list<std::string_view> allowed);

std::string base_path(std::int64_t cid);  // "/v1/communities/{cid}"
bool is_manager(Context const& ctx);      // manager of ctx.community_id, or platform admin
bool acts_for(Context const& ctx, std::int64_t merchant_id);  // the merchant, or platform admin

// The merchant of this community (404 otherwise).
repo::Merchant merchant_or_404(db::Tx& tx, std::int64_t cid, std::int64_t mid);
// 409 /problems/merchant-not-approved unless approved.
void require_approved(repo::Merchant const& m);
repo::Product product_or_404(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::int64_t pid);

logic::CouponTerms coupon_terms(repo::Coupon const& c);

// A fresh pickup code: 12 characters from a 32-letter alphabet (60 random bits).
std::string new_redemption_code();

// Views.
bj::object merchant_json(repo::Merchant const& m);
bj::object rating_json(std::int64_t sum, std::int64_t count);
bj::object product_json(repo::Product const& p);
bj::object movement_json(repo::Movement const& m);
// The redemption code is shown to the buyer only.
bj::object order_json(repo::Order const& o, bool show_code);
bj::object coupon_json(repo::Coupon const& c);
bj::object review_json(repo::Review const& r);
bj::object group_buy_json(repo::GroupBuy const& g);
bj::object participant_json(repo::Participant const& p);

// order.* payload (EVENTS.md).
bj::object order_event(repo::Order const& o);

}  // namespace courtyard::shops
