#include "services/delivery/repository.hpp"

#include "db/query.hpp"
#include "services/delivery/codes.hpp"

#include <cstdint>
#include <stdexcept>

namespace courtyard::delivery::repo {

namespace {

using soci::use;

// The columns task_from reads, in its order.
#define DELIVERY_TASK_COLUMNS                                                                                 \
  "id, community_id, order_id, merchant_id, resident_id, unit_id, courier_id, status, proof_code, total_cents, " \
  "failure_reason, source_event_id, created_at, updated_at, attempt, slot_id, slot_starts_at, slot_ends_at, late_at"

Task task_from(db::Row const& r) {
  db::Cols c(r);
  Task t;
  c.into(t.id, t.community_id, t.order_id, t.merchant_id, t.resident_id, t.unit_id, t.courier_id);
  t.status = parse_status(c.text()).value_or(Status::Pending);
  c.into(t.proof_code, t.total_cents, t.failure_reason, t.source_event_id, t.created_at, t.updated_at,
         t.attempt, t.slot_id, t.slot_starts_at, t.slot_ends_at, t.late_at);
  return t;
}

// The columns parcel_from reads, in its order.
#define DELIVERY_PARCEL_COLUMNS                                                                           \
  "id, community_id, unit_id, carrier, tracking_no, pickup_code, status, logged_by, picked_up_by, created_at, " \
  "picked_up_at"

Parcel parcel_from(db::Row const& r) {
  db::Cols c(r);
  Parcel p;
  c.into(p.id, p.community_id, p.unit_id, p.carrier, p.tracking_no, p.pickup_code);
  p.status = parse_parcel_status(c.text()).value_or(ParcelStatus::Waiting);
  c.into(p.logged_by, p.picked_up_by, p.created_at, p.picked_up_at);
  return p;
}

std::string status_text(std::optional<Status> s) { return s ? std::string(to_string(*s)) : std::string(); }

}  // namespace

// ---- tasks

constexpr char const* kInsertTaskOnce =
    " INTO delivery_tasks (community_id, order_id, merchant_id, resident_id, unit_id, courier_id, "
    "status, proof_code, total_cents, source_event_id, created_at, updated_at, slot_id, slot_starts_at, slot_ends_at) "
    "VALUES (:c, :o, :m, :r, :u, 0, :s, :p, :tc, :e, :t1, :t2, :sl, :ss, :se)";

std::int64_t insert_task_once(db::Tx& tx, Task const& t) {
  std::string status(to_string(t.status));
  auto n = tx.exec(std::string(db::insert_ignore(tx.backend())) + kInsertTaskOnce, use(t.community_id, "c"),
                   use(t.order_id, "o"), use(t.merchant_id, "m"), use(t.resident_id, "r"), use(t.unit_id, "u"),
                   use(status, "s"), use(t.proof_code, "p"), use(t.total_cents, "tc"), use(t.source_event_id, "e"),
                   use(t.created_at, "t1"), use(t.updated_at, "t2"), use(t.slot_id, "sl"),
                   use(t.slot_starts_at, "ss"), use(t.slot_ends_at, "se"));
  if (n != 1) return 0;
  return tx.last_insert_id("delivery_tasks");
}

constexpr char const* kFindTask =
    "SELECT " DELIVERY_TASK_COLUMNS " FROM delivery_tasks WHERE id = :id AND community_id = :c";

std::optional<Task> find(db::Tx& tx, std::int64_t community_id, std::int64_t id) {
  return db::one(tx, kFindTask, task_from, use(id, "id"), use(community_id, "c"));
}

constexpr char const* kFindAnyTask = "SELECT " DELIVERY_TASK_COLUMNS " FROM delivery_tasks WHERE id = :id";

std::optional<Task> find_any(db::Tx& tx, std::int64_t id) { return db::one(tx, kFindAnyTask, task_from, use(id, "id")); }

constexpr char const* kFindTaskByOrder = "SELECT " DELIVERY_TASK_COLUMNS " FROM delivery_tasks WHERE order_id = :o";

std::optional<Task> find_by_order(db::Tx& tx, std::int64_t order_id) {
  return db::one(tx, kFindTaskByOrder, task_from, use(order_id, "o"));
}

constexpr char const* kListCommunityTasks =
    "SELECT " DELIVERY_TASK_COLUMNS
    " FROM delivery_tasks WHERE community_id = :c AND (:s = '' OR status = :s2) "
    "AND (:k = 0 OR courier_id = :k2 OR (status = 'pending' AND courier_id = 0)) "
    "AND (:sl = 0 OR slot_id = :sl2) "
    "AND (:lt = 0 OR (slot_ends_at > 0 AND slot_ends_at <= :lt2 AND status IN ('pending', 'claimed', 'picked_up'))) "
    "AND id < :b ORDER BY id DESC LIMIT :l";

std::vector<Task> list_for_community(db::Tx& tx, std::int64_t community_id, std::optional<Status> status,
                                     std::int64_t visible_to_courier, json::Page const& page, std::int64_t slot_id,
                                     std::int64_t late_at) {
  std::string s = status_text(status);
  return db::all(tx, kListCommunityTasks, task_from, use(community_id, "c"), use(s, "s"), use(s, "s2"),
                 use(visible_to_courier, "k"), use(visible_to_courier, "k2"), use(slot_id, "sl"), use(slot_id, "sl2"),
                 use(late_at, "lt"), use(late_at, "lt2"), use(page.below(), "b"), use(page.fetch(), "l"));
}

constexpr char const* kListResidentTasks =
    "SELECT " DELIVERY_TASK_COLUMNS
    " FROM delivery_tasks WHERE resident_id = :r AND (:s = '' OR status = :s2) "
    "AND id < :b ORDER BY id DESC LIMIT :l";

std::vector<Task> list_for_resident(db::Tx& tx, std::int64_t resident_id, std::optional<Status> status,
                                    json::Page const& page) {
  std::string s = status_text(status);
  return db::all(tx, kListResidentTasks, task_from, use(resident_id, "r"), use(s, "s"), use(s, "s2"),
                 use(page.below(), "b"), use(page.fetch(), "l"));
}

constexpr char const* kTransition =
    "UPDATE delivery_tasks SET status = :t, courier_id = :nc, updated_at = :n "
    "WHERE id = :id AND community_id = :c AND status = :f AND courier_id = :ec";
constexpr char const* kTransitionWithReason =
    "UPDATE delivery_tasks SET status = :t, courier_id = :nc, failure_reason = :r, updated_at = :n "
    "WHERE id = :id AND community_id = :c AND status = :f AND courier_id = :ec";

long long transition(db::Tx& tx, std::int64_t community_id, std::int64_t id, Status from, std::int64_t expected_courier,
                     Status to, std::int64_t new_courier, std::optional<std::string> const& reason) {
  std::string f(to_string(from)), t(to_string(to));
  std::int64_t now = tx.now_ms();
  if (reason)
    return tx.exec(kTransitionWithReason, use(t, "t"), use(new_courier, "nc"), use(*reason, "r"), use(now, "n"),
                   use(id, "id"), use(community_id, "c"), use(f, "f"), use(expected_courier, "ec"));
  return tx.exec(kTransition, use(t, "t"), use(new_courier, "nc"), use(now, "n"), use(id, "id"),
                 use(community_id, "c"), use(f, "f"), use(expected_courier, "ec"));
}

constexpr char const* kTransitionOnAttempt =
    "UPDATE delivery_tasks SET status = :t, failure_reason = :r, updated_at = :n "
    "WHERE id = :id AND community_id = :c AND status = :f AND courier_id = :ec AND attempt = :a";

long long transition_on_attempt(db::Tx& tx, std::int64_t community_id, std::int64_t id, Status from,
                                std::int64_t expected_courier, std::int64_t attempt, Status to,
                                std::string const& reason) {
  std::string f(to_string(from)), t(to_string(to));
  std::int64_t now = tx.now_ms();
  return tx.exec(kTransitionOnAttempt, use(t, "t"), use(reason, "r"), use(now, "n"), use(id, "id"),
                 use(community_id, "c"), use(f, "f"), use(expected_courier, "ec"), use(attempt, "a"));
}

constexpr char const* kRedispatch =
    "UPDATE delivery_tasks SET status = 'pending', courier_id = 0, attempt = attempt + 1, failure_reason = :r, "
    "updated_at = :n WHERE id = :id AND community_id = :c AND status = :f AND courier_id = :ec AND attempt = :a";

long long redispatch(db::Tx& tx, std::int64_t community_id, std::int64_t id, Status from, std::int64_t expected_courier,
                     std::int64_t attempt, std::string const& reason) {
  std::string f(to_string(from));
  std::int64_t now = tx.now_ms();
  return tx.exec(kRedispatch, use(reason, "r"), use(now, "n"), use(id, "id"), use(community_id, "c"), use(f, "f"),
                 use(expected_courier, "ec"), use(attempt, "a"));
}

// ---- history

constexpr char const* kAddHistory =
    "INSERT INTO delivery_history (delivery_id, community_id, from_status, to_status, actor_id, note, created_at) "
    "VALUES (:d, :c, :f, :t, :a, :n, :at)";

void add_history(db::Tx& tx, Task const& t, std::optional<Status> from, Status to, std::int64_t actor_id,
                 std::optional<std::string> const& note) {
  std::string f = status_text(from);
  std::string s(to_string(to));
  soci::indicator fi = from ? soci::i_ok : soci::i_null;
  std::string n = note.value_or("");
  soci::indicator ni = note ? soci::i_ok : soci::i_null;
  std::int64_t now = tx.now_ms();
  tx.exec(kAddHistory, use(t.id, "d"), use(t.community_id, "c"), use(f, fi, "f"), use(s, "t"), use(actor_id, "a"),
          use(n, ni, "n"), use(now, "at"));
}

constexpr char const* kHistory =
    "SELECT from_status, to_status, actor_id, note, created_at FROM delivery_history "
    "WHERE delivery_id = :d ORDER BY id";

namespace {
HistoryEntry history_from(db::Row const& r) {
  db::Cols c(r);
  HistoryEntry h;
  if (auto f = c.opt_text(); f && !f->empty()) h.from = parse_status(*f);
  h.to = parse_status(c.text()).value_or(Status::Pending);
  c.into(h.actor_id, h.note, h.at);
  return h;
}
}  // namespace

std::vector<HistoryEntry> history(db::Tx& tx, std::int64_t delivery_id) {
  return db::all(tx, kHistory, history_from, use(delivery_id, "d"));
}

// ---- auto-assignment

constexpr char const* kActiveByCourier =
    "SELECT courier_id, COUNT(*) FROM delivery_tasks WHERE community_id = :c "
    "AND status IN ('claimed', 'picked_up') AND courier_id <> 0 GROUP BY courier_id";

std::map<std::int64_t, std::int64_t> active_by_courier(db::Tx& tx, std::int64_t community_id) {
  std::map<std::int64_t, std::int64_t> out;
  db::each(
      tx, kActiveByCourier,
      [&](db::Row const& r) {
        db::Cols c(r);
        auto courier = c.integer();
        out[courier] = c.integer();
      },
      use(community_id, "c"));
  return out;
}

namespace {
// (id, community_id) of a task.
std::pair<std::int64_t, std::int64_t> id_pair_from(db::Row const& r) {
  db::Cols c(r);
  std::pair<std::int64_t, std::int64_t> p;
  c.into(p.first, p.second);
  return p;
}
}  // namespace

constexpr char const* kDueForAssignment =
    "SELECT id, community_id FROM delivery_tasks WHERE status = 'pending' AND courier_id = 0 "
    "AND updated_at <= :t ORDER BY updated_at, id LIMIT :l";

std::vector<std::pair<std::int64_t, std::int64_t>> due_for_assignment(db::Database& db, std::int64_t created_before,
                                                                      int limit) {
  // A plain read outside any transaction (db::one/all take a Tx, which on SQLite would take the
  // write lock every run).
  return db::read(db, [&](soci::session& s) {
    return db::all(s, kDueForAssignment, id_pair_from, use(created_before, "t"), use(limit, "l"));
  });
}

// ---- parcels

constexpr char const* kInsertParcel =
    " INTO parcels (community_id, unit_id, carrier, tracking_no, pickup_code, status, logged_by, "
    "picked_up_by, created_at) VALUES (:c, :u, :ca, :tn, :pc, :s, :lb, 0, :t)";

Parcel insert_parcel(db::Tx& tx, std::int64_t community_id, std::int64_t unit_id, std::string const& carrier,
                     std::string const& tracking_no, std::int64_t logged_by) {
  Parcel p;
  p.community_id = community_id;
  p.unit_id = unit_id;
  p.carrier = carrier;
  p.tracking_no = tracking_no;
  p.logged_by = logged_by;
  p.created_at = tx.now_ms();
  std::string status(to_string(ParcelStatus::Waiting));
  for (int attempt = 0;; ++attempt) {
    p.pickup_code = new_code();
    auto n = tx.exec(std::string(db::insert_ignore(tx.backend())) + kInsertParcel, use(p.community_id, "c"),
                     use(p.unit_id, "u"), use(p.carrier, "ca"), use(p.tracking_no, "tn"), use(p.pickup_code, "pc"),
                     use(status, "s"), use(p.logged_by, "lb"), use(p.created_at, "t"));
    if (n == 1) break;
    // Another parcel of this community already has the code (about 1 in 10^11 per draw).
    if (attempt >= 8) throw std::runtime_error("could not draw a unique parcel pick-up code");
  }
  p.id = tx.last_insert_id("parcels");
  return p;
}

constexpr char const* kFindParcel =
    "SELECT " DELIVERY_PARCEL_COLUMNS " FROM parcels WHERE id = :id AND community_id = :c";

std::optional<Parcel> find_parcel(db::Tx& tx, std::int64_t community_id, std::int64_t id) {
  return db::one(tx, kFindParcel, parcel_from, use(id, "id"), use(community_id, "c"));
}

constexpr char const* kFindParcelByCode =
    "SELECT " DELIVERY_PARCEL_COLUMNS " FROM parcels WHERE community_id = :c AND pickup_code = :p";

std::optional<Parcel> find_parcel_by_code(db::Tx& tx, std::int64_t community_id, std::string const& code) {
  return db::one(tx, kFindParcelByCode, parcel_from, use(community_id, "c"), use(code, "p"));
}

std::vector<Parcel> list_parcels(db::Tx& tx, std::int64_t community_id, std::optional<ParcelStatus> status,
                                 std::optional<std::vector<std::int64_t>> const& unit_ids, json::Page const& page) {
  if (unit_ids && unit_ids->empty()) return {};
  db::Query q("SELECT " DELIVERY_PARCEL_COLUMNS " FROM parcels WHERE community_id = ");
  q.value(community_id);
  if (status) q.sql(" AND status = ").value(std::string(to_string(*status)));
  q.sql(" AND id < ").value(page.below());
  if (unit_ids) q.sql(" AND unit_id IN (").values(*unit_ids).sql(")");
  q.sql(" ORDER BY id DESC LIMIT ").value(page.fetch());
  return q.all(tx, parcel_from);
}

constexpr char const* kPickUpParcel =
    "UPDATE parcels SET status = 'picked_up', picked_up_by = :by, picked_up_at = :t "
    "WHERE id = :id AND community_id = :c AND status = 'waiting'";

long long pick_up_parcel(db::Tx& tx, std::int64_t community_id, std::int64_t id, std::int64_t by) {
  std::int64_t now = tx.now_ms();
  return tx.exec(kPickUpParcel, use(by, "by"), use(now, "t"), use(id, "id"), use(community_id, "c"));
}


// ---- delivery slots

#define DELIVERY_SLOT_COLUMNS \
  "id, community_id, merchant_id, starts_at, ends_at, capacity, booked, status, created_by, created_at"

namespace {
Slot slot_from(db::Row const& r) {
  db::Cols c(r);
  Slot s;
  c.into(s.id, s.community_id, s.merchant_id, s.starts_at, s.ends_at, s.capacity, s.booked);
  s.status = parse_slot_status(c.text()).value_or(SlotStatus::Closed);
  c.into(s.created_by, s.created_at);
  return s;
}
}  // namespace

constexpr char const* kInsertSlot =
    "INSERT INTO delivery_slots (community_id, merchant_id, starts_at, ends_at, capacity, booked, status, "
    "created_by, created_at) VALUES (:c, :m, :s, :e, :cap, 0, 'open', :by, :t)";

std::int64_t insert_slot(db::Tx& tx, Slot const& s) {
  std::int64_t now = tx.now_ms();
  return tx.insert("delivery_slots", kInsertSlot, use(s.community_id, "c"), use(s.merchant_id, "m"),
                   use(s.starts_at, "s"), use(s.ends_at, "e"), use(s.capacity, "cap"), use(s.created_by, "by"),
                   use(now, "t"));
}

constexpr char const* kFindSlot =
    "SELECT " DELIVERY_SLOT_COLUMNS " FROM delivery_slots WHERE id = :id AND community_id = :c";

std::optional<Slot> find_slot(db::Tx& tx, std::int64_t community_id, std::int64_t id) {
  return db::one(tx, kFindSlot, slot_from, use(id, "id"), use(community_id, "c"));
}

constexpr char const* kListSlots =
    "SELECT " DELIVERY_SLOT_COLUMNS
    " FROM delivery_slots WHERE community_id = :c AND (:m = 0 OR merchant_id = :m2) "
    "AND starts_at >= :f AND starts_at < :to "
    "AND (:b = 0 OR (status = 'open' AND starts_at > :now AND booked < capacity)) "
    "ORDER BY starts_at, id LIMIT :l";

std::vector<Slot> list_slots(db::Tx& tx, std::int64_t community_id, std::int64_t merchant_id, std::int64_t from,
                             std::int64_t to, bool bookable_only, std::int64_t now, std::int64_t limit) {
  int b = bookable_only ? 1 : 0;
  return db::all(tx, kListSlots, slot_from, use(community_id, "c"), use(merchant_id, "m"), use(merchant_id, "m2"),
                 use(from, "f"), use(to, "to"), use(b, "b"), use(now, "now"), use(limit, "l"));
}

constexpr char const* kTakeSlotPlace =
    "UPDATE delivery_slots SET booked = booked + 1 WHERE id = :id AND community_id = :c AND merchant_id = :m "
    "AND status = 'open' AND starts_at > :now AND booked < capacity";

bool take_slot_place(db::Tx& tx, std::int64_t community_id, std::int64_t merchant_id, std::int64_t slot_id,
                     std::int64_t now) {
  return tx.exec(kTakeSlotPlace, use(slot_id, "id"), use(community_id, "c"), use(merchant_id, "m"),
                 use(now, "now")) == 1;
}

constexpr char const* kCloseSlot =
    "UPDATE delivery_slots SET status = 'closed' WHERE id = :id AND community_id = :c AND merchant_id = :m "
    "AND status = 'open'";

long long close_slot(db::Tx& tx, std::int64_t community_id, std::int64_t merchant_id, std::int64_t slot_id) {
  return tx.exec(kCloseSlot, use(slot_id, "id"), use(community_id, "c"), use(merchant_id, "m"));
}

constexpr char const* kInsertBooking =
    "INSERT INTO delivery_slot_bookings (community_id, slot_id, order_id, buyer_id, status, created_at) "
    "VALUES (:c, :s, :o, :b, 'booked', :t)";

void insert_booking(db::Tx& tx, std::int64_t community_id, std::int64_t slot_id, std::int64_t order_id,
                    std::int64_t buyer_id) {
  std::int64_t now = tx.now_ms();
  tx.exec(kInsertBooking, use(community_id, "c"), use(slot_id, "s"), use(order_id, "o"), use(buyer_id, "b"),
          use(now, "t"));
}

constexpr char const* kBookingOfOrder =
    "SELECT slot_id FROM delivery_slot_bookings WHERE order_id = :o AND status = 'booked'";
constexpr char const* kReleaseBooking =
    "UPDATE delivery_slot_bookings SET status = 'released', released_at = :t WHERE order_id = :o AND status = 'booked'";
constexpr char const* kGiveBackPlace = "UPDATE delivery_slots SET booked = booked - 1 WHERE id = :s AND booked > 0";

std::int64_t release_booking(db::Tx& tx, std::int64_t order_id) {
  auto slot = db::one(tx, kBookingOfOrder, db::first_integer, use(order_id, "o"));
  if (!slot) return 0;
  std::int64_t now = tx.now_ms();
  if (tx.exec(kReleaseBooking, use(now, "t"), use(order_id, "o")) != 1) return 0;
  tx.exec(kGiveBackPlace, use(*slot, "s"));
  return *slot;
}

constexpr char const* kBookedSlotOfOrder =
    "SELECT s.id, s.community_id, s.merchant_id, s.starts_at, s.ends_at, s.capacity, s.booked, s.status, "
    "s.created_by, s.created_at FROM delivery_slot_bookings b JOIN delivery_slots s ON s.id = b.slot_id "
    "WHERE b.order_id = :o AND b.status = 'booked'";

std::optional<Slot> booked_slot_of_order(db::Tx& tx, std::int64_t order_id) {
  return db::one(tx, kBookedSlotOfOrder, slot_from, use(order_id, "o"));
}

constexpr char const* kDueLate =
    "SELECT id, community_id FROM delivery_tasks WHERE slot_ends_at > 0 AND slot_ends_at <= :n AND late_at IS NULL "
    "AND status IN ('pending', 'claimed', 'picked_up') ORDER BY slot_ends_at, id LIMIT :l";

std::vector<std::pair<std::int64_t, std::int64_t>> due_late(db::Database& db, std::int64_t now, int limit) {
  return db::read(db,
                  [&](soci::session& s) { return db::all(s, kDueLate, id_pair_from, use(now, "n"), use(limit, "l")); });
}

constexpr char const* kMarkLate =
    "UPDATE delivery_tasks SET late_at = :n WHERE id = :id AND community_id = :c AND late_at IS NULL "
    "AND slot_ends_at > 0 AND slot_ends_at <= :n2 AND status IN ('pending', 'claimed', 'picked_up')";

long long mark_late(db::Tx& tx, std::int64_t community_id, std::int64_t id, std::int64_t now) {
  return tx.exec(kMarkLate, use(now, "n"), use(id, "id"), use(community_id, "c"), use(now, "n2"));
}

// ---- group-buy batches

#define DELIVERY_BATCH_COLUMNS                                                                              \
  "id, community_id, merchant_id, group_buy_id, kind, building_id, building_name, courier_id, status, "    \
  "stops_total, stops_done, stops_cancelled, source_event_id, created_at, updated_at"
#define DELIVERY_STOP_COLUMNS                                                                                  \
  "id, community_id, batch_id, order_id, resident_id, unit_id, unit_number, floor, seq, proof_code, status, " \
  "done_at, done_by"

namespace {
Batch batch_from(db::Row const& r) {
  db::Cols c(r);
  Batch b;
  c.into(b.id, b.community_id, b.merchant_id, b.group_buy_id, b.kind, b.building_id, b.building_name,
         b.courier_id);
  b.status = parse_batch_status(c.text()).value_or(BatchStatus::Pending);
  c.into(b.stops_total, b.stops_done, b.stops_cancelled, b.source_event_id, b.created_at, b.updated_at);
  return b;
}

Stop stop_from(db::Row const& r) {
  db::Cols c(r);
  Stop s;
  c.into(s.id, s.community_id, s.batch_id, s.order_id, s.resident_id, s.unit_id, s.unit_number, s.floor,
         s.seq, s.proof_code);
  s.status = parse_stop_status(c.text()).value_or(StopStatus::Pending);
  c.into(s.done_at, s.done_by);
  return s;
}
}  // namespace

constexpr char const* kInsertBatchOnce =
    " INTO delivery_batches (community_id, merchant_id, group_buy_id, kind, building_id, building_name, "
    "courier_id, status, stops_total, stops_done, stops_cancelled, source_event_id, created_at, updated_at) "
    "VALUES (:c, :m, :g, :k, :b, :bn, 0, 'pending', :n, 0, 0, :e, :t1, :t2)";

std::int64_t insert_batch_once(db::Tx& tx, Batch const& b) {
  std::int64_t now = tx.now_ms();
  auto n = tx.exec(std::string(db::insert_ignore(tx.backend())) + kInsertBatchOnce, use(b.community_id, "c"),
                   use(b.merchant_id, "m"), use(b.group_buy_id, "g"), use(b.kind, "k"), use(b.building_id, "b"),
                   use(b.building_name, "bn"), use(b.stops_total, "n"), use(b.source_event_id, "e"), use(now, "t1"),
                   use(now, "t2"));
  if (n != 1) return 0;
  return tx.last_insert_id("delivery_batches");
}

constexpr char const* kInsertStop =
    "INSERT INTO delivery_batch_stops (community_id, batch_id, order_id, resident_id, unit_id, unit_number, floor, "
    "seq, proof_code, status, done_by) VALUES (:c, :b, :o, :r, :u, :un, :f, :s, :p, 'pending', 0)";

void insert_stop(db::Tx& tx, Stop const& s) {
  tx.exec(kInsertStop, use(s.community_id, "c"), use(s.batch_id, "b"), use(s.order_id, "o"), use(s.resident_id, "r"),
          use(s.unit_id, "u"), use(s.unit_number, "un"), use(s.floor, "f"), use(s.seq, "s"), use(s.proof_code, "p"));
}

constexpr char const* kFindBatch =
    "SELECT " DELIVERY_BATCH_COLUMNS " FROM delivery_batches WHERE id = :id AND community_id = :c";
constexpr char const* kFindBatchAny = "SELECT " DELIVERY_BATCH_COLUMNS " FROM delivery_batches WHERE id = :id";

std::optional<Batch> find_batch(db::Tx& tx, std::int64_t community_id, std::int64_t id) {
  return db::one(tx, kFindBatch, batch_from, use(id, "id"), use(community_id, "c"));
}

std::optional<Batch> find_batch_any(db::Tx& tx, std::int64_t id) {
  return db::one(tx, kFindBatchAny, batch_from, use(id, "id"));
}

constexpr char const* kListBatches =
    "SELECT " DELIVERY_BATCH_COLUMNS
    " FROM delivery_batches WHERE community_id = :c AND (:m = 0 OR merchant_id = :m2) "
    "AND (:s = '' OR status = :s2) "
    "AND (:k = 0 OR (kind = 'delivery' AND (courier_id = :k2 OR (status = 'pending' AND courier_id = 0)))) "
    "AND id < :b ORDER BY id DESC LIMIT :l";

std::vector<Batch> list_batches(db::Tx& tx, std::int64_t community_id, std::int64_t merchant_id,
                                std::optional<BatchStatus> status, std::int64_t visible_to_courier,
                                json::Page const& page) {
  std::string s = status ? std::string(to_string(*status)) : std::string();
  return db::all(tx, kListBatches, batch_from, use(community_id, "c"), use(merchant_id, "m"), use(merchant_id, "m2"),
                 use(s, "s"), use(s, "s2"), use(visible_to_courier, "k"), use(visible_to_courier, "k2"),
                 use(page.below(), "b"), use(page.fetch(), "l"));
}

constexpr char const* kStopsOf =
    "SELECT " DELIVERY_STOP_COLUMNS " FROM delivery_batch_stops WHERE batch_id = :b ORDER BY seq, id";

std::vector<Stop> stops_of(db::Tx& tx, std::int64_t batch_id) {
  return db::all(tx, kStopsOf, stop_from, use(batch_id, "b"));
}

constexpr char const* kFindStop =
    "SELECT " DELIVERY_STOP_COLUMNS " FROM delivery_batch_stops WHERE id = :id AND batch_id = :b";

std::optional<Stop> find_stop(db::Tx& tx, std::int64_t batch_id, std::int64_t stop_id) {
  return db::one(tx, kFindStop, stop_from, use(stop_id, "id"), use(batch_id, "b"));
}

constexpr char const* kFindStopByOrder =
    "SELECT " DELIVERY_STOP_COLUMNS " FROM delivery_batch_stops WHERE order_id = :o";

std::optional<Stop> find_stop_by_order(db::Tx& tx, std::int64_t order_id) {
  return db::one(tx, kFindStopByOrder, stop_from, use(order_id, "o"));
}

constexpr char const* kFindStopById = "SELECT " DELIVERY_STOP_COLUMNS " FROM delivery_batch_stops WHERE id = :id";

std::optional<Stop> find_stop_by_id(db::Tx& tx, std::int64_t stop_id) {
  return db::one(tx, kFindStopById, stop_from, use(stop_id, "id"));
}

constexpr char const* kStopsOfResident =
    "SELECT " DELIVERY_STOP_COLUMNS
    " FROM delivery_batch_stops WHERE resident_id = :r AND id < :b ORDER BY id DESC LIMIT :l";

std::vector<Stop> stops_of_resident(db::Tx& tx, std::int64_t resident_id, json::Page const& page) {
  return db::all(tx, kStopsOfResident, stop_from, use(resident_id, "r"), use(page.below(), "b"),
                 use(page.fetch(), "l"));
}

constexpr char const* kBatchTransition =
    "UPDATE delivery_batches SET status = :t, courier_id = :nc, updated_at = :n "
    "WHERE id = :id AND community_id = :c AND status = :f AND courier_id = :ec";

long long batch_transition(db::Tx& tx, std::int64_t community_id, std::int64_t id, BatchStatus from,
                           std::int64_t expected_courier, BatchStatus to, std::int64_t new_courier) {
  std::string f(to_string(from)), t(to_string(to));
  std::int64_t now = tx.now_ms();
  return tx.exec(kBatchTransition, use(t, "t"), use(new_courier, "nc"), use(now, "n"), use(id, "id"),
                 use(community_id, "c"), use(f, "f"), use(expected_courier, "ec"));
}

constexpr char const* kFinishStop =
    "UPDATE delivery_batch_stops SET status = :t, done_at = :n, done_by = :by WHERE id = :id AND status = 'pending'";

long long finish_stop(db::Tx& tx, std::int64_t stop_id, StopStatus to, std::int64_t by) {
  std::string t(to_string(to));
  std::int64_t now = tx.now_ms();
  return tx.exec(kFinishStop, use(t, "t"), use(now, "n"), use(by, "by"), use(stop_id, "id"));
}

constexpr char const* kCountStopDone =
    "UPDATE delivery_batches SET stops_done = stops_done + 1, updated_at = :n WHERE id = :id";
constexpr char const* kCountStopCancelled =
    "UPDATE delivery_batches SET stops_cancelled = stops_cancelled + 1, updated_at = :n WHERE id = :id";
constexpr char const* kSetBatchStatus = "UPDATE delivery_batches SET status = :s WHERE id = :id AND status = :f";

Batch count_stop(db::Tx& tx, std::int64_t batch_id, StopStatus outcome) {
  std::int64_t now = tx.now_ms();
  tx.exec(outcome == StopStatus::Done ? kCountStopDone : kCountStopCancelled, use(now, "n"), use(batch_id, "id"));
  auto b = find_batch_any(tx, batch_id);
  if (!b) throw std::runtime_error("delivery batch vanished");
  auto next = batch_after_stop(b->status, b->stops_total, b->stops_done, b->stops_cancelled);
  if (next != b->status) {
    std::string s(to_string(next)), f(to_string(b->status));
    tx.exec(kSetBatchStatus, use(s, "s"), use(batch_id, "id"), use(f, "f"));
    b->status = next;
  }
  return *b;
}

// ---- signing keys and code uses

namespace {
CodeKey key_from(db::Row const& r) {
  db::Cols c(r);
  CodeKey k;
  c.into(k.id, k.community_id, k.generation);
  k.public_key = codes::from_hex(c.text()).value_or("");
  k.secret_key = codes::from_hex(c.text()).value_or("");
  c.into(k.created_at, k.retired_at, k.listed_until);
  return k;
}
}  // namespace

#define DELIVERY_KEY_COLUMNS "id, community_id, generation, public_key, secret_key, created_at, retired_at, listed_until"

constexpr char const* kCurrentKey =
    "SELECT " DELIVERY_KEY_COLUMNS
    " FROM code_keys WHERE community_id = :c AND retired_at IS NULL ORDER BY generation DESC LIMIT 1";

std::optional<CodeKey> current_key(db::Tx& tx, std::int64_t community_id) {
  return db::one(tx, kCurrentKey, key_from, use(community_id, "c"));
}

constexpr char const* kInsertKey =
    " INTO code_keys (community_id, generation, public_key, secret_key, created_at) VALUES (:c, :g, :p, :s, :t)";

bool insert_key(db::Tx& tx, std::int64_t community_id, std::int64_t generation, std::string const& public_key,
                std::string const& secret_key) {
  std::string p = codes::to_hex(public_key), sk = codes::to_hex(secret_key);
  std::int64_t now = tx.now_ms();
  return tx.exec(std::string(db::insert_ignore(tx.backend())) + kInsertKey, use(community_id, "c"),
                 use(generation, "g"), use(p, "p"), use(sk, "s"), use(now, "t")) == 1;
}

constexpr char const* kFindKey = "SELECT " DELIVERY_KEY_COLUMNS " FROM code_keys WHERE id = :id AND community_id = :c";

std::optional<CodeKey> find_key(db::Tx& tx, std::int64_t community_id, std::int64_t id) {
  return db::one(tx, kFindKey, key_from, use(id, "id"), use(community_id, "c"));
}

constexpr char const* kListedKeys =
    "SELECT " DELIVERY_KEY_COLUMNS
    " FROM code_keys WHERE community_id = :c AND (retired_at IS NULL OR listed_until > :n) ORDER BY generation";

std::vector<CodeKey> listed_keys(db::Tx& tx, std::int64_t community_id, std::int64_t now) {
  return db::all(tx, kListedKeys, key_from, use(community_id, "c"), use(now, "n"));
}

constexpr char const* kRetireKey =
    "UPDATE code_keys SET retired_at = :n, listed_until = :u WHERE id = :id AND retired_at IS NULL";

long long retire_key(db::Tx& tx, std::int64_t id, std::int64_t now, std::int64_t listed_until) {
  return tx.exec(kRetireKey, use(now, "n"), use(listed_until, "u"), use(id, "id"));
}

constexpr char const* kInsertUse =
    " INTO code_uses (community_id, kind, object_id, key_id, nonce, used_at, device_id, synced_by, synced_at) "
    "VALUES (:c, :k, :o, :key, :nonce, :u, :d, :by, :t)";

bool insert_use(db::Tx& tx, CodeUse const& u) {
  return tx.exec(std::string(db::insert_ignore(tx.backend())) + kInsertUse, use(u.community_id, "c"),
                 use(u.kind, "k"), use(u.object_id, "o"), use(u.key_id, "key"), use(u.nonce, "nonce"),
                 use(u.used_at, "u"), use(u.device_id, "d"), use(u.synced_by, "by"), use(u.synced_at, "t")) == 1;
}

constexpr char const* kFindUse =
    "SELECT community_id, kind, object_id, key_id, nonce, used_at, device_id, synced_by, synced_at FROM code_uses "
    "WHERE community_id = :c AND kind = :k AND object_id = :o";

std::optional<CodeUse> find_use(db::Tx& tx, std::int64_t community_id, std::string const& kind,
                                std::int64_t object_id) {
  return db::one(
      tx, kFindUse,
      db::fields(&CodeUse::community_id, &CodeUse::kind, &CodeUse::object_id, &CodeUse::key_id,
                 &CodeUse::nonce, &CodeUse::used_at, &CodeUse::device_id, &CodeUse::synced_by,
                 &CodeUse::synced_at),
      use(community_id, "c"), use(kind, "k"), use(object_id, "o"));
}

#undef DELIVERY_SLOT_COLUMNS
#undef DELIVERY_BATCH_COLUMNS
#undef DELIVERY_STOP_COLUMNS
#undef DELIVERY_KEY_COLUMNS

#undef DELIVERY_TASK_COLUMNS
#undef DELIVERY_PARCEL_COLUMNS

}  // namespace courtyard::delivery::repo
