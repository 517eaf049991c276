#pragma once
// Internal to the property service: route groups, request helpers and JSON views.
#include "http/router.hpp"
#include "http/context.hpp"
#include "db/jobs.hpp"
#include "http/json.hpp"
#include "services/property/repository.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace courtyard::property {

void billing_routes(http::Router& r);
void ticket_routes(http::Router& r);
void announcement_routes(http::Router& r);
void visitor_pass_routes(http::Router& r);
void amenity_routes(http::Router& r);
void suggestion_routes(http::Router& r);

// The daily job "property.mark_overdue".
void mark_overdue_bills(jobs::JobContext& jc);

// Managers of {cid} and platform admins.
bool is_manager(Context const& ctx);
// The caller's units in {cid} (resident memberships).
std::vector<std::int64_t> my_units(Context const& ctx);
bool lives_in(Context const& ctx, std::int64_t unit_id);
std::string community_path(std::int64_t cid);
using json::page_of_rows;

// ---- views
boost::json::object fee_schedule_view(repo::FeeSchedule const& s);
boost::json::object bill_view(repo::Bill const& b);
boost::json::object ticket_view(repo::Ticket const& t, std::int64_t now);
boost::json::array history_view(std::vector<repo::HistoryEntry> const& h);
boost::json::array ids_json(std::vector<std::int64_t> const& ids);
boost::json::value optional_int(std::optional<std::int64_t> v);
boost::json::value optional_text(std::optional<std::string> const& v);

}  // namespace courtyard::property
