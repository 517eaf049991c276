// Amenities and their bookings, with capacity held at every instant.
#include "db/tx.hpp"
#include "http/errors.hpp"
#include "services/property/logic.hpp"
#include "services/property/routes.hpp"

namespace courtyard::property {

using http::Access;
using http::Request;
using http::Response;

namespace {

constexpr std::int64_t kMaxBookingListWindowMs = 31 * logic::kDayMs;
constexpr std::int64_t kDefaultBookingListWindowMs = 7 * logic::kDayMs;

std::int64_t query_time(Request const& req, std::string_view name, std::int64_t fallback) {
  auto s = req.query_param(name);
  if (!s) return fallback;
  auto t = json::parse_rfc3339(*s);
  if (!t) throw Invalid(std::string(name), "must be an RFC 3339 timestamp like 2026-11-23T10:00:00Z");
  return *t;
}

bj::object booking_view_for(repo::Booking const& b, Context const& ctx) {
  return booking_view(b, ctx.principal.account_id, ctx.is_manager());
}

Response create_amenity(Request const& req, Context& ctx) {
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
    return Response::created(amenity_view(a), ctx.path("/amenities/" + std::to_string(a.id)));
  });
}

Response list_amenities(Request const& req, Context& ctx) {
  auto page = req.page();
  return ctx.tx([&](db::Tx& tx) {
    return Response::json(json::page_of_rows(repo::amenities(tx, ctx.community_id, page), page, amenity_view));
  });
}

Response get_amenity(Request const& req, Context& ctx) {
  auto aid = req.id("aid");
  return ctx.tx([&](db::Tx& tx) {
    return Response::json(amenity_view(found(repo::amenity(tx, ctx.community_id, aid), "amenity")));
  });
}

// Capacity holds at every instant even under concurrent requests: bumping the amenity's
// booking_version first serialises bookings of one amenity (row lock on MariaDB, the
// single writer on SQLite); the overlap count and the insert follow under that lock.
Response book_amenity(Request const& req, Context& ctx) {
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
    return Response::created(booking_view_for(b, ctx),
                             ctx.path("/amenities/" + std::to_string(aid) + "/bookings/" + std::to_string(b.id)));
  });
}

// Active bookings overlapping [from, to) (default: the next 7 days; at most 31).
Response list_bookings(Request const& req, Context& ctx) {
  auto aid = req.id("aid");
  auto page = req.page();
  std::int64_t from = query_time(req, "from", db::now_ms());
  std::int64_t to = query_time(req, "to", from + kDefaultBookingListWindowMs);
  if (to <= from) throw Invalid("to", "must be after from");
  if (to - from > kMaxBookingListWindowMs) throw Invalid("to", "the window is at most 31 days");
  return ctx.tx([&](db::Tx& tx) {
    if (!repo::amenity(tx, ctx.community_id, aid)) throw NotFound("amenity");
    return Response::json(json::page_of_rows(repo::bookings(tx, ctx.community_id, aid, from, to, page), page,
                                             [&](repo::Booking const& b) { return booking_view_for(b, ctx); }));
  });
}

Response get_booking(Request const& req, Context& ctx) {
  auto aid = req.id("aid");
  auto id = req.id("id");
  return ctx.tx([&](db::Tx& tx) {
    return Response::json(booking_view_for(found(repo::booking(tx, ctx.community_id, aid, id), "booking"), ctx));
  });
}

Response cancel_booking(Request const& req, Context& ctx) {
  auto aid = req.id("aid");
  auto id = req.id("id");
  return ctx.tx([&](db::Tx& tx) {
    auto b = found(repo::booking(tx, ctx.community_id, aid, id), "booking");
    if (b.account_id != ctx.principal.account_id && !ctx.is_manager())
      throw Forbidden("only the resident who booked or a manager may cancel a booking");
    if (!repo::cancel_booking(tx, ctx.community_id, id, tx.now_ms()))
      throw Conflict("already-cancelled", "the booking is already cancelled");
    return Response::no_content();
  });
}

}  // namespace

void add_amenity_routes(http::Router& r) {
  r.post("/v1/communities/{cid}/amenities", Access::manager(), create_amenity);
  r.get("/v1/communities/{cid}/amenities", Access::member(), list_amenities);
  r.get("/v1/communities/{cid}/amenities/{aid}", Access::member(), get_amenity);
  r.post("/v1/communities/{cid}/amenities/{aid}/bookings", Access::resident(), book_amenity);
  r.get("/v1/communities/{cid}/amenities/{aid}/bookings", Access::member(), list_bookings);
  r.get("/v1/communities/{cid}/amenities/{aid}/bookings/{id}", Access::member(), get_booking);
  r.del("/v1/communities/{cid}/amenities/{aid}/bookings/{id}", resident_or_manager(), cancel_booking);
}

}  // namespace courtyard::property
