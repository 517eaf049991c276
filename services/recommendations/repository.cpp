#include "services/recommendations/repository.hpp"

#include "db/query.hpp"

namespace courtyard::recommendations::repo {

using soci::use;

namespace {


std::string upsert_plus_one(db::Tx& tx, char const* insert, char const* conflict_keys) {
  if (tx.backend() == db::Backend::MySql) return std::string(insert) + " ON DUPLICATE KEY UPDATE buyers = buyers + 1";
  return std::string(insert) + " ON CONFLICT (" + conflict_keys + ") DO UPDATE SET buyers = buyers + 1";
}

}  // namespace

// ---- maintenance

// Prefixed by the backend's INSERT IGNORE.
constexpr char const* kClaimOrder =
    " INTO rec_orders (order_id, community_id, account_id, counted, created_at) VALUES (:o, :c, :a, :n, :t)";

bool claim_order(db::Tx& tx, std::int64_t order_id, std::int64_t cid, std::int64_t account_id, bool counted) {
  std::int64_t now = tx.now_ms(), n = counted ? 1 : 0;
  return tx.exec(std::string(db::insert_ignore(tx.backend())) + kClaimOrder, use(order_id, "o"), use(cid, "c"),
                 use(account_id, "a"), use(n, "n"), use(now, "t")) == 1;
}

constexpr char const* kOpenProfile = " INTO rec_profiles (community_id, account_id, updated_at) VALUES (:c, :a, :t)";
constexpr char const* kLockProfile = "SELECT updated_at FROM rec_profiles WHERE community_id = :c AND account_id = :a";

void lock_profile(db::Tx& tx, std::int64_t cid, std::int64_t account_id) {
  std::int64_t now = tx.now_ms();
  tx.exec(std::string(db::insert_ignore(tx.backend())) + kOpenProfile, use(cid, "c"), use(account_id, "a"),
          use(now, "t"));
  db::scalar(tx, std::string(kLockProfile) + std::string(db::for_update(tx.backend())), use(cid, "c"),
             use(account_id, "a"));
}

constexpr char const* kProfile =
    "SELECT product_id, merchant_id, building_id FROM rec_buyer_products WHERE community_id = :c AND account_id = :a "
    "ORDER BY product_id";

std::vector<ProfileProduct> profile(db::Tx& tx, std::int64_t cid, std::int64_t account_id) {
  return db::all(
      tx, kProfile,
      db::fields(&ProfileProduct::product_id, &ProfileProduct::merchant_id, &ProfileProduct::building_id),
      use(cid, "c"), use(account_id, "a"));
}

std::set<std::int64_t> profile_products(db::Tx& tx, std::int64_t cid, std::int64_t account_id) {
  std::set<std::int64_t> out;
  for (auto const& p : profile(tx, cid, account_id)) out.insert(p.product_id);
  return out;
}

constexpr char const* kAddProfileProduct =
    "INSERT INTO rec_buyer_products (community_id, account_id, product_id, merchant_id, building_id, first_at) "
    "VALUES (:c, :a, :p, :m, :b, :t)";

void add_profile_product(db::Tx& tx, std::int64_t cid, std::int64_t account_id, ProfileProduct const& p,
                         std::int64_t at) {
  tx.exec(kAddProfileProduct, use(cid, "c"), use(account_id, "a"), use(p.product_id, "p"), use(p.merchant_id, "m"),
          use(p.building_id, "b"), use(at, "t"));
}

constexpr char const* kDeleteProfile = "DELETE FROM rec_buyer_products WHERE community_id = :c AND account_id = :a";

void delete_profile(db::Tx& tx, std::int64_t cid, std::int64_t account_id) {
  tx.exec(kDeleteProfile, use(cid, "c"), use(account_id, "a"));
}

constexpr char const* kProfileCommunities =
    "SELECT community_id FROM rec_profiles WHERE account_id = :a ORDER BY community_id";

std::vector<std::int64_t> profile_communities(db::Tx& tx, std::int64_t account_id) {
  return db::all(tx, kProfileCommunities, db::first_integer, use(account_id, "a"));
}

constexpr char const* kAddPair =
    "INSERT INTO rec_pairs (community_id, product_id, other_id, buyers) VALUES (:c, :p, :o, 1)";

void add_pair(db::Tx& tx, std::int64_t cid, logic::Pair const& p) {
  tx.exec(upsert_plus_one(tx, kAddPair, "community_id, product_id, other_id"), use(cid, "c"), use(p.first, "p"),
          use(p.second, "o"));
}

constexpr char const* kAddBuildingProduct =
    "INSERT INTO rec_building_products (community_id, building_id, product_id, buyers) VALUES (:c, :b, :p, 1)";

void add_building_product(db::Tx& tx, std::int64_t cid, std::int64_t building_id, std::int64_t product_id) {
  tx.exec(upsert_plus_one(tx, kAddBuildingProduct, "community_id, building_id, product_id"), use(cid, "c"),
          use(building_id, "b"), use(product_id, "p"));
}

constexpr char const* kRemovePair =
    "UPDATE rec_pairs SET buyers = buyers - 1 WHERE community_id = :c AND product_id = :p AND other_id = :o "
    "AND buyers > 0";

void remove_pair(db::Tx& tx, std::int64_t cid, logic::Pair const& p) {
  tx.exec(kRemovePair, use(cid, "c"), use(p.first, "p"), use(p.second, "o"));
}

constexpr char const* kRemoveBuildingProduct =
    "UPDATE rec_building_products SET buyers = buyers - 1 WHERE community_id = :c AND building_id = :b "
    "AND product_id = :p AND buyers > 0";

void remove_building_product(db::Tx& tx, std::int64_t cid, std::int64_t building_id, std::int64_t product_id) {
  tx.exec(kRemoveBuildingProduct, use(cid, "c"), use(building_id, "b"), use(product_id, "p"));
}

void prune_empty(db::Tx& tx, std::int64_t cid, std::vector<std::int64_t> const& products) {
  if (products.empty()) return;
  db::Query pairs("DELETE FROM rec_pairs WHERE community_id = ");
  pairs.value(cid).sql(" AND product_id IN (").values(products).sql(") AND buyers <= 0");
  pairs.exec(tx);
  db::Query building("DELETE FROM rec_building_products WHERE community_id = ");
  building.value(cid).sql(" AND product_id IN (").values(products).sql(") AND buyers <= 0");
  building.exec(tx);
}

// ---- reads

constexpr char const* kOwned =
    "SELECT product_id, merchant_id, first_at FROM rec_buyer_products WHERE community_id = :c AND account_id = :a";

std::vector<Owned> owned(db::Tx& tx, std::int64_t cid, std::int64_t account_id) {
  return db::all(
      tx, kOwned,
      db::fields(&Owned::product_id, &Owned::merchant_id, &Owned::first_at),
      use(cid, "c"), use(account_id, "a"));
}

// One sub-select per seed (each its own ORDER BY … LIMIT, which both backends accept only
// inside a derived table), glued with UNION ALL: one round trip for all the seeds.
std::vector<std::vector<std::pair<std::int64_t, std::int64_t>>> partners(db::Tx& tx, std::int64_t cid,
                                                                         std::vector<std::int64_t> const& seeds,
                                                                         std::int64_t min_buyers, std::int64_t limit) {
  std::vector<std::vector<std::pair<std::int64_t, std::int64_t>>> out(seeds.size());
  if (seeds.empty()) return out;
  db::Query q;
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    if (i > 0) q.sql(" UNION ALL ");
    q.sql("SELECT * FROM (SELECT product_id, other_id, buyers FROM rec_pairs WHERE community_id = ")
        .value(cid)
        .sql(" AND product_id = ")
        .value(seeds[i])
        .sql(" AND buyers >= ")
        .value(min_buyers)
        .sql(" ORDER BY buyers DESC, other_id DESC LIMIT ")
        .value(limit)
        .sql(") s" + std::to_string(i));
  }
  struct Row {
    std::int64_t seed = 0, other = 0, buyers = 0;
  };
  auto rows = q.all(tx, db::fields(&Row::seed, &Row::other, &Row::buyers));
  for (auto const& r : rows)
    for (std::size_t i = 0; i < seeds.size(); ++i)
      if (seeds[i] == r.seed) out[i].emplace_back(r.other, r.buyers);
  return out;
}

constexpr char const* kPopularInBuilding =
    "SELECT product_id FROM rec_building_products WHERE community_id = :c AND building_id = :b AND buyers >= :k "
    "ORDER BY buyers DESC, product_id DESC LIMIT :l";

std::vector<std::int64_t> popular_in_building(db::Tx& tx, std::int64_t cid, std::int64_t building_id,
                                              std::int64_t min_buyers, std::int64_t limit) {
  return db::all(tx, kPopularInBuilding, db::first_integer, use(cid, "c"), use(building_id, "b"), use(min_buyers, "k"),
                 use(limit, "l"));
}

}  // namespace courtyard::recommendations::repo
