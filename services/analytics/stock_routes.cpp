// Purchase-sale-stock per product and period, read from shops' stock ledger so it
// reconciles exactly (opening + movements = closing), and the low-stock thresholds with
// their alerts and reorder suggestions.
#include "http/scopes.hpp"
#include "services/analytics/routes.hpp"
#include "services/shops/api.hpp"

#include <map>

namespace courtyard::analytics {

namespace {

Access analytics_access() { return Access::merchant(std::string(kAnalyticsScope)); }
Access stock_write() { return Access::merchant(std::string(http::scopes::kStockWrite)); }

Response stock_report(Request const& req, Context& ctx) {
  std::int64_t mid = req.id("mid");
  auto only = req.query_param("product_id") ? std::optional(req.query_int("product_id", 0)) : std::nullopt;
  auto out = ctx.tx([&](db::Tx& tx) {
    merchant_or_404(tx, ctx.community_id, mid);
    auto tz = zone_of(tx, ctx.community_id);
    Range r = range_of(req, *tz, tx.now_ms());
    std::int64_t from_ms = tz->day_start(r.from), to_ms = tz->day_start(r.to + 1);
    bj::array items;
    logic::StockLine total;
    for (auto const& p : shops::stock_period(tx, ctx.community_id, mid, from_ms, to_ms)) {
      if (only && p.product_id != *only) continue;
      std::int64_t closing = p.stock_now - p.after_period, net = 0;
      for (auto const& [reason, delta] : p.in_period) net += delta;
      auto line = logic::stock_line(closing - net, p.in_period, r.days());
      items.push_back(stock_line_json(p.product_id, p.name, p.category, line));
      total.opening += line.opening;
      total.received += line.received;
      total.sold += line.sold;
      total.returned += line.returned;
      total.adjusted += line.adjusted;
      total.closing += line.closing;
      for (auto const& [reason, n] : line.adjustments) total.adjustments[reason] += n;
    }
    total.sell_through = logic::ratio(total.sold, total.opening + total.received + total.returned);
    auto totals = stock_line_json(0, "", "", total);
    totals.erase("product_id");
    totals.erase("name");
    totals.erase("category");
    totals.erase("days_of_cover");
    return bj::object{{"merchant_id", mid},
                      {"from", logic::format_date(r.from)},
                      {"to", logic::format_date(r.to)},
                      {"timezone", zone_name_of(tx, ctx.community_id)},
                      {"from_at", json::rfc3339(from_ms)},
                      {"to_at", json::rfc3339(to_ms)},
                      {"totals", std::move(totals)},
                      {"items", std::move(items)}};
  });
  return answer(req, std::move(out), "purchase-sale-stock");
}

shops::ProductStock product_or_404(db::Tx& tx, std::int64_t cid, std::int64_t mid, std::int64_t pid) {
  auto p = shops::product_stock(tx, cid, pid);
  if (!p || p->merchant_id != mid) throw NotFound("product");
  return *p;
}

bj::object threshold_json(shops::ProductStock const& p, repo::Threshold const& t, std::int64_t sold_recently) {
  return bj::object{{"product_id", p.id},
                    {"name", p.name},
                    {"stock", p.stock},
                    {"threshold", t.threshold},
                    {"low", logic::low_stock(p.stock, t.threshold)},
                    {"alerted", t.alerted},
                    {"sold_last_28_days", sold_recently},
                    {"suggested_reorder", logic::suggested_reorder(sold_recently, logic::kReorderWindowDays, p.stock)},
                    {"updated_at", json::rfc3339(t.updated_at)}};
}

std::map<std::int64_t, std::int64_t> recent_sales(db::Tx& tx, std::int64_t cid, std::int64_t mid) {
  std::int64_t now = tx.now_ms();
  std::map<std::int64_t, std::int64_t> out;
  for (auto const& [pid, units] :
       shops::units_sold(tx, cid, mid, now - logic::kReorderWindowDays * logic::kDayMs, now + 1))
    out[pid] = units;
  return out;
}

Response put_threshold(Request const& req, Context& ctx) {
  std::int64_t mid = req.id("mid"), pid = req.id("pid");
  auto body = req.json();
  std::int64_t threshold = json::integer(body, "threshold");
  if (auto why = logic::threshold_problem(threshold)) throw Invalid("threshold", *why);
  return ctx.tx([&](db::Tx& tx) {
    merchant_or_404(tx, ctx.community_id, mid);
    product_or_404(tx, ctx.community_id, mid, pid);
    repo::set_threshold(tx, ctx.community_id, mid, pid, threshold, ctx.principal.account_id);
    check_low_stock(tx, ctx.community_id, pid, 0);  // already low: alert now
    auto p = product_or_404(tx, ctx.community_id, mid, pid);
    auto sold = recent_sales(tx, ctx.community_id, mid);
    return Response::json(threshold_json(p, *repo::threshold_of(tx, ctx.community_id, pid), sold[pid]));
  });
}

Response delete_threshold(Request const& req, Context& ctx) {
  std::int64_t mid = req.id("mid"), pid = req.id("pid");
  return ctx.tx([&](db::Tx& tx) {
    merchant_or_404(tx, ctx.community_id, mid);
    product_or_404(tx, ctx.community_id, mid, pid);
    if (!repo::delete_threshold(tx, ctx.community_id, pid)) throw NotFound("stock threshold");
    return Response::no_content();
  });
}

Response stock_alerts(Request const& req, Context& ctx) {
  std::int64_t mid = req.id("mid");
  auto out = ctx.tx([&](db::Tx& tx) {
    merchant_or_404(tx, ctx.community_id, mid);
    std::map<std::int64_t, shops::ProductStock> products;
    for (auto const& p : shops::active_products(tx, ctx.community_id, mid)) products[p.id] = p;
    auto sold = recent_sales(tx, ctx.community_id, mid);
    bj::array items;
    bool low_only = req.query_param("low").value_or("") == "true";
    for (auto const& t : repo::thresholds_of(tx, ctx.community_id, mid)) {
      auto it = products.find(t.product_id);
      if (it == products.end()) continue;
      if (low_only && !logic::low_stock(it->second.stock, t.threshold)) continue;
      items.push_back(threshold_json(it->second, t, sold[t.product_id]));
    }
    return bj::object{{"merchant_id", mid}, {"items", std::move(items)}};
  });
  return answer(req, std::move(out), "stock-alerts");
}

}  // namespace

void add_stock_routes(http::Router& r) {
  std::string const m = "/v1/communities/{cid}/merchants/{mid}";
  r.get(m + "/analytics/stock", analytics_access(), stock_report);
  r.get(m + "/analytics/stock-alerts", analytics_access(), stock_alerts);
  r.put(m + "/products/{pid}/stock-threshold", stock_write(), put_threshold);
  r.del(m + "/products/{pid}/stock-threshold", stock_write(), delete_threshold);
}

}  // namespace courtyard::analytics
