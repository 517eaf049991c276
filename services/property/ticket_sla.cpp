// Tickets against the community's SLA: which targets apply to a ticket, and what each step of
// its history means (opened, first response, resolved, closed with a rating, reopened). The
// transitions publish these facts as ticket.* events and analytics' backfill reads the same
// facts from history (api.hpp: ticket_facts_after), so both count a step the same way.
#include "services/property/routes.hpp"

namespace courtyard::property {

logic::SlaTargets effective_targets(std::vector<repo::SlaRow> const& rows, std::string_view category) {
  logic::SlaTargets out;
  for (auto const& r : rows)
    if (r.category.empty()) out = {r.first_response_hours, r.resolution_hours};
  for (auto const& r : rows)
    if (!category.empty() && r.category == category) out = {r.first_response_hours, r.resolution_hours};
  return out;
}

repo::TicketStep step_of(repo::Ticket const& t, std::int64_t history_id, std::optional<std::string> const& from,
                         std::string const& to, std::int64_t actor, std::int64_t at,
                         std::optional<std::int64_t> rating) {
  repo::TicketStep s;
  s.history_id = history_id;
  s.ticket_id = t.id;
  s.from = from;
  s.to = to;
  s.actor_id = actor;
  s.at = at;
  s.rating = rating;
  s.category = t.category;
  s.opened_by = t.opened_by;
  s.unit_id = t.unit_id;
  s.opened_at = t.created_at;
  s.sla_first_response_hours = t.sla_first_response_hours;
  s.sla_resolution_hours = t.sla_resolution_hours;
  return s;
}

std::optional<TicketFact> ticket_fact(repo::TicketStep const& step, std::vector<repo::SlaRow> const& targets) {
  auto topic = logic::sla_step(step.from, step.to);
  if (!topic) return std::nullopt;
  TicketFact f;
  f.topic = std::string(*topic);
  f.history_id = step.history_id;
  f.ticket_id = step.ticket_id;
  f.category = step.category;
  f.opened_at_ms = step.opened_at;
  f.at_ms = step.at;
  logic::SlaTargets t = effective_targets(targets, step.category);
  if (step.sla_first_response_hours.value_or(0) > 0 && step.sla_resolution_hours.value_or(0) > 0)
    t = {*step.sla_first_response_hours, *step.sla_resolution_hours};
  if (f.topic == "ticket.first_response" || f.topic == "ticket.resolved") {
    auto m = logic::measure(step.opened_at, step.at,
                            f.topic == "ticket.first_response" ? t.first_response_hours : t.resolution_hours);
    f.minutes = m.minutes;
    f.target_hours = m.target_hours;
    f.within_sla = m.within;
  } else if (f.topic == "ticket.opened") {
    f.target_hours = t.first_response_hours;
    f.resolution_target_hours = t.resolution_hours;
  } else if (f.topic == "ticket.closed") {
    f.rating = step.rating.value_or(0);
  }
  return f;
}

}  // namespace courtyard::property
