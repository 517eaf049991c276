#include "services/property/service.hpp"

#include "http/errors.hpp"
#include "services/property/logic.hpp"
#include "services/property/routes.hpp"

#include <chrono>

namespace courtyard::property {

namespace bj = boost::json;

void PropertyService::routes(http::Router& r) {
  billing_routes(r);
  ticket_routes(r);
  announcement_routes(r);
  visitor_pass_routes(r);
  amenity_routes(r);
  suggestion_routes(r);
}

void PropertyService::jobs(jobs::Scheduler& s) {
  s.every("property.mark_overdue", std::chrono::hours(24), mark_overdue_bills);
}

// ---- request helpers

bool is_manager(Context const& ctx) {
  return ctx.principal.admin || ctx.principal.has(Role::Manager, ctx.community_id);
}

std::vector<std::int64_t> my_units(Context const& ctx) {
  std::vector<std::int64_t> out;
  for (auto const& m : ctx.principal.memberships)
    if (m.community_id == ctx.community_id && m.role == Role::Resident && m.unit_id) out.push_back(m.unit_id);
  return out;
}

bool lives_in(Context const& ctx, std::int64_t unit_id) {
  for (auto u : my_units(ctx))
    if (u == unit_id) return true;
  return false;
}

std::string community_path(std::int64_t cid) { return "/v1/communities/" + std::to_string(cid); }

// ---- views

bj::array ids_json(std::vector<std::int64_t> const& ids) {
  bj::array a;
  for (auto id : ids) a.push_back(id);
  return a;
}

bj::value optional_int(std::optional<std::int64_t> v) { return v ? bj::value(*v) : bj::value(nullptr); }
bj::value optional_text(std::optional<std::string> const& v) { return v ? bj::value(*v) : bj::value(nullptr); }

bj::object fee_schedule_view(repo::FeeSchedule const& s) {
  return bj::object{{"id", s.id},
                    {"community_id", s.community_id},
                    {"name", s.name},
                    {"amount_cents", s.amount_cents},
                    {"scope", s.scope},
                    {"building_id", s.building_id ? bj::value(s.building_id) : bj::value(nullptr)},
                    {"active", s.active},
                    {"created_by", s.created_by},
                    {"created_at", json::rfc3339(s.created_at)}};
}

bj::object bill_view(repo::Bill const& b) {
  return bj::object{{"id", b.id},
                    {"community_id", b.community_id},
                    {"unit_id", b.unit_id},
                    {"building_id", b.building_id},
                    {"schedule_id", b.schedule_id},
                    {"name", b.name},
                    {"period", b.period},
                    {"amount_cents", b.amount_cents},
                    {"status", b.status},
                    {"due_at", json::rfc3339(b.due_at)},
                    {"issued_at", json::rfc3339(b.issued_at)},
                    {"paid_at", json::time_or_null(b.paid_at)},
                    {"paid_by", optional_int(b.paid_by)},
                    {"method", optional_text(b.method)},
                    {"transaction_id", optional_int(b.transaction_id)},
                    {"overdue_at", json::time_or_null(b.overdue_at)}};
}

bj::object ticket_view(repo::Ticket const& t, std::int64_t now) {
  return bj::object{{"id", t.id},
                    {"community_id", t.community_id},
                    {"unit_id", t.unit_id},
                    {"opened_by", t.opened_by},
                    {"category", t.category},
                    {"description", t.description},
                    {"status", t.status},
                    {"assigned_to", t.assigned_to ? bj::value(t.assigned_to) : bj::value(nullptr)},
                    {"resolution_note", optional_text(t.resolution_note)},
                    {"rating", optional_int(t.rating)},
                    {"rating_comment", optional_text(t.rating_comment)},
                    {"created_at", json::rfc3339(t.created_at)},
                    {"updated_at", json::rfc3339(t.updated_at)},
                    {"resolved_at", json::time_or_null(t.resolved_at)},
                    {"closed_at", json::time_or_null(t.closed_at)},
                    {"age_minutes", logic::age_minutes(t.created_at, t.resolved_at, now)}};
}

bj::array history_view(std::vector<repo::HistoryEntry> const& h) {
  bj::array out;
  for (auto const& e : h)
    out.push_back(bj::object{{"from", optional_text(e.from)},
                             {"to", e.to},
                             {"actor_id", e.actor_id},
                             {"at", json::rfc3339(e.at)},
                             {"note", optional_text(e.note)}});
  return out;
}

}  // namespace courtyard::property
