// The JSON shapes of recommendations: products only, never who bought them or how many.
#include "services/recommendations/routes.hpp"

namespace courtyard::recommendations {

bj::object product_json(shops::ProductSummary const& p) {
  return bj::object{{"product_id", p.id},
                    {"merchant_id", p.merchant_id},
                    {"name", p.name},
                    {"category", p.category},
                    {"price_cents", p.price_cents}};
}

bj::array products_json(std::vector<shops::ProductSummary> const& products) {
  bj::array out;
  for (auto const& p : products) out.push_back(product_json(p));
  return out;
}

}  // namespace courtyard::recommendations
