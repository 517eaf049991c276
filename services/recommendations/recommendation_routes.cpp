// Reading recommendations: every list comes from the maintained tables (a few indexed
// reads), then the products still for sale are looked up in shops in one statement.
#include "services/identity/api.hpp"
#include "services/members/api.hpp"
#include "services/recommendations/routes.hpp"

#include <set>

namespace courtyard::recommendations {

namespace {

std::int64_t limit_of(Request const& req) {
  auto limit = req.query_int("limit", logic::kDefaultLimit);
  if (limit < 1 || limit > logic::kMaxLimit)
    throw Invalid("limit", "must be between 1 and " + std::to_string(logic::kMaxLimit));
  return limit;
}

// "Neighbours also bought" for these seeds: each seed's strongest partners, merged.
std::vector<std::int64_t> also_bought(db::Tx& tx, std::int64_t cid, std::vector<std::int64_t> const& seeds,
                                      std::int64_t per_seed) {
  std::vector<std::vector<std::pair<std::int64_t, std::int64_t>>> lists;
  for (auto seed : seeds) lists.push_back(repo::partners(tx, cid, seed, logic::kMinBuyers, per_seed));
  return logic::rank(lists);
}

// Candidates come in ranked; products no longer for sale drop out after the look-up, so a
// few more are read than shown.
std::vector<shops::ProductSummary> for_sale(db::Tx& tx, std::int64_t cid, std::vector<std::int64_t> const& ranked,
                                            std::set<std::int64_t> const& exclude, std::size_t limit) {
  auto ids = logic::pick(ranked, exclude, ranked.size());
  auto products = shops::products_for_sale(tx, cid, ids);
  if (products.size() > limit) products.resize(limit);
  return products;
}

Response my_recommendations(Request const& req, Context& ctx) {
  auto raw = req.query_param("community_id");
  if (!raw) throw Invalid("community_id", "is required");
  auto cid = req.query_int("community_id", 0);
  if (cid <= 0) throw Invalid("community_id", "must be a positive id");
  std::int64_t limit = limit_of(req);
  if (!ctx.principal.in_community(cid)) throw NotFound("community");
  if (!ctx.principal.has(Role::Resident, cid)) throw Forbidden("recommendations are for the community's residents");
  std::int64_t me = ctx.principal.account_id;
  std::size_t n = static_cast<std::size_t>(limit);
  return ctx.tx([&](db::Tx& tx) {
    bool personal = members::consents_to(tx, me, members::logic::Purpose::Recommendations);
    std::set<std::int64_t> mine;
    bj::array also, fresh;
    if (personal) {
      auto recent = repo::recent_products(tx, cid, me, logic::kSeedProducts);
      mine = repo::profile_products(tx, cid, me);
      auto ranked = also_bought(tx, cid, recent, limit * 3 + std::int64_t(mine.size()));
      also = products_json(for_sale(tx, cid, ranked, mine, n));
      std::vector<std::int64_t> newest;
      for (auto const& p : shops::new_products(tx, cid, repo::merchants_of(tx, cid, me),
                                               tx.now_ms() - logic::kNewProductWindowMs, limit * 3))
        newest.push_back(p.id);
      fresh = products_json(for_sale(tx, cid, newest, mine, n));
    }
    std::int64_t building = identity::unit_building(tx, cid, ctx.principal.unit_in(cid));
    bj::array popular;
    if (building > 0) {
      auto ranked = repo::popular_in_building(tx, cid, building, logic::kMinBuyers, limit * 3 + std::int64_t(mine.size()));
      popular = products_json(for_sale(tx, cid, ranked, mine, n));
    }
    return Response::json(bj::object{{"community_id", cid},
                                      {"personalised", personal},
                                      {"min_buyers", logic::kMinBuyers},
                                      {"neighbours_also_bought", std::move(also)},
                                      {"popular_in_your_building", std::move(popular)},
                                      {"new_from_your_shops", std::move(fresh)}});
  });
}

Response product_recommendations(Request const& req, Context& ctx) {
  std::int64_t pid = req.id("pid");
  std::int64_t limit = limit_of(req);
  std::int64_t cid = ctx.community_id;
  return ctx.tx([&](db::Tx& tx) {
    if (shops::products_for_sale(tx, cid, {pid}).empty()) throw NotFound("product");
    auto ranked = also_bought(tx, cid, {pid}, limit * 3);
    auto products = for_sale(tx, cid, ranked, {pid}, static_cast<std::size_t>(limit));
    return Response::json(bj::object{{"product_id", pid},
                                     {"min_buyers", logic::kMinBuyers},
                                     {"neighbours_also_bought", products_json(products)}});
  });
}

}  // namespace

void add_recommendation_routes(http::Router& r) {
  r.get("/v1/me/recommendations", Access::authenticated(), my_recommendations);
  r.get("/v1/communities/{cid}/products/{pid}/recommendations", Access::member(), product_recommendations);
}

}  // namespace courtyard::recommendations
