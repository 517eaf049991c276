#include "services/recommendations/logic.hpp"

#include <algorithm>
#include <map>

namespace courtyard::recommendations::logic {

std::vector<Pair> pairs_added(std::set<std::int64_t> const& had, std::set<std::int64_t> const& added) {
  std::vector<std::int64_t> fresh;
  for (auto p : added)
    if (!had.count(p)) fresh.push_back(p);
  std::vector<Pair> out;
  for (std::size_t i = 0; i < fresh.size(); ++i) {
    for (auto old : had) {
      out.emplace_back(fresh[i], old);
      out.emplace_back(old, fresh[i]);
    }
    for (std::size_t j = i + 1; j < fresh.size(); ++j) {
      out.emplace_back(fresh[i], fresh[j]);
      out.emplace_back(fresh[j], fresh[i]);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<Pair> all_pairs(std::set<std::int64_t> const& products) {
  std::vector<Pair> out;
  for (auto a : products)
    for (auto b : products)
      if (a != b) out.emplace_back(a, b);
  return out;  // std::set iterates in order: already sorted
}

std::vector<std::int64_t> rank(std::vector<std::vector<std::pair<std::int64_t, std::int64_t>>> const& per_seed) {
  std::map<std::int64_t, std::int64_t> score;
  for (auto const& list : per_seed)
    for (auto const& [product, buyers] : list) score[product] += buyers;
  std::vector<std::pair<std::int64_t, std::int64_t>> sorted(score.begin(), score.end());
  std::sort(sorted.begin(), sorted.end(),
            [](auto const& a, auto const& b) { return a.second != b.second ? a.second > b.second : a.first > b.first; });
  std::vector<std::int64_t> out;
  for (auto const& [product, s] : sorted) out.push_back(product);
  return out;
}

std::vector<std::int64_t> recent(std::vector<std::pair<std::int64_t, std::int64_t>> owned, std::size_t n) {
  std::sort(owned.begin(), owned.end(), [](auto const& a, auto const& b) {
    return a.second != b.second ? a.second > b.second : a.first > b.first;
  });
  std::vector<std::int64_t> out;
  for (auto const& [product, at] : owned) {
    if (out.size() >= n) break;
    out.push_back(product);
  }
  return out;
}

std::vector<std::int64_t> pick(std::vector<std::int64_t> const& candidates, std::set<std::int64_t> const& exclude,
                               std::size_t limit) {
  std::vector<std::int64_t> out;
  std::set<std::int64_t> seen;
  for (auto c : candidates) {
    if (out.size() >= limit) break;
    if (exclude.count(c) || !seen.insert(c).second) continue;
    out.push_back(c);
  }
  return out;
}

}  // namespace courtyard::recommendations::logic
