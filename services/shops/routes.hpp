#pragma once
// Internal to the shops service: route registration by area, and what the handlers, the
// subscription and the job share (look-ups that throw the API's errors, JSON views, event
// payloads, ledger references).
#include "http/context.hpp"
#include "http/errors.hpp"
#include "http/json.hpp"
#include "http/json_out.hpp"
#include "http/router.hpp"
#include "services/shops/logic.hpp"
#include "services/shops/repository.hpp"
#include "services/identity/api.hpp"

#include <boost/json.hpp>

#include <initializer_list>
#include <string>
#include <string_view>

namespace courtyard::shops {

namespace bj = boost::json;
using http::Access;
using http::Request;
using http::Response;

void add_merchant_routes(http::Router& r);   // merchants, catalogue, stock, coupons, reviews list, figures
void add_order_routes(http::Router& r);      // orders, state verbs, redemptions, reviews
void add_group_buy_routes(http::Router& r);  // group buys and joining
void add_refund_routes(http::Router& r);     // after-sales refunds, disputes, the refund window
void add_code_token_routes(http::Router& r); // code_token_routes.cpp: signed redemption tokens
void add_referral_routes(http::Router& r);   // a resident's referral code and share links

// group_buy_routes.cpp: a group-buy offer from a POST /group-buys or wish-answer body, every
// field problem in one 422.
repo::GroupBuy read_group_buy(bj::object const& body, Context const& ctx);

// referral_routes.cpp: the referral a checkout's `referral_code` names (422 when it is no code
// of the community, or the buyer's own); its order_id and merchant_id are the caller's to fill.
std::optional<repo::OrderReferral> referral_for_checkout(db::Tx& tx, std::int64_t cid, std::int64_t buyer_id,
                                                         std::string const& code);

// Subscribers (subscriptions.cpp):
// delivery.delivered -> the delivery order completes (idempotent).
void on_delivery_delivered(events::Event const& e, db::Tx& tx);
// delivery.failed with final: true -> the ready delivery order is cancelled by the system:
// full refund, restock, coupon released, order.cancelled (reason "delivery_failed") and
// order.delivery_failed for the merchant. Idempotent: a conditional update on the order state.
void on_delivery_failed(events::Event const& e, db::Tx& tx);

// order_routes.cpp: what cancelling undoes (the order's state is changed by the caller):
// restock with "cancel" movements by `actor_id` (0 = the system), release the coupon,
// give the points back and refund the money paid (total - points_cents) from the merchant
// to the buyer. Returns the cents refunded.
std::int64_t undo_order(db::Tx& tx, repo::Order const& o, std::int64_t actor_id);

// refund_routes.cpp: a failed delivery's cancellation (undo_order refunded `refunded_cents`
// and gave the points back) recorded as a completed refund of the whole order, so statements
// see it; refund.completed.
void record_failed_delivery_refund(db::Tx& tx, repo::Order const& o, std::int64_t refunded_cents);

// ---- shared by the handlers (routes.cpp)

// The rule of the public catalogue reads (an approved merchant's page, its products and
// reviews): every member of {cid} whatever its roles, a merchant browsing another merchant
// included. The gateway binds a merchant-only caller of a community rule to the {mid} it acts
// for (right for merchant data: stock movements, coupons, orders, figures), so these routes
// are declared `authenticated` (API keys need `scope`; none when empty) and their handlers
// call require_member, which answers a non-member 404 as the community rules do.
Access catalogue_read(std::string scope = {});
// 404 /problems/not-found (community) unless the caller holds a role in {cid} or is an admin.
void require_member(Context const& ctx);


// Optional query filter checked against allowed values; 422 otherwise. "" when absent.
std::string query_filter(http::Request const& req, std::string_view name,
                         std::initializer_list<std::string_view> allowed);

// The merchant of this community (404 otherwise).
repo::Merchant merchant_or_404(db::Tx& tx, std::int64_t cid, std::int64_t mid);
// 409 unless approved: /problems/merchant-suspended for a suspended merchant (it takes no new
// orders; existing ones are still fulfilled or refunded), /problems/merchant-not-approved else.
void require_approved(repo::Merchant const& m);
void require_approved(std::string const& merchant_status);
repo::Product product_or_404(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::int64_t pid);
repo::Order order_or_404(db::Tx& tx, std::int64_t cid, std::int64_t oid);
repo::GroupBuy group_buy_or_404(db::Tx& tx, std::int64_t cid, std::int64_t gid);

logic::CouponTerms coupon_terms(repo::Coupon const& c);

// A fresh pickup code: 12 characters from a 32-letter alphabet (60 random bits).
std::string new_redemption_code();

// Ledger references of wallet transfers.
std::string order_ref(std::int64_t oid);                      // "order:{oid}"
std::string hold_ref(std::int64_t gid, std::int64_t pid);     // "group_buy:{gid}:participant:{pid}"
std::string refund_ref(std::int64_t rid);                     // "refund:{rid}"

// ---- views (views.cpp)

bj::object merchant_json(repo::Merchant const& m);
// What the applicant and the managers see: the merchant with the decision's reason and time.
bj::object merchant_application_json(repo::Merchant const& m);
bj::object rating_json(std::int64_t sum, std::int64_t count);
// The merchant's rating as shown: the trust-weighted average (logic::review_weight), the
// plain average beside it, and the count.
bj::object rating_json(repo::Merchant const& m);
// Products and orders are also written straight to text on the hot reads and pages: their
// fields are written once, into a json::TreeObject (the *_json tree) or a json::TextObject.
template <class Out>
void product_fields(Out& out, repo::Product const& p);
bj::object product_json(repo::Product const& p);
bj::object movement_json(repo::Movement const& m);
// The redemption code is shown to the buyer only.
template <class Out>
void order_fields(Out& out, repo::Order const& o, bool show_code);
bj::object order_json(repo::Order const& o, bool show_code);
bj::object coupon_json(repo::Coupon const& c);
// A review as others see it: the author's trust badge (verified resident, tenure band,
// building) instead of who they are; `show_buyer` (the author themselves) adds buyer_id.
bj::object review_json(repo::Review const& r, bj::object author_badge, bool show_buyer);
// The trust badge of a neighbour (nullopt: no residency in the community).
bj::object badge_json(std::optional<identity::Residency> const& r, std::int64_t now_ms);
bj::object group_buy_json(repo::GroupBuy const& g);
bj::object participant_json(repo::Participant const& p);
// The merchant's figures over [from, to).
bj::object figures_json(std::int64_t merchant_id, std::int64_t from, std::int64_t to, logic::Figures const& f);

// order.* payload (EVENTS.md).
bj::object order_event(repo::Order const& o);

bj::object refund_json(repo::Refund const& f);
// refund.requested/accepted/declined/disputed payload; `by` ("merchant", "manager") when a
// decision is the event.
bj::object refund_event(repo::Refund const& f, std::string const& by = "");
// refund.completed: {refund_id, order_id, merchant_id, buyer_id, amount_cents, points} and
// community_id, points_cents, source, completed_at (EVENTS.md).
bj::object refund_completed_event(repo::Refund const& f);

}  // namespace courtyard::shops
