// The JSON shapes of the property service's resources.
#include "services/property/logic.hpp"
#include "services/property/routes.hpp"

#include <algorithm>

namespace courtyard::property {

bj::array ids_json(std::vector<std::int64_t> const& ids) {
  bj::array a;
  for (auto id : ids) a.push_back(id);
  return a;
}

bj::value optional_int(std::optional<std::int64_t> v) { return v ? bj::value(*v) : bj::value(nullptr); }
bj::value optional_text(std::optional<std::string> const& v) { return v ? bj::value(*v) : bj::value(nullptr); }

namespace {
// 0 stands for "none" in these columns (building_id, assigned_to).
bj::value id_or_null(std::int64_t id) { return id ? bj::value(id) : bj::value(nullptr); }
// The targets the ticket was opened under and when each falls due (null for tickets opened
// before targets were kept).
bj::value sla_of(repo::Ticket const& t) {
  if (!t.sla_first_response_hours || !t.sla_resolution_hours || *t.sla_first_response_hours <= 0) return nullptr;
  return bj::object{{"first_response_hours", *t.sla_first_response_hours},
                    {"resolution_hours", *t.sla_resolution_hours},
                    {"first_response_due_at", json::rfc3339(t.created_at + *t.sla_first_response_hours * logic::kHourMs)},
                    {"resolution_due_at", json::rfc3339(t.created_at + *t.sla_resolution_hours * logic::kHourMs)}};
}
}  // namespace

bj::object fee_schedule_view(repo::FeeSchedule const& s) {
  return bj::object{{"id", s.id},
                    {"community_id", s.community_id},
                    {"name", s.name},
                    {"amount_cents", s.amount_cents},
                    {"scope", s.scope},
                    {"building_id", id_or_null(s.building_id)},
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
                    {"points_spent", b.points_spent},
                    {"points_cents", b.points_cents},
                    {"overdue_at", json::time_or_null(b.overdue_at)}};
}

bj::object summary_view(repo::PeriodSummary const& s) {
  return bj::object{{"period", s.period},
                    {"billed_cents", s.billed_cents},
                    {"paid_cents", s.paid_cents},
                    {"overdue_cents", s.overdue_cents},
                    {"outstanding_cents", s.outstanding_cents},
                    {"bills", bj::object{{"total", s.bills}, {"paid", s.paid}, {"unpaid", s.unpaid}, {"overdue", s.overdue}}}};
}

bj::object ticket_view(repo::Ticket const& t, std::int64_t now) {
  return bj::object{{"id", t.id},
                    {"community_id", t.community_id},
                    {"unit_id", t.unit_id},
                    {"opened_by", t.opened_by},
                    {"category", t.category},
                    {"description", t.description},
                    {"status", t.status},
                    {"assigned_to", id_or_null(t.assigned_to)},
                    {"resolution_note", optional_text(t.resolution_note)},
                    {"rating", optional_int(t.rating)},
                    {"rating_comment", optional_text(t.rating_comment)},
                    {"created_at", json::rfc3339(t.created_at)},
                    {"updated_at", json::rfc3339(t.updated_at)},
                    {"resolved_at", json::time_or_null(t.resolved_at)},
                    {"closed_at", json::time_or_null(t.closed_at)},
                    {"age_minutes", logic::age_minutes(t.created_at, t.resolved_at, now)},
                    {"first_response_at", json::time_or_null(t.first_response_at)},
                    {"sla", sla_of(t)}};
}

void add_fact_fields(bj::object& payload, TicketFact const& f) {
  payload["history_id"] = f.history_id;
  payload["category"] = f.category;
  payload["opened_at_ms"] = f.opened_at_ms;
  payload["at_ms"] = f.at_ms;
  if (f.topic == "ticket.first_response" || f.topic == "ticket.resolved") {
    payload["minutes"] = f.minutes;
    payload["target_hours"] = f.target_hours;
    payload["within_sla"] = f.within_sla;
  } else if (f.topic == "ticket.opened") {
    payload["first_response_due_at_ms"] = f.opened_at_ms + f.target_hours * logic::kHourMs;
    payload["resolution_due_at_ms"] = f.opened_at_ms + f.resolution_target_hours * logic::kHourMs;
  } else if (f.topic == "ticket.closed") {
    payload["rating"] = f.rating;
  }
}

bj::object sla_view(std::vector<repo::SlaRow> const& rows) {
  auto d = effective_targets(rows, "");
  std::int64_t updated = 0;
  for (auto const& r : rows) updated = std::max(updated, r.updated_at);
  bj::array categories;
  for (auto c : logic::ticket_categories()) {
    auto t = effective_targets(rows, c);
    bool own = std::any_of(rows.begin(), rows.end(), [&](repo::SlaRow const& r) { return r.category == c; });
    categories.push_back(bj::object{{"category", c},
                                    {"first_response_hours", t.first_response_hours},
                                    {"resolution_hours", t.resolution_hours},
                                    {"own", own}});
  }
  return bj::object{{"first_response_hours", d.first_response_hours},
                    {"resolution_hours", d.resolution_hours},
                    {"updated_at", updated ? bj::value(json::rfc3339(updated)) : bj::value(nullptr)},
                    {"categories", std::move(categories)}};
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

bj::object announcement_view(repo::Announcement const& a, bool manager) {
  bj::object v{{"id", a.id},
               {"community_id", a.community_id},
               {"building_id", id_or_null(a.building_id)},
               {"title", a.title},
               {"body", a.body},
               {"created_by", a.created_by},
               {"created_at", json::rfc3339(a.created_at)},
               {"read_at", json::time_or_null(a.read_at)}};
  if (manager) {
    v["read_count"] = a.read_count;
    v["audience_count"] = a.audience_count;
  }
  return v;
}

bj::object pass_view(repo::VisitorPass const& p, std::int64_t viewer, std::int64_t now) {
  std::string status = p.status;
  if (status == "active" && now >= p.valid_until) status = "expired";
  bj::object v{{"id", p.id},
               {"community_id", p.community_id},
               {"visitor_name", p.visitor_name},
               {"unit_id", p.unit_id},
               {"created_by", p.created_by},
               {"valid_from", json::rfc3339(p.valid_from)},
               {"valid_until", json::rfc3339(p.valid_until)},
               {"status", status},
               {"used_at", json::time_or_null(p.used_at)},
               {"verified_by", optional_int(p.verified_by)},
               {"created_at", json::rfc3339(p.created_at)}};
  // The code is the resident's to hand to their visitor; staff learn it at the gate.
  if (p.created_by == viewer) v["code"] = p.code;
  return v;
}

bj::object amenity_view(repo::Amenity const& a) {
  return bj::object{{"id", a.id},
                    {"community_id", a.community_id},
                    {"name", a.name},
                    {"capacity", a.capacity},
                    {"created_at", json::rfc3339(a.created_at)}};
}

bj::object booking_view(repo::Booking const& b, std::int64_t viewer, bool manager) {
  bool mine = b.account_id == viewer;
  bj::object v{{"id", b.id},
               {"community_id", b.community_id},
               {"amenity_id", b.amenity_id},
               {"starts_at", json::rfc3339(b.starts_at)},
               {"ends_at", json::rfc3339(b.ends_at)},
               {"status", b.status},
               {"mine", mine},
               {"created_at", json::rfc3339(b.created_at)}};
  v["account_id"] = mine || manager ? bj::value(b.account_id) : bj::value(nullptr);
  return v;
}

bj::object suggestion_view(repo::Suggestion const& s) {
  return bj::object{{"id", s.id},
                    {"community_id", s.community_id},
                    {"author_id", s.author_id},
                    {"title", s.title},
                    {"body", s.body},
                    {"vote_count", s.vote_count},
                    {"voted", s.voted},
                    {"created_at", json::rfc3339(s.created_at)}};
}

}  // namespace courtyard::property
