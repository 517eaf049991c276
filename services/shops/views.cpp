// The JSON shapes of the shops resources and the order.* event payload.
#include "services/shops/routes.hpp"

namespace courtyard::shops {

namespace {
bj::value opt_time(std::optional<std::int64_t> t) { return json::time_or_null(t); }
bj::value opt_int(std::optional<std::int64_t> v) { return v ? bj::value(*v) : bj::value(nullptr); }
}  // namespace

bj::object rating_json(std::int64_t sum, std::int64_t count) {
  auto avg = logic::rating_average(sum, count);
  return bj::object{{"avg", avg ? bj::value(*avg) : bj::value(nullptr)}, {"count", count}};
}

bj::object rating_json(repo::Merchant const& m) {
  auto out = rating_json(m.rating_sum, m.rating_count);
  out["unweighted_avg"] = out["avg"];
  auto weighted = logic::rating_average(m.rating_weighted_sum, m.rating_weight);
  out["avg"] = weighted ? bj::value(*weighted) : bj::value(nullptr);
  out["weighting"] = "verified purchase x tenure";
  return out;
}

bj::object badge_json(std::optional<identity::Residency> const& r, std::int64_t now_ms) {
  return identity::trust_badge(r, now_ms);
}

namespace {

bj::object contact_json(repo::Merchant const& m) {
  bj::object c;
  c["email"] = m.contact_email ? bj::value(*m.contact_email) : bj::value(nullptr);
  c["phone"] = m.contact_phone ? bj::value(*m.contact_phone) : bj::value(nullptr);
  return c;
}

// "community", or {"building_ids": [...]}.
bj::value service_area_json(std::string const& stored) {
  if (stored.empty()) return "community";
  return bj::object{{"building_ids", bj::parse(stored)}};
}

bj::array fulfilment_json(std::string const& stored) {
  bj::array out;
  for (auto mode : {"pickup", "delivery"})
    if (stored.find(mode) != std::string::npos) out.emplace_back(mode);
  return out;
}

}  // namespace

bj::object merchant_json(repo::Merchant const& m) {
  return bj::object{{"id", m.id},
                    {"community_id", m.community_id},
                    {"owner_id", m.owner_id},
                    {"name", m.name},
                    {"category", m.category},
                    {"status", m.status},
                    {"rating", rating_json(m)},
                    {"created_at", json::rfc3339(m.created_at)},
                    {"approved_at", opt_time(m.approved_at)},
                    {"description", m.description},
                    {"contact", contact_json(m)},
                    {"opening_hours", m.opening_hours.empty() ? bj::value(nullptr) : bj::parse(m.opening_hours)},
                    {"service_area", service_area_json(m.service_area)},
                    {"fulfilment", fulfilment_json(m.fulfilment)}};
}

bj::object merchant_application_json(repo::Merchant const& m) {
  auto out = merchant_json(m);
  out["decision_reason"] = m.decision_reason ? bj::value(*m.decision_reason) : bj::value(nullptr);
  out["decided_at"] = opt_time(m.decided_at);
  return out;
}

template <class Out>
void product_fields(Out& out, repo::Product const& p) {
  out.put("id", p.id);
  out.put("community_id", p.community_id);
  out.put("merchant_id", p.merchant_id);
  out.put("name", p.name);
  out.put("category", p.category);
  out.put("price_cents", p.price_cents);
  out.put("stock", p.stock);
  out.put("active", p.active);
  out.put_time("created_at", p.created_at);
  out.put_time("updated_at", p.updated_at);
}
template void product_fields(json::TreeObject&, repo::Product const&);
template void product_fields(json::TextObject&, repo::Product const&);

bj::object product_json(repo::Product const& p) {
  return json::tree([&](json::TreeObject& out) { product_fields(out, p); });
}

bj::object movement_json(repo::Movement const& m) {
  return bj::object{{"id", m.id},
                    {"product_id", m.product_id},
                    {"merchant_id", m.merchant_id},
                    {"delta", m.delta},
                    {"reason", m.reason},
                    {"order_id", opt_int(m.order_id)},
                    {"actor", m.actor},
                    {"stock_after", m.stock_after},
                    {"at", json::rfc3339(m.at)}};
}

// One line of an order, as the order's JSON and its events show it.
template <class Out>
void order_item_fields(Out& item, repo::OrderItem const& i) {
  item.put("product_id", i.product_id);
  item.put("name", i.name);
  item.put("category", i.category);
  item.put("unit_price_cents", i.unit_price_cents);
  item.put("quantity", i.quantity);
  item.put("line_total_cents", i.line_cents);
}

template <class Out>
void order_fields(Out& out, repo::Order const& o, bool show_code) {
  out.put("id", o.id);
  out.put("community_id", o.community_id);
  out.put("merchant_id", o.merchant_id);
  out.put("buyer_id", o.buyer_id);
  out.put("unit_id", o.unit_id);
  out.put("status", o.status);
  out.put("fulfilment", o.fulfilment);
  out.put_objects("items", o.items, [](auto& item, repo::OrderItem const& i) { order_item_fields(item, i); });
  out.put("subtotal_cents", o.subtotal_cents);
  out.put("discount_cents", o.discount_cents);
  out.put("total_cents", o.total_cents);
  out.put("tier_discount_pct", o.tier_discount_pct);
  out.put("tier_discount_cents", o.tier_discount_cents);
  out.put("points_spent", o.points_spent);
  out.put("points_cents", o.points_cents);
  out.put("paid_cents", o.total_cents - o.points_cents);
  out.put("coupon_code", o.coupon_code);
  out.put("group_buy_id", o.group_buy_id);
  out.put_time("created_at", o.created_at);
  out.put_time("updated_at", o.updated_at);
  out.put_time("accepted_at", o.accepted_at);
  out.put_time("ready_at", o.ready_at);
  out.put_time("completed_at", o.completed_at);
  out.put_time("cancelled_at", o.cancelled_at);
  if (show_code && o.redemption_code) out.put("redemption_code", *o.redemption_code);
}
template void order_fields(json::TreeObject&, repo::Order const&, bool);
template void order_fields(json::TextObject&, repo::Order const&, bool);

bj::object order_json(repo::Order const& o, bool show_code) {
  return json::tree([&](json::TreeObject& out) { order_fields(out, o, show_code); });
}

bj::object coupon_json(repo::Coupon const& c) {
  return bj::object{{"id", c.id},
                    {"merchant_id", c.merchant_id},
                    {"code", c.code},
                    {"percent_off", opt_int(c.percent_off)},
                    {"amount_off_cents", opt_int(c.amount_off_cents)},
                    {"min_spend_cents", c.min_spend_cents},
                    {"max_redemptions", c.max_redemptions},
                    {"redemptions", c.redemptions},
                    {"expires_at", json::rfc3339(c.expires_at)},
                    {"created_at", json::rfc3339(c.created_at)}};
}

bj::object review_json(repo::Review const& r, bj::object author_badge, bool show_buyer) {
  bj::object out{{"id", r.id},
                 {"merchant_id", r.merchant_id},
                 {"order_id", r.order_id},
                 {"rating", r.rating},
                 {"text", r.body},
                 {"verified_purchase", true},
                 {"weight", static_cast<double>(r.weight) / 1000.0},
                 {"author", std::move(author_badge)},
                 {"author_label", r.author_erased ? bj::value("former resident") : bj::value(nullptr)},
                 {"created_at", json::rfc3339(r.created_at)}};
  if (show_buyer) out["buyer_id"] = r.buyer_id;
  return out;
}

bj::object group_buy_json(repo::GroupBuy const& g) {
  return bj::object{{"id", g.id},
                    {"community_id", g.community_id},
                    {"merchant_id", g.merchant_id},
                    {"product_id", g.product_id},
                    {"unit_price_cents", g.unit_price_cents},
                    {"min_participants", g.min_participants},
                    {"participants", g.participants},
                    {"quantity", g.quantity},
                    {"closes_at", json::rfc3339(g.closes_at)},
                    {"status", g.status},
                    {"outcome", g.outcome ? bj::value(*g.outcome) : bj::value(nullptr)},
                    {"created_at", json::rfc3339(g.created_at)},
                    {"closed_at", opt_time(g.closed_at)}};
}

bj::object participant_json(repo::Participant const& p) {
  return bj::object{{"id", p.id},
                    {"group_buy_id", p.group_buy_id},
                    {"account_id", p.account_id},
                    {"quantity", p.quantity},
                    {"amount_cents", p.amount_cents},
                    {"status", p.status},
                    {"order_id", opt_int(p.order_id)},
                    {"fulfilment", p.fulfilment},
                    {"created_at", json::rfc3339(p.created_at)}};
}

bj::object figures_json(std::int64_t merchant_id, std::int64_t from, std::int64_t to, logic::Figures const& f) {
  bj::array by_day, by_category;
  std::int64_t sales = 0, units = 0, count = 0;
  for (auto const& d : f.by_day) {
    by_day.push_back(
        bj::object{{"date", d.date}, {"orders", d.orders}, {"units", d.units}, {"sales_cents", d.sales_cents}});
    sales += d.sales_cents;
    units += d.units;
    count += d.orders;
  }
  for (auto const& c : f.by_category)
    by_category.push_back(bj::object{{"category", c.category}, {"units", c.units}, {"sales_cents", c.sales_cents}});
  bj::object by_status;
  for (auto const& [k, v] : f.orders_by_status) by_status[k] = v;
  return bj::object{{"merchant_id", merchant_id},
                    {"from", json::rfc3339(from)},
                    {"to", json::rfc3339(to)},
                    {"sales_cents", sales},
                    {"units", units},
                    {"orders", count},
                    {"by_day", std::move(by_day)},
                    {"by_category", std::move(by_category)},
                    {"orders_by_status", std::move(by_status)},
                    {"buyers", f.buyers},
                    {"repeat_buyers", f.repeat_buyers},
                    {"repeat_buyer_rate", f.repeat_buyer_rate}};
}

// The order's facts ride along (services/EVENTS.md): what it sold, so a merchant's system
// prints the ticket from the webhook alone and analytics counts the order without reading it
// again (order_facts_of_event). `items` only when the order was loaded with them. The largest
// order (kMaxOrderLines lines, names of 100 and categories of 50 four-byte characters) makes
// about 36 KB, inside the events row (TEXT: 64 KiB on MariaDB); orders_test places it.
bj::object order_event(repo::Order const& o) {
  bj::object e{{"community_id", o.community_id},
               {"order_id", o.id},
               {"merchant_id", o.merchant_id},
               {"buyer_id", o.buyer_id},
               {"total_cents", o.total_cents},
               {"points_spent", o.points_spent},
               {"points_cents", o.points_cents},
               {"tier_discount_cents", o.tier_discount_cents},
               {"fulfilment", o.fulfilment},
               {"unit_id", o.unit_id},
               {"status", o.status},
               {"group_buy_id", o.group_buy_id.value_or(0)},
               {"subtotal_cents", o.subtotal_cents},
               {"discount_cents", o.discount_cents},
               {"coupon_id", o.coupon_id.value_or(0)},
               {"created_at_ms", o.created_at}};
  if (!o.items.empty())
    json::TreeObject(e).put_objects("items", o.items,
                                    [](auto& item, repo::OrderItem const& i) { order_item_fields(item, i); });
  return e;
}


namespace {
bj::value opt_text(std::optional<std::string> const& v) { return v ? bj::value(*v) : bj::value(nullptr); }
}  // namespace

bj::object refund_json(repo::Refund const& f) {
  bj::array items;
  for (auto const& i : f.items)
    items.push_back(bj::object{{"product_id", i.product_id},
                               {"quantity", i.quantity},
                               {"returned", i.returned},
                               {"line_cents", i.line_cents}});
  return bj::object{
      {"id", f.id},
      {"community_id", f.community_id},
      {"order_id", f.order_id},
      {"merchant_id", f.merchant_id},
      {"buyer_id", f.buyer_id},
      {"status", f.status},
      {"source", f.source},
      {"reason", f.reason},
      {"items", std::move(items)},
      {"goods_cents", f.goods_cents},
      {"amount_cents", f.amount_cents},
      {"points", f.points},
      {"points_cents", f.points_cents},
      {"decision", bj::object{{"reason", opt_text(f.decision_reason)}, {"at", opt_time(f.decided_at)}}},
      {"dispute", bj::object{{"reason", opt_text(f.dispute_reason)}, {"at", opt_time(f.disputed_at)}}},
      {"arbitration", bj::object{{"reason", opt_text(f.arbitration_reason)}, {"at", opt_time(f.arbitrated_at)}}},
      {"created_at", json::rfc3339(f.created_at)},
      {"completed_at", opt_time(f.completed_at)}};
}

bj::object refund_event(repo::Refund const& f, std::string const& by) {
  bj::object e{{"community_id", f.community_id}, {"refund_id", f.id},      {"order_id", f.order_id},
               {"merchant_id", f.merchant_id},   {"buyer_id", f.buyer_id}, {"goods_cents", f.goods_cents},
               {"reason", f.reason}};
  if (!by.empty()) e["by"] = by;
  return e;
}

bj::object refund_completed_event(repo::Refund const& f) {
  return bj::object{{"refund_id", f.id},
                    {"order_id", f.order_id},
                    {"merchant_id", f.merchant_id},
                    {"buyer_id", f.buyer_id},
                    {"amount_cents", f.amount_cents},
                    {"points", f.points},
                    {"community_id", f.community_id},
                    {"points_cents", f.points_cents},
                    {"source", f.source},
                    {"completed_at", f.completed_at.value_or(0)}};
}

}  // namespace courtyard::shops
