// Purchase-sale-stock per product and period, read from shops' stock ledger so it
// reconciles exactly (opening + movements = closing), and the low-stock thresholds with
// their alerts and reorder suggestions.
#include "http/csv.hpp"
#include "http/scopes.hpp"
#include "services/analytics/routes.hpp"
#include "services/shops/api.hpp"

#include <map>
#include <memory>
#include <optional>

namespace courtyard::analytics {

namespace {

Access analytics_access() { return Access::merchant(std::string(kAnalyticsScope)); }
Access stock_write() { return Access::merchant(std::string(http::scopes::kStockWrite)); }

logic::StockLine line_of(shops::StockPeriod const& p, std::int64_t days) {
  std::int64_t closing = p.stock_now - p.after_period, net = 0;
  for (auto const& [reason, delta] : p.in_period) net += delta;
  return logic::stock_line(closing - net, p.in_period, days);
}

constexpr std::int64_t kStockCsvPage = 250;  // products per page of the streamed CSV

// The CSV of the report, one page of products at a time, each page read in its own short
// read transaction after the previous page is on the wire: a merchant with many products
// gets the first rows at once and the server never holds the whole table. Each product's
// row still comes from one statement, so it reconciles (opening + movements = closing).
http::BodyStream stock_csv(db::Database& db, std::int64_t cid, std::int64_t mid, std::int64_t from_ms,
                           std::int64_t to_ms, std::int64_t days, std::optional<std::int64_t> only) {
  struct Pages {
    db::Database* db;
    std::int64_t cid, mid, from_ms, to_ms, days;
    std::optional<std::int64_t> only;
    std::vector<std::string> cols;
    std::int64_t after = 0;
    bool started = false;
  };
  auto s = std::make_shared<Pages>(Pages{&db, cid, mid, from_ms, to_ms, days, only, {}, 0, false});
  bj::array prototype{stock_line_json(0, "", "", logic::StockLine{})};
  s->cols = csv_columns(prototype);
  return [s](std::string& out) {
    if (!s->started) {
      csv_header(out, s->cols);
      s->started = true;
    }
    auto page = db::transact(
        *s->db, nullptr,
        [&](db::Tx& tx) { return shops::stock_period(tx, s->cid, s->mid, s->from_ms, s->to_ms, s->after, kStockCsvPage); },
        {}, db::TxMode::Read);
    for (auto const& p : page) {
      s->after = p.product_id;
      if (s->only && p.product_id != *s->only) continue;
      csv_row(out, s->cols, stock_line_json(p.product_id, p.name, p.category, line_of(p, s->days)));
    }
    return static_cast<std::int64_t>(page.size()) == kStockCsvPage;
  };
}

Response stock_report(Request const& req, Context& ctx) {
  std::int64_t mid = req.id("mid");
  auto only = req.query_param("product_id") ? std::optional(req.query_int("product_id", 0)) : std::nullopt;
  bool const csv = http::csv::wanted(req);
  struct Period {
    std::int64_t from_ms = 0, to_ms = 0, days = 0;
  } period;
  auto out = ctx.tx([&](db::Tx& tx) {
    merchant_or_404(tx, ctx.community_id, mid);
    auto tz = zone_of(tx, ctx.community_id);
    Range r = range_of(req, *tz, tx.now_ms());
    std::int64_t from_ms = tz->day_start(r.from), to_ms = tz->day_start(r.to + 1);
    period = {from_ms, to_ms, r.days()};
    if (csv) return bj::object{};  // the rows follow, streamed page by page
    bj::array items;
    logic::StockLine total;
    for (auto const& p : shops::stock_period(tx, ctx.community_id, mid, from_ms, to_ms)) {
      if (only && p.product_id != *only) continue;
      auto line = line_of(p, r.days());
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
  if (csv)
    return csv_response(stock_csv(ctx.db, ctx.community_id, mid, period.from_ms, period.to_ms, period.days, only),
                        "purchase-sale-stock");
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
