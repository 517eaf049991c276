// Club events: creation (single or weekly series), calendars, RSVPs with a capacity held
// by a conditional update, a FIFO waitlist, paid seats through the wallet, check-in codes,
// and the reminder job.
#include "services/clubs/routes.hpp"
#include "services/wallet/api.hpp"

#include <sodium.h>

#include <map>

namespace courtyard::clubs {

namespace bj = boost::json;
using http::Access;
using http::Request;
using http::Response;

namespace {

constexpr std::size_t kMaxTitle = 200;
constexpr std::int64_t kPromotionBatch = 200;
constexpr std::int64_t kReminderBatch = 100;

std::string new_check_in_code() {
  std::vector<unsigned char> bytes(logic::kCheckInCodeLength);
  randombytes_buf(bytes.data(), bytes.size());
  return logic::check_in_code(bytes);
}

std::string event_ref(std::int64_t event_id) { return "event:" + std::to_string(event_id); }

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

// A savepoint, so one waitlisted resident who cannot pay is skipped without undoing the
// rest of the transaction (the ledger may have credited one leg before refusing the other).
class Savepoint {
 public:
  explicit Savepoint(db::Tx& tx) : tx_(tx) { tx_.sql() << "SAVEPOINT clubs_promotion"; }
  void rollback() {
    tx_.sql() << "ROLLBACK TO SAVEPOINT clubs_promotion";
    release();
  }
  void release() {
    if (done_) return;
    done_ = true;
    tx_.sql() << "RELEASE SAVEPOINT clubs_promotion";
  }

 private:
  db::Tx& tx_;
  bool done_ = false;
};

// Fills free seats from the waitlist in FIFO order; a paid event charges each promoted
// resident, skipping (leaving waitlisted) those who cannot pay. Returns who was promoted.
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
    Savepoint sp(tx);
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
        wallet::transfer(tx, e.community_id, wallet::resident(r.account_id), wallet::community(), e.fee_cents,
                         "event_fee", event_ref(e.id));
      } catch (Conflict const& c) {
        if (c.slug() != "insufficient-funds") throw;
        sp.rollback();
        continue;
      }
      repo::set_paid(tx, r.id, e.fee_cents);
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

Response event_list(Request const& req, Context& ctx, std::int64_t club_id) {
  auto page = req.page();
  auto window = window_of(req, db::now_ms());
  return ctx.tx([&](db::Tx& tx) {
    if (club_id) club_or_404(tx, ctx.community_id, club_id);
    auto rows = repo::list_events(tx, ctx.community_id, club_id, window.from, window.to, page.after.value_or(0),
                                  page.limit + 1);
    return Response::json(page_json(rows, page, [](repo::Event const& e) { return event_json(e); }));
  });
}

}  // namespace

void add_event_routes(http::Router& r) {
  r.post("/v1/communities/{cid}/clubs/{id}/events", Access::member(), [](Request const& req, Context& ctx) {
    std::int64_t club_id = req.id("id");
    auto body = req.json();
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
      return Response::created(out, community_path(ctx.community_id) + "/events/" + std::to_string(ids.front()));
    });
  });

  r.get("/v1/communities/{cid}/clubs/{id}/events", Access::member(),
        [](Request const& req, Context& ctx) { return event_list(req, ctx, req.id("id")); });

  r.get("/v1/communities/{cid}/events", Access::member(),
        [](Request const& req, Context& ctx) { return event_list(req, ctx, 0); });

  r.get("/v1/communities/{cid}/events/{eid}", Access::member(), [](Request const& req, Context& ctx) {
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
  });

  r.post("/v1/communities/{cid}/events/{eid}/rsvp", Access::member(), [](Request const& req, Context& ctx) {
    std::int64_t eid = req.id("eid");
    return ctx.idempotent(req, [&](db::Tx& tx) {
      auto e = event_or_404(tx, ctx.community_id, eid);
      std::int64_t me = ctx.principal.account_id;
      auto existing = repo::find_rsvp(tx, eid, me);
      logic::RsvpRequest rr;
      rr.club_open = e.club_open;
      rr.manager = is_manager(ctx);
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

      bool created = !existing;
      std::int64_t rsvp_id = 0;
      if (existing) {
        if (!repo::reactivate_rsvp(tx, existing->id, status_text, ticket, code))
          throw Conflict("already-rsvped", "you already have an RSVP for this event");
        rsvp_id = existing->id;
      } else {
        try {
          rsvp_id = repo::insert_rsvp(tx, ctx.community_id, eid, me, status_text, ticket, code);
        } catch (std::exception const& ex) {
          rethrow_duplicate(ex, "already-rsvped", "you already have an RSVP for this event");
        }
      }
      if (logic::charges_now(status, e.fee_cents)) {
        // Throws 409 /problems/insufficient-funds: the whole unit rolls back, seat included.
        wallet::transfer(tx, ctx.community_id, wallet::resident(me), wallet::community(), e.fee_cents, "event_fee",
                         event_ref(eid));
        repo::set_paid(tx, rsvp_id, e.fee_cents);
      }
      publish_rsvp(tx, e, me, status_text);
      auto rsvp = repo::find_rsvp(tx, eid, me);
      auto out = rsvp_json(*rsvp, position_of(tx, *rsvp));
      std::string location = community_path(ctx.community_id) + "/events/" + std::to_string(eid);
      if (created) return Response::created(out, location);
      return Response::json(out);
    });
  });

  r.del("/v1/communities/{cid}/events/{eid}/rsvp", Access::member(), [](Request const& req, Context& ctx) {
    std::int64_t eid = req.id("eid");
    return ctx.tx([&](db::Tx& tx) {
      auto e = event_or_404(tx, ctx.community_id, eid);
      std::int64_t me = ctx.principal.account_id;
      auto mine = repo::find_rsvp(tx, eid, me);
      auto verdict = logic::decide_cancel(mine ? logic::parse_rsvp_status(mine->status) : std::nullopt, e.starts_at,
                                          tx.now_ms());
      if (verdict == logic::CancelVerdict::NoRsvp) throw NotFound("RSVP");
      if (verdict == logic::CancelVerdict::Started)
        throw Conflict("event-started", "the event has already started; the RSVP can no longer be cancelled");
      if (!repo::transition_rsvp(tx, mine->id, mine->status, "cancelled", std::nullopt))
        throw Conflict("rsvp-changed", "the RSVP changed meanwhile; retry");
      std::int64_t refunded = 0;
      if (mine->status == "going") {
        repo::free_seat(tx, eid);
        if (mine->paid_cents > 0) {
          wallet::transfer(tx, ctx.community_id, wallet::community(), wallet::resident(me), mine->paid_cents,
                           "refund", event_ref(eid));
          refunded = mine->paid_cents;
          repo::set_paid(tx, mine->id, 0);
        }
      }
      publish_rsvp(tx, e, me, "cancelled");
      if (mine->status == "going") promote_waitlisted(tx, e);
      return Response::json(bj::object{{"event_id", eid},
                                       {"account_id", me},
                                       {"status", "cancelled"},
                                       {"refunded_cents", refunded}});
    });
  });

  r.post("/v1/communities/{cid}/events/{eid}/check-in", Access::member(), [](Request const& req, Context& ctx) {
    std::int64_t eid = req.id("eid");
    auto body = req.json();
    auto code = logic::normalize_code(json::str(body, "code", 1, 64));
    return ctx.tx([&](db::Tx& tx) {
      auto e = event_or_404(tx, ctx.community_id, eid);
      require_organiser(tx, ctx, e.club_id);
      auto rsvp = repo::find_rsvp_by_code(tx, eid, code);
      if (!rsvp) throw NotFound("check-in code");
      if (!repo::check_in(tx, rsvp->id))
        throw Conflict("already-checked-in", "this attendee has already checked in");
      tx.publish("event.checked_in", ctx.community_id,
                 bj::object{{"community_id", ctx.community_id},
                            {"event_id", eid},
                            {"club_id", e.club_id},
                            {"account_id", rsvp->account_id}});
      auto fresh = repo::find_rsvp(tx, eid, rsvp->account_id);
      return Response::json(rsvp_json(*fresh, std::nullopt));
    });
  });
}

int send_event_reminders(db::Database& db, events::Bus& bus, std::int64_t now_ms) {
  int sent = 0;
  for (int round = 0; round < 50; ++round) {
    auto [published, full_batch] = db::transact(db, &bus, [&](db::Tx& tx) {
      int n = 0;
      auto due = repo::reminder_candidates(tx, now_ms, logic::kReminderLeadMs, kReminderBatch);
      for (auto const& e : due) {
        if (!logic::reminder_due(e.starts_at, now_ms)) continue;
        // Another instance may have sent it meanwhile: the conditional update decides.
        if (!repo::mark_reminded(tx, e.id)) continue;
        bj::array accounts;
        for (auto a : repo::going_accounts(tx, e.id)) accounts.push_back(a);
        tx.publish("event.reminder", e.community_id,
                   bj::object{{"community_id", e.community_id},
                              {"event_id", e.id},
                              {"club_id", e.club_id},
                              {"title", e.title},
                              {"starts_at_ms", e.starts_at},
                              {"account_ids", std::move(accounts)}});
        ++n;
      }
      return std::pair<int, bool>(n, due.size() == static_cast<std::size_t>(kReminderBatch));
    });
    sent += published;
    if (!full_batch) break;
  }
  return sent;
}

}  // namespace courtyard::clubs
