#include "services/recommendations/service.hpp"

namespace courtyard::recommendations {

// The maintained read model (ARCHITECTURE.md "Recommendations"). Everything here is derived
// from completed orders of residents who consent to recommendations and can be dropped and
// rebuilt; every row carries community_id and every read filters on it.
//   rec_orders            each completed order once (the exactly-once claim)
//   rec_profiles          one row per (community, buyer): the lock that serialises a buyer's
//                         evidence being added (an order) and removed (an opt-out)
//   rec_buyer_products    a buyer's distinct products (with merchant and building)
//   rec_pairs             co-occurrence: distinct buyers of both product and other_id
//   rec_building_products distinct buyers of a product per building
std::vector<db::Migration> RecommendationsService::migrations() const {
  return {
      {40, "recommendation read model: orders seen, buyer profiles, co-occurrence pairs, building popularity",
       R"SQL(
CREATE TABLE rec_orders (
  order_id BIGINT NOT NULL PRIMARY KEY,
  community_id BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  counted INT NOT NULL,
  created_at BIGINT NOT NULL
){engine};
CREATE TABLE rec_profiles (
  community_id BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (community_id, account_id)
){engine};
CREATE INDEX rec_profiles_account ON rec_profiles (account_id);
CREATE TABLE rec_buyer_products (
  community_id BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  product_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  building_id BIGINT NOT NULL,
  first_at BIGINT NOT NULL,
  PRIMARY KEY (community_id, account_id, product_id)
){engine};
CREATE INDEX rec_buyer_products_recent ON rec_buyer_products (community_id, account_id, first_at);
CREATE TABLE rec_pairs (
  community_id BIGINT NOT NULL,
  product_id BIGINT NOT NULL,
  other_id BIGINT NOT NULL,
  buyers BIGINT NOT NULL,
  PRIMARY KEY (community_id, product_id, other_id)
){engine};
CREATE INDEX rec_pairs_top ON rec_pairs (community_id, product_id, buyers, other_id);
CREATE TABLE rec_building_products (
  community_id BIGINT NOT NULL,
  building_id BIGINT NOT NULL,
  product_id BIGINT NOT NULL,
  buyers BIGINT NOT NULL,
  PRIMARY KEY (community_id, building_id, product_id)
){engine};
CREATE INDEX rec_building_top ON rec_building_products (community_id, building_id, buyers, product_id);
)SQL"},
  };
}

}  // namespace courtyard::recommendations
