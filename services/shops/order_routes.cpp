// Orders: checkout paid from the wallet, the state machine, pickup redemptions and reviews.
#include "db/database.hpp"
#include "services/members/api.hpp"
#include "services/delivery/api.hpp"
#include "services/shops/checkout.hpp"
#include "services/shops/routes.hpp"
#include "services/wallet/api.hpp"

#include <algorithm>

namespace courtyard::shops {

using logic::OrderStatus;
using logic::OrderVerb;

repo::Order order_head(Context const& ctx, std::int64_t merchant_id, Checkout const& c) {
  repo::Order o;
  o.community_id = ctx.community_id;
  o.merchant_id = merchant_id;
  o.buyer_id = ctx.principal.account_id;
  o.unit_id = ctx.principal.unit_in(ctx.community_id);
  o.status = logic::to_string(OrderStatus::Placed);
  o.fulfilment = logic::to_string(c.fulfilment);
  if (c.fulfilment == logic::Fulfilment::Pickup) o.redemption_code = new_redemption_code();
  return o;
}

void add_item(repo::Order& o, logic::Line& line, repo::Product const& p) {
  line.unit_price_cents = p.price_cents;
  o.items.push_back({p.id, p.name, p.category, p.price_cents, line.quantity, logic::line_total(line)});
}

void apply_tier_discount(repo::Order& o, int pct) {
  o.tier_discount_pct = pct;
  o.tier_discount_cents = logic::tier_discount(o.total_cents, pct);
  o.discount_cents += o.tier_discount_cents;
  o.total_cents -= o.tier_discount_cents;
}

namespace {

// Reads the checkout body; every field problem in one 422.
Checkout read_checkout(bj::object const& body) {
  Checkout c;
  std::vector<FieldError> errors;
  auto merchant = json::opt_integer(body, "merchant_id");
  if (!merchant || *merchant <= 0) errors.push_back({"merchant_id", "is required (a merchant id)"});
  else c.merchant_id = *merchant;

  auto it = body.find("items");
  if (it == body.end() || it->value().is_null()) {
    errors.push_back({"items", "is required"});
  } else {
    auto const& items = json::array(body, "items");
    if (items.empty()) errors.push_back({"items", "must list at least one product"});
    if (items.size() > logic::kMaxOrderLines)
      errors.push_back({"items", "may list at most " + std::to_string(logic::kMaxOrderLines) + " lines"});
    for (std::size_t i = 0; i < items.size() && i < logic::kMaxOrderLines; ++i) {
      std::string at = "items[" + std::to_string(i) + "]";
      if (!items[i].is_object()) throw BadRequest(at + " must be an object", "wrong-type");
      auto const& item = items[i].as_object();
      auto pid = json::opt_integer(item, "product_id");
      auto qty = json::opt_integer(item, "quantity");
      if (!pid || *pid <= 0) errors.push_back({at + ".product_id", "is required (a product id)"});
      if (!qty || *qty < 1 || *qty > logic::kMaxQuantity)
        errors.push_back({at + ".quantity", "must be between 1 and " + std::to_string(logic::kMaxQuantity)});
      if (pid && qty) c.lines.push_back({*pid, 0, *qty});
    }
  }

  auto f = json::opt_str(body, "fulfilment", 16);
  auto parsed = f ? logic::parse_fulfilment(*f) : std::nullopt;
  if (!parsed) errors.push_back({"fulfilment", "must be pickup or delivery"});
  else c.fulfilment = *parsed;
  if (auto slot = json::opt_integer(body, "slot_id")) {
    if (*slot <= 0) errors.push_back({"slot_id", "must be a delivery slot id"});
    else if (parsed && c.fulfilment == logic::Fulfilment::Pickup) errors.push_back({"slot_id", "is only for delivery orders"});
    else c.slot_id = *slot;
  }

  if (auto code = json::opt_str(body, "coupon_code", 64); code && !code->empty()) {
    c.coupon_code = logic::normalize_coupon_code(*code);
    if (!c.coupon_code) errors.push_back({"coupon_code", "is not a valid coupon code"});
  }
  if (auto points = json::opt_integer(body, "points")) {
    if (*points < 0) errors.push_back({"points", "must be 0 or more"});
    else c.points = *points;
  }
  if (auto code = json::opt_str(body, "referral_code", 64); code && !code->empty()) {
    c.referral_code = logic::normalize_referral_code(*code);
    if (!c.referral_code) errors.push_back({"referral_code", "is not a valid referral code"});
  }
  if (!errors.empty()) throw Invalid(std::move(errors));
  c.lines = logic::merge_lines(c.lines);
  for (auto const& l : c.lines)
    if (l.quantity > logic::kMaxQuantity)
      throw Invalid("items", "at most " + std::to_string(logic::kMaxQuantity) + " of one product");
  return c;
}

// Checkout in one transaction: prices, coupon, the order, the event, the payment and last
// the stock (conditional updates). Any refusal rolls all of it back. The statements that
// lock rows every checkout of this shop shares (the product's stock) run right before
// COMMIT (Tx::before_commit), so concurrent checkouts queue on them as briefly as possible;
// the payment goes to one of the merchant's sub-accounts (wallet::merchant_for_order), so
// no single balance row is shared at all (ARCHITECTURE.md, "Money and stock under load").
repo::Order place_order(db::Tx& tx, Context& ctx, Checkout const& c) {
  std::int64_t cid = ctx.community_id;
  auto merchant = merchant_or_404(tx, cid, c.merchant_id);
  require_approved(merchant);

  repo::Order o = order_head(ctx, merchant.id, c);
  std::vector<logic::Line> lines = c.lines;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto p = repo::find_product(tx, cid, merchant.id, lines[i].product_id);
    std::string at = "items[" + std::to_string(i) + "].product_id";
    if (!p) throw Invalid(at, "is not a product of this merchant");
    if (!p->active) throw Invalid(at, "is not for sale");
    add_item(o, lines[i], *p);
  }

  std::optional<repo::Coupon> coupon;
  std::optional<logic::CouponTerms> terms;
  std::int64_t sub = logic::subtotal(lines);
  if (c.coupon_code) {
    coupon = repo::find_coupon(tx, cid, merchant.id, *c.coupon_code);
    if (!coupon || !repo::coupon_usable_by(tx, coupon->id, o.buyer_id))
      throw Invalid("coupon_code", "is not a coupon of this merchant");
    terms = coupon_terms(*coupon);
    switch (logic::coupon_problem(*terms, sub, tx.now_ms())) {
      case logic::CouponProblem::Expired: throw Invalid("coupon_code", "has expired");
      case logic::CouponProblem::BelowMinSpend:
        throw Invalid("coupon_code", "needs a minimum spend of " + std::to_string(coupon->min_spend_cents) + " cents");
      case logic::CouponProblem::Exhausted:
        throw Conflict("coupon-exhausted", "this coupon has no redemptions left");
      case logic::CouponProblem::None: break;
    }
  }
  auto totals = logic::price(lines, terms);
  o.subtotal_cents = totals.subtotal_cents;
  o.discount_cents = totals.discount_cents;
  o.total_cents = totals.total_cents;
  // The buyer's loyalty tier discount, on the price after the coupon.
  if (members::enabled(tx)) apply_tier_discount(o, members::tier_benefits(tx, cid, o.buyer_id).discount_pct);
  if (coupon) {
    o.coupon_id = coupon->id;
    o.coupon_code = coupon->code;
  }
  auto referral = c.referral_code ? referral_for_checkout(tx, cid, o.buyer_id, *c.referral_code) : std::nullopt;

  if (coupon && !repo::redeem_coupon(tx, coupon->id))
    throw Conflict("coupon-exhausted", "this coupon has no redemptions left");

  o.id = repo::insert_order(tx, o);
  // A delivery slot's place (delivery service): a shared row like stock, so taken right before
  // COMMIT and before the stock; a full slot rolls the checkout back with 409 slot-full.
  if (c.slot_id)
    tx.before_commit([cid, mid = merchant.id, slot = *c.slot_id, oid = o.id, buyer = o.buyer_id](db::Tx& t) {
      delivery::book_slot(t, cid, mid, slot, oid, buyer);
    });
  // The stored row, without reading it back: what insert_order wrote.
  o.created_at = o.updated_at = tx.now_ms();
  // Points first (the member's points account is locked before the wallet's rows, as
  // earning and cancelling do): 422 beyond the programme's share, 409 when short.
  if (c.points > 0) {
    auto paid = members::pay_with_points(tx, cid, o.buyer_id, c.points, o.total_cents, members::SpendOn::Order,
                                         order_ref(o.id));
    o.points_spent = paid.points;
    o.points_cents = paid.cents;
    repo::set_order_points(tx, cid, o.id, o.points_spent, o.points_cents);
  }
  if (referral) {
    referral->order_id = o.id;
    referral->merchant_id = o.merchant_id;
    repo::insert_order_referral(tx, *referral);
  }
  tx.publish("order.placed", cid, order_event(o));
  if (std::int64_t money = o.total_cents - o.points_cents; money > 0) {
    try {
      wallet::transfer(tx, cid, wallet::resident(o.buyer_id), wallet::merchant_for_order(merchant.id, o.id), money,
                       "order_payment", order_ref(o.id));
    } catch (Conflict const& e) {
      // Short of stock and of money: stock is the answer, as when stock was taken first.
      for (auto const& l : lines)
        if (e.slug() == "insufficient-funds" && repo::stock_of(tx, l.product_id) < l.quantity)
          throw Conflict("insufficient-stock", "not enough stock of product " + std::to_string(l.product_id));
      throw;
    }
  }

  // The stock last, right before COMMIT (after the stored Idempotency-Key answer too), in
  // product-id order so concurrent checkouts lock rows in the same order. No stock: the
  // whole checkout rolls back and the 409 is the answer.
  std::vector<logic::Line> by_id = lines;
  std::sort(by_id.begin(), by_id.end(), [](auto const& a, auto const& b) { return a.product_id < b.product_id; });
  tx.before_commit([by_id, cid, mid = merchant.id, oid = o.id, buyer = o.buyer_id](db::Tx& t) {
    for (auto const& l : by_id) {
      if (!repo::change_stock(t, cid, l.product_id, -l.quantity))
        throw Conflict("insufficient-stock", "not enough stock of product " + std::to_string(l.product_id));
      repo::insert_movement(t, cid, mid, l.product_id, -l.quantity, "sale", oid, buyer);
    }
  });
  return o;
}

}  // namespace

// The points back to the buyer (into the lots they came from), the money paid refunded from
// the merchant's sub-account to the buyer, the coupon redemption released and the stock back
// (a "cancel" movement per line, product-id order like checkout; last, as at checkout, so
// both lock rows in the same order: points, money, stock). Returns the cents refunded.
std::int64_t undo_order(db::Tx& tx, repo::Order const& o, std::int64_t actor_id) {
  std::int64_t cid = o.community_id;
  if (o.points_spent > 0)
    members::give_back(tx, cid, o.buyer_id, members::Points(o.points_spent), order_ref(o.id), order_ref(o.id));
  // The wallet was charged total_cents - points_cents (shops migration 3).
  std::int64_t paid = o.total_cents - o.points_cents;
  if (paid > 0)
    wallet::transfer(tx, cid, wallet::merchant_for_order(o.merchant_id, o.id), wallet::resident(o.buyer_id),
                     paid, "refund", order_ref(o.id));
  if (o.coupon_id) repo::release_coupon(tx, *o.coupon_id);
  std::vector<repo::OrderItem> items = o.items;
  std::sort(items.begin(), items.end(), [](auto const& a, auto const& b) { return a.product_id < b.product_id; });
  for (auto const& i : items) {
    repo::change_stock(tx, cid, i.product_id, i.quantity);
    repo::insert_movement(tx, cid, o.merchant_id, i.product_id, i.quantity, "cancel", o.id, actor_id);
  }
  return paid;
}

namespace {

bool is_buyer(Context const& ctx, repo::Order const& o) {
  return ctx.principal.kind == Principal::Kind::Session && ctx.principal.account_id == o.buyer_id;
}

[[noreturn]] void illegal(repo::Order const& o, std::string_view verb) {
  throw Conflict("order-state", "an order that is " + o.status + " cannot be " + std::string(verb));
}

// Moves the order along the state machine with a conditional update on its current state.
repo::Order advance(db::Tx& tx, std::int64_t cid, repo::Order const& o, OrderVerb verb, logic::Actor who,
                    std::string_view verb_name, std::optional<std::int64_t> cancelled_by = std::nullopt) {
  auto from = logic::parse_order_status(o.status);
  auto f = logic::parse_fulfilment(o.fulfilment).value_or(logic::Fulfilment::Pickup);
  auto to = from ? logic::transition(*from, verb, who, f) : std::nullopt;
  if (!to) illegal(o, verb_name);
  if (!repo::set_order_status(tx, cid, o.id, o.status, std::string(logic::to_string(*to)), cancelled_by))
    throw Conflict("order-state", "the order changed meanwhile; reload it");
  return order_or_404(tx, cid, o.id);
}

// Cancelling refunds the buyer and puts the stock back, in the same transaction.
repo::Order cancel(db::Tx& tx, Context& ctx, repo::Order const& o, logic::Actor who) {
  std::int64_t cid = ctx.community_id;
  auto done = advance(tx, cid, o, OrderVerb::Cancel, who, "cancelled", ctx.principal.account_id);
  std::int64_t refunded = undo_order(tx, o, ctx.principal.account_id);
  auto event = order_event(done);
  event["reason"] = who == logic::Actor::Merchant ? "merchant" : "buyer";
  event["refunded_cents"] = refunded;
  event["refunded_points"] = o.points_spent;
  event["previous_status"] = o.status;  // delivery: was it ready (order.ready may come after this)
  tx.publish("order.cancelled", cid, event);
  return done;
}

// ---- checkout and reading orders

Response checkout(Request const& req, Context& ctx) {
  auto c = read_checkout(req.json());
  auto alone = [&] {
    return ctx.idempotent(req, [&](db::Tx& tx) {
      auto o = place_order(tx, ctx, c);
      auto body = order_json(o, true);
      if (c.slot_id) body["delivery_slot_id"] = *c.slot_id;
      return Response::created(body, ctx.path("/orders/" + std::to_string(o.id)));
    });
  };
  if (!batchable(c)) return alone();
  return place_combined(req, ctx, c, alone);
}

std::string order_status_filter(Request const& req) {
  return query_filter(req, "status", {"placed", "accepted", "ready", "completed", "cancelled"});
}

Response my_orders(Request const& req, Context& ctx) {
  auto page = req.page();
  std::string status = order_status_filter(req);
  return ctx.tx([&](db::Tx& tx) {
    return Response::json_text(json::page_text(repo::orders_of_buyer(tx, ctx.principal.account_id, status, page), page,
                                               [](auto& out, repo::Order const& o) { order_fields(out, o, true); }));
  });
}

Response get_order(Request const& req, Context& ctx) {
  std::int64_t oid = req.id("oid");
  return ctx.tx([&](db::Tx& tx) {
    auto o = order_or_404(tx, ctx.community_id, oid);
    bool buyer = is_buyer(ctx, o);
    if (!buyer && !ctx.acts_for(o.merchant_id)) throw NotFound("order");
    auto body = order_json(o, buyer);
    // The delivery slot the order holds a place in (delivery service), null without one.
    auto slot = o.fulfilment == "delivery" ? delivery::booked_slot(tx, o.id) : std::nullopt;
    body["delivery_slot"] = slot ? bj::value(bj::object{{"id", slot->slot_id},
                                                        {"starts_at", json::rfc3339(slot->starts_at)},
                                                        {"ends_at", json::rfc3339(slot->ends_at)}})
                                 : bj::value(nullptr);
    return Response::json(body);
  });
}

Response merchant_orders(Request const& req, Context& ctx) {
  std::int64_t mid = req.id("mid");
  auto page = req.page();
  std::string status = order_status_filter(req);
  return ctx.tx([&](db::Tx& tx) {
    merchant_or_404(tx, ctx.community_id, mid);
    return Response::json_text(json::page_text(repo::orders_of_merchant(tx, ctx.community_id, mid, status, page),
                                               page, [](auto& out, repo::Order const& o) { order_fields(out, o, false); }));
  });
}

// ---- the state verbs

// accept / ready: the merchant moves its order along and the step's event is published.
Response merchant_step(Request const& req, Context& ctx, OrderVerb verb, char const* topic, char const* done) {
  std::int64_t oid = req.id("oid");
  return ctx.tx([&](db::Tx& tx) {
    auto o = order_or_404(tx, ctx.community_id, oid);
    if (!ctx.acts_for(o.merchant_id)) throw Forbidden("you do not act for this order's merchant");
    auto next = advance(tx, ctx.community_id, o, verb, logic::Actor::Merchant, done);
    tx.publish(topic, ctx.community_id, order_event(next));
    return Response::json(order_json(next, false));
  });
}

Response accept_order(Request const& req, Context& ctx) {
  return merchant_step(req, ctx, OrderVerb::Accept, "order.accepted", "accepted");
}

Response mark_order_ready(Request const& req, Context& ctx) {
  return merchant_step(req, ctx, OrderVerb::Ready, "order.ready", "marked ready");
}

Response cancel_order(Request const& req, Context& ctx) {
  std::int64_t oid = req.id("oid");
  return ctx.idempotent(req, [&](db::Tx& tx) {
    auto o = order_or_404(tx, ctx.community_id, oid);
    if (ctx.acts_for(o.merchant_id))
      return Response::json(order_json(cancel(tx, ctx, o, logic::Actor::Merchant), is_buyer(ctx, o)));
    if (is_buyer(ctx, o)) return Response::json(order_json(cancel(tx, ctx, o, logic::Actor::Buyer), true));
    throw NotFound("order");
  });
}

// A pickup: the merchant redeems the buyer's code and the order completes.
Response redeem_code(Request const& req, Context& ctx) {
  std::int64_t mid = req.id("mid");
  auto body = req.json();
  std::string code = logic::normalize_redemption_code(json::str(body, "code", 1, 64));
  return ctx.tx([&](db::Tx& tx) {
    merchant_or_404(tx, ctx.community_id, mid);
    auto o = repo::find_order_by_code(tx, ctx.community_id, mid, code);
    if (!o) throw NotFound("redemption code");
    if (o->status == "completed") throw Conflict("already-redeemed", "this code was already redeemed");
    auto from = logic::parse_order_status(o->status);
    auto to = from ? logic::transition(*from, OrderVerb::Redeem, logic::Actor::Merchant, logic::Fulfilment::Pickup)
                   : std::nullopt;
    if (!to) illegal(*o, "redeemed");
    if (!repo::set_order_status(tx, ctx.community_id, o->id, o->status, "completed")) {
      // Someone else changed it first: a concurrent redemption, or a cancellation.
      if (repo::current_order_status(tx, ctx.community_id, o->id) == "cancelled") illegal(*o, "redeemed");
      throw Conflict("already-redeemed", "this code was already redeemed");
    }
    auto done = order_or_404(tx, ctx.community_id, o->id);
    tx.publish("order.completed", ctx.community_id, order_event(done));
    return Response::json(order_json(done, false));
  });
}

// ---- reviews

Response review_order(Request const& req, Context& ctx) {
  std::int64_t oid = req.id("oid");
  auto body = req.json();
  std::int64_t rating = json::integer(body, "rating");
  if (auto why = logic::rating_problem(rating)) throw Invalid("rating", *why);
  std::string text = json::opt_str(body, "text", 2000).value_or("");
  return ctx.tx([&](db::Tx& tx) {
    auto o = order_or_404(tx, ctx.community_id, oid);
    if (!is_buyer(ctx, o)) throw NotFound("order");
    if (o.status != "completed") throw Conflict("order-not-completed", "only a completed order can be reviewed");
    if (repo::find_review_of_order(tx, ctx.community_id, oid))
      throw Conflict("already-reviewed", "this order has been reviewed already");
    repo::Review rv{0, ctx.community_id, o.merchant_id, oid, o.buyer_id, rating, text, 0};
    auto residency = identity::residencies(tx, ctx.community_id, {o.buyer_id});
    auto it = residency.find(o.buyer_id);
    logic::ReviewerStanding standing;
    standing.verified_purchase = true;  // a review is always of the reviewer's own completed order
    standing.verified_resident = it != residency.end();
    if (standing.verified_resident) standing.tenure_days = (tx.now_ms() - it->second.since_ms) / 86'400'000;
    rv.weight = logic::review_weight(standing);
    try {
      rv.id = repo::insert_review(tx, rv);
    } catch (std::exception const& e) {
      if (db::is_unique_violation(e)) throw Conflict("already-reviewed", "this order has been reviewed already");
      throw;
    }
    repo::add_rating(tx, ctx.community_id, o.merchant_id, rating, rv.weight);
    tx.publish("review.posted", ctx.community_id,
               bj::object{{"community_id", ctx.community_id},
                          {"review_id", rv.id},
                          {"order_id", oid},
                          {"merchant_id", o.merchant_id},
                          {"buyer_id", o.buyer_id},
                          {"rating", rating}});
    auto stored = repo::find_review_of_order(tx, ctx.community_id, oid);
    auto badge = badge_json(it == residency.end() ? std::nullopt : std::optional(it->second), tx.now_ms());
    return Response::created(review_json(*stored, std::move(badge), true),
                             ctx.path("/merchants/" + std::to_string(o.merchant_id) + "/reviews"));
  });
}

}  // namespace

void add_order_routes(http::Router& r) {
  auto buyer_or_merchant = Access::any_of(Role::Resident | Role::Merchant);
  r.post("/v1/communities/{cid}/orders", Access::resident(), checkout);
  r.get("/v1/me/orders", Access::authenticated(), my_orders);
  r.get("/v1/communities/{cid}/orders/{oid}", buyer_or_merchant.with_scope("orders:read"), get_order);
  r.get("/v1/communities/{cid}/merchants/{mid}/orders", Access::merchant("orders:read"), merchant_orders);

  r.post("/v1/communities/{cid}/orders/{oid}/accept", Access::merchant("orders:write"), accept_order);
  r.post("/v1/communities/{cid}/orders/{oid}/ready", Access::merchant("orders:write"), mark_order_ready);
  r.post("/v1/communities/{cid}/orders/{oid}/cancel", buyer_or_merchant.with_scope("orders:write"), cancel_order);
  r.post("/v1/communities/{cid}/merchants/{mid}/redemptions", Access::merchant("redemptions:write"), redeem_code);

  r.post("/v1/communities/{cid}/orders/{oid}/review", Access::resident(), review_order);
}

}  // namespace courtyard::shops
