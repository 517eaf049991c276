// The community's ticket SLA targets: how soon staff should first answer a ticket and resolve
// it, in hours, for every category or per category. Residents and managers read them; managers
// replace them (the tickets opened afterwards are measured against the new targets).
#include "db/tx.hpp"
#include "http/errors.hpp"
#include "services/property/routes.hpp"

namespace courtyard::property {

using http::Access;
using http::Request;
using http::Response;

namespace {

logic::SlaTargets read_targets(bj::object const& o, std::string const& prefix) {
  logic::SlaTargets t;
  t.first_response_hours = json::integer(o, "first_response_hours");
  t.resolution_hours = json::integer(o, "resolution_hours");
  if (auto why = logic::sla_problem(t)) throw Invalid(prefix + why->field, why->reason);
  return t;
}

Response get_ticket_sla(Request const&, Context& ctx) {
  return ctx.tx([&](db::Tx& tx) { return Response::json(sla_view(repo::sla_rows(tx, ctx.community_id))); });
}

// {"first_response_hours", "resolution_hours", "categories": {"plumbing": {...}, ...}}: the whole
// configuration; a category not listed follows the community's targets.
Response put_ticket_sla(Request const& req, Context& ctx) {
  auto body = req.json();
  std::vector<repo::SlaRow> rows;
  auto d = read_targets(body, "");
  rows.push_back({"", d.first_response_hours, d.resolution_hours, 0});
  if (auto const* cats = body.if_contains("categories"); cats && !cats->is_null()) {
    if (!cats->is_object()) throw BadRequest("categories must be an object", "wrong-type");
    for (auto const& [key, value] : cats->as_object()) {
      std::string category(key);
      std::string field = "categories." + category;
      if (!logic::is_ticket_category(category)) throw Invalid(field, "is not a ticket category");
      if (!value.is_object()) throw BadRequest(field + " must be an object", "wrong-type");
      auto t = read_targets(value.as_object(), field + ".");
      rows.push_back({category, t.first_response_hours, t.resolution_hours, 0});
    }
  }
  return ctx.tx([&](db::Tx& tx) {
    repo::replace_sla(tx, ctx.community_id, rows, ctx.principal.account_id, tx.now_ms());
    return Response::json(sla_view(repo::sla_rows(tx, ctx.community_id)));
  });
}

}  // namespace

void add_ticket_sla_routes(http::Router& r) {
  r.get("/v1/communities/{cid}/ticket-sla", resident_or_manager(), get_ticket_sla);
  r.put("/v1/communities/{cid}/ticket-sla", Access::manager(), put_ticket_sla);
}

}  // namespace courtyard::property
