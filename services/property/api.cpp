// The property functions other services call (api.hpp) that are not the data export.
#include "services/property/api.hpp"

#include "services/property/repository.hpp"
#include "services/property/routes.hpp"

namespace courtyard::property {

std::vector<SuggestionText> suggestion_texts(db::Tx& tx, std::int64_t cid, std::int64_t from, std::int64_t to,
                                             std::int64_t limit) {
  return repo::suggestion_texts(tx, cid, from, to, limit);
}

std::vector<TicketFact> ticket_facts_after(db::Tx& tx, std::int64_t cid, std::int64_t after_history_id,
                                           std::int64_t limit, std::int64_t& last, std::int64_t& rows) {
  auto steps = repo::ticket_steps_after(tx, cid, after_history_id, limit);
  auto targets = repo::sla_rows(tx, cid);
  std::vector<TicketFact> out;
  last = after_history_id;
  rows = static_cast<std::int64_t>(steps.size());
  for (auto const& s : steps) {
    last = s.history_id;
    if (auto f = ticket_fact(s, targets)) out.push_back(std::move(*f));
  }
  return out;
}

std::map<std::string, std::pair<std::int64_t, std::int64_t>> ticket_sla_targets(db::Tx& tx, std::int64_t cid) {
  auto rows = repo::sla_rows(tx, cid);
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> out;
  auto d = effective_targets(rows, "");
  out[""] = {d.first_response_hours, d.resolution_hours};
  for (auto c : logic::ticket_categories()) {
    auto t = effective_targets(rows, c);
    out[std::string(c)] = {t.first_response_hours, t.resolution_hours};
  }
  return out;
}

}  // namespace courtyard::property
