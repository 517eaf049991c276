#pragma once
// SQL of the recommendation read model (bound parameters only; every query filters on
// community_id). Counters move by one with upserts, so concurrent buyers never lose a count.
#include "db/tx.hpp"
#include "services/recommendations/logic.hpp"

#include <cstdint>
#include <set>
#include <vector>

namespace courtyard::recommendations::repo {

// ---- maintenance (subscribers)

// Records the order as seen; false when it was seen before (a redelivered event).
bool claim_order(db::Tx& tx, std::int64_t order_id, std::int64_t cid, std::int64_t account_id, bool counted);
// Creates (if needed) and locks the buyer's profile row for the rest of the transaction.
void lock_profile(db::Tx& tx, std::int64_t cid, std::int64_t account_id);
// The buyer's distinct products.
std::set<std::int64_t> profile_products(db::Tx& tx, std::int64_t cid, std::int64_t account_id);
struct ProfileProduct {
  std::int64_t product_id = 0, merchant_id = 0, building_id = 0;
};
std::vector<ProfileProduct> profile(db::Tx& tx, std::int64_t cid, std::int64_t account_id);
void add_profile_product(db::Tx& tx, std::int64_t cid, std::int64_t account_id, ProfileProduct const& p,
                         std::int64_t at);
void delete_profile(db::Tx& tx, std::int64_t cid, std::int64_t account_id);
// The communities where the account has a profile.
std::vector<std::int64_t> profile_communities(db::Tx& tx, std::int64_t account_id);
// Distinct buyers of the pair / of the product in the building, up by one.
void add_pair(db::Tx& tx, std::int64_t cid, logic::Pair const& p);
void add_building_product(db::Tx& tx, std::int64_t cid, std::int64_t building_id, std::int64_t product_id);
// Down by one (an opted-out buyer), and rows left at zero deleted.
void remove_pair(db::Tx& tx, std::int64_t cid, logic::Pair const& p);
void remove_building_product(db::Tx& tx, std::int64_t cid, std::int64_t building_id, std::int64_t product_id);
// Deletes the rows of these products whose count reached zero.
void prune_empty(db::Tx& tx, std::int64_t cid, std::vector<std::int64_t> const& products);

// ---- reads

// The buyer's distinct products with their merchant and first purchase (one range of the
// primary key): the caller's seeds, what to leave out and the shops they buy from, read once.
struct Owned {
  std::int64_t product_id = 0, merchant_id = 0, first_at = 0;
};
std::vector<Owned> owned(db::Tx& tx, std::int64_t cid, std::int64_t account_id);
// Each seed's strongest partners: products bought together with it by at least `min_buyers`
// distinct buyers, most buyers first (ties: larger id first), with that count — at most
// `limit` per seed, one
// backward range of the rec_pairs_top index each, all seeds in one statement (UNION ALL).
// The result has one list per seed, in the order of `seeds`.
std::vector<std::vector<std::pair<std::int64_t, std::int64_t>>> partners(db::Tx& tx, std::int64_t cid,
                                                                         std::vector<std::int64_t> const& seeds,
                                                                         std::int64_t min_buyers, std::int64_t limit);
// The building's products with at least `min_buyers` distinct buyers, most bought first
// (ties: larger id first; a backward range of rec_building_top).
std::vector<std::int64_t> popular_in_building(db::Tx& tx, std::int64_t cid, std::int64_t building_id,
                                              std::int64_t min_buyers, std::int64_t limit);

}  // namespace courtyard::recommendations::repo
