#pragma once
// Internal to the property service: route registration by area, the overdue job, and what
// the handlers share (JSON views).
#include "db/jobs.hpp"
#include "http/context.hpp"
#include "http/errors.hpp"
#include "http/json.hpp"
#include "http/router.hpp"
#include "services/property/api.hpp"
#include "services/property/logic.hpp"
#include "services/property/repository.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace courtyard::property {

namespace bj = boost::json;

// Text limits shared by the community-life resources.
constexpr std::size_t kMaxTitle = 200;
constexpr std::size_t kMaxBody = 10000;

void add_billing_routes(http::Router& r);       // fee schedules, billing runs, bills, payments, summary
void add_ticket_routes(http::Router& r);        // repair tickets and their transitions
void add_announcement_routes(http::Router& r);  // announcements and read receipts
void add_visitor_pass_routes(http::Router& r);  // visitor passes and the gate check
void add_amenity_routes(http::Router& r);       // amenities and bookings
void add_suggestion_routes(http::Router& r);    // suggestions and votes
void add_ticket_sla_routes(http::Router& r);    // the community's ticket SLA targets

// ---- ticket SLA (ticket_sla.cpp)
// The targets for a category: its own row, else the community's ("" row), else the defaults.
logic::SlaTargets effective_targets(std::vector<repo::SlaRow> const& rows, std::string_view category);
// What a history step means for the SLA (nullopt: nothing, e.g. a re-assignment or a start),
// measured against the targets the ticket was opened under (else the community's now).
std::optional<TicketFact> ticket_fact(repo::TicketStep const& step, std::vector<repo::SlaRow> const& targets);
// The step of a ticket that just happened (the transition's own history row).
repo::TicketStep step_of(repo::Ticket const& t, std::int64_t history_id, std::optional<std::string> const& from,
                         std::string const& to, std::int64_t actor, std::int64_t at,
                         std::optional<std::int64_t> rating);
// The SLA fields of a ticket.* event payload.
void add_fact_fields(bj::object& payload, TicketFact const& f);

// Residents and managers of {cid} (who exactly may act is checked in the handler).
inline http::Access resident_or_manager() { return http::Access::any_of(Role::Resident | Role::Manager); }

// The looked-up row, or 404 naming `what`.
template <class T>
T found(std::optional<T> row, std::string const& what) {
  if (!row) throw NotFound(what);
  return std::move(*row);
}

// The daily job "property.mark_overdue" (jobs.cpp).
void mark_overdue_bills(jobs::JobContext& jc);

// ---- views (views.cpp)
bj::array ids_json(std::vector<std::int64_t> const& ids);
bj::value optional_int(std::optional<std::int64_t> v);
bj::value optional_text(std::optional<std::string> const& v);

bj::object fee_schedule_view(repo::FeeSchedule const& s);
bj::object bill_view(repo::Bill const& b);
bj::object summary_view(repo::PeriodSummary const& s);
// age_minutes is counted up to `now` while the ticket is unresolved.
bj::object ticket_view(repo::Ticket const& t, std::int64_t now);
bj::array history_view(std::vector<repo::HistoryEntry> const& h);
// Managers also see read_count and audience_count.
bj::object announcement_view(repo::Announcement const& a, bool manager);
// The code only for its creator (`viewer`); an active pass past valid_until shows "expired".
bj::object pass_view(repo::VisitorPass const& p, std::int64_t viewer, std::int64_t now);
bj::object amenity_view(repo::Amenity const& a);
// Neighbours see that a slot is taken, not by whom: account_id for the booker and managers.
bj::object booking_view(repo::Booking const& b, std::int64_t viewer, bool manager);
bj::object suggestion_view(repo::Suggestion const& s);
bj::object sla_view(std::vector<repo::SlaRow> const& rows);

}  // namespace courtyard::property
