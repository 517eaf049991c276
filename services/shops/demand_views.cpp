// JSON shapes of search hits, wishes and demand figures.
#include "services/shops/demand.hpp"
#include "services/shops/routes.hpp"

namespace courtyard::shops {

bj::object hit_json(repo::Hit const& h) {
  auto out = product_json(h.product);
  out["merchant_name"] = h.merchant_name;
  out["score"] = h.score;
  out["matched_tokens"] = h.matched;
  return out;
}

bj::object wish_json(repo::Wish const& w, std::int64_t viewer) {
  return bj::object{{"id", w.id},
                    {"community_id", w.community_id},
                    {"title", w.title},
                    {"category", w.category},
                    {"details", w.details ? bj::value(*w.details) : bj::value(nullptr)},
                    {"status", w.status},
                    {"joiners", w.joiners},
                    {"joined", w.joined},
                    {"mine", w.author_id == viewer},
                    {"merchant_id", w.merchant_id ? bj::value(*w.merchant_id) : bj::value(nullptr)},
                    {"group_buy_id", w.group_buy_id ? bj::value(*w.group_buy_id) : bj::value(nullptr)},
                    {"answered_at", json::time_or_null(w.answered_at)},
                    {"created_at", json::rfc3339(w.created_at)}};
}

bj::value shown_json(search::Shown const& s) {
  if (auto const* n = std::get_if<std::int64_t>(&s)) return *n;
  return bj::value(std::get<std::string>(s));
}

}  // namespace courtyard::shops
