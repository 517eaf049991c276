#pragma once
// Pure rules of recommendations: the k-anonymity threshold, which co-occurrence pairs a
// buyer's new products add (or an opted-out buyer's products remove), and how candidates
// are merged into one ranked list. No SOCI, no HTTP.
#include <cstdint>
#include <set>
#include <utility>
#include <vector>

namespace courtyard::recommendations::logic {

// A pair (or a building's product) is shown only when at least this many distinct buyers
// support it.
constexpr std::int64_t kMinBuyers = 5;
// "New from shops you buy from": products created in this window.
constexpr std::int64_t kNewProductWindowMs = 30LL * 86'400'000;
// The caller's most recent distinct products that seed "neighbours also bought".
constexpr std::int64_t kSeedProducts = 10;
constexpr std::int64_t kDefaultLimit = 10;
constexpr std::int64_t kMaxLimit = 50;

using Pair = std::pair<std::int64_t, std::int64_t>;  // (product, other product), ordered

// The ordered pairs one buyer adds when `added` joins the products they already had
// (`had`): every new product with every old one, and the new ones with each other, both
// directions, sorted (so concurrent writers lock rows in one order). Products in both sets
// count as old.
std::vector<Pair> pairs_added(std::set<std::int64_t> const& had, std::set<std::int64_t> const& added);
// Every ordered pair among a buyer's products (what removing the buyer takes away), sorted.
std::vector<Pair> all_pairs(std::set<std::int64_t> const& products);

// Merges each seed's strongest partners ({product, distinct buyers of the pair}, read per
// seed from the index) into one ranking: by the sum of buyers over the seeds, then the
// larger (newer) id first — the order the index gives when read backwards, so no read sorts.
std::vector<std::int64_t> rank(std::vector<std::vector<std::pair<std::int64_t, std::int64_t>>> const& per_seed);

// The `n` most recently first-bought of a buyer's products ({product, first bought at}):
// newest first, ties by the larger id. These seed "neighbours also bought".
std::vector<std::int64_t> recent(std::vector<std::pair<std::int64_t, std::int64_t>> owned, std::size_t n);

// How far down each ranked list the next look-up of "still for sale?" reads: the first
// window is twice what is shown (most candidates are for sale), each later one four times
// the previous, so a list whose top products were withdrawn costs a few statements, not one
// per candidate.
constexpr std::size_t first_window(std::size_t limit) { return 2 * limit; }
constexpr std::size_t next_window(std::size_t window) { return 4 * window; }

// The first `limit` of `candidates` (already ranked) that are not in `exclude`, without
// repeats.
std::vector<std::int64_t> pick(std::vector<std::int64_t> const& candidates, std::set<std::int64_t> const& exclude,
                               std::size_t limit);

}  // namespace courtyard::recommendations::logic
