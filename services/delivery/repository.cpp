#include "services/delivery/repository.hpp"

#include "db/query.hpp"

#include <cstdint>
#include <stdexcept>

namespace courtyard::delivery::repo {

namespace {

using soci::use;

// The columns task_from reads, in its order.
#define DELIVERY_TASK_COLUMNS                                                                                 \
  "id, community_id, order_id, merchant_id, resident_id, unit_id, courier_id, status, proof_code, total_cents, " \
  "failure_reason, source_event_id, created_at, updated_at, attempt"

Task task_from(soci::row const& r) {
  db::Cols c(r);
  Task t;
  t.id = c.integer();
  t.community_id = c.integer();
  t.order_id = c.integer();
  t.merchant_id = c.integer();
  t.resident_id = c.integer();
  t.unit_id = c.integer();
  t.courier_id = c.integer();
  t.status = parse_status(c.text()).value_or(Status::Pending);
  t.proof_code = c.text();
  t.total_cents = c.integer();
  t.failure_reason = c.opt_text();
  t.source_event_id = c.integer();
  t.created_at = c.integer();
  t.updated_at = c.integer();
  t.attempt = c.integer();
  return t;
}

// The columns parcel_from reads, in its order.
#define DELIVERY_PARCEL_COLUMNS                                                                           \
  "id, community_id, unit_id, carrier, tracking_no, pickup_code, status, logged_by, picked_up_by, created_at, " \
  "picked_up_at"

Parcel parcel_from(soci::row const& r) {
  db::Cols c(r);
  Parcel p;
  p.id = c.integer();
  p.community_id = c.integer();
  p.unit_id = c.integer();
  p.carrier = c.text();
  p.tracking_no = c.text();
  p.pickup_code = c.text();
  p.status = parse_parcel_status(c.text()).value_or(ParcelStatus::Waiting);
  p.logged_by = c.integer();
  p.picked_up_by = c.integer();
  p.created_at = c.integer();
  p.picked_up_at = c.opt_integer();
  return p;
}

std::string status_text(std::optional<Status> s) { return s ? std::string(to_string(*s)) : std::string(); }

}  // namespace

// ---- tasks

constexpr char const* kInsertTaskOnce =
    " INTO delivery_tasks (community_id, order_id, merchant_id, resident_id, unit_id, courier_id, "
    "status, proof_code, total_cents, source_event_id, created_at, updated_at) "
    "VALUES (:c, :o, :m, :r, :u, 0, :s, :p, :tc, :e, :t1, :t2)";

std::int64_t insert_task_once(db::Tx& tx, Task const& t) {
  std::string status(to_string(t.status));
  auto n = tx.exec(std::string(db::insert_ignore(tx.backend())) + kInsertTaskOnce, use(t.community_id, "c"),
                   use(t.order_id, "o"), use(t.merchant_id, "m"), use(t.resident_id, "r"), use(t.unit_id, "u"),
                   use(status, "s"), use(t.proof_code, "p"), use(t.total_cents, "tc"), use(t.source_event_id, "e"),
                   use(t.created_at, "t1"), use(t.updated_at, "t2"));
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
    "AND id < :b ORDER BY id DESC LIMIT :l";

std::vector<Task> list_for_community(db::Tx& tx, std::int64_t community_id, std::optional<Status> status,
                                     std::int64_t visible_to_courier, json::Page const& page) {
  std::string s = status_text(status);
  std::int64_t b = page.after ? *page.after : INT64_MAX, limit = page.limit + 1;
  return db::all(tx, kListCommunityTasks, task_from, use(community_id, "c"), use(s, "s"), use(s, "s2"),
                 use(visible_to_courier, "k"), use(visible_to_courier, "k2"), use(b, "b"), use(limit, "l"));
}

constexpr char const* kListResidentTasks =
    "SELECT " DELIVERY_TASK_COLUMNS
    " FROM delivery_tasks WHERE resident_id = :r AND (:s = '' OR status = :s2) "
    "AND id < :b ORDER BY id DESC LIMIT :l";

std::vector<Task> list_for_resident(db::Tx& tx, std::int64_t resident_id, std::optional<Status> status,
                                    json::Page const& page) {
  std::string s = status_text(status);
  std::int64_t b = page.after ? *page.after : INT64_MAX, limit = page.limit + 1;
  return db::all(tx, kListResidentTasks, task_from, use(resident_id, "r"), use(s, "s"), use(s, "s2"), use(b, "b"),
                 use(limit, "l"));
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
HistoryEntry history_from(soci::row const& r) {
  db::Cols c(r);
  HistoryEntry h;
  if (auto f = c.opt_text(); f && !f->empty()) h.from = parse_status(*f);
  h.to = parse_status(c.text()).value_or(Status::Pending);
  h.actor_id = c.integer();
  h.note = c.opt_text();
  h.at = c.integer();
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
      [&](soci::row const& r) {
        db::Cols c(r);
        auto courier = c.integer();
        out[courier] = c.integer();
      },
      use(community_id, "c"));
  return out;
}

constexpr char const* kDueForAssignment =
    "SELECT id, community_id FROM delivery_tasks WHERE status = 'pending' AND courier_id = 0 "
    "AND updated_at <= :t ORDER BY updated_at, id LIMIT :l";

std::vector<std::pair<std::int64_t, std::int64_t>> due_for_assignment(db::Database& db, std::int64_t created_before,
                                                                      int limit) {
  // A plain read outside any transaction (db::one/all take a Tx, which on SQLite would take the
  // write lock every run).
  return db::read(db, [&](soci::session& s) {
    soci::rowset<soci::row> rs = (s.prepare << kDueForAssignment, use(created_before, "t"), use(limit, "l"));
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    for (auto const& r : rs) {
      db::Cols c(r);
      auto id = c.integer();
      out.emplace_back(id, c.integer());
    }
    return out;
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
  q.sql(" AND id < ").value(page.after ? *page.after : INT64_MAX);
  if (unit_ids) q.sql(" AND unit_id IN (").values(*unit_ids).sql(")");
  q.sql(" ORDER BY id DESC LIMIT ").value(page.limit + 1);
  return q.all(tx, parcel_from);
}

constexpr char const* kPickUpParcel =
    "UPDATE parcels SET status = 'picked_up', picked_up_by = :by, picked_up_at = :t "
    "WHERE id = :id AND community_id = :c AND status = 'waiting'";

long long pick_up_parcel(db::Tx& tx, std::int64_t community_id, std::int64_t id, std::int64_t by) {
  std::int64_t now = tx.now_ms();
  return tx.exec(kPickUpParcel, use(by, "by"), use(now, "t"), use(id, "id"), use(community_id, "c"));
}

#undef DELIVERY_TASK_COLUMNS
#undef DELIVERY_PARCEL_COLUMNS

}  // namespace courtyard::delivery::repo
