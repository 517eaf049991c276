// Merchants (applying from inside or outside the community, the manager's decisions, the
// community's merchant settings), the catalogue and its stock ledger, coupons, reviews (list) and figures.
#include "db/database.hpp"
#include "services/identity/api.hpp"
#include "services/shops/demand.hpp"
#include "services/shops/onboarding.hpp"
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

// ---- merchants: applying, the manager's decisions, the community's setting

// merchant.* payload (EVENTS.md).
bj::object merchant_event(repo::Merchant const& m) {
  return bj::object{{"community_id", m.community_id}, {"merchant_id", m.id},   {"owner_id", m.owner_id},
                    {"name", m.name},                 {"category", m.category}, {"status", m.status}};
}

// Whether the caller may apply in {cid}: a member always; an account from outside only when
// the community takes outside applications. Anything else answers 404 community, as for a
// community that does not exist, so an outsider learns nothing about closed communities.
void require_may_apply(db::Tx& tx, Context const& ctx) {
  bool member = ctx.principal.in_community(ctx.community_id);
  if (member) return;
  bool open = identity::community_exists(tx, ctx.community_id) &&
              repo::applications_open(tx, ctx.community_id).value_or(false);
  if (!open) throw NotFound("community");
}

Response apply_as_merchant(Request const& req, Context& ctx) {
  auto body = req.json();
  onboarding::FieldProblems problems;
  std::vector<std::string> wrong_types;
  auto a = onboarding::read_application(body, problems, wrong_types);
  if (!wrong_types.empty()) throw BadRequest(wrong_types.front());
  return ctx.tx([&](db::Tx& tx) {
    require_may_apply(tx, ctx);
    auto found = problems;
    for (std::size_t i = 0; i < a.service_buildings.size(); ++i)
      if (!identity::building_in_community(tx, ctx.community_id, a.service_buildings[i]))
        found.emplace_back("service_area.building_ids", "building " + std::to_string(a.service_buildings[i]) +
                                                               " is not a building of this community");
    if (!found.empty()) {
      std::vector<FieldError> errors;
      for (auto& [field, why] : found) errors.push_back({field, why});
      throw Invalid(std::move(errors));
    }
    repo::Merchant m;
    m.community_id = ctx.community_id;
    m.owner_id = ctx.principal.account_id;
    m.name = a.name;
    m.category = a.category;
    m.description = a.description;
    m.contact_email = a.contact_email;
    m.contact_phone = a.contact_phone;
    m.opening_hours = a.opening_hours;
    if (!a.service_buildings.empty()) {
      bj::array ids;
      for (auto b : a.service_buildings) ids.emplace_back(b);
      m.service_area = bj::serialize(ids);
    }
    m.fulfilment = onboarding::fulfilment_text(a.pickup, a.delivery);
    std::int64_t mid = 0;
    try {
      mid = repo::insert_merchant(tx, m);
    } catch (std::exception const& e) {
      if (!db::is_unique_violation(e)) throw;
      throw Conflict("application-pending",
                     "you already have a pending merchant application in this community; wait for its decision");
    }
    auto created = merchant_or_404(tx, ctx.community_id, mid);
    tx.publish("merchant.applied", ctx.community_id, merchant_event(created));
    return Response::created(merchant_application_json(created), ctx.path(merchant_suffix(mid)));
  });
}

// A manager's decision on an application or a merchant (onboarding.hpp: the states).
Response decide(Request const& req, Context& ctx, onboarding::Decision d) {
  using onboarding::Decision;
  std::int64_t mid = req.id("mid");
  std::optional<std::string> reason;
  if (d == Decision::Reject || d == Decision::Suspend) {
    auto body = req.json();
    reason = json::str(body, "reason", 1, onboarding::kMaxReasonChars);
  }
  std::string from(onboarding::to_string(onboarding::decision_from(d)));
  std::string to(onboarding::to_string(onboarding::decision_to(d)));
  return ctx.tx([&](db::Tx& tx) {
    auto m = merchant_or_404(tx, ctx.community_id, mid);
    bool changed = d == Decision::Approve
                       ? repo::approve_merchant(tx, ctx.community_id, mid, ctx.principal.account_id)
                       : repo::decide_merchant(tx, ctx.community_id, mid, from, to, reason, ctx.principal.account_id);
    if (!changed)
      throw Conflict("merchant-not-" + from, "only a " + from + " merchant can be " +
                                                 std::string(onboarding::to_string(d)) + "d (status is " + m.status +
                                                 ")");
    // The applicant becomes the merchant's owner (identity's role; a suspension keeps it, so
    // the orders already placed can still be fulfilled and refunded).
    if (d == Decision::Approve) identity::grant_role(tx, m.owner_id, ctx.community_id, Role::Merchant, 0, mid);
    auto after = merchant_or_404(tx, ctx.community_id, mid);
    auto payload = merchant_event(after);
    payload["decided_by"] = ctx.principal.account_id;
    payload["reason"] = reason ? bj::value(*reason) : bj::value(nullptr);
    tx.publish(onboarding::decision_topic(d), ctx.community_id, payload);
    return Response::json(merchant_application_json(after));
  });
}

Response approve_merchant(Request const& req, Context& ctx) { return decide(req, ctx, onboarding::Decision::Approve); }
Response reject_merchant(Request const& req, Context& ctx) { return decide(req, ctx, onboarding::Decision::Reject); }
Response suspend_merchant(Request const& req, Context& ctx) { return decide(req, ctx, onboarding::Decision::Suspend); }
Response reinstate_merchant(Request const& req, Context& ctx) {
  return decide(req, ctx, onboarding::Decision::Reinstate);
}

Response list_merchants(Request const& req, Context& ctx) {
  auto page = req.page();
  std::string status = query_filter(req, "status", {"pending", "approved", "rejected", "suspended"});
  std::string category = category_filter(req);
  // Residents browse the approved shops (never a suspended one); managers also review the
  // applications and see every state.
  bool manager = ctx.is_manager();
  if (!manager) status = "approved";
  return ctx.tx([&](db::Tx& tx) {
    return Response::json(json::page_of_rows(repo::list_merchants(tx, ctx.community_id, status, category, page), page,
                                             manager ? merchant_application_json : merchant_json));
  });
}

Response get_merchant(Request const& req, Context& ctx) {
  std::int64_t mid = req.id("mid");
  return ctx.tx([&](db::Tx& tx) {
    auto m = repo::find_merchant(tx, ctx.community_id, mid);
    // The applicant follows its own application before it is a member of the community.
    bool applicant = m && ctx.principal.kind == Principal::Kind::Session && m->owner_id == ctx.principal.account_id;
    if (!applicant) require_member(ctx);
    if (!m) throw NotFound("merchant");
    bool insider = applicant || ctx.is_manager() || ctx.acts_for(mid);
    if (m->status != "approved" && !insider) throw NotFound("merchant");
    return Response::json(insider ? merchant_application_json(*m) : merchant_json(*m));
  });
}

// The caller's own applications and merchants, in every community, with the decisions' reasons.
Response my_merchant_applications(Request const& req, Context& ctx) {
  auto page = req.page();
  return ctx.tx([&](db::Tx& tx) {
    return Response::json(json::page_of_rows(repo::merchants_of_owner(tx, ctx.principal.account_id, page), page,
                                             merchant_application_json));
  });
}

bj::object merchant_settings_json(std::int64_t cid, bool open) {
  return bj::object{{"community_id", cid}, {"merchant_applications_open", open}};
}

Response get_merchant_settings(Request const&, Context& ctx) {
  return ctx.tx([&](db::Tx& tx) {
    return Response::json(merchant_settings_json(ctx.community_id, repo::applications_open(tx, ctx.community_id).value_or(false)));
  });
}

Response put_merchant_settings(Request const& req, Context& ctx) {
  auto body = req.json();
  bool open = json::boolean(body, "merchant_applications_open");
  return ctx.tx([&](db::Tx& tx) {
    if (!identity::community_exists(tx, ctx.community_id)) throw NotFound("community");
    repo::set_applications_open(tx, ctx.community_id, open, ctx.principal.account_id);
    return Response::json(merchant_settings_json(ctx.community_id, open));
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
    index_product(tx, p);
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
  bool all = ctx.acts_for(mid);  // the merchant also sees what it took off sale
  return ctx.tx([&](db::Tx& tx) {
    auto found = repo::list_catalogue_products(tx, ctx.community_id, mid, category, all, page);
    if (!found) throw NotFound("merchant");
    require_approved(found->merchant_status);
    return Response::json_text(
        json::page_text(found->products, page, [](auto& out, repo::Product const& p) { product_fields(out, p); }));
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
    return Response::json_text(json::text([&](auto& out) { product_fields(out, *found->product); }));
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
    index_product(tx, p);
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
    auto rows = repo::list_reviews(tx, ctx.community_id, mid, page);
    std::vector<std::int64_t> authors;
    for (auto const& r : rows) authors.push_back(r.buyer_id);
    auto residents = identity::residencies(tx, ctx.community_id, authors);
    auto out = json::page_of_rows(rows, page, [&](repo::Review const& r) {
      auto it = residents.find(r.buyer_id);
      auto badge = badge_json(it == residents.end() ? std::nullopt : std::optional(it->second), tx.now_ms());
      return review_json(r, std::move(badge), r.buyer_id == ctx.principal.account_id);
    });
    out["rating"] = rating_json(m);
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
  // Any signed-in account may apply: a member always, an outsider where the community takes
  // outside applications (require_may_apply). API keys may not (no scope).
  r.post("/v1/communities/{cid}/merchants", Access::authenticated(), apply_as_merchant);
  r.get("/v1/me/merchant-applications", Access::authenticated(), my_merchant_applications);
  r.get("/v1/communities/{cid}/merchant-settings", Access::manager(), get_merchant_settings);
  r.put("/v1/communities/{cid}/merchant-settings", Access::manager(), put_merchant_settings);
  r.post("/v1/communities/{cid}/merchants/{mid}/approve", Access::manager(), approve_merchant);
  r.post("/v1/communities/{cid}/merchants/{mid}/reject", Access::manager(), reject_merchant);
  r.post("/v1/communities/{cid}/merchants/{mid}/suspend", Access::manager(), suspend_merchant);
  r.post("/v1/communities/{cid}/merchants/{mid}/reinstate", Access::manager(), reinstate_merchant);
  r.get("/v1/communities/{cid}/merchants", Access::member(), list_merchants);
  // The public catalogue: every member, merchants of other shops included (catalogue_read).
  // The applicant (not yet a member) reads its own application here too (get_merchant).
  r.get("/v1/communities/{cid}/merchants/{mid}", catalogue_read("products:read"), get_merchant);

  r.post("/v1/communities/{cid}/merchants/{mid}/products", Access::merchant("products:write"), create_product);
  r.get("/v1/communities/{cid}/merchants/{mid}/products", catalogue_read("products:read"), list_products);
  r.get("/v1/communities/{cid}/merchants/{mid}/products/{pid}", catalogue_read("products:read"), get_product);
  r.patch("/v1/communities/{cid}/merchants/{mid}/products/{pid}", Access::merchant("products:write"),
          update_product);
  r.post("/v1/communities/{cid}/merchants/{mid}/products/{pid}/stock", Access::merchant("stock:write"), move_stock);
  r.get("/v1/communities/{cid}/merchants/{mid}/products/{pid}/stock-movements", Access::merchant("stock:read"),
        list_stock_movements);

  r.post("/v1/communities/{cid}/merchants/{mid}/coupons", Access::merchant("coupons:write"), create_coupon);
  r.get("/v1/communities/{cid}/merchants/{mid}/coupons", Access::merchant("coupons:read"), list_coupons);

  r.get("/v1/communities/{cid}/merchants/{mid}/reviews", catalogue_read("reviews:read"), list_reviews);
  r.get("/v1/communities/{cid}/merchants/{mid}/figures", Access::merchant("figures:read"), merchant_figures);
}

}  // namespace courtyard::shops
