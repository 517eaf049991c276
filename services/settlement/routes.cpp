// What the settlement handlers, subscribers and job share: the period a fact belongs to.
#include "services/settlement/routes.hpp"

#include "services/identity/api.hpp"
#include "services/settlement/tz.hpp"

namespace courtyard::settlement {

logic::Period week_for(db::Tx& tx, std::int64_t cid, std::int64_t at_ms) {
  return logic::week_of(at_ms, tz::offsets(identity::community_timezone(tx, cid)));
}

std::int64_t open_period_for(db::Tx& tx, std::int64_t cid, std::int64_t at_ms) {
  auto offsets = tz::offsets(identity::community_timezone(tx, cid));
  std::int64_t at = at_ms;
  for (;;) {
    auto week = logic::week_of(at, offsets);
    repo::ensure_period(tx, cid, week.start_ms, week.end_ms);
    if (auto id = repo::enter_open_period(tx, cid, week.start_ms)) return *id;
    at = week.end_ms;  // closed: the next week (periods close only after they end)
  }
}

std::string statement_ref(std::int64_t sid) { return "statement:" + std::to_string(sid); }

std::vector<logic::Posting> logic_postings(std::vector<repo::Posting> const& rows) {
  std::vector<logic::Posting> out;
  for (auto const& p : rows)
    if (auto k = logic::parse_kind(p.kind)) out.push_back({*k, p.amount_cents});
  return out;
}

}  // namespace courtyard::settlement
