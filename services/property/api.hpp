#pragma once
// What other parts of Courtyard may call from property.
#include "db/tx.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace courtyard::property {

// The account's rows in this service, for the resident's data export (export.cpp).
boost::json::object export_account(db::Tx& tx, std::int64_t account_id);
// Account erasure (erase.cpp; members orchestrates POST /v1/me/erasure): the free text the
// resident wrote for the manager (ticket descriptions, rating comments, ticket notes) and
// visitor names become "[erased]"; bills, payments, bookings, suggestions and votes stay.
// Returns what it changed, for the erasure receipt.
boost::json::object erase_account(db::Tx& tx, std::int64_t account_id);

// The text of the community's suggestions created in [from, to), newest first, at most
// `limit` (shops' category-gap report looks for the categories and terms they mention).
struct SuggestionText {
  std::int64_t id = 0;
  std::string title, body;
  std::int64_t vote_count = 0;
};
std::vector<SuggestionText> suggestion_texts(db::Tx& tx, std::int64_t cid, std::int64_t from, std::int64_t to,
                                             std::int64_t limit);

// ---- repair tickets against the SLA (analytics rolls these up)

// One step of a ticket measured against its SLA, exactly as the ticket.* events carry it
// (services/EVENTS.md): the events publish it when the step happens, and the backfill reads the
// same facts from the tickets' history, keyed the same way.
struct TicketFact {
  std::string topic;  // ticket.opened | ticket.first_response | ticket.resolved | ticket.closed | ticket.reopened
  std::int64_t history_id = 0, ticket_id = 0;
  std::string category;
  std::int64_t opened_at_ms = 0, at_ms = 0;
  // first_response and resolved: whole minutes since opening, the target and whether it was met.
  std::int64_t minutes = 0, target_hours = 0;
  bool within_sla = true;
  std::int64_t rating = 0;  // closed: the resident's 1-5
  std::int64_t resolution_target_hours = 0;  // opened (target_hours is then the first response's)
};
// The facts of the community's ticket history rows after `after_history_id` (id order, at
// most `limit` rows read); `last` is the last history id read and `rows` how many were read.
std::vector<TicketFact> ticket_facts_after(db::Tx& tx, std::int64_t cid, std::int64_t after_history_id,
                                           std::int64_t limit, std::int64_t& last, std::int64_t& rows);
// The targets in effect now, in hours: {first response, resolution} per ticket category, and
// under "" the community's default.
std::map<std::string, std::pair<std::int64_t, std::int64_t>> ticket_sla_targets(db::Tx& tx, std::int64_t cid);

}  // namespace courtyard::property
