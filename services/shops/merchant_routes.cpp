// Merchants, the catalogue and its stock ledger, coupons, reviews (list) and figures.
#include "db/database.hpp"
#include "services/identity/api.hpp"
#include "services/shops/routes.hpp"

#include <algorithm>
#include <cctype>

namespace courtyard::shops {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string merchant_suffix(std::int64_t mid) { return "/merchants/" + std::to_string(mid); }

std::int64_t price_field(bj::object const& body, std::string_view key) {
  auto v = json::integer(body, key);
  if (v < 0 || v > logic::kMaxPriceCents)
    throw Invalid(std::string(key), "must be between 0 and " + std::to_string(logic::kMaxPriceCents));
  return v;
}

std::string category_filter(Request const& req) {
  return lower(std::string(req.query_param("category").value_or("")));
}

// A time bound of the figures: a date (whole UTC day) or an RFC 3339 instant.
std::optional<std::int64_t> figures_bound(Request const& req, std::string_view name, bool end) {
  auto v = req.query_param(name);
  if (!v || v->empty()) return std::nullopt;
  if (auto d = logic::parse_date(*v)) return end ? *d + logic::kDayMs : *d;
  if (auto t = json::parse_rfc3339(*v)) return end ? *t + 1 : *t;
  throw Invalid(std::string(name), "must be a date (YYYY-MM-DD) or an RFC 3339 timestamp");
}

// ---- merchants

Response apply_as_merchant(Request const& req, Context& ctx) {
  auto body = req.json();
  std::string name = json::str(body, "name", 1, 100);
  std::string category = lower(json::str(body, "category", 1, 50));
  return ctx.tx([&](db::Tx& tx) {
    std::int64_t mid = repo::insert_merchant(tx, ctx.community_id, ctx.principal.account_id, name, category);
    return Response::created(merchant_json(merchant_or_404(tx, ctx.community_id, mid)),
                             ctx.path(merchant_suffix(mid)));
  });
}

Response approve_merchant(Request const& req, Context& ctx) {
  std::int64_t mid = req.id("mid");
  return ctx.tx([&](db::Tx& tx) {
    auto m = merchant_or_404(tx, ctx.community_id, mid);
    if (!repo::approve_merchant(tx, ctx.community_id, mid, ctx.principal.account_id))
      throw Conflict("merchant-not-pending", "only a pending merchant can be approved (status is " + m.status + ")");
    identity::grant_role(tx, m.owner_id, ctx.community_id, Role::Merchant, 0, mid);
    return Response::json(merchant_json(merchant_or_404(tx, ctx.community_id, mid)));
  });
}

Response list_merchants(Request const& req, Context& ctx) {
  auto page = req.page();
  std::string status = query_filter(req, "status", {"pending", "approved"});
  std::string category = category_filter(req);
  // Residents browse the approved shops; managers also review the applications.
  if (!ctx.is_manager()) status = "approved";
  return ctx.tx([&](db::Tx& tx) {
    return Response::json(json::page_of_rows(repo::list_merchants(tx, ctx.community_id, status, category, page),
                                             page, merchant_json));
  });
}

Response get_merchant(Request const& req, Context& ctx) {
  require_member(ctx);
  std::int64_t mid = req.id("mid");
  return ctx.tx([&](db::Tx& tx) {
    auto m = merchant_or_404(tx, ctx.community_id, mid);
    bool visible = m.status == "approved" || ctx.is_manager() || m.owner_id == ctx.principal.account_id;
    if (!visible) throw NotFound("merchant");
    return Response::json(merchant_json(m));
  });
}

// ---- products and stock

Response create_product(Request const& req, Context& ctx) {
  std::int64_t mid = req.id("mid");
  auto body = req.json();
  repo::Product p;
  p.community_id = ctx.community_id;
  p.merchant_id = mid;
  p.name = json::str(body, "name", 1, 100);
  p.price_cents = price_field(body, "price_cents");
  p.stock = json::integer(body, "stock");
  if (p.stock < 0 || p.stock > logic::kMaxStock)
    throw Invalid("stock", "must be between 0 and " + std::to_string(logic::kMaxStock));
  auto category = json::opt_str(body, "category", 50);
  return ctx.idempotent(req, [&](db::Tx& tx) {
    auto m = merchant_or_404(tx, ctx.community_id, mid);
    require_approved(m);
    p.category = category && !category->empty() ? lower(*category) : m.category;
    p.id = repo::insert_product(tx, p);
    // The opening stock is the first purchase in the ledger.
    if (p.stock > 0)
      repo::insert_movement(tx, ctx.community_id, mid, p.id, p.stock, "purchase", std::nullopt,
                            ctx.principal.account_id);
    return Response::created(product_json(product_or_404(tx, ctx.community_id, mid, p.id)),
                             ctx.path(merchant_suffix(mid) + "/products/" + std::to_string(p.id)));
  });
}

Response list_products(Request const& req, Context& ctx) {
  require_member(ctx);
  std::int64_t mid = req.id("mid");
  auto page = req.page();
  std::string category = category_filter(req);
  return ctx.tx([&](db::Tx& tx) {
    require_approved(merchant_or_404(tx, ctx.community_id, mid));
    bool all = ctx.acts_for(mid);  // the merchant also sees what it took off sale
    return Response::json(
        json::page_of_rows(repo::list_products(tx, ctx.community_id, mid, category, all, page), page, product_json));
  });
}

Response get_product(Request const& req, Context& ctx) {
  require_member(ctx);
  std::int64_t mid = req.id("mid"), pid = req.id("pid");
  return ctx.tx([&](db::Tx& tx) {
    auto found = repo::find_catalogue_product(tx, ctx.community_id, mid, pid);
    if (!found) throw NotFound("merchant");
    require_approved(found->merchant_status);
    if (!found->product || (!found->product->active && !ctx.acts_for(mid))) throw NotFound("product");
    return Response::json(product_json(*found->product));
  });
}

Response update_product(Request const& req, Context& ctx) {
  std::int64_t mid = req.id("mid"), pid = req.id("pid");
  auto body = req.json();
  if (body.contains("stock"))
    throw Invalid("stock", "is changed through POST .../products/{pid}/stock (a stock movement)");
  std::optional<std::string> name;
  if (body.contains("name") && !body.at("name").is_null()) name = json::str(body, "name", 1, 100);
  std::optional<std::int64_t> price;
  if (body.contains("price_cents") && !body.at("price_cents").is_null()) price = price_field(body, "price_cents");
  auto category = json::opt_str(body, "category", 50);
  auto active = json::opt_boolean(body, "active");
  return ctx.tx([&](db::Tx& tx) {
    auto p = product_or_404(tx, ctx.community_id, mid, pid);
    if (name) p.name = *name;
    if (price) p.price_cents = *price;
    if (category && !category->empty()) p.category = lower(*category);
    if (active) p.active = *active;
    repo::update_product(tx, p);
    return Response::json(product_json(product_or_404(tx, ctx.community_id, mid, pid)));
  });
}

Response move_stock(Request const& req, Context& ctx) {
  std::int64_t mid = req.id("mid"), pid = req.id("pid");
  auto body = req.json();
  std::int64_t delta = json::integer(body, "delta");
  std::string reason_text = json::str(body, "reason", 1, 16);
  auto reason = logic::parse_stock_reason(reason_text);
  if (auto why = logic::manual_movement_problem(reason, delta))
    throw Invalid(!reason || *reason == logic::StockReason::Sale || *reason == logic::StockReason::Cancel ? "reason"
                                                                                                         : "delta",
                  *why);
  return ctx.idempotent(req, [&](db::Tx& tx) {
    auto p = product_or_404(tx, ctx.community_id, mid, pid);
    if (!repo::change_stock(tx, ctx.community_id, pid, delta))
      throw Conflict("insufficient-stock", "stock cannot go below zero (it is " + std::to_string(p.stock) + ")");
    std::int64_t id = repo::insert_movement(tx, ctx.community_id, mid, pid, delta, reason_text, std::nullopt,
                                            ctx.principal.account_id);
    json::Page just_this{1, id + 1};
    auto rows = repo::list_movements(tx, ctx.community_id, pid, just_this);
    bj::object out = movement_json(rows.at(0));
    out["stock"] = repo::stock_of(tx, pid);
    return Response::created(out,
                             ctx.path(merchant_suffix(mid) + "/products/" + std::to_string(pid) + "/stock-movements"));
  });
}

Response list_stock_movements(Request const& req, Context& ctx) {
  std::int64_t mid = req.id("mid"), pid = req.id("pid");
  auto page = req.page();
  return ctx.tx([&](db::Tx& tx) {
    auto p = product_or_404(tx, ctx.community_id, mid, pid);
    auto out = json::page_of_rows(repo::list_movements(tx, ctx.community_id, pid, page), page, movement_json);
    out["product_id"] = pid;
    out["stock"] = p.stock;
    out["movements_total"] = repo::movement_sum(tx, ctx.community_id, pid);
    return Response::json(out);
  });
}

// ---- coupons

Response create_coupon(Request const& req, Context& ctx) {
  std::int64_t mid = req.id("mid");
  auto body = req.json();
  repo::Coupon c;
  c.community_id = ctx.community_id;
  c.merchant_id = mid;
  auto code = logic::normalize_coupon_code(json::str(body, "code", 1, 64));
  if (!code) throw Invalid("code", "must be 3-32 letters, digits, '-' or '_'");
  c.code = *code;
  c.percent_off = json::opt_integer(body, "percent_off");
  c.amount_off_cents = json::opt_integer(body, "amount_off_cents");
  c.min_spend_cents = json::opt_integer(body, "min_spend_cents").value_or(0);
  c.max_redemptions = json::integer(body, "max_redemptions");
  c.expires_at = json::time_ms(body, "expires_at");
  if (auto problem = logic::coupon_definition_problem(coupon_terms(c), db::now_ms()))
    throw Invalid(problem->first, problem->second);
  return ctx.tx([&](db::Tx& tx) {
    require_approved(merchant_or_404(tx, ctx.community_id, mid));
    if (repo::find_coupon(tx, ctx.community_id, mid, c.code))
      throw Conflict("coupon-exists", "this merchant already has a coupon " + c.code);
    try {
      c.id = repo::insert_coupon(tx, c);
    } catch (std::exception const& e) {
      if (db::is_unique_violation(e)) throw Conflict("coupon-exists", "this merchant already has a coupon " + c.code);
      throw;
    }
    return Response::created(coupon_json(*repo::find_coupon(tx, ctx.community_id, mid, c.code)),
                             ctx.path(merchant_suffix(mid) + "/coupons"));
  });
}

Response list_coupons(Request const& req, Context& ctx) {
  std::int64_t mid = req.id("mid");
  auto page = req.page();
  return ctx.tx([&](db::Tx& tx) {
    merchant_or_404(tx, ctx.community_id, mid);
    return Response::json(json::page_of_rows(repo::list_coupons(tx, ctx.community_id, mid, page), page, coupon_json));
  });
}

// ---- reviews and figures

Response list_reviews(Request const& req, Context& ctx) {
  require_member(ctx);
  std::int64_t mid = req.id("mid");
  auto page = req.page();
  return ctx.tx([&](db::Tx& tx) {
    auto m = merchant_or_404(tx, ctx.community_id, mid);
    auto out = json::page_of_rows(repo::list_reviews(tx, ctx.community_id, mid, page), page, review_json);
    out["rating"] = rating_json(m.rating_sum, m.rating_count);
    return Response::json(out);
  });
}

// The facts the figures are computed from: each order and each of its lines.
logic::Figures figures_of(std::vector<repo::Order> const& orders_in_range) {
  std::vector<logic::OrderFact> orders;
  std::vector<logic::ItemFact> items;
  for (auto const& o : orders_in_range) {
    auto status = logic::parse_order_status(o.status).value_or(logic::OrderStatus::Placed);
    std::int64_t units = 0;
    for (auto const& i : o.items) {
      units += i.quantity;
      items.push_back({i.category, i.quantity, i.line_cents, status});
    }
    orders.push_back({o.id, o.buyer_id, o.created_at, status, o.total_cents, units});
  }
  return logic::figures(orders, items);
}

Response merchant_figures(Request const& req, Context& ctx) {
  std::int64_t mid = req.id("mid");
  std::int64_t today = *logic::parse_date(logic::utc_date(db::now_ms()));
  std::int64_t to = figures_bound(req, "to", true).value_or(today + logic::kDayMs);
  std::int64_t from = figures_bound(req, "from", false).value_or(to - 30 * logic::kDayMs);
  if (from >= to) throw Invalid("from", "must be before to");
  if (to - from > 366 * logic::kDayMs) throw Invalid("from", "the range may span at most 366 days");
  return ctx.tx([&](db::Tx& tx) {
    merchant_or_404(tx, ctx.community_id, mid);
    auto f = figures_of(repo::orders_between(tx, ctx.community_id, mid, from, to));
    return Response::json(figures_json(mid, from, to, f));
  });
}

}  // namespace

void add_merchant_routes(http::Router& r) {
  r.post("/v1/communities/{cid}/merchants", Access::member(), apply_as_merchant);
  r.post("/v1/communities/{cid}/merchants/{mid}/approve", Access::manager(), approve_merchant);
  r.get("/v1/communities/{cid}/merchants", Access::member(), list_merchants);
  // The public catalogue: every member, merchants of other shops included (catalogue_read).
  r.get("/v1/communities/{cid}/merchants/{mid}", catalogue_read(), get_merchant);

  r.post("/v1/communities/{cid}/merchants/{mid}/products", Access::merchant("products:write"), create_product);
  r.get("/v1/communities/{cid}/merchants/{mid}/products", catalogue_read("products:read"), list_products);
  r.get("/v1/communities/{cid}/merchants/{mid}/products/{pid}", catalogue_read("products:read"), get_product);
  r.patch("/v1/communities/{cid}/merchants/{mid}/products/{pid}", Access::merchant("products:write"),
          update_product);
  r.post("/v1/communities/{cid}/merchants/{mid}/products/{pid}/stock", Access::merchant("products:write"),
         move_stock);
  r.get("/v1/communities/{cid}/merchants/{mid}/products/{pid}/stock-movements", Access::merchant("products:read"),
        list_stock_movements);

  r.post("/v1/communities/{cid}/merchants/{mid}/coupons", Access::merchant("coupons:write"), create_coupon);
  r.get("/v1/communities/{cid}/merchants/{mid}/coupons", Access::merchant("coupons:read"), list_coupons);

  r.get("/v1/communities/{cid}/merchants/{mid}/reviews", catalogue_read("reviews:read"), list_reviews);
  r.get("/v1/communities/{cid}/merchants/{mid}/figures", Access::merchant("figures:read"), merchant_figures);
}

}  // namespace courtyard::shops
