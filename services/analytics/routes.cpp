// What the analytics route files share: the report range, the merchant look-up, and the
// choice between JSON and CSV.
#include "services/analytics/routes.hpp"

#include "http/csv.hpp"
#include "services/shops/api.hpp"

namespace courtyard::analytics {

namespace {

std::int64_t date_param(Request const& req, std::string_view name, std::int64_t fallback) {
  auto v = req.query_param(name);
  if (!v) return fallback;
  auto day = logic::parse_date(*v);
  if (!day) throw Invalid(std::string(name), "must be a date such as 2026-11-23");
  return *day;
}

}  // namespace

Range range_of(Request const& req, TimeZone const& tz, std::int64_t now_ms) {
  Range r;
  std::int64_t today = tz.local_day(now_ms);
  r.to = date_param(req, "to", today);
  r.from = date_param(req, "from", r.to - 29);
  if (auto why = logic::range_problem(r.from, r.to)) throw Invalid("to", *why);
  if (auto g = req.query_param("grain")) {
    auto grain = logic::parse_grain(*g);
    if (!grain) throw Invalid("grain", "must be day, week or month");
    r.grain = *grain;
  }
  return r;
}

void merchant_or_404(db::Tx& tx, std::int64_t cid, std::int64_t mid) {
  if (!shops::merchant_owner(tx, cid, mid)) throw NotFound("merchant");
}

Response csv_response(http::BodyStream body, std::string const& name) {
  auto r = Response::streamed(std::move(body), "text/csv; charset=utf-8");
  http::csv::as_download(r, name);
  return r;
}

Response answer(Request const& req, bj::object report, std::string const& name) {
  if (!http::csv::wanted(req)) return Response::json(report);
  return csv_response(csv_stream(std::move(report)), name);
}

}  // namespace courtyard::analytics
