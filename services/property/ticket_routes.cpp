// Repair tickets: submitted -> assigned -> in_progress -> resolved -> closed (and reopen),
// every transition recorded with its actor. The allowed transitions live in logic.cpp.
#include "db/tx.hpp"
#include "http/errors.hpp"
#include "services/identity/api.hpp"
#include "services/property/logic.hpp"
#include "services/property/routes.hpp"

#include <algorithm>

namespace courtyard::property {

using http::Access;
using http::Request;
using http::Response;
using logic::TicketAction;

namespace {

constexpr std::size_t kMaxDescription = 4000;
constexpr std::size_t kMaxNote = 2000;

bj::object full_view(db::Tx& tx, repo::Ticket const& t) {
  auto v = ticket_view(t, tx.now_ms());
  v["history"] = history_view(repo::history(tx, t.community_id, t.id));
  return v;
}

std::string categories_text() {
  std::string out;
  for (auto c : logic::ticket_categories()) out += (out.empty() ? "" : ", ") + std::string(c);
  return out;
}

// The ticket.* event of a step that matters to the SLA (services/EVENTS.md), measured against
// the targets the ticket was opened under (the community's current ones for older tickets).
void publish_step(db::Tx& tx, repo::Ticket const& t, repo::TicketStep const& step, std::string const& status) {
  std::vector<repo::SlaRow> targets;
  if (!t.sla_first_response_hours || !t.sla_resolution_hours) targets = repo::sla_rows(tx, t.community_id);
  auto fact = ticket_fact(step, targets);
  if (!fact) return;
  bj::object payload{{"community_id", t.community_id},
                     {"ticket_id", t.id},
                     {"opened_by", t.opened_by},
                     {"unit_id", t.unit_id},
                     {"status", status}};
  add_fact_fields(payload, *fact);
  tx.publish(fact->topic, t.community_id, std::move(payload));
}

// What the caller sent with a transition verb, validated before the transaction.
struct Input {
  std::int64_t staff_id = 0;
  std::optional<std::string> note;
  std::int64_t rating = 0;
  std::optional<std::string> comment;
};

Input read_input(Request const& req, TicketAction action) {
  Input in;
  switch (action) {
    case TicketAction::Assign: {
      auto body = req.json();
      in.staff_id = json::integer(body, "staff_id");
      if (in.staff_id <= 0) throw Invalid("staff_id", "must be a positive id");
      break;
    }
    case TicketAction::Resolve: {
      auto body = req.json();
      in.note = json::str(body, "note", 1, kMaxNote);
      break;
    }
    case TicketAction::Close: {
      auto body = req.json();
      in.rating = json::integer(body, "rating");
      if (!logic::valid_rating(in.rating)) throw Invalid("rating", "must be between 1 and 5");
      in.comment = json::opt_str(body, "comment", kMaxNote);
      if (in.comment && in.comment->empty()) in.comment.reset();
      break;
    }
    case TicketAction::Start:
    case TicketAction::Reopen:
      // No body needed; an optional {"note": "..."} is recorded in the history.
      if (!req.body.empty()) {
        auto body = req.json();
        in.note = json::opt_str(body, "note", kMaxNote);
        if (in.note && in.note->empty()) in.note.reset();
      }
      break;
  }
  return in;
}

Response transition(Request const& req, Context& ctx, TicketAction action) {
  auto id = req.id("id");
  Input in = read_input(req, action);
  std::int64_t cid = ctx.community_id;
  std::int64_t me = ctx.principal.account_id;
  return ctx.tx([&](db::Tx& tx) {
    auto t = found(repo::ticket(tx, cid, id), "ticket");
    if (logic::actor_for(action) == logic::Actor::Opener) {
      if (t.opened_by != me)
        throw Forbidden("only the resident who opened the ticket may " + std::string(logic::action_name(action)) + " it");
    } else if (!ctx.is_manager()) {
      throw Forbidden("only managers may " + std::string(logic::action_name(action)) + " a ticket");
    }
    if (action == TicketAction::Assign) {
      auto staff = identity::accounts_with_role(tx, cid, Role::Manager);
      if (std::find(staff.begin(), staff.end(), in.staff_id) == staff.end())
        throw Invalid("staff_id", "is not maintenance staff (a manager) of this community");
    }
    auto from = logic::parse_ticket_status(t.status);
    auto to = from ? logic::next_status(*from, action) : std::nullopt;
    if (!to)
      throw Conflict("invalid-transition", "cannot " + std::string(logic::action_name(action)) +
                                               " a ticket that is " + t.status);
    std::string to_text(logic::ticket_status_name(*to));

    repo::TicketChange change;
    std::optional<std::string> note = in.note;
    switch (action) {
      case TicketAction::Assign: change.assigned_to = in.staff_id; break;
      case TicketAction::Resolve:
        change.resolution_note = in.note;
        change.set_resolved = true;
        break;
      case TicketAction::Close:
        change.set_closed = true;
        change.rating = in.rating;
        change.rating_comment = in.comment;
        note = in.comment;
        break;
      case TicketAction::Reopen: change.clear_resolved = true; break;
      case TicketAction::Start: break;
    }
    // Staff's first act on a submitted ticket is its first response.
    change.set_first_response = *from == logic::TicketStatus::Submitted;
    if (!repo::transition_ticket(tx, cid, id, t.status, to_text, change, tx.now_ms()))
      throw Conflict("invalid-transition", "the ticket changed meanwhile; reload it");
    std::optional<std::int64_t> rating;
    if (action == TicketAction::Close) rating = in.rating;
    auto hid = repo::add_history(tx, cid, id, t.status, to_text, me, note, tx.now_ms(), rating);
    publish_step(tx, t, step_of(t, hid, t.status, to_text, me, tx.now_ms(), rating), to_text);
    return Response::json(full_view(tx, *repo::ticket(tx, cid, id)));
  });
}

// ---- handlers

Response open_ticket(Request const& req, Context& ctx) {
  auto body = req.json();
  repo::Ticket t;
  t.community_id = ctx.community_id;
  t.unit_id = json::integer(body, "unit_id");
  if (t.unit_id <= 0) throw Invalid("unit_id", "must be a positive id");
  t.category = json::str(body, "category", 1, 32);
  if (!logic::is_ticket_category(t.category)) throw Invalid("category", "must be one of " + categories_text());
  t.description = json::str(body, "description", 1, kMaxDescription);
  t.opened_by = ctx.principal.account_id;
  t.status = std::string(logic::ticket_status_name(logic::TicketStatus::Submitted));
  return ctx.tx([&](db::Tx& tx) {
    if (repo::unit_building(tx, ctx.community_id, t.unit_id) == 0)
      throw Invalid("unit_id", "is not a unit of this community");
    if (!ctx.lives_in(t.unit_id)) throw Forbidden("you are not a resident of this unit");
    t.created_at = t.updated_at = tx.now_ms();
    auto targets = effective_targets(repo::sla_rows(tx, t.community_id), t.category);
    t.sla_first_response_hours = targets.first_response_hours;
    t.sla_resolution_hours = targets.resolution_hours;
    t.id = repo::insert_ticket(tx, t);
    auto hid =
        repo::add_history(tx, t.community_id, t.id, std::nullopt, t.status, t.opened_by, std::nullopt, t.created_at);
    publish_step(tx, t, step_of(t, hid, std::nullopt, t.status, t.opened_by, t.created_at, std::nullopt), t.status);
    return Response::created(full_view(tx, t), ctx.path("/tickets/" + std::to_string(t.id)));
  });
}

Response list_tickets(Request const& req, Context& ctx) {
  auto page = req.page();
  std::optional<std::string> status;
  if (auto s = req.query_param("status")) {
    if (!logic::parse_ticket_status(*s))
      throw Invalid("status", "must be submitted, assigned, in_progress, resolved or closed");
    status = std::string(*s);
  }
  // Managers see every ticket; a resident sees the tickets they opened.
  std::int64_t opened_by = ctx.is_manager() ? 0 : ctx.principal.account_id;
  return ctx.tx([&](db::Tx& tx) {
    auto now = tx.now_ms();
    return Response::json(json::page_of_rows(repo::tickets(tx, ctx.community_id, opened_by, status, page), page,
                                             [&](repo::Ticket const& t) { return ticket_view(t, now); }));
  });
}

Response get_ticket(Request const& req, Context& ctx) {
  auto id = req.id("id");
  return ctx.tx([&](db::Tx& tx) {
    auto t = repo::ticket(tx, ctx.community_id, id);
    if (!t || !(ctx.is_manager() || t->opened_by == ctx.principal.account_id)) throw NotFound("ticket");
    return Response::json(full_view(tx, *t));
  });
}

}  // namespace

void add_ticket_routes(http::Router& r) {
  r.post("/v1/communities/{cid}/tickets", Access::resident(), open_ticket);
  r.get("/v1/communities/{cid}/tickets", resident_or_manager(), list_tickets);
  r.get("/v1/communities/{cid}/tickets/{id}", resident_or_manager(), get_ticket);

  // The state verbs share transition(); the opener is a resident, and who exactly may
  // close or reopen is checked there (403).
  struct Verb {
    char const* path;
    TicketAction action;
    http::Access access;
  };
  for (auto const& v : {Verb{"assign", TicketAction::Assign, Access::manager()},
                        Verb{"start", TicketAction::Start, Access::manager()},
                        Verb{"resolve", TicketAction::Resolve, Access::manager()},
                        Verb{"close", TicketAction::Close, resident_or_manager()},
                        Verb{"reopen", TicketAction::Reopen, resident_or_manager()}}) {
    auto action = v.action;
    r.post(std::string("/v1/communities/{cid}/tickets/{id}/") + v.path, v.access,
           [action](Request const& req, Context& ctx) { return transition(req, ctx, action); });
  }
}

}  // namespace courtyard::property
