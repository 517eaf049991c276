// Community life: announcements with read receipts, visitor passes, amenity bookings and
// suggestions with votes.
#include "db/row.hpp"
#include "db/tx.hpp"
#include "http/errors.hpp"
#include "services/identity/api.hpp"
#include "services/property/logic.hpp"
#include "services/property/routes.hpp"

#include <sodium.h>

#include <set>

namespace courtyard::property {

namespace bj = boost::json;
using http::Access;
using http::Request;
using http::Response;

namespace {

constexpr std::size_t kMaxTitle = 200;
constexpr std::size_t kMaxBody = 10000;
constexpr std::int64_t kMaxBookingListWindowMs = 31 * logic::kDayMs;
constexpr std::int64_t kDefaultBookingListWindowMs = 7 * logic::kDayMs;

// ---- announcements

// The buildings the caller lives in (their resident units' buildings).
std::vector<std::int64_t> my_buildings(db::Tx& tx, Context const& ctx) {
  std::set<std::int64_t> out;
  for (auto u : my_units(ctx))
    if (auto b = repo::unit_building(tx, ctx.community_id, u)) out.insert(b);
  return {out.begin(), out.end()};
}

bj::object announcement_view(repo::Announcement const& a, bool manager) {
  bj::object v{{"id", a.id},
               {"community_id", a.community_id},
               {"building_id", a.building_id ? bj::value(a.building_id) : bj::value(nullptr)},
               {"title", a.title},
               {"body", a.body},
               {"created_by", a.created_by},
               {"created_at", json::rfc3339(a.created_at)},
               {"read_at", json::time_or_null(a.read_at)}};
  if (manager) {
    v["read_count"] = a.read_count;
    v["audience_count"] = a.audience_count;
  }
  return v;
}

// The announcement when the caller may see it: managers all, residents the community-wide
// ones and those for their buildings.
repo::Announcement visible_announcement(db::Tx& tx, Context const& ctx, std::int64_t id) {
  auto a = repo::announcement(tx, ctx.community_id, id, ctx.principal.account_id);
  if (!a) throw NotFound("announcement");
  if (a->building_id == 0 || is_manager(ctx)) return *a;
  auto mine = my_buildings(tx, ctx);
  if (std::find(mine.begin(), mine.end(), a->building_id) == mine.end()) throw NotFound("announcement");
  return *a;
}

// ---- visitor passes

std::string new_pass_code() {
  std::vector<std::uint32_t> idx(logic::kPassCodeLength);
  for (auto& i : idx) i = randombytes_uniform(static_cast<std::uint32_t>(logic::kPassCodeAlphabet.size()));
  return logic::pass_code(idx);
}

bj::object pass_view(repo::VisitorPass const& p, std::int64_t viewer, std::int64_t now) {
  std::string status = p.status;
  if (status == "active" && now >= p.valid_until) status = "expired";
  bj::object v{{"id", p.id},
               {"community_id", p.community_id},
               {"visitor_name", p.visitor_name},
               {"unit_id", p.unit_id},
               {"created_by", p.created_by},
               {"valid_from", json::rfc3339(p.valid_from)},
               {"valid_until", json::rfc3339(p.valid_until)},
               {"status", status},
               {"used_at", json::time_or_null(p.used_at)},
               {"verified_by", optional_int(p.verified_by)},
               {"created_at", json::rfc3339(p.created_at)}};
  // The code is the resident's to hand to their visitor; staff learn it at the gate.
  if (p.created_by == viewer) v["code"] = p.code;
  return v;
}

// ---- amenities

bj::object amenity_view(repo::Amenity const& a) {
  return bj::object{{"id", a.id},
                    {"community_id", a.community_id},
                    {"name", a.name},
                    {"capacity", a.capacity},
                    {"created_at", json::rfc3339(a.created_at)}};
}

bj::object booking_view(repo::Booking const& b, Context const& ctx) {
  bool mine = b.account_id == ctx.principal.account_id;
  bj::object v{{"id", b.id},
               {"community_id", b.community_id},
               {"amenity_id", b.amenity_id},
               {"starts_at", json::rfc3339(b.starts_at)},
               {"ends_at", json::rfc3339(b.ends_at)},
               {"status", b.status},
               {"mine", mine},
               {"created_at", json::rfc3339(b.created_at)}};
  // Neighbours see that a slot is taken, not by whom.
  v["account_id"] = mine || is_manager(ctx) ? bj::value(b.account_id) : bj::value(nullptr);
  return v;
}

std::int64_t query_time(Request const& req, std::string_view name, std::int64_t fallback) {
  auto s = req.query_param(name);
  if (!s) return fallback;
  auto t = json::parse_rfc3339(*s);
  if (!t) throw Invalid(std::string(name), "must be an RFC 3339 timestamp like 2026-11-23T10:00:00Z");
  return *t;
}

// ---- suggestions

bj::object suggestion_view(repo::Suggestion const& s) {
  return bj::object{{"id", s.id},
                    {"community_id", s.community_id},
                    {"author_id", s.author_id},
                    {"title", s.title},
                    {"body", s.body},
                    {"vote_count", s.vote_count},
                    {"voted", s.voted},
                    {"created_at", json::rfc3339(s.created_at)}};
}

}  // namespace

void announcement_routes(http::Router& r) {
  r.post("/v1/communities/{cid}/announcements", Access::manager(), [](Request const& req, Context& ctx) {
    auto body = req.json();
    repo::Announcement a;
    a.community_id = ctx.community_id;
    a.title = json::str(body, "title", 1, kMaxTitle);
    a.body = json::str(body, "body", 1, kMaxBody);
    a.building_id = json::opt_integer(body, "building_id").value_or(0);
    if (a.building_id < 0) throw Invalid("building_id", "must be a positive id");
    a.created_by = ctx.principal.account_id;
    return ctx.tx([&](db::Tx& tx) {
      if (a.building_id && !repo::building_in_community(tx, a.community_id, a.building_id))
        throw Invalid("building_id", "is not a building of this community");
      auto audience = identity::residents_of_community(tx, a.community_id, a.building_id);
      a.audience_count = static_cast<std::int64_t>(audience.size());
      a.created_at = tx.now_ms();
      a.id = repo::insert_announcement(tx, a);
      tx.publish("announcement.published", a.community_id,
                 bj::object{{"community_id", a.community_id},
                            {"announcement_id", a.id},
                            {"building_id", a.building_id},
                            {"title", a.title},
                            {"account_ids", ids_json(audience)}});
      return Response::created(announcement_view(a, true),
                               community_path(a.community_id) + "/announcements/" + std::to_string(a.id));
    });
  });

  r.get("/v1/communities/{cid}/announcements", Access::any_of(Role::Resident | Role::Manager),
        [](Request const& req, Context& ctx) {
          auto page = req.page();
          bool manager = is_manager(ctx);
          return ctx.tx([&](db::Tx& tx) {
            std::optional<std::vector<std::int64_t>> buildings;
            if (!manager) buildings = my_buildings(tx, ctx);
            auto rows = repo::announcements(tx, ctx.community_id, buildings, ctx.principal.account_id, page);
            return Response::json(
                page_of_rows(rows, page, [&](repo::Announcement const& a) { return announcement_view(a, manager); }));
          });
        });

  r.get("/v1/communities/{cid}/announcements/{id}", Access::any_of(Role::Resident | Role::Manager),
        [](Request const& req, Context& ctx) {
          auto id = req.id("id");
          return ctx.tx([&](db::Tx& tx) {
            return Response::json(announcement_view(visible_announcement(tx, ctx, id), is_manager(ctx)));
          });
        });

  // Read receipts: one per account (unique key); repeating the call changes nothing.
  r.post("/v1/communities/{cid}/announcements/{id}/read", Access::resident(), [](Request const& req, Context& ctx) {
    auto id = req.id("id");
    return ctx.tx([&](db::Tx& tx) {
      visible_announcement(tx, ctx, id);
      repo::mark_read(tx, ctx.community_id, id, ctx.principal.account_id, tx.now_ms());
      return Response::json(announcement_view(visible_announcement(tx, ctx, id), is_manager(ctx)));
    });
  });
}

void visitor_pass_routes(http::Router& r) {
  r.post("/v1/communities/{cid}/visitor-passes", Access::resident(), [](Request const& req, Context& ctx) {
    auto body = req.json();
    repo::VisitorPass p;
    p.community_id = ctx.community_id;
    p.visitor_name = json::str(body, "visitor_name", 1, kMaxTitle);
    p.valid_from = json::time_ms(body, "valid_from");
    p.valid_until = json::time_ms(body, "valid_until");
    p.created_by = ctx.principal.account_id;
    p.unit_id = ctx.principal.unit_in(ctx.community_id);
    p.status = "active";
    return ctx.tx([&](db::Tx& tx) {
      if (auto why = logic::pass_window_problem(p.valid_from, p.valid_until, tx.now_ms())) throw Invalid(why->field, why->why);
      p.created_at = tx.now_ms();
      // 32^10 codes: a collision is all but impossible, but the unique key has the last word.
      for (int attempt = 0;; ++attempt) {
        p.code = new_pass_code();
        try {
          p.id = repo::insert_pass(tx, p);
          break;
        } catch (std::exception const& e) {
          if (attempt >= 4 || !db::is_unique_violation(e)) throw;
        }
      }
      return Response::created(pass_view(p, p.created_by, tx.now_ms()),
                               community_path(p.community_id) + "/visitor-passes/" + std::to_string(p.id));
    });
  });

  r.get("/v1/communities/{cid}/visitor-passes", Access::any_of(Role::Resident | Role::Manager),
        [](Request const& req, Context& ctx) {
          auto page = req.page();
          std::int64_t me = ctx.principal.account_id;
          std::int64_t only = is_manager(ctx) ? 0 : me;
          return ctx.tx([&](db::Tx& tx) {
            auto now = tx.now_ms();
            return Response::json(page_of_rows(repo::passes(tx, ctx.community_id, only, page), page,
                                               [&](repo::VisitorPass const& p) { return pass_view(p, me, now); }));
          });
        });

  r.get("/v1/communities/{cid}/visitor-passes/{id}", Access::any_of(Role::Resident | Role::Manager),
        [](Request const& req, Context& ctx) {
          auto id = req.id("id");
          std::int64_t me = ctx.principal.account_id;
          return ctx.tx([&](db::Tx& tx) {
            auto p = repo::pass(tx, ctx.community_id, id);
            if (!p || !(is_manager(ctx) || p->created_by == me)) throw NotFound("visitor pass");
            return Response::json(pass_view(*p, me, tx.now_ms()));
          });
        });

  // Valid once, inside its window: the conditional update (active and inside the window ->
  // used) lets exactly one of several simultaneous verifications through.
  r.post("/v1/communities/{cid}/visitor-passes/verify", Access::manager(), [](Request const& req, Context& ctx) {
    auto body = req.json();
    auto typed = json::str(body, "code", 1, 64);
    auto code = logic::normalize_code(typed);
    if (!code) throw NotFound("visitor pass");
    std::int64_t me = ctx.principal.account_id;
    return ctx.tx([&](db::Tx& tx) {
      auto p = repo::pass_by_code(tx, ctx.community_id, *code);
      if (!p) throw NotFound("visitor pass");
      auto now = tx.now_ms();
      auto check = logic::check_pass(p->status == "used", p->valid_from, p->valid_until, now);
      if (check == logic::PassCheck::Valid && !repo::use_pass(tx, ctx.community_id, p->id, me, now))
        check = logic::PassCheck::Used;  // another verification got there first
      switch (check) {
        case logic::PassCheck::Used: throw Conflict("pass-used", "this pass has already been used");
        case logic::PassCheck::NotYetValid:
          throw Conflict("pass-not-valid-now", "this pass is valid from " + json::rfc3339(p->valid_from));
        case logic::PassCheck::Expired:
          throw Conflict("pass-not-valid-now", "this pass expired at " + json::rfc3339(p->valid_until));
        case logic::PassCheck::Valid: break;
      }
      auto v = pass_view(*repo::pass(tx, ctx.community_id, p->id), me, now);
      v["code"] = p->code;
      return Response::json(v);
    });
  });
}

void amenity_routes(http::Router& r) {
  r.post("/v1/communities/{cid}/amenities", Access::manager(), [](Request const& req, Context& ctx) {
    auto body = req.json();
    repo::Amenity a;
    a.community_id = ctx.community_id;
    a.name = json::str(body, "name", 1, kMaxTitle);
    a.capacity = json::integer(body, "capacity");
    if (a.capacity < 1 || a.capacity > logic::kMaxCapacity)
      throw Invalid("capacity", "must be between 1 and " + std::to_string(logic::kMaxCapacity));
    return ctx.tx([&](db::Tx& tx) {
      a.created_at = tx.now_ms();
      a.id = repo::insert_amenity(tx, a);
      return Response::created(amenity_view(a), community_path(a.community_id) + "/amenities/" + std::to_string(a.id));
    });
  });

  r.get("/v1/communities/{cid}/amenities", Access::member(), [](Request const& req, Context& ctx) {
    auto page = req.page();
    return ctx.tx([&](db::Tx& tx) {
      return Response::json(page_of_rows(repo::amenities(tx, ctx.community_id, page), page, amenity_view));
    });
  });

  r.get("/v1/communities/{cid}/amenities/{aid}", Access::member(), [](Request const& req, Context& ctx) {
    auto aid = req.id("aid");
    return ctx.tx([&](db::Tx& tx) {
      auto a = repo::amenity(tx, ctx.community_id, aid);
      if (!a) throw NotFound("amenity");
      return Response::json(amenity_view(*a));
    });
  });

  // Capacity holds at every instant even under concurrent requests: bumping the amenity's
  // booking_version first serialises bookings of one amenity (row lock on MariaDB, the
  // single writer on SQLite); the overlap count and the insert follow under that lock.
  r.post("/v1/communities/{cid}/amenities/{aid}/bookings", Access::resident(), [](Request const& req, Context& ctx) {
    auto aid = req.id("aid");
    auto body = req.json();
    repo::Booking b;
    b.community_id = ctx.community_id;
    b.amenity_id = aid;
    b.account_id = ctx.principal.account_id;
    b.starts_at = json::time_ms(body, "starts_at");
    b.ends_at = json::time_ms(body, "ends_at");
    b.status = "active";
    return ctx.idempotent(req, [&](db::Tx& tx) {
      if (auto why = logic::booking_problem(b.starts_at, b.ends_at, tx.now_ms())) throw Invalid("ends_at", *why);
      if (!repo::lock_amenity(tx, b.community_id, aid)) throw NotFound("amenity");
      auto a = repo::amenity(tx, b.community_id, aid);
      std::vector<logic::Interval> taken;
      for (auto const& o : repo::overlapping_bookings(tx, b.community_id, aid, b.starts_at, b.ends_at))
        taken.push_back({o.starts_at, o.ends_at});
      if (!logic::fits(taken, {b.starts_at, b.ends_at}, a->capacity))
        throw Conflict("capacity-exceeded", "the amenity is fully booked for part of that time");
      b.created_at = tx.now_ms();
      b.id = repo::insert_booking(tx, b);
      return Response::created(booking_view(b, ctx), community_path(b.community_id) + "/amenities/" +
                                                         std::to_string(aid) + "/bookings/" + std::to_string(b.id));
    });
  });

  r.get("/v1/communities/{cid}/amenities/{aid}/bookings", Access::member(), [](Request const& req, Context& ctx) {
    auto aid = req.id("aid");
    auto page = req.page();
    std::int64_t from = query_time(req, "from", db::now_ms());
    std::int64_t to = query_time(req, "to", from + kDefaultBookingListWindowMs);
    if (to <= from) throw Invalid("to", "must be after from");
    if (to - from > kMaxBookingListWindowMs) throw Invalid("to", "the window is at most 31 days");
    return ctx.tx([&](db::Tx& tx) {
      if (!repo::amenity(tx, ctx.community_id, aid)) throw NotFound("amenity");
      return Response::json(page_of_rows(repo::bookings(tx, ctx.community_id, aid, from, to, page), page,
                                         [&](repo::Booking const& b) { return booking_view(b, ctx); }));
    });
  });

  r.get("/v1/communities/{cid}/amenities/{aid}/bookings/{id}", Access::member(), [](Request const& req, Context& ctx) {
    auto aid = req.id("aid");
    auto id = req.id("id");
    return ctx.tx([&](db::Tx& tx) {
      auto b = repo::booking(tx, ctx.community_id, aid, id);
      if (!b) throw NotFound("booking");
      return Response::json(booking_view(*b, ctx));
    });
  });

  r.del("/v1/communities/{cid}/amenities/{aid}/bookings/{id}", Access::any_of(Role::Resident | Role::Manager),
        [](Request const& req, Context& ctx) {
          auto aid = req.id("aid");
          auto id = req.id("id");
          return ctx.tx([&](db::Tx& tx) {
            auto b = repo::booking(tx, ctx.community_id, aid, id);
            if (!b) throw NotFound("booking");
            if (b->account_id != ctx.principal.account_id && !is_manager(ctx))
              throw Forbidden("only the resident who booked or a manager may cancel a booking");
            if (!repo::cancel_booking(tx, ctx.community_id, id, tx.now_ms()))
              throw Conflict("already-cancelled", "the booking is already cancelled");
            return Response::no_content();
          });
        });
}

void suggestion_routes(http::Router& r) {
  r.post("/v1/communities/{cid}/suggestions", Access::resident(), [](Request const& req, Context& ctx) {
    auto body = req.json();
    repo::Suggestion s;
    s.community_id = ctx.community_id;
    s.author_id = ctx.principal.account_id;
    s.title = json::str(body, "title", 1, kMaxTitle);
    s.body = json::str(body, "body", 1, kMaxBody);
    return ctx.tx([&](db::Tx& tx) {
      s.created_at = tx.now_ms();
      s.id = repo::insert_suggestion(tx, s);
      return Response::created(suggestion_view(s),
                               community_path(s.community_id) + "/suggestions/" + std::to_string(s.id));
    });
  });

  // sort=new (default): newest first, cursor = last id. sort=votes: most votes first; the
  // cursor is an offset into that order.
  r.get("/v1/communities/{cid}/suggestions", Access::member(), [](Request const& req, Context& ctx) {
    auto page = req.page();
    std::string sort(req.query_param("sort").value_or("new"));
    if (sort != "new" && sort != "votes") throw Invalid("sort", "must be votes or new");
    return ctx.tx([&](db::Tx& tx) {
      if (sort == "new")
        return Response::json(page_of_rows(
            repo::suggestions(tx, ctx.community_id, false, 0, ctx.principal.account_id, page), page, suggestion_view));
      std::int64_t offset = page.after.value_or(0);
      auto rows = repo::suggestions(tx, ctx.community_id, true, offset, ctx.principal.account_id, page);
      bj::array items;
      std::optional<std::int64_t> next;
      for (std::size_t i = 0; i < rows.size(); ++i) {
        if (static_cast<std::int64_t>(i) == page.limit) {
          next = offset + page.limit;
          break;
        }
        items.push_back(suggestion_view(rows[i]));
      }
      return Response::json(json::page_result(std::move(items), next));
    });
  });

  r.get("/v1/communities/{cid}/suggestions/{id}", Access::member(), [](Request const& req, Context& ctx) {
    auto id = req.id("id");
    return ctx.tx([&](db::Tx& tx) {
      auto s = repo::suggestion(tx, ctx.community_id, id, ctx.principal.account_id);
      if (!s) throw NotFound("suggestion");
      return Response::json(suggestion_view(*s));
    });
  });

  // One vote per resident: the unique (suggestion, account) key decides, and vote_count
  // moves in the same transaction as the vote row.
  r.post("/v1/communities/{cid}/suggestions/{id}/votes", Access::resident(), [](Request const& req, Context& ctx) {
    auto id = req.id("id");
    return ctx.tx([&](db::Tx& tx) {
      if (!repo::suggestion(tx, ctx.community_id, id, ctx.principal.account_id)) throw NotFound("suggestion");
      if (!repo::add_vote(tx, ctx.community_id, id, ctx.principal.account_id, tx.now_ms()))
        throw Conflict("already-voted", "you have already voted for this suggestion");
      return Response::created(suggestion_view(*repo::suggestion(tx, ctx.community_id, id, ctx.principal.account_id)),
                               community_path(ctx.community_id) + "/suggestions/" + std::to_string(id));
    });
  });

  r.del("/v1/communities/{cid}/suggestions/{id}/votes", Access::resident(), [](Request const& req, Context& ctx) {
    auto id = req.id("id");
    return ctx.tx([&](db::Tx& tx) {
      if (!repo::suggestion(tx, ctx.community_id, id, ctx.principal.account_id)) throw NotFound("suggestion");
      if (!repo::remove_vote(tx, ctx.community_id, id, ctx.principal.account_id)) throw NotFound("vote");
      return Response::no_content();
    });
  });
}

}  // namespace courtyard::property
