#include "services/property/repository.hpp"

#include "db/row.hpp"
#include "http/principal.hpp"

#include <algorithm>
#include <deque>

namespace courtyard::property::repo {

using soci::into;
using soci::use;

namespace {

// Builds a statement with a variable set of bound values (optional filters). Values are
// still bound parameters; only the placeholders are generated.
class Binder {
 public:
  std::string operator()(std::int64_t v) {
    ints_.push_back(v);
    order_.push_back({false, ints_.size() - 1});
    return placeholder();
  }
  std::string operator()(std::string v) {
    strs_.push_back(std::move(v));
    order_.push_back({true, strs_.size() - 1});
    return placeholder();
  }
  // The Binder must outlive the iteration over the rows.
  soci::rowset<soci::row> rows(soci::session& s, std::string const& query) { return soci::rowset<soci::row>(bind(s, query)); }
  // Runs a statement; returns rows affected.
  long long exec(soci::session& s, std::string const& query) {
    soci::statement st(bind(s, query));
    st.execute(true);
    return st.get_affected_rows();
  }

 private:
  soci::details::prepare_temp_type bind(soci::session& s, std::string const& query) {
    soci::details::prepare_temp_type p = (s.prepare << query);
    for (std::size_t i = 0; i < order_.size(); ++i) {
      if (order_[i].text)
        p, use(strs_[order_[i].index], names_[i]);
      else
        p, use(ints_[order_[i].index], names_[i]);
    }
    return p;
  }
  std::string placeholder() {
    names_.push_back("p" + std::to_string(names_.size()));
    return ":" + names_.back();
  }
  struct Slot {
    bool text;
    std::size_t index;
  };
  std::deque<long long> ints_;
  std::deque<std::string> strs_;
  std::vector<Slot> order_;
  std::vector<std::string> names_;
};

long long before_key(json::Page const& page) { return page.after ? *page.after : INT64_MAX; }
long long fetch_limit(json::Page const& page) { return page.limit + 1; }
std::string resident_role() { return std::string(role_name(Role::Resident)); }

}  // namespace

// ---- fee schedules

namespace {
constexpr char const* kScheduleCols =
    "id, community_id, name, amount_cents, scope, building_id, active, created_by, created_at";

FeeSchedule schedule_from(soci::row const& r) {
  FeeSchedule s;
  s.id = db::as_int(r, 0);
  s.community_id = db::as_int(r, 1);
  s.name = db::as_text(r, 2);
  s.amount_cents = db::as_int(r, 3);
  s.scope = db::as_text(r, 4);
  s.building_id = db::as_int(r, 5);
  s.active = db::as_int(r, 6) != 0;
  s.created_by = db::as_int(r, 7);
  s.created_at = db::as_int(r, 8);
  return s;
}
}  // namespace

std::int64_t insert_schedule(db::Tx& tx, FeeSchedule const& s) {
  int active = s.active ? 1 : 0;
  return tx.insert("property_fee_schedules",
                   "INSERT INTO property_fee_schedules (community_id, name, amount_cents, scope, building_id, active, "
                   "created_by, created_at) VALUES (:c, :n, :a, :s, :b, :ac, :by, :t)",
                   use(s.community_id, "c"), use(s.name, "n"), use(s.amount_cents, "a"), use(s.scope, "s"),
                   use(s.building_id, "b"), use(active, "ac"), use(s.created_by, "by"), use(s.created_at, "t"));
}

std::optional<FeeSchedule> schedule(db::Tx& tx, std::int64_t cid, std::int64_t id) {
  soci::rowset<soci::row> rs = (tx.sql().prepare << std::string("SELECT ") + kScheduleCols +
                                                        " FROM property_fee_schedules WHERE id = :id AND community_id = :c",
                                use(id, "id"), use(cid, "c"));
  for (auto const& r : rs) return schedule_from(r);
  return std::nullopt;
}

std::vector<FeeSchedule> schedules(db::Tx& tx, std::int64_t cid, std::optional<bool> active, json::Page const& page) {
  Binder b;
  std::string q = std::string("SELECT ") + kScheduleCols + " FROM property_fee_schedules WHERE community_id = " +
                  b(cid) + " AND id < " + b(before_key(page));
  if (active) q += " AND active = " + b(*active ? 1 : 0);
  q += " ORDER BY id DESC LIMIT " + b(fetch_limit(page));
  std::vector<FeeSchedule> out;
  for (auto const& r : b.rows(tx.sql(), q)) out.push_back(schedule_from(r));
  return out;
}

std::vector<FeeSchedule> active_schedules(db::Tx& tx, std::int64_t cid) {
  std::vector<FeeSchedule> out;
  soci::rowset<soci::row> rs = (tx.sql().prepare << std::string("SELECT ") + kScheduleCols +
                                                        " FROM property_fee_schedules WHERE community_id = :c AND "
                                                        "active = 1 ORDER BY id",
                                use(cid, "c"));
  for (auto const& r : rs) out.push_back(schedule_from(r));
  return out;
}

bool deactivate_schedule(db::Tx& tx, std::int64_t cid, std::int64_t id) {
  return tx.exec("UPDATE property_fee_schedules SET active = 0 WHERE id = :id AND community_id = :c AND active = 1",
                 use(id, "id"), use(cid, "c")) == 1;
}

// ---- bills

namespace {
constexpr char const* kBillCols =
    "id, community_id, unit_id, building_id, schedule_id, name, period, amount_cents, status, due_at, issued_at, "
    "paid_at, paid_by, method, transaction_id, overdue_at";

Bill bill_from(soci::row const& r) {
  Bill b;
  b.id = db::as_int(r, 0);
  b.community_id = db::as_int(r, 1);
  b.unit_id = db::as_int(r, 2);
  b.building_id = db::as_int(r, 3);
  b.schedule_id = db::as_int(r, 4);
  b.name = db::as_text(r, 5);
  b.period = db::as_text(r, 6);
  b.amount_cents = db::as_int(r, 7);
  b.status = db::as_text(r, 8);
  b.due_at = db::as_int(r, 9);
  b.issued_at = db::as_int(r, 10);
  b.paid_at = db::opt_int(r, 11);
  b.paid_by = db::opt_int(r, 12);
  b.method = db::opt_text(r, 13);
  b.transaction_id = db::opt_int(r, 14);
  b.overdue_at = db::opt_int(r, 15);
  return b;
}
}  // namespace

std::optional<std::int64_t> insert_bill_once(db::Tx& tx, Bill const& b) {
  auto n = tx.exec(std::string(db::insert_ignore(tx.backend())) +
                       " INTO property_bills (community_id, unit_id, building_id, schedule_id, name, period, "
                       "amount_cents, status, due_at, issued_at) VALUES (:c, :u, :b, :s, :n, :p, :a, :st, :d, :t)",
                   use(b.community_id, "c"), use(b.unit_id, "u"), use(b.building_id, "b"), use(b.schedule_id, "s"),
                   use(b.name, "n"), use(b.period, "p"), use(b.amount_cents, "a"), use(b.status, "st"),
                   use(b.due_at, "d"), use(b.issued_at, "t"));
  if (n != 1) return std::nullopt;
  long long id = 0;
  tx.sql() << "SELECT id FROM property_bills WHERE community_id = :c AND unit_id = :u AND schedule_id = :s AND "
              "period = :p",
      use(b.community_id, "c"), use(b.unit_id, "u"), use(b.schedule_id, "s"), use(b.period, "p"), into(id);
  return id;
}

std::int64_t count_bills(db::Tx& tx, std::int64_t cid, std::string const& period) {
  long long n = 0;
  tx.sql() << "SELECT COUNT(*) FROM property_bills WHERE community_id = :c AND period = :p", use(cid, "c"),
      use(period, "p"), into(n);
  return n;
}

std::optional<Bill> bill(db::Tx& tx, std::int64_t cid, std::int64_t id) {
  soci::rowset<soci::row> rs =
      (tx.sql().prepare << std::string("SELECT ") + kBillCols + " FROM property_bills WHERE id = :id AND community_id = :c",
       use(id, "id"), use(cid, "c"));
  for (auto const& r : rs) return bill_from(r);
  return std::nullopt;
}

std::vector<Bill> bills(db::Tx& tx, std::int64_t cid, BillFilter const& f, json::Page const& page) {
  Binder b;
  std::string q = std::string("SELECT ") + kBillCols + " FROM property_bills WHERE community_id = " + b(cid) +
                  " AND id < " + b(before_key(page));
  if (f.status) q += " AND status = " + b(*f.status);
  if (f.unit_id) q += " AND unit_id = " + b(*f.unit_id);
  if (f.period) q += " AND period = " + b(*f.period);
  q += " ORDER BY id DESC LIMIT " + b(fetch_limit(page));
  std::vector<Bill> out;
  for (auto const& r : b.rows(tx.sql(), q)) out.push_back(bill_from(r));
  return out;
}

std::vector<Bill> bills_of_units(db::Tx& tx, std::vector<UnitRef> const& units, std::optional<std::string> const& status,
                                 json::Page const& page) {
  std::vector<Bill> out;
  for (auto const& u : units) {
    Binder b;
    std::string q = std::string("SELECT ") + kBillCols + " FROM property_bills WHERE community_id = " +
                    b(u.community_id) + " AND unit_id = " + b(u.unit_id) + " AND id < " + b(before_key(page));
    if (status) q += " AND status = " + b(*status);
    q += " ORDER BY id DESC LIMIT " + b(fetch_limit(page));
    for (auto const& r : b.rows(tx.sql(), q)) out.push_back(bill_from(r));
  }
  std::sort(out.begin(), out.end(), [](Bill const& a, Bill const& b) { return a.id > b.id; });
  out.erase(std::unique(out.begin(), out.end(), [](Bill const& a, Bill const& b) { return a.id == b.id; }), out.end());
  if (static_cast<long long>(out.size()) > fetch_limit(page)) out.resize(static_cast<std::size_t>(fetch_limit(page)));
  return out;
}

bool mark_paid(db::Tx& tx, std::int64_t cid, std::int64_t id, std::string const& method, std::int64_t paid_by,
               std::int64_t now) {
  return tx.exec("UPDATE property_bills SET status = 'paid', paid_at = :t, paid_by = :by, method = :m "
                 "WHERE id = :id AND community_id = :c AND status IN ('unpaid', 'overdue')",
                 use(now, "t"), use(paid_by, "by"), use(method, "m"), use(id, "id"), use(cid, "c")) == 1;
}

void set_bill_transaction(db::Tx& tx, std::int64_t cid, std::int64_t id, std::int64_t transaction_id) {
  tx.exec("UPDATE property_bills SET transaction_id = :x WHERE id = :id AND community_id = :c", use(transaction_id, "x"),
          use(id, "id"), use(cid, "c"));
}

std::vector<BillRef> overdue_candidates(soci::session& s, std::int64_t now, int limit) {
  long long lim = limit;
  std::vector<BillRef> out;
  soci::rowset<soci::row> rs = (s.prepare << "SELECT community_id, id FROM property_bills WHERE status = 'unpaid' AND "
                                             "due_at < :t ORDER BY due_at, id LIMIT :l",
                                use(now, "t"), use(lim, "l"));
  for (auto const& r : rs) out.push_back({db::as_int(r, 0), db::as_int(r, 1)});
  return out;
}

bool mark_overdue(db::Tx& tx, std::int64_t cid, std::int64_t id, std::int64_t now) {
  return tx.exec("UPDATE property_bills SET status = 'overdue', overdue_at = :t "
                 "WHERE id = :id AND community_id = :c AND status = 'unpaid' AND due_at < :t2",
                 use(now, "t"), use(id, "id"), use(cid, "c"), use(now, "t2")) == 1;
}

std::vector<PeriodSummary> billing_summary(db::Tx& tx, std::int64_t cid, std::optional<std::string> const& period) {
  Binder b;
  std::string q =
      "SELECT period, COALESCE(SUM(amount_cents), 0), "
      "COALESCE(SUM(CASE WHEN status = 'paid' THEN amount_cents ELSE 0 END), 0), "
      "COALESCE(SUM(CASE WHEN status = 'overdue' THEN amount_cents ELSE 0 END), 0), "
      "COALESCE(SUM(CASE WHEN status <> 'paid' THEN amount_cents ELSE 0 END), 0), "
      "COUNT(*), "
      "COALESCE(SUM(CASE WHEN status = 'paid' THEN 1 ELSE 0 END), 0), "
      "COALESCE(SUM(CASE WHEN status = 'unpaid' THEN 1 ELSE 0 END), 0), "
      "COALESCE(SUM(CASE WHEN status = 'overdue' THEN 1 ELSE 0 END), 0) "
      "FROM property_bills WHERE community_id = " +
      b(cid);
  if (period) q += " AND period = " + b(*period);
  q += " GROUP BY period ORDER BY period DESC";
  std::vector<PeriodSummary> out;
  for (auto const& r : b.rows(tx.sql(), q)) {
    PeriodSummary s;
    s.period = db::as_text(r, 0);
    s.billed_cents = db::as_int(r, 1);
    s.paid_cents = db::as_int(r, 2);
    s.overdue_cents = db::as_int(r, 3);
    s.outstanding_cents = db::as_int(r, 4);
    s.bills = db::as_int(r, 5);
    s.paid = db::as_int(r, 6);
    s.unpaid = db::as_int(r, 7);
    s.overdue = db::as_int(r, 8);
    out.push_back(std::move(s));
  }
  return out;
}

// ---- repair tickets

namespace {
constexpr char const* kTicketCols =
    "id, community_id, unit_id, opened_by, category, description, status, assigned_to, resolution_note, rating, "
    "rating_comment, created_at, updated_at, resolved_at, closed_at";

Ticket ticket_from(soci::row const& r) {
  Ticket t;
  t.id = db::as_int(r, 0);
  t.community_id = db::as_int(r, 1);
  t.unit_id = db::as_int(r, 2);
  t.opened_by = db::as_int(r, 3);
  t.category = db::as_text(r, 4);
  t.description = db::as_text(r, 5);
  t.status = db::as_text(r, 6);
  t.assigned_to = db::as_int(r, 7);
  t.resolution_note = db::opt_text(r, 8);
  t.rating = db::opt_int(r, 9);
  t.rating_comment = db::opt_text(r, 10);
  t.created_at = db::as_int(r, 11);
  t.updated_at = db::as_int(r, 12);
  t.resolved_at = db::opt_int(r, 13);
  t.closed_at = db::opt_int(r, 14);
  return t;
}
}  // namespace

std::int64_t insert_ticket(db::Tx& tx, Ticket const& t) {
  return tx.insert("property_tickets",
                   "INSERT INTO property_tickets (community_id, unit_id, opened_by, category, description, status, "
                   "assigned_to, created_at, updated_at) VALUES (:c, :u, :o, :cat, :d, :s, 0, :t, :t2)",
                   use(t.community_id, "c"), use(t.unit_id, "u"), use(t.opened_by, "o"), use(t.category, "cat"),
                   use(t.description, "d"), use(t.status, "s"), use(t.created_at, "t"), use(t.created_at, "t2"));
}

std::optional<Ticket> ticket(db::Tx& tx, std::int64_t cid, std::int64_t id) {
  soci::rowset<soci::row> rs = (tx.sql().prepare << std::string("SELECT ") + kTicketCols +
                                                        " FROM property_tickets WHERE id = :id AND community_id = :c",
                                use(id, "id"), use(cid, "c"));
  for (auto const& r : rs) return ticket_from(r);
  return std::nullopt;
}

std::vector<Ticket> tickets(db::Tx& tx, std::int64_t cid, std::int64_t opened_by, std::optional<std::string> const& status,
                            json::Page const& page) {
  Binder b;
  std::string q = std::string("SELECT ") + kTicketCols + " FROM property_tickets WHERE community_id = " + b(cid) +
                  " AND id < " + b(before_key(page));
  if (opened_by) q += " AND opened_by = " + b(opened_by);
  if (status) q += " AND status = " + b(*status);
  q += " ORDER BY id DESC LIMIT " + b(fetch_limit(page));
  std::vector<Ticket> out;
  for (auto const& r : b.rows(tx.sql(), q)) out.push_back(ticket_from(r));
  return out;
}

bool transition_ticket(db::Tx& tx, std::int64_t cid, std::int64_t id, std::string const& from, std::string const& to,
                       TicketChange const& change, std::int64_t now) {
  Binder b;
  std::string q = "UPDATE property_tickets SET status = " + b(to) + ", updated_at = " + b(now);
  if (change.assigned_to) q += ", assigned_to = " + b(*change.assigned_to);
  if (change.resolution_note) q += ", resolution_note = " + b(*change.resolution_note);
  if (change.set_resolved) q += ", resolved_at = " + b(now);
  if (change.clear_resolved) q += ", resolved_at = NULL, closed_at = NULL, rating = NULL, rating_comment = NULL";
  if (change.set_closed) {
    q += ", closed_at = " + b(now) + ", rating = " + b(change.rating);
    q += change.rating_comment ? ", rating_comment = " + b(*change.rating_comment) : ", rating_comment = NULL";
  }
  q += " WHERE id = " + b(id) + " AND community_id = " + b(cid) + " AND status = " + b(from);
  return b.exec(tx.sql(), q) == 1;
}

void add_history(db::Tx& tx, std::int64_t cid, std::int64_t ticket_id, std::optional<std::string> const& from,
                 std::string const& to, std::int64_t actor, std::optional<std::string> const& note, std::int64_t now) {
  soci::indicator from_ind = from ? soci::i_ok : soci::i_null;
  soci::indicator note_ind = note ? soci::i_ok : soci::i_null;
  std::string from_v = from.value_or("");
  std::string note_v = note.value_or("");
  tx.exec("INSERT INTO property_ticket_history (community_id, ticket_id, from_status, to_status, actor_id, note, "
          "happened_at) VALUES (:c, :t, :f, :to, :a, :n, :at)",
          use(cid, "c"), use(ticket_id, "t"), use(from_v, from_ind, "f"), use(to, "to"), use(actor, "a"),
          use(note_v, note_ind, "n"), use(now, "at"));
}

std::vector<HistoryEntry> history(db::Tx& tx, std::int64_t cid, std::int64_t ticket_id) {
  std::vector<HistoryEntry> out;
  soci::rowset<soci::row> rs =
      (tx.sql().prepare << "SELECT from_status, to_status, actor_id, happened_at, note FROM property_ticket_history "
                           "WHERE ticket_id = :t AND community_id = :c ORDER BY id",
       use(ticket_id, "t"), use(cid, "c"));
  for (auto const& r : rs)
    out.push_back({db::opt_text(r, 0), db::as_text(r, 1), db::as_int(r, 2), db::as_int(r, 3), db::opt_text(r, 4)});
  return out;
}

// ---- announcements

namespace {
constexpr char const* kAnnouncementCols =
    "a.id, a.community_id, a.building_id, a.title, a.body, a.created_by, a.audience_count, a.read_count, a.created_at, "
    "r.read_at";

Announcement announcement_from(soci::row const& r) {
  Announcement a;
  a.id = db::as_int(r, 0);
  a.community_id = db::as_int(r, 1);
  a.building_id = db::as_int(r, 2);
  a.title = db::as_text(r, 3);
  a.body = db::as_text(r, 4);
  a.created_by = db::as_int(r, 5);
  a.audience_count = db::as_int(r, 6);
  a.read_count = db::as_int(r, 7);
  a.created_at = db::as_int(r, 8);
  a.read_at = db::opt_int(r, 9);
  return a;
}
}  // namespace

std::int64_t insert_announcement(db::Tx& tx, Announcement const& a) {
  return tx.insert("property_announcements",
                   "INSERT INTO property_announcements (community_id, building_id, title, body, created_by, "
                   "audience_count, read_count, created_at) VALUES (:c, :b, :t, :body, :by, :n, 0, :at)",
                   use(a.community_id, "c"), use(a.building_id, "b"), use(a.title, "t"), use(a.body, "body"),
                   use(a.created_by, "by"), use(a.audience_count, "n"), use(a.created_at, "at"));
}

std::optional<Announcement> announcement(db::Tx& tx, std::int64_t cid, std::int64_t id, std::int64_t viewer) {
  soci::rowset<soci::row> rs =
      (tx.sql().prepare << std::string("SELECT ") + kAnnouncementCols +
                               " FROM property_announcements a LEFT JOIN property_announcement_reads r "
                               "ON r.announcement_id = a.id AND r.account_id = :v WHERE a.id = :id AND a.community_id = :c",
       use(viewer, "v"), use(id, "id"), use(cid, "c"));
  for (auto const& r : rs) return announcement_from(r);
  return std::nullopt;
}

std::vector<Announcement> announcements(db::Tx& tx, std::int64_t cid,
                                        std::optional<std::vector<std::int64_t>> const& buildings, std::int64_t viewer,
                                        json::Page const& page) {
  Binder b;
  std::string q = std::string("SELECT ") + kAnnouncementCols +
                  " FROM property_announcements a LEFT JOIN property_announcement_reads r "
                  "ON r.announcement_id = a.id AND r.account_id = " +
                  b(viewer) + " WHERE a.community_id = " + b(cid) + " AND a.id < " + b(before_key(page));
  if (buildings) {
    q += " AND (a.building_id = 0";
    for (auto bid : *buildings) q += " OR a.building_id = " + b(bid);
    q += ")";
  }
  q += " ORDER BY a.id DESC LIMIT " + b(fetch_limit(page));
  std::vector<Announcement> out;
  for (auto const& r : b.rows(tx.sql(), q)) out.push_back(announcement_from(r));
  return out;
}

bool mark_read(db::Tx& tx, std::int64_t cid, std::int64_t announcement_id, std::int64_t account_id, std::int64_t now) {
  auto n = tx.exec(std::string(db::insert_ignore(tx.backend())) +
                       " INTO property_announcement_reads (community_id, announcement_id, account_id, read_at) "
                       "VALUES (:c, :a, :acc, :t)",
                   use(cid, "c"), use(announcement_id, "a"), use(account_id, "acc"), use(now, "t"));
  if (n != 1) return false;
  tx.exec("UPDATE property_announcements SET read_count = read_count + 1 WHERE id = :id AND community_id = :c",
          use(announcement_id, "id"), use(cid, "c"));
  return true;
}

// ---- visitor passes

namespace {
constexpr char const* kPassCols =
    "id, community_id, code, visitor_name, created_by, unit_id, valid_from, valid_until, status, used_at, verified_by, "
    "created_at";

VisitorPass pass_from(soci::row const& r) {
  VisitorPass p;
  p.id = db::as_int(r, 0);
  p.community_id = db::as_int(r, 1);
  p.code = db::as_text(r, 2);
  p.visitor_name = db::as_text(r, 3);
  p.created_by = db::as_int(r, 4);
  p.unit_id = db::as_int(r, 5);
  p.valid_from = db::as_int(r, 6);
  p.valid_until = db::as_int(r, 7);
  p.status = db::as_text(r, 8);
  p.used_at = db::opt_int(r, 9);
  p.verified_by = db::opt_int(r, 10);
  p.created_at = db::as_int(r, 11);
  return p;
}
}  // namespace

std::int64_t insert_pass(db::Tx& tx, VisitorPass const& p) {
  return tx.insert("property_visitor_passes",
                   "INSERT INTO property_visitor_passes (community_id, code, visitor_name, created_by, unit_id, "
                   "valid_from, valid_until, status, created_at) VALUES (:c, :code, :n, :by, :u, :f, :un, :s, :t)",
                   use(p.community_id, "c"), use(p.code, "code"), use(p.visitor_name, "n"), use(p.created_by, "by"),
                   use(p.unit_id, "u"), use(p.valid_from, "f"), use(p.valid_until, "un"), use(p.status, "s"),
                   use(p.created_at, "t"));
}

std::optional<VisitorPass> pass(db::Tx& tx, std::int64_t cid, std::int64_t id) {
  soci::rowset<soci::row> rs = (tx.sql().prepare << std::string("SELECT ") + kPassCols +
                                                        " FROM property_visitor_passes WHERE id = :id AND community_id = :c",
                                use(id, "id"), use(cid, "c"));
  for (auto const& r : rs) return pass_from(r);
  return std::nullopt;
}

std::optional<VisitorPass> pass_by_code(db::Tx& tx, std::int64_t cid, std::string const& code) {
  soci::rowset<soci::row> rs = (tx.sql().prepare << std::string("SELECT ") + kPassCols +
                                                        " FROM property_visitor_passes WHERE code = :code AND "
                                                        "community_id = :c",
                                use(code, "code"), use(cid, "c"));
  for (auto const& r : rs) return pass_from(r);
  return std::nullopt;
}

std::vector<VisitorPass> passes(db::Tx& tx, std::int64_t cid, std::int64_t created_by, json::Page const& page) {
  Binder b;
  std::string q = std::string("SELECT ") + kPassCols + " FROM property_visitor_passes WHERE community_id = " + b(cid) +
                  " AND id < " + b(before_key(page));
  if (created_by) q += " AND created_by = " + b(created_by);
  q += " ORDER BY id DESC LIMIT " + b(fetch_limit(page));
  std::vector<VisitorPass> out;
  for (auto const& r : b.rows(tx.sql(), q)) out.push_back(pass_from(r));
  return out;
}

bool use_pass(db::Tx& tx, std::int64_t cid, std::int64_t id, std::int64_t verified_by, std::int64_t now) {
  return tx.exec("UPDATE property_visitor_passes SET status = 'used', used_at = :t, verified_by = :v "
                 "WHERE id = :id AND community_id = :c AND status = 'active' AND valid_from <= :t2 AND valid_until > :t3",
                 use(now, "t"), use(verified_by, "v"), use(id, "id"), use(cid, "c"), use(now, "t2"),
                 use(now, "t3")) == 1;
}

// ---- amenities and bookings

namespace {
constexpr char const* kBookingCols =
    "id, community_id, amenity_id, account_id, starts_at, ends_at, status, created_at, cancelled_at";

Booking booking_from(soci::row const& r) {
  Booking b;
  b.id = db::as_int(r, 0);
  b.community_id = db::as_int(r, 1);
  b.amenity_id = db::as_int(r, 2);
  b.account_id = db::as_int(r, 3);
  b.starts_at = db::as_int(r, 4);
  b.ends_at = db::as_int(r, 5);
  b.status = db::as_text(r, 6);
  b.created_at = db::as_int(r, 7);
  b.cancelled_at = db::opt_int(r, 8);
  return b;
}

Amenity amenity_from(soci::row const& r) {
  return Amenity{db::as_int(r, 0), db::as_int(r, 1), db::as_text(r, 2), db::as_int(r, 3), db::as_int(r, 4)};
}
}  // namespace

std::int64_t insert_amenity(db::Tx& tx, Amenity const& a) {
  return tx.insert("property_amenities",
                   "INSERT INTO property_amenities (community_id, name, capacity, booking_version, created_at) "
                   "VALUES (:c, :n, :cap, 0, :t)",
                   use(a.community_id, "c"), use(a.name, "n"), use(a.capacity, "cap"), use(a.created_at, "t"));
}

std::optional<Amenity> amenity(db::Tx& tx, std::int64_t cid, std::int64_t id) {
  soci::rowset<soci::row> rs =
      (tx.sql().prepare << "SELECT id, community_id, name, capacity, created_at FROM property_amenities "
                           "WHERE id = :id AND community_id = :c",
       use(id, "id"), use(cid, "c"));
  for (auto const& r : rs) return amenity_from(r);
  return std::nullopt;
}

std::vector<Amenity> amenities(db::Tx& tx, std::int64_t cid, json::Page const& page) {
  long long before = before_key(page), limit = fetch_limit(page);
  std::vector<Amenity> out;
  soci::rowset<soci::row> rs =
      (tx.sql().prepare << "SELECT id, community_id, name, capacity, created_at FROM property_amenities "
                           "WHERE community_id = :c AND id < :b ORDER BY id DESC LIMIT :l",
       use(cid, "c"), use(before, "b"), use(limit, "l"));
  for (auto const& r : rs) out.push_back(amenity_from(r));
  return out;
}

bool lock_amenity(db::Tx& tx, std::int64_t cid, std::int64_t id) {
  return tx.exec("UPDATE property_amenities SET booking_version = booking_version + 1 WHERE id = :id AND "
                 "community_id = :c",
                 use(id, "id"), use(cid, "c")) == 1;
}

std::vector<Booking> overlapping_bookings(db::Tx& tx, std::int64_t cid, std::int64_t amenity_id, std::int64_t from,
                                          std::int64_t to) {
  std::vector<Booking> out;
  soci::rowset<soci::row> rs =
      (tx.sql().prepare << std::string("SELECT ") + kBookingCols +
                               " FROM property_bookings WHERE amenity_id = :a AND community_id = :c AND "
                               "status = 'active' AND starts_at < :to AND ends_at > :from ORDER BY starts_at",
       use(amenity_id, "a"), use(cid, "c"), use(to, "to"), use(from, "from"));
  for (auto const& r : rs) out.push_back(booking_from(r));
  return out;
}

std::int64_t insert_booking(db::Tx& tx, Booking const& b) {
  return tx.insert("property_bookings",
                   "INSERT INTO property_bookings (community_id, amenity_id, account_id, starts_at, ends_at, status, "
                   "created_at) VALUES (:c, :a, :acc, :s, :e, 'active', :t)",
                   use(b.community_id, "c"), use(b.amenity_id, "a"), use(b.account_id, "acc"), use(b.starts_at, "s"),
                   use(b.ends_at, "e"), use(b.created_at, "t"));
}

std::optional<Booking> booking(db::Tx& tx, std::int64_t cid, std::int64_t amenity_id, std::int64_t id) {
  soci::rowset<soci::row> rs =
      (tx.sql().prepare << std::string("SELECT ") + kBookingCols +
                               " FROM property_bookings WHERE id = :id AND amenity_id = :a AND community_id = :c",
       use(id, "id"), use(amenity_id, "a"), use(cid, "c"));
  for (auto const& r : rs) return booking_from(r);
  return std::nullopt;
}

std::vector<Booking> bookings(db::Tx& tx, std::int64_t cid, std::int64_t amenity_id, std::int64_t from, std::int64_t to,
                              json::Page const& page) {
  long long after = page.after.value_or(0), limit = fetch_limit(page);
  std::vector<Booking> out;
  soci::rowset<soci::row> rs =
      (tx.sql().prepare << std::string("SELECT ") + kBookingCols +
                               " FROM property_bookings WHERE amenity_id = :a AND community_id = :c AND "
                               "status = 'active' AND starts_at < :to AND ends_at > :from AND id > :after "
                               "ORDER BY id LIMIT :l",
       use(amenity_id, "a"), use(cid, "c"), use(to, "to"), use(from, "from"), use(after, "after"), use(limit, "l"));
  for (auto const& r : rs) out.push_back(booking_from(r));
  return out;
}

bool cancel_booking(db::Tx& tx, std::int64_t cid, std::int64_t id, std::int64_t now) {
  return tx.exec("UPDATE property_bookings SET status = 'cancelled', cancelled_at = :t "
                 "WHERE id = :id AND community_id = :c AND status = 'active'",
                 use(now, "t"), use(id, "id"), use(cid, "c")) == 1;
}

// ---- suggestions

namespace {
constexpr char const* kSuggestionCols =
    "s.id, s.community_id, s.author_id, s.title, s.body, s.vote_count, s.created_at, v.id";

Suggestion suggestion_from(soci::row const& r) {
  Suggestion s;
  s.id = db::as_int(r, 0);
  s.community_id = db::as_int(r, 1);
  s.author_id = db::as_int(r, 2);
  s.title = db::as_text(r, 3);
  s.body = db::as_text(r, 4);
  s.vote_count = db::as_int(r, 5);
  s.created_at = db::as_int(r, 6);
  s.voted = db::opt_int(r, 7).has_value();
  return s;
}
}  // namespace

std::int64_t insert_suggestion(db::Tx& tx, Suggestion const& s) {
  return tx.insert("property_suggestions",
                   "INSERT INTO property_suggestions (community_id, author_id, title, body, vote_count, created_at) "
                   "VALUES (:c, :a, :t, :b, 0, :at)",
                   use(s.community_id, "c"), use(s.author_id, "a"), use(s.title, "t"), use(s.body, "b"),
                   use(s.created_at, "at"));
}

std::optional<Suggestion> suggestion(db::Tx& tx, std::int64_t cid, std::int64_t id, std::int64_t viewer) {
  soci::rowset<soci::row> rs =
      (tx.sql().prepare << std::string("SELECT ") + kSuggestionCols +
                               " FROM property_suggestions s LEFT JOIN property_suggestion_votes v "
                               "ON v.suggestion_id = s.id AND v.account_id = :v WHERE s.id = :id AND s.community_id = :c",
       use(viewer, "v"), use(id, "id"), use(cid, "c"));
  for (auto const& r : rs) return suggestion_from(r);
  return std::nullopt;
}

std::vector<Suggestion> suggestions(db::Tx& tx, std::int64_t cid, bool by_votes, std::int64_t offset,
                                    std::int64_t viewer, json::Page const& page) {
  Binder b;
  std::string q = std::string("SELECT ") + kSuggestionCols +
                  " FROM property_suggestions s LEFT JOIN property_suggestion_votes v "
                  "ON v.suggestion_id = s.id AND v.account_id = " +
                  b(viewer) + " WHERE s.community_id = " + b(cid);
  if (by_votes) {
    q += " ORDER BY s.vote_count DESC, s.id DESC LIMIT " + b(fetch_limit(page)) + " OFFSET " + b(offset);
  } else {
    q += " AND s.id < " + b(before_key(page)) + " ORDER BY s.id DESC LIMIT " + b(fetch_limit(page));
  }
  std::vector<Suggestion> out;
  for (auto const& r : b.rows(tx.sql(), q)) out.push_back(suggestion_from(r));
  return out;
}

bool add_vote(db::Tx& tx, std::int64_t cid, std::int64_t suggestion_id, std::int64_t account_id, std::int64_t now) {
  auto n = tx.exec(std::string(db::insert_ignore(tx.backend())) +
                       " INTO property_suggestion_votes (community_id, suggestion_id, account_id, created_at) "
                       "VALUES (:c, :s, :a, :t)",
                   use(cid, "c"), use(suggestion_id, "s"), use(account_id, "a"), use(now, "t"));
  if (n != 1) return false;
  tx.exec("UPDATE property_suggestions SET vote_count = vote_count + 1 WHERE id = :id AND community_id = :c",
          use(suggestion_id, "id"), use(cid, "c"));
  return true;
}

bool remove_vote(db::Tx& tx, std::int64_t cid, std::int64_t suggestion_id, std::int64_t account_id) {
  auto n = tx.exec("DELETE FROM property_suggestion_votes WHERE suggestion_id = :s AND account_id = :a AND "
                   "community_id = :c",
                   use(suggestion_id, "s"), use(account_id, "a"), use(cid, "c"));
  if (n != 1) return false;
  tx.exec("UPDATE property_suggestions SET vote_count = vote_count - 1 WHERE id = :id AND community_id = :c AND "
          "vote_count > 0",
          use(suggestion_id, "id"), use(cid, "c"));
  return true;
}

}  // namespace courtyard::property::repo
