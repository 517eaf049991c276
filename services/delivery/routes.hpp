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
void add_slot_routes(http::Router& r);    // slot_routes.cpp: merchants' delivery slots, residents' open ones
void add_batch_routes(http::Router& r);   // batch_routes.cpp: group-buy batches, their stops and progress
void add_code_routes(http::Router& r);    // code_routes.cpp: public keys, rotation, offline sync, tokens

// 404 unless `mid` is an approved merchant of the community; 403 unless the caller acts for it.
void require_own_merchant(db::Tx& tx, Context const& ctx, std::int64_t mid);

// subscriptions.cpp
// order.ready with fulfilment "delivery" -> a pending task (once per order).
void on_order_ready(events::Event const& e, db::Tx& tx);
// order.cancelled -> the order's active task is cancelled, its slot place given back and its
// batch stop (if any) cancelled.
void on_order_cancelled(events::Event const& e, db::Tx& tx);
// groupbuy.closed (reached) -> one batch per building for its delivery orders and one pickup
// point for its pickup orders (once per group buy: UNIQUE group buy, kind, building).
void on_group_buy_closed(events::Event const& e, db::Tx& tx);
// order.completed -> a pickup point's stop for that order is done (the merchant redeemed it).
void on_order_completed(events::Event const& e, db::Tx& tx);

// jobs.cpp: pending tasks nobody claimed within `delay_ms` go to the least-loaded courier.
void auto_assign(jobs::JobContext& jc, std::int64_t delay_ms);
// jobs.cpp: tasks whose slot ended undelivered are flagged once and delivery.late published.
void flag_late(jobs::JobContext& jc);

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
// A slot with its places left.
bj::object slot_json(repo::Slot const& s);
// A batch with its progress {done, cancelled, total}; with its stops (in round order) when given.
bj::object batch_json(repo::Batch const& b);
bj::object batch_detail_json(repo::Batch const& b, std::vector<repo::Stop> const& stops);
// A stop; the proof code only for its resident.
bj::object stop_json(repo::Stop const& s, bool with_proof_code);
// The delivery.batch_* payload.
bj::object batch_event(repo::Batch const& b, bj::object const& extra = {});

}  // namespace courtyard::delivery
