// After-sales refunds: the buyer asks (whole order or some items, within the community's
// window), the merchant accepts or declines, the buyer disputes a decline and the manager
// arbitrates. An accepted refund moves money (and the points share, through the
// refund.completed event) back and restocks returned goods in the same transaction.
#include "services/shops/routes.hpp"
#include "services/wallet/api.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace courtyard::shops {

using logic::RefundActor;
using logic::RefundStatus;
using logic::RefundVerb;

namespace {

std::int64_t refund_window_days(db::Tx& tx, std::int64_t cid) {
  return repo::refund_window_days(tx, cid).value_or(logic::kDefaultRefundWindowDays);
}

// Takes the refunded quantities (conditional updates: a line is never refunded past its
// quantity, whatever races), then the money from the merchant's sub-account the order paid
// into, then the returned goods back on the shelf (stock last, as checkout and cancel), and
// records the amounts. Throws 409 refund-exceeds-order when the goods were refunded meanwhile:
// the whole transaction rolls back. Publishes refund.completed.
void complete_refund(db::Tx& tx, repo::Refund& f, repo::Order const& o, std::int64_t actor_id) {
  std::int64_t cid = f.community_id;
  std::vector<repo::RefundItem> items = f.items;
  std::sort(items.begin(), items.end(), [](auto const& a, auto const& b) { return a.product_id < b.product_id; });
  for (auto const& i : items)
    if (!repo::take_refund_quantity(tx, cid, o.id, i.product_id, i.quantity))
      throw Conflict("refund-exceeds-order", "these goods of the order have been refunded already");

  std::int64_t after = repo::refunded_goods_cents(tx, cid, o.id);
  std::int64_t before = after - f.goods_cents;
  auto points = repo::order_points(tx, cid, o.id);
  auto share = logic::refund_share({o.subtotal_cents, o.total_cents, points.points_spent, points.points_cents},
                                   before, after);
  if (share.money_cents > 0)
    wallet::transfer(tx, cid, wallet::merchant_for_order(o.merchant_id, o.id), wallet::resident(o.buyer_id),
                     share.money_cents, "refund", refund_ref(f.id));
  for (auto const& i : items) {
    if (!i.returned) continue;
    repo::change_stock(tx, cid, i.product_id, i.quantity);
    repo::insert_movement(tx, cid, o.merchant_id, i.product_id, i.quantity, "return", o.id, actor_id);
  }
  repo::set_refund_amounts(tx, f.id, share.money_cents, share.points, share.points_cents);
  f.amount_cents = share.money_cents;
  f.points = share.points;
  f.points_cents = share.points_cents;
  f.status = logic::to_string(RefundStatus::Completed);
  f.completed_at = tx.now_ms();
  tx.publish("refund.completed", cid, refund_completed_event(f));
}

}  // namespace

void record_failed_delivery_refund(db::Tx& tx, repo::Order const& o, std::int64_t refunded_cents) {
  repo::Refund f;
  f.community_id = o.community_id;
  f.order_id = o.id;
  f.merchant_id = o.merchant_id;
  f.buyer_id = o.buyer_id;
  f.status = logic::to_string(RefundStatus::Completed);
  f.source = "delivery_failed";
  f.reason = "the delivery failed";
  f.goods_cents = o.subtotal_cents;
  f.amount_cents = refunded_cents;
  auto points = repo::order_points(tx, o.community_id, o.id);
  f.points = points.points_spent;
  f.points_cents = points.points_cents;
  f.completed_at = tx.now_ms();
  // undo_order put the goods back with "cancel" movements already.
  for (auto const& i : o.items) f.items.push_back({i.product_id, i.quantity, true, i.line_cents});
  for (auto const& i : o.items) repo::take_refund_quantity(tx, o.community_id, o.id, i.product_id, i.quantity);
  f.id = repo::insert_refund(tx, f);
  f.created_at = f.updated_at = tx.now_ms();
  // undo_order gave the points back already (members::give_back in this transaction): the
  // event says so, and carries no points for members' refund.completed to give a second time.
  auto event = refund_completed_event(f);
  event["points"] = 0;
  event["points_returned_on_cancel"] = f.points;
  tx.publish("refund.completed", o.community_id, event);
}

namespace {

bool is_buyer_of(Context const& ctx, std::int64_t buyer_id) {
  return ctx.principal.kind == Principal::Kind::Session && ctx.principal.account_id == buyer_id;
}

repo::Refund refund_or_404(db::Tx& tx, std::int64_t cid, std::int64_t rid) {
  auto f = repo::find_refund(tx, cid, rid);
  if (!f) throw NotFound("refund");
  return *f;
}

// The buyer, the merchant (owner, staff, key) and the community's managers see a refund;
// anyone else is told it does not exist.
void require_party(Context const& ctx, repo::Refund const& f) {
  if (is_buyer_of(ctx, f.buyer_id) || ctx.acts_for(f.merchant_id) || ctx.is_manager()) return;
  throw NotFound("refund");
}

std::string refund_status_filter(Request const& req) {
  return query_filter(req, "status", {"requested", "declined", "disputed", "completed", "rejected"});
}

// Moves the refund one step with a conditional update on its current state: 409
// /problems/refund-state when `who` may not do `verb` now or the refund changed meanwhile.
RefundStatus step(db::Tx& tx, repo::Refund const& f, RefundVerb verb, RefundActor who, repo::RefundStep kind,
                  std::string const& reason, std::int64_t by) {
  auto from = logic::parse_refund_status(f.status);
  auto to = from ? logic::refund_transition(*from, verb, who) : std::nullopt;
  if (!to) throw Conflict("refund-state", "a refund that is " + f.status + " cannot be moved this way");
  if (!repo::move_refund(tx, f.community_id, f.id, f.status, std::string(logic::to_string(*to)), kind, reason, by))
    throw Conflict("refund-state", "the refund changed meanwhile; reload it");
  return *to;
}

// ---- the request

struct RefundRequest {
  std::string reason;
  bool whole = true;          // no items listed: everything not refunded yet
  bool returned = false;      // whole: whether the goods come back
  std::vector<repo::RefundItem> items;
};

RefundRequest read_refund_request(bj::object const& body) {
  RefundRequest r;
  std::vector<FieldError> errors;
  auto reason = json::opt_str(body, "reason", 1000);
  if (!reason || reason->empty()) errors.push_back({"reason", "is required"});
  else r.reason = *reason;
  r.returned = json::opt_boolean(body, "returned").value_or(false);
  auto it = body.find("items");
  if (it != body.end() && !it->value().is_null()) {
    r.whole = false;
    auto const& items = json::array(body, "items");
    if (items.empty()) errors.push_back({"items", "must list at least one item (or be left out for the whole order)"});
    std::set<std::int64_t> seen;
    for (std::size_t i = 0; i < items.size() && i < logic::kMaxOrderLines; ++i) {
      std::string at = "items[" + std::to_string(i) + "]";
      if (!items[i].is_object()) throw BadRequest(at + " must be an object", "wrong-type");
      auto const& item = items[i].as_object();
      auto pid = json::opt_integer(item, "product_id");
      auto qty = json::opt_integer(item, "quantity");
      bool returned = json::opt_boolean(item, "returned").value_or(false);
      if (!pid || *pid <= 0) errors.push_back({at + ".product_id", "is required (a product id)"});
      else if (!seen.insert(*pid).second) errors.push_back({at + ".product_id", "is listed twice"});
      if (!qty || *qty < 1 || *qty > logic::kMaxQuantity)
        errors.push_back({at + ".quantity", "must be between 1 and " + std::to_string(logic::kMaxQuantity)});
      if (pid && qty) r.items.push_back({*pid, *qty, returned, 0});
    }
    if (items.size() > logic::kMaxOrderLines)
      errors.push_back({"items", "may list at most " + std::to_string(logic::kMaxOrderLines) + " lines"});
  }
  if (!errors.empty()) throw Invalid(std::move(errors));
  return r;
}

// The refund's goods: what was asked, checked against what the order holds and what has been
// refunded of it already; for a whole-order request, everything not refunded yet.
std::vector<repo::RefundItem> refund_items(db::Tx& tx, repo::Order const& o, RefundRequest const& r) {
  std::map<std::int64_t, std::int64_t> refunded;
  for (auto [pid, q] : repo::refunded_quantities(tx, o.community_id, o.id)) refunded[pid] = q;
  std::vector<repo::RefundItem> out;
  if (r.whole) {
    for (auto const& i : o.items)
      if (std::int64_t left = i.quantity - refunded[i.product_id]; left > 0)
        out.push_back({i.product_id, left, r.returned, i.unit_price_cents * left});
    if (out.empty()) throw Conflict("already-refunded", "every item of this order has been refunded already");
    return out;
  }
  std::vector<FieldError> errors;
  for (std::size_t k = 0; k < r.items.size(); ++k) {
    auto const& want = r.items[k];
    std::string at = "items[" + std::to_string(k) + "]";
    auto line = std::find_if(o.items.begin(), o.items.end(), [&](auto const& i) { return i.product_id == want.product_id; });
    if (line == o.items.end()) {
      errors.push_back({at + ".product_id", "is not an item of this order"});
      continue;
    }
    std::int64_t left = line->quantity - refunded[want.product_id];
    if (want.quantity > left) {
      errors.push_back({at + ".quantity", "at most " + std::to_string(left) + " left to refund"});
      continue;
    }
    out.push_back({want.product_id, want.quantity, want.returned, line->unit_price_cents * want.quantity});
  }
  if (!errors.empty()) throw Invalid(std::move(errors));
  return out;
}

Response request_refund(Request const& req, Context& ctx) {
  std::int64_t oid = req.id("oid");
  auto r = read_refund_request(req.json());
  return ctx.idempotent(req, [&](db::Tx& tx) {
    std::int64_t cid = ctx.community_id;
    auto o = order_or_404(tx, cid, oid);
    if (!is_buyer_of(ctx, o.buyer_id)) throw NotFound("order");
    if (o.status != logic::to_string(logic::OrderStatus::Completed) || !o.completed_at)
      throw Conflict("order-not-completed", "only a completed order can be refunded");
    std::int64_t window = refund_window_days(tx, cid);
    if (!logic::within_refund_window(*o.completed_at, tx.now_ms(), window))
      throw Conflict("refund-window-closed",
                     "refunds are possible until " + std::to_string(window) + " days after the order completed");
    repo::Refund f;
    f.community_id = cid;
    f.order_id = o.id;
    f.merchant_id = o.merchant_id;
    f.buyer_id = o.buyer_id;
    f.status = logic::to_string(RefundStatus::Requested);
    f.source = "buyer";
    f.reason = r.reason;
    f.items = refund_items(tx, o, r);
    for (auto const& i : f.items) f.goods_cents += i.line_cents;
    f.id = repo::insert_refund(tx, f);
    auto stored = refund_or_404(tx, cid, f.id);
    tx.publish("refund.requested", cid, refund_event(stored));
    return Response::created(refund_json(stored), ctx.path("/refunds/" + std::to_string(f.id)));
  });
}

// ---- reading

Response order_refunds(Request const& req, Context& ctx) {
  std::int64_t oid = req.id("oid");
  auto page = req.page();
  return ctx.tx([&](db::Tx& tx) {
    auto o = order_or_404(tx, ctx.community_id, oid);
    if (!is_buyer_of(ctx, o.buyer_id) && !ctx.acts_for(o.merchant_id) && !ctx.is_manager()) throw NotFound("order");
    return Response::json(
        json::page_of_rows(repo::refunds_of_order(tx, ctx.community_id, oid, page), page, refund_json));
  });
}

Response get_refund(Request const& req, Context& ctx) {
  std::int64_t rid = req.id("rid");
  return ctx.tx([&](db::Tx& tx) {
    auto f = refund_or_404(tx, ctx.community_id, rid);
    require_party(ctx, f);
    return Response::json(refund_json(f));
  });
}

Response merchant_refunds(Request const& req, Context& ctx) {
  std::int64_t mid = req.id("mid");
  auto page = req.page();
  std::string status = refund_status_filter(req);
  return ctx.tx([&](db::Tx& tx) {
    merchant_or_404(tx, ctx.community_id, mid);
    return Response::json(json::page_of_rows(repo::refunds_of_merchant(tx, ctx.community_id, mid, status, page),
                                             page, refund_json));
  });
}

Response community_refunds(Request const& req, Context& ctx) {
  auto page = req.page();
  std::string status = refund_status_filter(req);
  return ctx.tx([&](db::Tx& tx) {
    return Response::json(
        json::page_of_rows(repo::refunds_of_community(tx, ctx.community_id, status, page), page, refund_json));
  });
}

// ---- the verbs

std::string optional_reason(Request const& req) {
  if (req.body.empty()) return "";
  return json::opt_str(req.json(), "reason", 1000).value_or("");
}

// The merchant accepts: the refund completes in this transaction.
Response accept_refund(Request const& req, Context& ctx) {
  std::int64_t rid = req.id("rid");
  std::string reason = optional_reason(req);
  return ctx.idempotent(req, [&](db::Tx& tx) {
    auto f = refund_or_404(tx, ctx.community_id, rid);
    if (!ctx.acts_for(f.merchant_id)) throw NotFound("refund");
    step(tx, f, RefundVerb::Accept, RefundActor::Merchant, repo::RefundStep::Decision, reason,
         ctx.principal.account_id);
    auto o = order_or_404(tx, ctx.community_id, f.order_id);
    tx.publish("refund.accepted", ctx.community_id, refund_event(f, "merchant"));
    complete_refund(tx, f, o, ctx.principal.account_id);
    return Response::json(refund_json(refund_or_404(tx, ctx.community_id, rid)));
  });
}

Response decline_refund(Request const& req, Context& ctx) {
  std::int64_t rid = req.id("rid");
  std::string reason = json::str(req.json(), "reason", 1, 1000);
  return ctx.tx([&](db::Tx& tx) {
    auto f = refund_or_404(tx, ctx.community_id, rid);
    if (!ctx.acts_for(f.merchant_id)) throw NotFound("refund");
    step(tx, f, RefundVerb::Decline, RefundActor::Merchant, repo::RefundStep::Decision, reason,
         ctx.principal.account_id);
    auto done = refund_or_404(tx, ctx.community_id, rid);
    tx.publish("refund.declined", ctx.community_id, refund_event(done, "merchant"));
    return Response::json(refund_json(done));
  });
}

Response dispute_refund(Request const& req, Context& ctx) {
  std::int64_t rid = req.id("rid");
  std::string reason = json::str(req.json(), "reason", 1, 1000);
  return ctx.tx([&](db::Tx& tx) {
    auto f = refund_or_404(tx, ctx.community_id, rid);
    if (!is_buyer_of(ctx, f.buyer_id)) throw NotFound("refund");
    step(tx, f, RefundVerb::Dispute, RefundActor::Buyer, repo::RefundStep::Dispute, reason, f.buyer_id);
    auto done = refund_or_404(tx, ctx.community_id, rid);
    tx.publish("refund.disputed", ctx.community_id, refund_event(done));
    return Response::json(refund_json(done));
  });
}

// The manager decides a disputed refund: "accept" completes it as an accepted refund would,
// "decline" closes it as rejected.
Response arbitrate_refund(Request const& req, Context& ctx) {
  std::int64_t rid = req.id("rid");
  auto body = req.json();
  std::string decision = json::str(body, "decision", 1, 16);
  if (decision != "accept" && decision != "decline") throw Invalid("decision", "must be accept or decline");
  std::string reason = json::str(body, "reason", 1, 1000);
  return ctx.idempotent(req, [&](db::Tx& tx) {
    auto f = refund_or_404(tx, ctx.community_id, rid);
    bool accept = decision == "accept";
    step(tx, f, accept ? RefundVerb::Uphold : RefundVerb::Overrule, RefundActor::Manager,
         repo::RefundStep::Arbitration, reason, ctx.principal.account_id);
    if (accept) {
      auto o = order_or_404(tx, ctx.community_id, f.order_id);
      tx.publish("refund.accepted", ctx.community_id, refund_event(f, "manager"));
      complete_refund(tx, f, o, ctx.principal.account_id);
    } else {
      auto done = refund_or_404(tx, ctx.community_id, rid);
      tx.publish("refund.declined", ctx.community_id, refund_event(done, "manager"));
    }
    return Response::json(refund_json(refund_or_404(tx, ctx.community_id, rid)));
  });
}

// ---- the window

bj::object refund_settings_json(std::int64_t days) { return bj::object{{"window_days", days}}; }

Response get_refund_settings(Request const&, Context& ctx) {
  return ctx.tx([&](db::Tx& tx) { return Response::json(refund_settings_json(refund_window_days(tx, ctx.community_id))); });
}

Response put_refund_settings(Request const& req, Context& ctx) {
  std::int64_t days = json::integer(req.json(), "window_days");
  if (days < 0 || days > logic::kMaxRefundWindowDays)
    throw Invalid("window_days", "must be between 0 and " + std::to_string(logic::kMaxRefundWindowDays));
  return ctx.tx([&](db::Tx& tx) {
    repo::set_refund_window_days(tx, ctx.community_id, days, ctx.principal.account_id);
    return Response::json(refund_settings_json(days));
  });
}

}  // namespace

void add_refund_routes(http::Router& r) {
  auto party = Access::any_of(Role::Resident | Role::Merchant | Role::Manager).with_scope("orders:read");
  r.post("/v1/communities/{cid}/orders/{oid}/refunds", Access::resident(), request_refund);
  r.get("/v1/communities/{cid}/orders/{oid}/refunds", party, order_refunds);
  r.get("/v1/communities/{cid}/refunds/{rid}", party, get_refund);
  r.get("/v1/communities/{cid}/merchants/{mid}/refunds", Access::merchant("orders:read"), merchant_refunds);
  r.get("/v1/communities/{cid}/refunds", Access::manager(), community_refunds);
  r.post("/v1/communities/{cid}/refunds/{rid}/accept", Access::merchant("orders:write"), accept_refund);
  r.post("/v1/communities/{cid}/refunds/{rid}/decline", Access::merchant("orders:write"), decline_refund);
  r.post("/v1/communities/{cid}/refunds/{rid}/dispute", Access::resident(), dispute_refund);
  r.post("/v1/communities/{cid}/refunds/{rid}/arbitrate", Access::manager(), arbitrate_refund);
  r.get("/v1/communities/{cid}/refund-settings", Access::member(), get_refund_settings);
  r.put("/v1/communities/{cid}/refund-settings", Access::manager(), put_refund_settings);
}

}  // namespace courtyard::shops
