// Reading recommendations: every list comes from the maintained tables (a few indexed
// reads, each bounded by what is shown plus what the caller bought), then the candidates
// still for sale are looked up in shops, normally in one statement for all the lists.
#include "services/identity/api.hpp"
#include "services/members/api.hpp"
#include "services/recommendations/routes.hpp"

#include <algorithm>
#include <map>
#include <optional>
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
  return logic::rank(repo::partners(tx, cid, seeds, logic::kMinBuyers, per_seed));
}

// Each list's first `limit` candidates (ranked, without what is excluded) that are still
// for sale. One shops look-up serves every list: it reads a window of each list's next
// candidates, and only a list left short (its top products withdrawn) widens the window for
// another round. Nothing past what a list needs is read.
std::vector<bj::array> for_sale(db::Tx& tx, std::int64_t cid, std::vector<std::vector<std::int64_t>> const& lists,
                                std::set<std::int64_t> const& exclude, std::size_t limit) {
  std::vector<std::vector<std::int64_t>> ranked;
  for (auto const& l : lists) ranked.push_back(logic::pick(l, exclude, l.size()));
  std::vector<std::vector<shops::ProductSummary>> shown(ranked.size());
  std::vector<std::size_t> next(ranked.size(), 0);
  std::map<std::int64_t, std::optional<shops::ProductSummary>> known;
  auto wanting = [&](std::size_t i) { return shown[i].size() < limit && next[i] < ranked[i].size(); };
  for (std::size_t window = logic::first_window(limit);; window = logic::next_window(window)) {
    std::vector<std::int64_t> ask;
    std::set<std::int64_t> asked;
    for (std::size_t i = 0; i < ranked.size(); ++i) {
      if (!wanting(i)) continue;
      std::size_t end = std::min(ranked[i].size(), next[i] + window);
      for (std::size_t j = next[i]; j < end; ++j)
        if (!known.count(ranked[i][j]) && asked.insert(ranked[i][j]).second) ask.push_back(ranked[i][j]);
    }
    for (auto id : ask) known[id] = std::nullopt;
    for (auto& p : shops::products_for_sale(tx, cid, ask)) known[p.id] = std::move(p);
    bool short_list = false;
    for (std::size_t i = 0; i < ranked.size(); ++i) {
      std::size_t end = std::min(ranked[i].size(), next[i] + window);
      while (shown[i].size() < limit && next[i] < end)
        if (auto const& p = known[ranked[i][next[i]++]]) shown[i].push_back(*p);
      short_list = short_list || wanting(i);
    }
    if (!short_list) break;
  }
  std::vector<bj::array> out;
  for (auto const& s : shown) out.push_back(products_json(s));
  return out;
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
  // Seven statements whatever the community's size: consent, the caller's products, every
  // seed's partners, the building, its top products, the new products of the caller's shops
  // (those are for sale by construction), and one "still for sale?" look-up.
  return ctx.tx([&](db::Tx& tx) {
    bool personal = members::consents_to(tx, me, members::logic::Purpose::Recommendations);
    std::set<std::int64_t> mine;
    std::vector<std::int64_t> also_ranked;
    bj::array fresh;
    if (personal) {
      std::vector<std::pair<std::int64_t, std::int64_t>> bought;
      std::set<std::int64_t> merchants;
      for (auto const& o : repo::owned(tx, cid, me)) {
        bought.emplace_back(o.product_id, o.first_at);
        mine.insert(o.product_id);
        merchants.insert(o.merchant_id);
      }
      also_ranked = also_bought(tx, cid, logic::recent(bought, logic::kSeedProducts),
                                limit * 3 + std::int64_t(mine.size()));
      std::vector<shops::ProductSummary> newest;
      for (auto& p : shops::new_products(tx, cid, {merchants.begin(), merchants.end()},
                                         tx.now_ms() - logic::kNewProductWindowMs, limit * 3 + std::int64_t(mine.size())))
        if (newest.size() < n && !mine.count(p.id)) newest.push_back(std::move(p));
      fresh = products_json(newest);
    }
    std::int64_t building = identity::unit_building(tx, cid, ctx.principal.unit_in(cid));
    std::vector<std::int64_t> popular_ranked;
    if (building > 0)
      popular_ranked =
          repo::popular_in_building(tx, cid, building, logic::kMinBuyers, limit * 3 + std::int64_t(mine.size()));
    auto lists = for_sale(tx, cid, {also_ranked, popular_ranked}, mine, n);
    return Response::json(bj::object{{"community_id", cid},
                                      {"personalised", personal},
                                      {"min_buyers", logic::kMinBuyers},
                                      {"neighbours_also_bought", std::move(lists[0])},
                                      {"popular_in_your_building", std::move(lists[1])},
                                      {"new_from_your_shops", std::move(fresh)}});
  });
}

Response product_recommendations(Request const& req, Context& ctx) {
  std::int64_t pid = req.id("pid");
  std::int64_t limit = limit_of(req);
  std::int64_t cid = ctx.community_id;
  return ctx.tx([&](db::Tx& tx) {
    if (shops::products_for_sale(tx, cid, {pid}).empty()) throw NotFound("product");
    auto lists = for_sale(tx, cid, {also_bought(tx, cid, {pid}, limit * 3)}, {pid}, static_cast<std::size_t>(limit));
    return Response::json(bj::object{{"product_id", pid},
                                     {"min_buyers", logic::kMinBuyers},
                                     {"neighbours_also_bought", std::move(lists[0])}});
  });
}

}  // namespace

void add_recommendation_routes(http::Router& r) {
  r.get("/v1/me/recommendations", Access::authenticated(), my_recommendations);
  r.get("/v1/communities/{cid}/products/{pid}/recommendations", Access::member(), product_recommendations);
}

}  // namespace courtyard::recommendations
