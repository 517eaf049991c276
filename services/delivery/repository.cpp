#include "services/delivery/repository.hpp"

#include "db/row.hpp"

namespace courtyard::delivery::repo {

namespace {

constexpr char const* kTaskColumns =
    "id, community_id, order_id, merchant_id, resident_id, unit_id, courier_id, status, proof_code, total_cents, "
    "failure_reason, source_event_id, created_at, updated_at";

Task task_of(soci::row const& r) {
  Task t;
  t.id = db::as_int(r, 0);
  t.community_id = db::as_int(r, 1);
  t.order_id = db::as_int(r, 2);
  t.merchant_id = db::as_int(r, 3);
  t.resident_id = db::as_int(r, 4);
  t.unit_id = db::as_int(r, 5);
  t.courier_id = db::as_int(r, 6);
  t.status = parse_status(db::as_text(r, 7)).value_or(Status::Pending);
  t.proof_code = db::as_text(r, 8);
  t.total_cents = db::as_int(r, 9);
  t.failure_reason = db::opt_text(r, 10);
  t.source_event_id = db::as_int(r, 11);
  t.created_at = db::as_int(r, 12);
  t.updated_at = db::as_int(r, 13);
  return t;
}

template <class... Uses>
std::optional<Task> one_task(db::Tx& tx, std::string const& where, Uses&&... uses) {
  soci::rowset<soci::row> rs =
      ((tx.sql().prepare << std::string("SELECT ") + kTaskColumns + " FROM delivery_tasks WHERE " + where), ...,
       std::forward<Uses>(uses));
  for (auto const& r : rs) return task_of(r);
  return std::nullopt;
}

constexpr char const* kParcelColumns =
    "id, community_id, unit_id, carrier, tracking_no, pickup_code, status, logged_by, picked_up_by, created_at, "
    "picked_up_at";

Parcel parcel_of(soci::row const& r) {
  Parcel p;
  p.id = db::as_int(r, 0);
  p.community_id = db::as_int(r, 1);
  p.unit_id = db::as_int(r, 2);
  p.carrier = db::as_text(r, 3);
  p.tracking_no = db::as_text(r, 4);
  p.pickup_code = db::as_text(r, 5);
  p.status = parse_parcel_status(db::as_text(r, 6)).value_or(ParcelStatus::Waiting);
  p.logged_by = db::as_int(r, 7);
  p.picked_up_by = db::as_int(r, 8);
  p.created_at = db::as_int(r, 9);
  p.picked_up_at = db::opt_int(r, 10);
  return p;
}

template <class... Uses>
std::optional<Parcel> one_parcel(db::Tx& tx, std::string const& where, Uses&&... uses) {
  soci::rowset<soci::row> rs =
      ((tx.sql().prepare << std::string("SELECT ") + kParcelColumns + " FROM parcels WHERE " + where), ...,
       std::forward<Uses>(uses));
  for (auto const& r : rs) return parcel_of(r);
  return std::nullopt;
}

}  // namespace

std::int64_t insert_task_once(db::Tx& tx, Task const& t) {
  std::string status(to_string(t.status));
  auto n = tx.exec(std::string(db::insert_ignore(tx.backend())) +
                       " INTO delivery_tasks (community_id, order_id, merchant_id, resident_id, unit_id, courier_id, "
                       "status, proof_code, total_cents, source_event_id, created_at, updated_at) "
                       "VALUES (:c, :o, :m, :r, :u, 0, :s, :p, :tc, :e, :t1, :t2)",
                   soci::use(t.community_id, "c"), soci::use(t.order_id, "o"), soci::use(t.merchant_id, "m"),
                   soci::use(t.resident_id, "r"), soci::use(t.unit_id, "u"), soci::use(status, "s"),
                   soci::use(t.proof_code, "p"), soci::use(t.total_cents, "tc"), soci::use(t.source_event_id, "e"),
                   soci::use(t.created_at, "t1"), soci::use(t.updated_at, "t2"));
  if (n != 1) return 0;
  return tx.last_insert_id("delivery_tasks");
}

std::optional<Task> find(db::Tx& tx, std::int64_t community_id, std::int64_t id) {
  return one_task(tx, "id = :id AND community_id = :c", soci::use(id, "id"), soci::use(community_id, "c"));
}

std::optional<Task> find_any(db::Tx& tx, std::int64_t id) { return one_task(tx, "id = :id", soci::use(id, "id")); }

std::optional<Task> find_by_order(db::Tx& tx, std::int64_t order_id) {
  return one_task(tx, "order_id = :o", soci::use(order_id, "o"));
}

std::vector<Task> list(db::Tx& tx, ListFilter const& f) {
  std::string status = f.status ? std::string(to_string(*f.status)) : std::string();
  long long before = f.before_id > 0 ? f.before_id : INT64_MAX;
  long long limit = f.limit;
  std::vector<Task> out;
  if (f.resident_id > 0) {
    soci::rowset<soci::row> rs =
        (tx.sql().prepare << std::string("SELECT ") + kTaskColumns +
                                 " FROM delivery_tasks WHERE resident_id = :r AND (:s = '' OR status = :s2) "
                                 "AND id < :b ORDER BY id DESC LIMIT :l",
         soci::use(f.resident_id, "r"), soci::use(status, "s"), soci::use(status, "s2"), soci::use(before, "b"),
         soci::use(limit, "l"));
    for (auto const& r : rs) out.push_back(task_of(r));
    return out;
  }
  soci::rowset<soci::row> rs =
      (tx.sql().prepare << std::string("SELECT ") + kTaskColumns +
                               " FROM delivery_tasks WHERE community_id = :c AND (:s = '' OR status = :s2) "
                               "AND (:k = 0 OR courier_id = :k2 OR (status = 'pending' AND courier_id = 0)) "
                               "AND id < :b ORDER BY id DESC LIMIT :l",
       soci::use(f.community_id, "c"), soci::use(status, "s"), soci::use(status, "s2"),
       soci::use(f.visible_to_courier, "k"), soci::use(f.visible_to_courier, "k2"), soci::use(before, "b"),
       soci::use(limit, "l"));
  for (auto const& r : rs) out.push_back(task_of(r));
  return out;
}

long long transition(db::Tx& tx, std::int64_t community_id, std::int64_t id, Status from, std::int64_t expected_courier,
                     Status to, std::int64_t new_courier, std::optional<std::string> const& reason) {
  std::string f(to_string(from)), t(to_string(to));
  std::int64_t now = tx.now_ms();
  if (reason) {
    return tx.exec("UPDATE delivery_tasks SET status = :t, courier_id = :nc, failure_reason = :r, updated_at = :n "
                   "WHERE id = :id AND community_id = :c AND status = :f AND courier_id = :ec",
                   soci::use(t, "t"), soci::use(new_courier, "nc"), soci::use(*reason, "r"), soci::use(now, "n"),
                   soci::use(id, "id"), soci::use(community_id, "c"), soci::use(f, "f"),
                   soci::use(expected_courier, "ec"));
  }
  return tx.exec("UPDATE delivery_tasks SET status = :t, courier_id = :nc, updated_at = :n "
                 "WHERE id = :id AND community_id = :c AND status = :f AND courier_id = :ec",
                 soci::use(t, "t"), soci::use(new_courier, "nc"), soci::use(now, "n"), soci::use(id, "id"),
                 soci::use(community_id, "c"), soci::use(f, "f"), soci::use(expected_courier, "ec"));
}

void add_history(db::Tx& tx, Task const& t, std::optional<Status> from, Status to, std::int64_t actor_id,
                 std::optional<std::string> const& note) {
  std::string f = from ? std::string(to_string(*from)) : std::string();
  std::string s(to_string(to));
  soci::indicator fi = from ? soci::i_ok : soci::i_null;
  std::string n = note.value_or("");
  soci::indicator ni = note ? soci::i_ok : soci::i_null;
  std::int64_t now = tx.now_ms();
  tx.exec("INSERT INTO delivery_history (delivery_id, community_id, from_status, to_status, actor_id, note, created_at) "
          "VALUES (:d, :c, :f, :t, :a, :n, :at)",
          soci::use(t.id, "d"), soci::use(t.community_id, "c"), soci::use(f, fi, "f"), soci::use(s, "t"),
          soci::use(actor_id, "a"), soci::use(n, ni, "n"), soci::use(now, "at"));
}

std::vector<HistoryEntry> history(db::Tx& tx, std::int64_t delivery_id) {
  soci::rowset<soci::row> rs =
      (tx.sql().prepare << "SELECT from_status, to_status, actor_id, note, created_at FROM delivery_history "
                           "WHERE delivery_id = :d ORDER BY id",
       soci::use(delivery_id, "d"));
  std::vector<HistoryEntry> out;
  for (auto const& r : rs) {
    HistoryEntry h;
    if (auto f = db::opt_text(r, 0); f && !f->empty()) h.from = parse_status(*f);
    h.to = parse_status(db::as_text(r, 1)).value_or(Status::Pending);
    h.actor_id = db::as_int(r, 2);
    h.note = db::opt_text(r, 3);
    h.at = db::as_int(r, 4);
    out.push_back(std::move(h));
  }
  return out;
}

std::map<std::int64_t, std::int64_t> active_by_courier(db::Tx& tx, std::int64_t community_id) {
  soci::rowset<soci::row> rs =
      (tx.sql().prepare << "SELECT courier_id, COUNT(*) FROM delivery_tasks WHERE community_id = :c "
                           "AND status IN ('claimed', 'picked_up') AND courier_id <> 0 GROUP BY courier_id",
       soci::use(community_id, "c"));
  std::map<std::int64_t, std::int64_t> out;
  for (auto const& r : rs) out[db::as_int(r, 0)] = db::as_int(r, 1);
  return out;
}

std::vector<std::pair<std::int64_t, std::int64_t>> due_for_assignment(db::Database& db, std::int64_t created_before,
                                                                      int limit) {
  return db::read(db, [&](soci::session& s) {
    soci::rowset<soci::row> rs =
        (s.prepare << "SELECT id, community_id FROM delivery_tasks WHERE status = 'pending' AND courier_id = 0 "
                      "AND created_at <= :t ORDER BY created_at, id LIMIT :l",
         soci::use(created_before, "t"), soci::use(limit, "l"));
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    for (auto const& r : rs) out.emplace_back(db::as_int(r, 0), db::as_int(r, 1));
    return out;
  });
}

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
    auto n = tx.exec(std::string(db::insert_ignore(tx.backend())) +
                         " INTO parcels (community_id, unit_id, carrier, tracking_no, pickup_code, status, logged_by, "
                         "picked_up_by, created_at) VALUES (:c, :u, :ca, :tn, :pc, :s, :lb, 0, :t)",
                     soci::use(p.community_id, "c"), soci::use(p.unit_id, "u"), soci::use(p.carrier, "ca"),
                     soci::use(p.tracking_no, "tn"), soci::use(p.pickup_code, "pc"), soci::use(status, "s"),
                     soci::use(p.logged_by, "lb"), soci::use(p.created_at, "t"));
    if (n == 1) break;
    // Another parcel of this community already has the code (about 1 in 10^11 per draw).
    if (attempt >= 8) throw std::runtime_error("could not draw a unique parcel pick-up code");
  }
  p.id = tx.last_insert_id("parcels");
  return p;
}

std::optional<Parcel> find_parcel(db::Tx& tx, std::int64_t community_id, std::int64_t id) {
  return one_parcel(tx, "id = :id AND community_id = :c", soci::use(id, "id"), soci::use(community_id, "c"));
}

std::optional<Parcel> find_parcel_by_code(db::Tx& tx, std::int64_t community_id, std::string const& code) {
  return one_parcel(tx, "community_id = :c AND pickup_code = :p", soci::use(community_id, "c"), soci::use(code, "p"));
}

std::vector<Parcel> list_parcels(db::Tx& tx, ParcelFilter const& f) {
  std::string status = f.status ? std::string(to_string(*f.status)) : std::string();
  long long before = f.before_id > 0 ? f.before_id : INT64_MAX;
  long long limit = f.limit;
  std::string sql = std::string("SELECT ") + kParcelColumns +
                    " FROM parcels WHERE community_id = :c AND (:s = '' OR status = :s2) AND id < :b";
  std::vector<std::string> names;
  if (f.unit_ids) {
    if (f.unit_ids->empty()) return {};
    sql += " AND unit_id IN (";
    for (std::size_t i = 0; i < f.unit_ids->size(); ++i) {
      names.push_back("u" + std::to_string(i));
      sql += (i ? ", :" : ":") + names.back();
    }
    sql += ")";
  }
  sql += " ORDER BY id DESC LIMIT :l";
  auto prep = (tx.sql().prepare << sql);
  prep, soci::use(f.community_id, "c"), soci::use(status, "s"), soci::use(status, "s2"), soci::use(before, "b");
  if (f.unit_ids)
    for (std::size_t i = 0; i < f.unit_ids->size(); ++i) prep, soci::use((*f.unit_ids)[i], names[i]);
  prep, soci::use(limit, "l");
  soci::rowset<soci::row> rs = prep;
  std::vector<Parcel> out;
  for (auto const& r : rs) out.push_back(parcel_of(r));
  return out;
}

long long pick_up_parcel(db::Tx& tx, std::int64_t community_id, std::int64_t id, std::int64_t by) {
  std::int64_t now = tx.now_ms();
  return tx.exec("UPDATE parcels SET status = 'picked_up', picked_up_by = :by, picked_up_at = :t "
                 "WHERE id = :id AND community_id = :c AND status = 'waiting'",
                 soci::use(by, "by"), soci::use(now, "t"), soci::use(id, "id"), soci::use(community_id, "c"));
}

}  // namespace courtyard::delivery::repo
