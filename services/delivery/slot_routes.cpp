// Delivery slots: a merchant that delivers publishes time windows with a capacity; residents
// list the open ones and name one at checkout (shops calls book_slot in its transaction);
// a cancelled order gives its place back (subscriptions.cpp).
#include "services/delivery/api.hpp"
#include "services/delivery/routes.hpp"
#include "db/json_rows.hpp"
#include "services/identity/api.hpp"

#include <algorithm>

namespace courtyard::delivery {

using http::Access;
using http::Request;
using http::Response;

namespace {

constexpr std::int64_t kDefaultWindowMs = 14LL * 24 * 3600 * 1000;
constexpr std::int64_t kMaxSlotsListed = 200;

struct SlotFull : ApiError {
  SlotFull() : ApiError(409, "slot-full", "Delivery slot full", "every place in this delivery slot is taken") {}
};

// ?from= and ?to= (RFC 3339), defaulting to [now, now + 14 days); 422 when they do not parse.
std::pair<std::int64_t, std::int64_t> window(Request const& req, std::int64_t now) {
  std::int64_t from = now, to = 0;
  if (auto f = req.query_param("from"); f && !f->empty()) {
    auto t = json::parse_rfc3339(*f);
    if (!t) throw Invalid("from", "must be an RFC 3339 time");
    from = *t;
  }
  if (auto t = req.query_param("to"); t && !t->empty()) {
    auto v = json::parse_rfc3339(*t);
    if (!v) throw Invalid("to", "must be an RFC 3339 time");
    to = *v;
  } else {
    to = from + kDefaultWindowMs;
  }
  if (to <= from) throw Invalid("to", "must be after from");
  return {from, to};
}

std::int64_t list_limit(Request const& req) {
  auto l = req.query_param("limit");
  if (!l || l->empty()) return 100;
  std::int64_t n = 0;
  for (char ch : *l) {
    if (ch < '0' || ch > '9' || n > kMaxSlotsListed) throw Invalid("limit", "must be between 1 and 200");
    n = n * 10 + (ch - '0');
  }
  if (n < 1 || n > kMaxSlotsListed) throw Invalid("limit", "must be between 1 and 200");
  return n;
}

bj::object slots_json(std::vector<repo::Slot> const& rows) {
  bj::array items;
  for (auto const& s : rows) items.push_back(slot_json(s));
  return bj::object{{"items", std::move(items)}};
}

Response create_slot(Request const& req, Context& ctx) {
  std::int64_t mid = req.id("mid");
  auto body = req.json();
  repo::Slot s;
  s.community_id = ctx.community_id;
  s.merchant_id = mid;
  s.starts_at = json::time_ms(body, "starts_at");
  s.ends_at = json::time_ms(body, "ends_at");
  s.capacity = json::integer(body, "capacity");
  s.created_by = ctx.principal.account_id;
  std::vector<FieldError> errors;
  for (auto& [field, message] : slot_problems(s.starts_at, s.ends_at, s.capacity, db::now_ms()))
    errors.push_back({field, message});
  if (!errors.empty()) throw Invalid(std::move(errors));
  return ctx.tx([&](db::Tx& tx) {
    require_own_merchant(tx, ctx, mid);
    s.id = repo::insert_slot(tx, s);
    auto stored = repo::find_slot(tx, ctx.community_id, s.id);
    return Response::created(slot_json(*stored),
                             ctx.path("/merchants/" + std::to_string(mid) + "/delivery-slots/" + std::to_string(s.id)));
  });
}

// The merchant's own slots in the window, full and closed ones included.
Response merchant_slots(Request const& req, Context& ctx) {
  std::int64_t mid = req.id("mid");
  std::int64_t now = db::now_ms();
  auto [from, to] = window(req, now);
  auto limit = list_limit(req);
  return ctx.tx([&](db::Tx& tx) {
    require_own_merchant(tx, ctx, mid);
    return Response::json(slots_json(repo::list_slots(tx, ctx.community_id, mid, from, to, false, now, limit)));
  });
}

Response close_slot(Request const& req, Context& ctx) {
  std::int64_t mid = req.id("mid");
  std::int64_t sid = req.id("sid");
  return ctx.tx([&](db::Tx& tx) {
    require_own_merchant(tx, ctx, mid);
    auto s = repo::find_slot(tx, ctx.community_id, sid);
    if (!s || s->merchant_id != mid) throw NotFound("delivery slot");
    if (repo::close_slot(tx, ctx.community_id, mid, sid) != 1)
      throw Conflict("slot-closed", "this delivery slot is closed already");
    s->status = SlotStatus::Closed;
    return Response::json(slot_json(*s));
  });
}

// What a resident can book now: open, not started, not full (?merchant_id= narrows it).
Response open_slots(Request const& req, Context& ctx) {
  std::int64_t now = db::now_ms();
  auto [from, to] = window(req, now);
  auto limit = list_limit(req);
  std::int64_t mid = 0;
  if (auto m = req.query_param("merchant_id"); m && !m->empty()) {
    for (char ch : *m)
      if (ch < '0' || ch > '9' || mid > 1'000'000'000'000LL) throw Invalid("merchant_id", "must be a merchant id");
      else mid = mid * 10 + (ch - '0');
  }
  return ctx.tx([&](db::Tx& tx) {
    return Response::json(slots_json(repo::list_slots(tx, ctx.community_id, mid, from, to, true, now, limit)));
  });
}

}  // namespace

void require_own_merchant(db::Tx& tx, Context const& ctx, std::int64_t mid) {
  if (identity::accounts_acting_for(tx, ctx.community_id, mid).empty()) throw NotFound("merchant");
  if (!ctx.acts_for(mid)) throw Forbidden("you do not act for this merchant");
}

SlotWindow book_slot(db::Tx& tx, std::int64_t cid, std::int64_t merchant_id, std::int64_t slot_id,
                     std::int64_t order_id, std::int64_t buyer_id) {
  auto s = repo::find_slot(tx, cid, slot_id);
  if (!s || s->merchant_id != merchant_id) throw Invalid("slot_id", "is not a delivery slot of this merchant");
  std::int64_t now = tx.now_ms();
  switch (slot_refusal(s->status, s->starts_at, now)) {
    case SlotRefusal::Closed: throw Invalid("slot_id", "is closed");
    case SlotRefusal::Started: throw Invalid("slot_id", "has started already");
    case SlotRefusal::None: break;
  }
  if (!repo::take_slot_place(tx, cid, merchant_id, slot_id, now)) throw SlotFull();
  repo::insert_booking(tx, cid, slot_id, order_id, buyer_id);
  return {slot_id, s->starts_at, s->ends_at};
}

std::optional<SlotWindow> booked_slot(db::Tx& tx, std::int64_t order_id) {
  if (!db::has_schema(tx, "delivery")) return std::nullopt;  // delivery not enabled anywhere: no slots
  auto s = repo::booked_slot_of_order(tx, order_id);
  if (!s) return std::nullopt;
  return SlotWindow{s->id, s->starts_at, s->ends_at};
}

void add_slot_routes(http::Router& r) {
  r.post("/v1/communities/{cid}/merchants/{mid}/delivery-slots", Access::merchant("orders:write"), create_slot);
  r.get("/v1/communities/{cid}/merchants/{mid}/delivery-slots", Access::merchant("orders:read"), merchant_slots);
  r.post("/v1/communities/{cid}/merchants/{mid}/delivery-slots/{sid}/close", Access::merchant("orders:write"),
         close_slot);
  r.get("/v1/communities/{cid}/delivery-slots", Access::member(), open_slots);
}

}  // namespace courtyard::delivery
