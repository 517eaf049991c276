#pragma once
// Internal to the delivery service: route registration by area, the event reactions and the
// auto-assignment job, and the JSON views they share.
#include "db/jobs.hpp"
#include "db/outbox.hpp"
#include "http/context.hpp"
#include "http/errors.hpp"
#include "http/json.hpp"
#include "http/router.hpp"
#include "services/delivery/logic.hpp"
#include "services/delivery/repository.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace courtyard::delivery {

namespace bj = boost::json;

// The optional `?status=` filter, read by `parse`; 422 saying `allowed` when it does not parse.
template <class Parse>
auto status_filter(http::Request const& req, Parse parse, std::string const& allowed) {
  decltype(parse(std::string_view())) st;
  auto s = req.query_param("status");
  if (!s || s->empty()) return st;
  st = parse(*s);
  if (!st) throw Invalid("status", allowed);
  return st;
}

// task_routes.cpp: deliveries of the community and mine, the verbs; a failed attempt is
// re-dispatched until `max_attempts` attempts have failed (delivery.max-attempts).
void add_task_routes(http::Router& r, std::int64_t max_attempts);
void add_parcel_routes(http::Router& r);  // parcel_routes.cpp: logging, listing and picking up parcels

// subscriptions.cpp
// order.ready with fulfilment "delivery" -> a pending task (once per order).
void on_order_ready(events::Event const& e, db::Tx& tx);
// order.cancelled -> the order's active task is cancelled.
void on_order_cancelled(events::Event const& e, db::Tx& tx);

// jobs.cpp: pending tasks nobody claimed within `delay_ms` go to the least-loaded courier.
void auto_assign(jobs::JobContext& jc, std::int64_t delay_ms);

// views.cpp
bj::object task_json(repo::Task const& t);
// A task as its resident sees it in lists: with the proof code.
bj::object resident_task_json(repo::Task const& t);
// The task with its history; the proof code only for the resident it belongs to.
bj::object task_detail_json(repo::Task const& t, std::vector<repo::HistoryEntry> const& history, bool with_proof_code);
bj::object parcel_json(repo::Parcel const& p, bool with_code);
bj::array ids_json(std::vector<std::int64_t> const& ids);
// The delivery.* event payload (EVENTS.md), with `extra` fields added.
bj::object task_event(repo::Task const& t, bj::object const& extra = {});

}  // namespace courtyard::delivery
