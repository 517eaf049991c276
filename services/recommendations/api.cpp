// The recommendations functions other services call (api.hpp).
#include "services/recommendations/api.hpp"

#include "services/recommendations/routes.hpp"

namespace courtyard::recommendations {

boost::json::object export_account(db::Tx& tx, std::int64_t account_id) {
  bj::array profiles;
  for (auto cid : repo::profile_communities(tx, account_id)) {
    bj::array products;
    for (auto const& p : repo::profile(tx, cid, account_id))
      products.push_back(
          bj::object{{"product_id", p.product_id}, {"merchant_id", p.merchant_id}, {"building_id", p.building_id}});
    profiles.push_back(bj::object{{"community_id", cid}, {"products", std::move(products)}});
  }
  return bj::object{{"profiles", std::move(profiles)}};
}

boost::json::object erase_account(db::Tx& tx, std::int64_t account_id) {
  std::int64_t dropped = 0;
  for (auto cid : repo::profile_communities(tx, account_id)) {
    repo::lock_profile(tx, cid, account_id);
    drop_profile(tx, cid, account_id);
    ++dropped;
  }
  return bj::object{{"profiles", dropped}};
}

}  // namespace courtyard::recommendations
