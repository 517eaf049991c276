// Club events: creation (single or weekly series), calendars, RSVPs with a capacity held
// by a conditional update, a FIFO waitlist, paid seats through the wallet and check-in codes.
#include "http/random.hpp"
#include "services/clubs/routes.hpp"
#include "services/members/api.hpp"
#include "services/wallet/api.hpp"

#include <sodium.h>

#include <map>

namespace courtyard::clubs {

namespace {

constexpr std::size_t kMaxTitle = 200;
constexpr std::int64_t kPromotionBatch = 200;

std::string new_check_in_code() {
  std::vector<unsigned char> bytes(logic::kCheckInCodeLength);
  randombytes_buf(bytes.data(), bytes.size());
  return logic::check_in_code(bytes);
}

std::string event_ref(std::int64_t event_id) { return "event:" + std::to_string(event_id); }
std::string event_suffix(std::int64_t event_id) { return "/events/" + std::to_string(event_id); }

repo::Event event_or_404(db::Tx& tx, std::int64_t cid, std::int64_t event_id) {
  auto e = repo::find_event(tx, cid, event_id);
  if (!e) throw NotFound("event");
  return *e;
}

void publish_rsvp(db::Tx& tx, repo::Event const& e, std::int64_t account_id, std::string_view status) {
  tx.publish("event.rsvp", e.community_id,
             bj::object{{"community_id", e.community_id},
                        {"event_id", e.id},
                        {"club_id", e.club_id},
                        {"account_id", account_id},
                        {"status", status}});
}

std::optional<std::int64_t> position_of(db::Tx& tx, repo::Rsvp const& r) {
  if (r.status != "waitlisted") return std::nullopt;
  return logic::waitlist_position(r.waitlist_seq, repo::waiting_tickets(tx, r.event_id));
}

// The event fee from the resident to the community, recorded on the RSVP; `points` (loyalty
// points, members' terms) pay part of it first, debited under a reference of this RSVP and
// this charge (random: an RSVP cancelled and made again is charged again).
// Throws 409 /problems/insufficient-funds when the resident cannot pay, 409
// /problems/insufficient-points or 422 (points) when the points cannot.
void charge_fee(db::Tx& tx, repo::Event const& e, std::int64_t rsvp_id, std::int64_t account_id,
                std::int64_t points = 0) {
  std::int64_t money = e.fee_cents;
  if (points > 0) {
    std::string ref = event_ref(e.id) + ":rsvp:" + std::to_string(rsvp_id) + ":" + http::random_hex(6);
    auto paid = members::pay_with_points(tx, e.community_id, account_id, points, e.fee_cents,
                                         members::SpendOn::EventFee, ref);
    repo::set_points(tx, rsvp_id, paid.points, paid.cents, ref);
    money -= paid.cents;
  }
  if (money > 0)
    wallet::transfer(tx, e.community_id, wallet::resident(account_id), wallet::community(), money, "event_fee",
                     event_ref(e.id));
  repo::set_paid(tx, rsvp_id, money);
}

// The optional body of an RSVP: {"points": N} pays part of a paid event's fee with points.
std::int64_t rsvp_points(Request const& req) {
  if (req.body.empty()) return 0;
  auto body = req.json();
  auto points = json::opt_integer(body, "points").value_or(0);
  if (points < 0) throw Invalid("points", "must be 0 or more");
  return points;
}

// Fills free seats from the waitlist in FIFO order; a paid event charges each promoted
// resident, skipping (leaving waitlisted) those who cannot pay. Each promotion runs under a
// savepoint, so one resident who cannot pay is skipped without undoing the rest of the
// transaction (the ledger may have credited one leg before refusing the other).
// Returns who was promoted.
std::vector<std::int64_t> promote_waitlisted(db::Tx& tx, repo::Event const& e) {
  std::vector<logic::Waiting> waiting;
  std::map<std::int64_t, repo::Rsvp> by_id;
  for (auto& r : repo::waitlist(tx, e.id, kPromotionBatch)) {
    waiting.push_back({r.id, r.waitlist_seq});
    by_id.emplace(r.id, std::move(r));
  }
  std::vector<std::int64_t> promoted;
  for (auto const& w : logic::promotion_order(std::move(waiting))) {
    auto const& r = by_id.at(w.rsvp_id);
    repo::Savepoint sp(tx);
    if (!repo::take_seat(tx, e.id)) {
      sp.release();
      break;
    }
    if (!repo::transition_rsvp(tx, r.id, "waitlisted", "going", new_check_in_code())) {
      sp.rollback();
      continue;
    }
    if (e.fee_cents > 0) {
      try {
        charge_fee(tx, e, r.id, r.account_id);
      } catch (Conflict const& c) {
        if (c.slug() != "insufficient-funds") throw;
        sp.rollback();
        continue;
      }
    }
    sp.release();
    publish_rsvp(tx, e, r.account_id, "promoted");
    promoted.push_back(r.account_id);
  }
  return promoted;
}

logic::Window window_of(Request const& req, std::int64_t now) {
  auto parse = [&](std::string_view key) -> std::optional<std::int64_t> {
    auto v = req.query_param(key);
    if (!v) return std::nullopt;
    auto t = json::parse_rfc3339(*v);
    if (!t) throw Invalid(std::string(key), "must be an RFC 3339 timestamp like 2026-11-23T10:00:00Z");
    return t;
  };
  return logic::calendar_window(parse("from"), parse("to"), now);
}

// ---- creating and reading events

// The event draft from the body (validated against the clock in the transaction).
logic::EventDraft read_event_draft(bj::object const& body) {
  logic::EventDraft d;
  d.title = json::str(body, "title", 1, kMaxTitle);
  d.starts_at = json::time_ms(body, "starts_at");
  d.capacity = json::integer(body, "capacity");
  d.fee_cents = json::opt_integer(body, "fee_cents").value_or(0);
  if (auto it = body.find("recurrence"); it != body.end() && !it->value().is_null()) {
    if (!it->value().is_object()) throw BadRequest("recurrence must be an object", "wrong-type");
    auto const& rec = it->value().as_object();
    d.has_recurrence = true;
    d.weekly = json::opt_boolean(rec, "weekly");
    d.count = json::opt_integer(rec, "count");
  }
  return d;
}

Response create_event(Request const& req, Context& ctx) {
  std::int64_t club_id = req.id("id");
  auto d = read_event_draft(req.json());
  return ctx.tx([&](db::Tx& tx) {
    club_or_404(tx, ctx.community_id, club_id);
    require_organiser(tx, ctx, club_id);
    if (auto errs = logic::validate_event(d, tx.now_ms()); !errs.empty()) throw Invalid(std::move(errs));
    std::vector<std::int64_t> ids;
    for (std::int64_t start : logic::occurrences(d))
      ids.push_back(repo::insert_event(tx, ctx.community_id, club_id, d.title, start, d.capacity, d.fee_cents,
                                       ctx.principal.account_id));
    // A weekly series: one row per occurrence sharing the first occurrence's id.
    if (d.has_recurrence)
      for (auto id : ids) repo::set_series(tx, id, ids.front());
    auto out = event_json(event_or_404(tx, ctx.community_id, ids.front()));
    if (d.has_recurrence) {
      bj::array occ;
      for (auto id : ids) occ.push_back(event_json(event_or_404(tx, ctx.community_id, id)));
      out["occurrences"] = std::move(occ);
    }
    return Response::created(out, ctx.path(event_suffix(ids.front())));
  });
}

// A calendar page: one club's events (club_id > 0) or the whole community's.
Response event_list(Request const& req, Context& ctx, std::int64_t club_id) {
  auto page = req.page();
  auto window = window_of(req, db::now_ms());
  return ctx.tx([&](db::Tx& tx) {
    if (club_id) club_or_404(tx, ctx.community_id, club_id);
    auto rows = repo::list_events(tx, ctx.community_id, club_id, window.from, window.to, page);
    return Response::json(json::page_of_rows(rows, page, event_json));
  });
}

Response club_calendar(Request const& req, Context& ctx) { return event_list(req, ctx, req.id("id")); }

Response community_calendar(Request const& req, Context& ctx) { return event_list(req, ctx, 0); }

Response get_event(Request const& req, Context& ctx) {
  std::int64_t eid = req.id("eid");
  return ctx.tx([&](db::Tx& tx) {
    auto e = event_or_404(tx, ctx.community_id, eid);
    auto out = event_json(e);
    out["going_count"] = repo::count_rsvps(tx, eid, "going");
    out["waitlist_count"] = repo::count_rsvps(tx, eid, "waitlisted");
    auto mine = repo::find_rsvp(tx, eid, ctx.principal.account_id);
    if (mine && mine->status != "cancelled")
      out["my_rsvp"] = rsvp_json(*mine, position_of(tx, *mine));
    else
      out["my_rsvp"] = nullptr;
    return Response::json(out);
  });
}

// ---- RSVPs

// Stores the caller's RSVP in `status_text` (a new row, or a cancelled one re-activated);
// returns its id and whether it was created.
std::pair<std::int64_t, bool> store_rsvp(db::Tx& tx, Context const& ctx, std::int64_t eid,
                                         std::optional<repo::Rsvp> const& existing, std::string const& status_text,
                                         std::int64_t ticket, std::optional<std::string> const& code) {
  if (existing) {
    if (!repo::reactivate_rsvp(tx, existing->id, status_text, ticket, code))
      throw Conflict("already-rsvped", "you already have an RSVP for this event");
    return {existing->id, false};
  }
  try {
    return {repo::insert_rsvp(tx, ctx.community_id, eid, ctx.principal.account_id, status_text, ticket, code), true};
  } catch (std::exception const& ex) {
    rethrow_duplicate(ex, "already-rsvped", "you already have an RSVP for this event");
  }
}

Response rsvp(Request const& req, Context& ctx) {
  std::int64_t eid = req.id("eid");
  std::int64_t points = rsvp_points(req);
  return ctx.idempotent(req, [&](db::Tx& tx) {
    auto e = event_or_404(tx, ctx.community_id, eid);
    if (points > 0 && e.fee_cents <= 0) throw Invalid("points", "this event is free");
    std::int64_t me = ctx.principal.account_id;
    auto existing = repo::find_rsvp(tx, eid, me);
    logic::RsvpRequest rr;
    rr.club_open = e.club_open;
    rr.manager = ctx.is_manager();
    rr.club_member = e.club_open || is_club_member(repo::find_member(tx, e.club_id, me));
    rr.starts_at = e.starts_at;
    rr.now_ms = tx.now_ms();
    if (existing) rr.existing = logic::parse_rsvp_status(existing->status);
    logic::enforce(logic::decide_rsvp(rr));

    auto status = logic::status_after_seat_attempt(repo::take_seat(tx, eid));
    bool going = status == logic::RsvpStatus::Going;
    std::int64_t ticket = going ? 0 : repo::next_waitlist_ticket(tx, eid);
    std::optional<std::string> code;
    if (going) code = new_check_in_code();
    std::string status_text(logic::to_string(status));

    auto [rsvp_id, created] = store_rsvp(tx, ctx, eid, existing, status_text, ticket, code);
    // Throws 409 /problems/insufficient-funds (or -points): the whole unit rolls back, seat
    // included. A waitlisted RSVP spends no points: promotion charges the fee in money.
    if (logic::charges_now(status, e.fee_cents)) charge_fee(tx, e, rsvp_id, me, points);
    publish_rsvp(tx, e, me, status_text);
    auto stored = repo::find_rsvp(tx, eid, me);
    auto out = rsvp_json(*stored, position_of(tx, *stored));
    if (created) return Response::created(out, ctx.path(event_suffix(eid)));
    return Response::json(out);
  });
}

Response cancel_rsvp(Request const& req, Context& ctx) {
  std::int64_t eid = req.id("eid");
  return ctx.tx([&](db::Tx& tx) {
    auto e = event_or_404(tx, ctx.community_id, eid);
    std::int64_t me = ctx.principal.account_id;
    // A promotion (waitlisted -> going, after someone else's cancel) can move the RSVP between
    // our read and our conditional update: then read it again and cancel what it is now. Each
    // statement sees the latest commit (READ COMMITTED); SQLite's writer never sees this.
    auto mine = repo::find_rsvp(tx, eid, me);
    for (int attempt = 1;; ++attempt) {
      auto verdict =
          logic::decide_cancel(mine ? logic::parse_rsvp_status(mine->status) : std::nullopt, e.starts_at, tx.now_ms());
      if (verdict == logic::CancelVerdict::NoRsvp) throw NotFound("RSVP");
      if (verdict == logic::CancelVerdict::Started)
        throw Conflict("event-started", "the event has already started; the RSVP can no longer be cancelled");
      if (repo::transition_rsvp(tx, mine->id, mine->status, "cancelled", std::nullopt)) break;
      if (attempt == 3) throw Conflict("rsvp-changed", "the RSVP changed meanwhile; retry");
      mine = repo::find_rsvp(tx, eid, me);
    }
    std::int64_t refunded = 0, refunded_points = 0;
    if (mine->status == "going") {
      repo::free_seat(tx, eid);
      // Points first, as when charging: back into the lots they came from.
      if (mine->points_spent > 0 && mine->points_ref) {
        refunded_points = members::give_back(tx, ctx.community_id, me, members::Points(mine->points_spent),
                                             *mine->points_ref, *mine->points_ref);
        repo::set_points(tx, mine->id, 0, 0, std::nullopt);
      }
      if (mine->paid_cents > 0) {
        wallet::transfer(tx, ctx.community_id, wallet::community(), wallet::resident(me), mine->paid_cents, "refund",
                         event_ref(eid));
        refunded = mine->paid_cents;
        repo::set_paid(tx, mine->id, 0);
      }
    }
    publish_rsvp(tx, e, me, "cancelled");
    if (mine->status == "going") promote_waitlisted(tx, e);
    return Response::json(
        bj::object{{"event_id", eid},
                   {"account_id", me},
                   {"status", "cancelled"},
                   {"refunded_cents", refunded},
                   {"refunded_points", refunded_points}});
  });
}

Response check_in(Request const& req, Context& ctx) {
  std::int64_t eid = req.id("eid");
  auto body = req.json();
  auto code = logic::normalize_code(json::str(body, "code", 1, 64));
  return ctx.tx([&](db::Tx& tx) {
    auto e = event_or_404(tx, ctx.community_id, eid);
    require_organiser(tx, ctx, e.club_id);
    auto found = repo::find_rsvp_by_code(tx, eid, code);
    if (!found) throw NotFound("check-in code");
    if (!repo::check_in(tx, found->id)) throw Conflict("already-checked-in", "this attendee has already checked in");
    tx.publish("event.checked_in", ctx.community_id,
               bj::object{{"community_id", ctx.community_id},
                          {"event_id", eid},
                          {"club_id", e.club_id},
                          {"account_id", found->account_id}});
    auto fresh = repo::find_rsvp(tx, eid, found->account_id);
    return Response::json(rsvp_json(*fresh, std::nullopt));
  });
}

}  // namespace

void add_event_routes(http::Router& r) {
  r.post("/v1/communities/{cid}/clubs/{id}/events", Access::member(), create_event);
  r.get("/v1/communities/{cid}/clubs/{id}/events", Access::member(), club_calendar);
  r.get("/v1/communities/{cid}/events", Access::member(), community_calendar);
  r.get("/v1/communities/{cid}/events/{eid}", Access::member(), get_event);
  r.post("/v1/communities/{cid}/events/{eid}/rsvp", Access::member(), rsvp);
  r.del("/v1/communities/{cid}/events/{eid}/rsvp", Access::member(), cancel_rsvp);
  r.post("/v1/communities/{cid}/events/{eid}/check-in", Access::member(), check_in);
}

}  // namespace courtyard::clubs
