// The merchant's analytics (its owner, its staff, or an API key with the `analytics` scope):
// sales by period, category and product, customers, top and slow movers, promotions and
// ratings, for any range of local days. All read from the rollups.
#include "http/scopes.hpp"
#include "services/analytics/routes.hpp"
#include "services/shops/api.hpp"

#include <algorithm>
#include <map>

namespace courtyard::analytics {

namespace {

constexpr std::size_t kMovers = 5;

Access analytics_access() { return Access::merchant(std::string(kAnalyticsScope)); }

bj::object header_json(std::int64_t mid, Range const& r, std::string const& zone) {
  return bj::object{{"merchant_id", mid},
                    {"from", logic::format_date(r.from)},
                    {"to", logic::format_date(r.to)},
                    {"grain", logic::to_string(r.grain)},
                    {"timezone", zone}};
}

struct Report {
  std::int64_t mid = 0;
  Range range;
  bj::object out;
};

// Runs `fill` in a read unit for the merchant of the path, with the range and the header.
template <class Fill>
Response report(Request const& req, Context& ctx, std::string const& name, Fill fill) {
  std::int64_t mid = req.id("mid");
  auto out = ctx.tx([&](db::Tx& tx) {
    merchant_or_404(tx, ctx.community_id, mid);
    std::string zone_name = zone_name_of(tx, ctx.community_id);
    auto tz = zone_of(tx, ctx.community_id);
    Range r = range_of(req, *tz, tx.now_ms());
    bj::object o = header_json(mid, r, zone_name);
    fill(tx, mid, r, o);
    return o;
  });
  return answer(req, std::move(out), name);
}

bj::object summary_json(db::Tx& tx, std::int64_t mid, Range const& r, std::vector<repo::MerchantDay> const& days) {
  repo::Sale total;
  for (auto const& d : days) {
    total.orders += d.sale.orders;
    total.items += d.sale.items;
    total.subtotal_cents += d.sale.subtotal_cents;
    total.discount_cents += d.sale.discount_cents;
    total.revenue_cents += d.sale.revenue_cents;
    total.cancelled += d.sale.cancelled;
    total.refunded_cents += d.sale.refunded_cents;
  }
  bj::object s = sale_json(total);
  auto c = repo::customers(tx, mid, r.from, r.to);
  s["customers"] = c.customers;
  s["new_customers"] = c.customers - c.returning_customers;
  s["returning_customers"] = c.returning_customers;
  s["repeat_customers"] = c.repeat_customers;
  auto rate = logic::ratio(c.repeat_customers, c.customers);
  s["repeat_purchase_rate"] = rate ? bj::value(*rate) : bj::value(nullptr);
  return s;
}

// A product's line in the product report.
struct ProductRow {
  std::int64_t id;
  std::string name, category;
  repo::Total t;
};

// Every active product with what it sold in the range (0 when nothing), best first; plus
// products no longer active that sold in the range.
std::vector<ProductRow> product_rows(db::Tx& tx, std::int64_t cid, std::int64_t mid, Range const& r) {
  std::map<std::int64_t, repo::Total> sold;
  for (auto const& t : repo::product_totals(tx, mid, r.from, r.to)) sold[t.id] = t;
  std::vector<ProductRow> rows;
  for (auto const& p : shops::active_products(tx, cid, mid)) {
    auto it = sold.find(p.id);
    ProductRow row{p.id, p.name, it == sold.end() ? std::string() : it->second.key,
                   it == sold.end() ? repo::Total{} : it->second};
    if (it != sold.end()) sold.erase(it);
    rows.push_back(std::move(row));
  }
  for (auto const& [id, t] : sold) rows.push_back({id, "", t.key, t});
  std::stable_sort(rows.begin(), rows.end(), [](ProductRow const& a, ProductRow const& b) {
    if (a.t.quantity != b.t.quantity) return a.t.quantity > b.t.quantity;
    return a.t.revenue_cents > b.t.revenue_cents;
  });
  return rows;
}

bj::object product_json(ProductRow const& row) {
  bj::object o{{"product_id", row.id}, {"name", row.name}, {"category", row.category}};
  for (auto const& [k, v] : total_json(row.t)) o[k] = v;
  return o;
}

// The best sellers (that sold anything) and the slowest, from rows sorted best first; only
// these ten become JSON (the overview does not show the other rows).
void add_movers(bj::object& o, std::vector<ProductRow> const& products) {
  bj::array top, slow;
  for (std::size_t i = 0; i < products.size() && top.size() < kMovers; ++i)
    if (products[i].t.quantity > 0) top.push_back(product_json(products[i]));
  for (std::size_t i = products.size(); i-- > 0 && slow.size() < kMovers;) slow.push_back(product_json(products[i]));
  o["top_movers"] = std::move(top);
  o["slow_movers"] = std::move(slow);
}

bj::array category_rows(db::Tx& tx, std::int64_t mid, Range const& r) {
  bj::array out;
  auto totals = repo::category_totals(tx, mid, r.from, r.to);
  std::sort(totals.begin(), totals.end(), [](auto const& a, auto const& b) { return a.revenue_cents > b.revenue_cents; });
  for (auto const& t : totals) {
    bj::object o{{"category", t.key}};
    for (auto const& [k, v] : total_json(t)) o[k] = v;
    out.push_back(std::move(o));
  }
  return out;
}

// Each coupon, campaign (its members' coupons together) and group buy with orders or a close
// in the range: what it sold, what it cost and what it added against the merchant's four weeks
// before it started.
// `in_range`: the merchant's days of the range when the caller has read them already (the
// overview); then only the span's days outside the range are read here.
bj::array promotion_rows(db::Tx& tx, std::int64_t mid, Range const& r,
                         std::vector<repo::MerchantDay> const* in_range = nullptr) {
  std::map<std::pair<std::string, std::int64_t>, repo::Total> promos;
  for (auto const& t : repo::promo_totals(tx, mid, r.from, r.to)) promos[{t.key, t.id}] = t;
  std::map<std::int64_t, repo::GroupBuyResult> closed;
  for (auto const& g : repo::group_buys_closed(tx, mid, r.from, r.to)) {
    closed[g.group_buy_id] = g;
    auto& t = promos[{"group_buy", g.group_buy_id}];
    if (t.id == 0) {
      t.id = g.group_buy_id;
      t.key = "group_buy";
      t.first_day = t.last_day = g.closed_day;
    }
  }
  bj::array out;
  if (promos.empty()) return out;
  // The merchant's revenue per day over every promotion's baseline and run, read once (not
  // two sums per promotion); `revenue(a, b)` sums local days a..b.
  std::int64_t span_from = promos.begin()->second.first_day, span_to = promos.begin()->second.last_day;
  for (auto const& [key, t] : promos) {
    span_from = std::min(span_from, t.first_day);
    span_to = std::max(span_to, t.last_day);
  }
  span_from -= logic::kBaselineDays;
  std::vector<repo::MerchantDay> span;
  if (in_range) {
    if (span_from < r.from) span = repo::merchant_days(tx, mid, span_from, std::min(span_to, r.from - 1));
    for (auto const& d : *in_range)
      if (d.day >= span_from && d.day <= span_to) span.push_back(d);
    if (span_to > r.to)
      for (auto& d : repo::merchant_days(tx, mid, std::max(span_from, r.to + 1), span_to)) span.push_back(std::move(d));
  } else {
    span = repo::merchant_days(tx, mid, span_from, span_to);
  }
  std::vector<std::pair<std::int64_t, std::int64_t>> running;  // (day, revenue up to and including it)
  std::int64_t sum = 0;
  for (auto const& d : span) running.emplace_back(d.day, sum += d.sale.revenue_cents);
  auto through = [&](std::int64_t day) {  // revenue of the span's days <= day
    auto it = std::upper_bound(running.begin(), running.end(), day,
                               [](std::int64_t d, auto const& e) { return d < e.first; });
    return it == running.begin() ? std::int64_t{0} : std::prev(it)->second;
  };
  auto revenue = [&](std::int64_t a, std::int64_t b) { return through(b) - through(a - 1); };
  for (auto const& [key, t] : promos) {
    std::int64_t days = t.last_day - t.first_day + 1;
    std::int64_t during = revenue(t.first_day, t.last_day);
    std::int64_t before = revenue(t.first_day - logic::kBaselineDays, t.first_day - 1);
    bj::object o{{"kind", t.key},
                 {"id", t.id},
                 {"orders", t.orders},
                 {"redemptions", t.orders},
                 {"items", t.quantity},
                 {"revenue_cents", t.revenue_cents},
                 {"discount_cents", t.discount_cents},
                 {"first_day", logic::format_date(t.first_day)},
                 {"last_day", logic::format_date(t.last_day)},
                 {"merchant_revenue_cents", during},
                 {"baseline_revenue_cents", before},
                 {"incremental_revenue_cents",
                  logic::incremental_revenue(during, days, before, logic::kBaselineDays)}};
    if (auto it = closed.find(t.id); t.key == "group_buy" && it != closed.end()) {
      o["outcome"] = it->second.outcome;
      o["participants"] = it->second.participants;
    } else {
      o["outcome"] = nullptr;
      o["participants"] = nullptr;
    }
    out.push_back(std::move(o));
  }
  return out;
}

bj::object ratings_section(db::Tx& tx, std::int64_t mid, Range const& r) {
  auto days = repo::rating_days(tx, mid, r.from, r.to);
  std::int64_t n = 0, sum = 0;
  for (auto const& d : days) {
    n += d.reviews;
    sum += d.rating_sum;
  }
  auto avg = logic::ratio(sum * 100, n);
  return bj::object{{"reviews", n},
                    {"average", avg ? bj::value(*avg / 100.0) : bj::value(nullptr)},
                    {"series", ratings_json(days, r)}};
}

Response merchant_overview(Request const& req, Context& ctx) {
  return report(req, ctx, "overview", [&](db::Tx& tx, std::int64_t mid, Range const& r, bj::object& o) {
    auto days = repo::merchant_days(tx, mid, r.from, r.to);
    o["summary"] = summary_json(tx, mid, r, days);
    o["series"] = series_json(days, r);
    o["categories"] = category_rows(tx, mid, r);
    add_movers(o, product_rows(tx, ctx.community_id, mid, r));
    o["promotions"] = promotion_rows(tx, mid, r, &days);
    o["ratings"] = ratings_section(tx, mid, r);
  });
}

Response merchant_sales(Request const& req, Context& ctx) {
  return report(req, ctx, "sales", [&](db::Tx& tx, std::int64_t mid, Range const& r, bj::object& o) {
    auto days = repo::merchant_days(tx, mid, r.from, r.to);
    o["summary"] = summary_json(tx, mid, r, days);
    o["items"] = series_json(days, r);
  });
}

Response merchant_products(Request const& req, Context& ctx) {
  return report(req, ctx, "products", [&](db::Tx& tx, std::int64_t mid, Range const& r, bj::object& o) {
    auto rows = product_rows(tx, ctx.community_id, mid, r);
    add_movers(o, rows);
    bj::array items;
    items.reserve(rows.size());
    for (auto const& row : rows) items.push_back(product_json(row));
    o["items"] = std::move(items);
  });
}

Response merchant_categories(Request const& req, Context& ctx) {
  return report(req, ctx, "categories", [&](db::Tx& tx, std::int64_t mid, Range const& r, bj::object& o) {
    o["items"] = category_rows(tx, mid, r);
  });
}

Response merchant_promotions(Request const& req, Context& ctx) {
  return report(req, ctx, "promotions", [&](db::Tx& tx, std::int64_t mid, Range const& r, bj::object& o) {
    o["items"] = promotion_rows(tx, mid, r);
  });
}

Response merchant_ratings(Request const& req, Context& ctx) {
  return report(req, ctx, "ratings", [&](db::Tx& tx, std::int64_t mid, Range const& r, bj::object& o) {
    auto s = ratings_section(tx, mid, r);
    o["reviews"] = s.at("reviews");
    o["average"] = s.at("average");
    o["items"] = s.at("series");
  });
}

}  // namespace

void add_merchant_report_routes(http::Router& r) {
  std::string const base = "/v1/communities/{cid}/merchants/{mid}/analytics/";
  r.get(base + "overview", analytics_access(), merchant_overview);
  r.get(base + "sales", analytics_access(), merchant_sales);
  r.get(base + "products", analytics_access(), merchant_products);
  r.get(base + "categories", analytics_access(), merchant_categories);
  r.get(base + "promotions", analytics_access(), merchant_promotions);
  r.get(base + "ratings", analytics_access(), merchant_ratings);
}

}  // namespace courtyard::analytics
