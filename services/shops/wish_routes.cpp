// C2B wishes: demand first, then supply. A resident posts a wish ("organic eggs, weekly"),
// neighbours join it (one per resident), merchants of its category see it with its count
// (never who joined) and answer with an offer that becomes a group buy; the joiners are
// told through wish.answered (notifications).
#include "db/database.hpp"
#include "services/shops/demand.hpp"
#include "services/shops/routes.hpp"

#include <algorithm>
#include <cctype>

namespace courtyard::shops {

namespace {

constexpr std::size_t kMaxWishTitle = 200;
constexpr std::size_t kMaxWishDetails = 2000;
constexpr std::size_t kMaxCategory = 50;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string wish_suffix(std::int64_t id) { return "/wishes/" + std::to_string(id); }

bool merchant_only(Context const& ctx) {
  auto const& p = ctx.principal;
  return !p.admin && !ctx.is_manager() && !p.has(Role::Resident, ctx.community_id);
}

// The categories a merchant-only caller sees wishes of: its merchants' categories and those
// of their products. Residents and managers see every wish (an empty list).
std::vector<std::string> visible_categories(db::Tx& tx, Context const& ctx) {
  std::vector<std::string> out;
  for (auto const& m : ctx.principal.memberships)
    if (m.community_id == ctx.community_id && m.role == Role::Merchant)
      for (auto& c : repo::merchant_categories(tx, ctx.community_id, m.merchant_id)) out.push_back(std::move(c));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (out.empty()) out.push_back("");  // a merchant with no category sees nothing
  return out;
}

repo::Wish wish_or_404(db::Tx& tx, Context const& ctx, std::int64_t id) {
  auto w = repo::find_wish(tx, ctx.community_id, id, ctx.principal.account_id);
  if (!w) throw NotFound("wish");
  if (merchant_only(ctx)) {
    auto cats = visible_categories(tx, ctx);
    if (std::find(cats.begin(), cats.end(), w->category) == cats.end()) throw NotFound("wish");
  }
  return *w;
}

bj::object wish_event(repo::Wish const& w) {
  return bj::object{{"community_id", w.community_id}, {"wish_id", w.id},       {"title", w.title},
                    {"category", w.category},         {"joiners", w.joiners}, {"status", w.status}};
}

Response create_wish(Request const& req, Context& ctx) {
  auto body = req.json();
  repo::Wish w;
  std::vector<FieldError> errors;
  w.community_id = ctx.community_id;
  w.author_id = ctx.principal.account_id;
  w.title = search::normalise(json::str(body, "title", 1, kMaxWishTitle));
  w.category = lower(json::str(body, "category", 1, kMaxCategory));
  w.details = json::opt_str(body, "details", kMaxWishDetails);
  if (search::tokens(w.title).empty()) errors.push_back({"title", "must name something to wish for"});
  if (search::tokens(w.category).empty()) errors.push_back({"category", "must be a category name"});
  if (!errors.empty()) throw Invalid(std::move(errors));
  return ctx.tx([&](db::Tx& tx) {
    w.created_at = tx.now_ms();
    w.id = repo::insert_wish(tx, w);
    // The author is its first joiner.
    repo::insert_joiner(tx, ctx.community_id, w.id, w.author_id, w.created_at);
    repo::count_joiner(tx, ctx.community_id, w.id);
    auto stored = wish_or_404(tx, ctx, w.id);
    tx.publish("wish.created", ctx.community_id, wish_event(stored));
    return Response::created(wish_json(stored, ctx.principal.account_id), ctx.path(wish_suffix(w.id)));
  });
}

Response list_wishes(Request const& req, Context& ctx) {
  auto page = req.page();
  std::string status = query_filter(req, "status", {"open", "answered"});
  std::string category = lower(std::string(req.query_param("category").value_or("")));
  std::optional<std::int64_t> for_merchant;
  if (auto m = req.query_param("merchant_id"); m && !m->empty()) {
    for_merchant = req.query_int("merchant_id", 0);
    if (*for_merchant <= 0) throw Invalid("merchant_id", "must be a merchant id");
  }
  return ctx.tx([&](db::Tx& tx) {
    std::vector<std::string> categories;
    if (merchant_only(ctx)) categories = visible_categories(tx, ctx);
    // A merchant's own view: the wishes in its categories.
    if (for_merchant) {
      if (!ctx.acts_for(*for_merchant)) throw Forbidden("you do not act for this merchant");
      merchant_or_404(tx, ctx.community_id, *for_merchant);
      categories = repo::merchant_categories(tx, ctx.community_id, *for_merchant);
      if (categories.empty()) categories.push_back("");
    }
    if (!category.empty()) {
      if (!categories.empty() && std::find(categories.begin(), categories.end(), category) == categories.end())
        categories = {""};
      else
        categories = {category};
    }
    auto rows = repo::list_wishes(tx, ctx.community_id, categories, status, ctx.principal.account_id, page);
    return Response::json(
        json::page_of_rows(rows, page, [&](repo::Wish const& w) { return wish_json(w, ctx.principal.account_id); }));
  });
}

Response get_wish(Request const& req, Context& ctx) {
  std::int64_t id = req.id("id");
  return ctx.tx([&](db::Tx& tx) { return Response::json(wish_json(wish_or_404(tx, ctx, id), ctx.principal.account_id)); });
}

// One per resident: the unique (wish, account) key decides under concurrency; the count
// moves in the same transaction, only while the wish is open.
Response join_wish(Request const& req, Context& ctx) {
  std::int64_t id = req.id("id");
  return ctx.tx([&](db::Tx& tx) {
    auto w = wish_or_404(tx, ctx, id);
    if (w.joined) throw Conflict("already-joined", "you have joined this wish already");
    if (!repo::count_joiner(tx, ctx.community_id, id))
      throw Conflict("wish-not-open", "this wish has been answered; join its group buy instead");
    try {
      repo::insert_joiner(tx, ctx.community_id, id, ctx.principal.account_id, tx.now_ms());
    } catch (std::exception const& e) {
      if (db::is_unique_violation(e)) throw Conflict("already-joined", "you have joined this wish already");
      throw;
    }
    auto after = wish_or_404(tx, ctx, id);
    tx.publish("wish.joined", ctx.community_id, wish_event(after));
    return Response::created(wish_json(after, ctx.principal.account_id), ctx.path(wish_suffix(id)));
  });
}

// A merchant of the wish's category answers with a group buy of one of its products.
Response answer_wish(Request const& req, Context& ctx) {
  std::int64_t id = req.id("id");
  auto g = read_group_buy(req.json(), ctx);  // the same fields as POST /group-buys
  return ctx.tx([&](db::Tx& tx) {
    auto w = wish_or_404(tx, ctx, id);
    auto p = repo::find_product(tx, ctx.community_id, 0, g.product_id);
    if (!p) throw Invalid("product_id", "is not a product in this community");
    if (!ctx.acts_for(p->merchant_id)) throw Forbidden("you do not act for this product's merchant");
    auto m = merchant_or_404(tx, ctx.community_id, p->merchant_id);
    require_approved(m);
    if (m.category != w.category && p->category != w.category)
      throw Forbidden("only a merchant of the wish's category (" + w.category + ") may answer it");
    if (!p->active) throw Invalid("product_id", "is not for sale");
    if (w.status != "open") throw Conflict("wish-not-open", "this wish has been answered already");
    g.merchant_id = p->merchant_id;
    g.id = repo::insert_group_buy(tx, g);
    if (!repo::answer_wish(tx, ctx.community_id, id, g.merchant_id, g.id, tx.now_ms()))
      throw Conflict("wish-not-open", "this wish has been answered already");
    auto after = wish_or_404(tx, ctx, id);
    auto payload = wish_event(after);
    payload["merchant_id"] = g.merchant_id;
    payload["group_buy_id"] = g.id;
    payload["product_id"] = g.product_id;
    payload["unit_price_cents"] = g.unit_price_cents;
    tx.publish("wish.answered", ctx.community_id, payload);
    auto out = wish_json(after, ctx.principal.account_id);
    out["group_buy"] = group_buy_json(group_buy_or_404(tx, ctx.community_id, g.id));
    return Response::created(out, ctx.path("/group-buys/" + std::to_string(g.id)));
  });
}

}  // namespace

void add_wish_routes(http::Router& r) {
  r.post("/v1/communities/{cid}/wishes", Access::resident(), create_wish);
  r.get("/v1/communities/{cid}/wishes", Access::member(), list_wishes);
  r.get("/v1/communities/{cid}/wishes/{id}", Access::member(), get_wish);
  r.post("/v1/communities/{cid}/wishes/{id}/join", Access::resident(), join_wish);
  r.post("/v1/communities/{cid}/wishes/{id}/answer", Access::merchant("groupbuys:write"), answer_wish);
}

}  // namespace courtyard::shops
