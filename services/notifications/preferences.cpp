// The resident's notification preferences, applied where rows are written: every path that
// adds notification rows (notify(), the event subscribers) stores them through store(), which
// drops the rows a recipient turned off (or, for marketing, did not consent to) and marks
// the ones not to push live. Account and security notices always pass.
#include "services/notifications/logic.hpp"
#include "services/notifications/routes.hpp"

#include <algorithm>
#include <atomic>
#include <map>

namespace courtyard::notifications {

namespace {
std::atomic<ConsentLookup> g_consent{nullptr};
}  // namespace

void set_consent_lookup(ConsentLookup lookup) { g_consent.store(lookup); }

bool consented(db::Tx& tx, std::int64_t account_id, std::string_view purpose) {
  auto lookup = g_consent.load();
  return lookup != nullptr && lookup(tx, account_id, purpose);
}

Choice choice_for(std::optional<repo::Preference> const& stored, Category const& c, bool marketing_consent) {
  if (!stored) return default_choice(c, marketing_consent);
  return Choice{stored->in_app, stored->push, stored->email};
}

long long store(db::Tx& tx, std::vector<repo::Row> rows) {
  if (rows.empty()) return 0;
  std::map<std::string_view, std::vector<repo::Row*>> by_category;
  for (auto& r : rows) by_category[category_of(r.type).name].push_back(&r);
  std::vector<repo::Row> kept;
  kept.reserve(rows.size());
  for (auto& [name, batch] : by_category) {
    Category const& c = *find_category(name);
    if (c.locked) {
      for (auto* r : batch) kept.push_back(std::move(*r));
      continue;
    }
    // One read for the batch: the stored choices of its accounts' id range.
    auto [lo, hi] = std::minmax_element(batch.begin(), batch.end(),
                                        [](repo::Row* a, repo::Row* b) { return a->account_id < b->account_id; });
    std::map<std::int64_t, repo::Preference> stored;
    for (auto& p : repo::preferences_in_range(tx, std::string(name), (*lo)->account_id, (*hi)->account_id))
      stored.emplace(p.account_id, std::move(p));
    for (auto* r : batch) {
      bool consent = c.marketing && consented(tx, r->account_id, "marketing");
      auto it = stored.find(r->account_id);
      auto ch = choice_for(it == stored.end() ? std::nullopt : std::optional(it->second), c, consent);
      if (!listed(c, ch, consent)) continue;
      r->push = pushed(c, ch, consent);
      kept.push_back(std::move(*r));
    }
  }
  return repo::insert_many(tx, kept);
}

}  // namespace courtyard::notifications
