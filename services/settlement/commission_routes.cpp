// The manager's commission rates: a percentage (in basis points) per merchant category,
// 0 for a category without one.
#include "services/settlement/routes.hpp"

namespace courtyard::settlement {

namespace {

bj::object rate_json(repo::Rate const& r) {
  return bj::object{{"category", r.category}, {"rate_bp", r.rate_bp}, {"updated_at", json::rfc3339(r.updated_at)}};
}

Response list_rates(Request const&, Context& ctx) {
  return ctx.tx([&](db::Tx& tx) {
    bj::array items;
    for (auto const& r : repo::rates(tx, ctx.community_id)) items.push_back(rate_json(r));
    return Response::json(bj::object{{"items", std::move(items)}, {"default_rate_bp", 0}});
  });
}

Response put_rate(Request const& req, Context& ctx) {
  std::string category(req.param("category"));
  if (category.empty() || category.size() > 50) throw Invalid("category", "must be 1 to 50 characters");
  std::int64_t rate = json::integer(req.json(), "rate_bp");
  if (auto why = logic::rate_problem(rate)) throw Invalid("rate_bp", *why);
  return ctx.tx([&](db::Tx& tx) {
    repo::set_rate(tx, ctx.community_id, category, rate, ctx.principal.account_id);
    return Response::json(rate_json({category, rate, tx.now_ms()}));
  });
}

}  // namespace

void add_commission_routes(http::Router& r) {
  r.get("/v1/communities/{cid}/commission-rates",
        Access::any_of(Role::Manager | Role::Merchant).with_scope("statements"), list_rates);
  r.put("/v1/communities/{cid}/commission-rates/{category}", Access::manager(), put_rate);
}

}  // namespace courtyard::settlement
