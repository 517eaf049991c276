#pragma once
// Internal to the analytics service: route registration, the subscribers and the
// backfill that share one way of applying a fact, and the report views.
#include "db/outbox.hpp"
#include "http/context.hpp"
#include "http/errors.hpp"
#include "http/json.hpp"
#include "http/router.hpp"
#include "services/analytics/logic.hpp"
#include "services/analytics/repository.hpp"
#include "http/time_zone.hpp"

#include <boost/json.hpp>

#include <memory>
#include <string>

namespace courtyard::analytics {

using http::TimeZone;  // the shared reader of the system's zone files

namespace bj = boost::json;
using http::Access;
using http::Request;
using http::Response;

// The API-key scope of the merchant's reports; the merchant's staff may read them too.
inline constexpr std::string_view kAnalyticsScope = "analytics";

void add_merchant_report_routes(http::Router& r);  // sales, products, promotions, overview
void add_stock_routes(http::Router& r);            // purchase-sale-stock, thresholds, alerts
void add_manager_routes(http::Router& r);          // the manager's dashboard, the backfill

// ---- subscribers (subscriptions.cpp)
// order.placed and order.cancelled, a batch of deliveries at once (events::BatchHandler):
// each order's fact claimed for the batch in two statements, every rollup row written once
// (one Rollups flush), the low-stock check once per product.
void on_orders(std::vector<events::Event> const& batch, db::Tx& tx);
inline constexpr int kOrderBatch = 100;  // deliveries per call
void on_review_posted(events::Event const& e, db::Tx& tx);
void on_group_buy_closed(events::Event const& e, db::Tx& tx);
void on_refund_completed(events::Event const& e, db::Tx& tx);
void on_community_event(events::Event const& e, db::Tx& tx);
void on_ticket_step(events::Event const& e, db::Tx& tx);

// The community's time zone (its name cached per community).
std::string zone_name_of(db::Tx& tx, std::int64_t cid);
std::shared_ptr<TimeZone const> zone_of(db::Tx& tx, std::int64_t cid);
// Alerts the merchant (event stock.low) when the product is at or below its threshold and
// either was not alerted yet or `sold` units just took it across; clears the alert when the
// stock is above it again.
void check_low_stock(db::Tx& tx, std::int64_t cid, std::int64_t pid, std::int64_t sold);

struct BackfillCounts {
  std::int64_t orders = 0, cancelled = 0, reviews = 0, group_buys = 0, ticket_steps = 0;
};
// Rebuilds the community's shop rollups (sales, products, categories, customers,
// promotions, group buys, ratings) from shops' rows and its tickets against the SLA from
// property's ticket history, in batches; events that arrive
// meanwhile still count once (facts are keyed).
BackfillCounts backfill(db::Database& db, events::Bus& bus, std::int64_t cid);

// ---- shared by the route files (routes.cpp)
struct Range {
  std::int64_t from = 0, to = 0;  // local days, inclusive
  logic::Grain grain = logic::Grain::Day;
  std::int64_t days() const { return to - from + 1; }
};
// from / to (YYYY-MM-DD, local; default the last 30 days to today) and grain; 422 when bad.
Range range_of(Request const& req, TimeZone const& tz, std::int64_t now_ms);
// The merchant must be one of the community's (404 otherwise).
void merchant_or_404(db::Tx& tx, std::int64_t cid, std::int64_t mid);
// JSON, or CSV when asked (http::csv::wanted): the report's `items` as a table, or (no items) every
// figure as section,key,value rows. CSV is streamed (chunked, pieces of ~64 KB).
Response answer(Request const& req, bj::object report, std::string const& name);
// A streamed CSV response with its attachment file name.
Response csv_response(http::BodyStream body, std::string const& name);

// ---- views (views.cpp)
bj::object sale_json(repo::Sale const& s);
bj::array series_json(std::vector<repo::MerchantDay> const& days, Range const& r);
bj::object total_json(repo::Total const& t);
bj::object stock_line_json(std::int64_t product_id, std::string const& name, std::string const& category,
                           logic::StockLine const& l);
bj::array ratings_json(std::vector<repo::RatingDay> const& days, Range const& r);
std::string csv_of(bj::object const& report);
// The same text as csv_of, produced in pieces of about kCsvPieceBytes.
http::BodyStream csv_stream(bj::object report);
constexpr std::size_t kCsvPieceBytes = 64 * 1024;
// The columns of a table of rows (every key, in first-seen order), its header line and one row.
std::vector<std::string> csv_columns(bj::array const& rows);
void csv_header(std::string& out, std::vector<std::string> const& cols);
void csv_row(std::string& out, std::vector<std::string> const& cols, bj::object const& row);

}  // namespace courtyard::analytics
