// Property storage: every statement is a named query with bound values, rows are read in
// select order through db::Cols, and run-time filters are built with db::Query.
#include "services/property/repository.hpp"

#include "db/query.hpp"

#include <algorithm>
#include <cstdint>

namespace courtyard::property::repo {

using soci::use;

namespace {
// A counter moves in the same transaction as the row it counts, and only when that row
// changed (`changed` rows affected by the insert-once or delete): true when it did.
bool count_if_changed(db::Tx& tx, long long changed, char const* count, std::int64_t id, std::int64_t cid) {
  if (changed != 1) return false;
  tx.exec(count, use(id, "id"), use(cid, "c"));
  return true;
}
}  // namespace

// ---- fee schedules

namespace {
#define PROPERTY_SCHEDULE_COLS \
  "id, community_id, name, amount_cents, scope, building_id, active, created_by, created_at"
constexpr char const* kInsertSchedule =
    "INSERT INTO property_fee_schedules (community_id, name, amount_cents, scope, building_id, active, created_by, "
    "created_at) VALUES (:c, :n, :a, :s, :b, :ac, :by, :t)";
constexpr char const* kFindSchedule =
    "SELECT " PROPERTY_SCHEDULE_COLS " FROM property_fee_schedules WHERE id = :id AND community_id = :c";
constexpr char const* kListSchedules =
    "SELECT " PROPERTY_SCHEDULE_COLS " FROM property_fee_schedules WHERE community_id = ";
constexpr char const* kActiveSchedules =
    "SELECT " PROPERTY_SCHEDULE_COLS " FROM property_fee_schedules WHERE community_id = :c AND active = 1 ORDER BY id";
constexpr char const* kDeactivateSchedule =
    "UPDATE property_fee_schedules SET active = 0 WHERE id = :id AND community_id = :c AND active = 1";

constexpr auto schedule_from =
    db::fields(&FeeSchedule::id, &FeeSchedule::community_id, &FeeSchedule::name, &FeeSchedule::amount_cents,
               &FeeSchedule::scope, &FeeSchedule::building_id, &FeeSchedule::active, &FeeSchedule::created_by,
               &FeeSchedule::created_at);
}  // namespace

std::int64_t insert_schedule(db::Tx& tx, FeeSchedule const& s) {
  int active = s.active ? 1 : 0;
  return tx.insert("property_fee_schedules", kInsertSchedule, use(s.community_id, "c"), use(s.name, "n"),
                   use(s.amount_cents, "a"), use(s.scope, "s"), use(s.building_id, "b"), use(active, "ac"),
                   use(s.created_by, "by"), use(s.created_at, "t"));
}

std::optional<FeeSchedule> schedule(db::Tx& tx, std::int64_t cid, std::int64_t id) {
  return db::one(tx, kFindSchedule, schedule_from, use(id, "id"), use(cid, "c"));
}

std::vector<FeeSchedule> schedules(db::Tx& tx, std::int64_t cid, std::optional<bool> active, json::Page const& page) {
  db::Query q(kListSchedules);
  q.value(cid).sql(" AND id < ").value(page.below());
  if (active) q.sql(" AND active = ").value(std::int64_t{*active ? 1 : 0});
  q.sql(" ORDER BY id DESC LIMIT ").value(page.fetch());
  return q.all(tx, schedule_from);
}

std::vector<FeeSchedule> active_schedules(db::Tx& tx, std::int64_t cid) {
  return db::all(tx, kActiveSchedules, schedule_from, use(cid, "c"));
}

bool deactivate_schedule(db::Tx& tx, std::int64_t cid, std::int64_t id) {
  return tx.exec(kDeactivateSchedule, use(id, "id"), use(cid, "c")) == 1;
}

// ---- bills

namespace {
#define PROPERTY_BILL_COLS                                                                                       \
  "id, community_id, unit_id, building_id, schedule_id, name, period, amount_cents, status, due_at, issued_at, " \
  "paid_at, paid_by, method, transaction_id, overdue_at, points_spent, points_cents"
// Prefixed by db::insert_ignore(backend).
constexpr char const* kInsertBillOnce =
    " INTO property_bills (community_id, unit_id, building_id, schedule_id, name, period, amount_cents, status, "
    "due_at, issued_at) VALUES (:c, :u, :b, :s, :n, :p, :a, :st, :d, :t)";
constexpr char const* kBillIdByKey =
    "SELECT id FROM property_bills WHERE community_id = :c AND unit_id = :u AND schedule_id = :s AND period = :p";
constexpr char const* kCountBills = "SELECT COUNT(*) FROM property_bills WHERE community_id = :c AND period = :p";
constexpr char const* kFindBill =
    "SELECT " PROPERTY_BILL_COLS " FROM property_bills WHERE id = :id AND community_id = :c";
constexpr char const* kListBills = "SELECT " PROPERTY_BILL_COLS " FROM property_bills WHERE community_id = ";
constexpr char const* kMarkPaid =
    "UPDATE property_bills SET status = 'paid', paid_at = :t, paid_by = :by, method = :m "
    "WHERE id = :id AND community_id = :c AND status IN ('unpaid', 'overdue')";
constexpr char const* kSetBillTransaction =
    "UPDATE property_bills SET transaction_id = :x WHERE id = :id AND community_id = :c";
constexpr char const* kOverdueCandidates =
    "SELECT community_id, id FROM property_bills WHERE status = 'unpaid' AND due_at < :t ORDER BY due_at, id LIMIT :l";
constexpr char const* kMarkOverdue =
    "UPDATE property_bills SET status = 'overdue', overdue_at = :t "
    "WHERE id = :id AND community_id = :c AND status = 'unpaid' AND due_at < :t2";
constexpr char const* kBillingSummary =
    "SELECT period, COALESCE(SUM(amount_cents), 0), "
    "COALESCE(SUM(CASE WHEN status = 'paid' THEN amount_cents ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN status = 'overdue' THEN amount_cents ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN status <> 'paid' THEN amount_cents ELSE 0 END), 0), "
    "COUNT(*), "
    "COALESCE(SUM(CASE WHEN status = 'paid' THEN 1 ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN status = 'unpaid' THEN 1 ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN status = 'overdue' THEN 1 ELSE 0 END), 0) "
    "FROM property_bills WHERE community_id = ";

constexpr auto bill_from =
    db::fields(&Bill::id, &Bill::community_id, &Bill::unit_id, &Bill::building_id, &Bill::schedule_id,
               &Bill::name, &Bill::period, &Bill::amount_cents, &Bill::status, &Bill::due_at,
               &Bill::issued_at, &Bill::paid_at, &Bill::paid_by, &Bill::method, &Bill::transaction_id,
               &Bill::overdue_at, &Bill::points_spent, &Bill::points_cents);

constexpr auto summary_from =
    db::fields(&PeriodSummary::period, &PeriodSummary::billed_cents, &PeriodSummary::paid_cents,
               &PeriodSummary::overdue_cents, &PeriodSummary::outstanding_cents, &PeriodSummary::bills,
               &PeriodSummary::paid, &PeriodSummary::unpaid, &PeriodSummary::overdue);
}  // namespace

std::optional<std::int64_t> insert_bill_once(db::Tx& tx, Bill const& b) {
  auto n = tx.exec(std::string(db::insert_ignore(tx.backend())) + kInsertBillOnce, use(b.community_id, "c"),
                   use(b.unit_id, "u"), use(b.building_id, "b"), use(b.schedule_id, "s"), use(b.name, "n"),
                   use(b.period, "p"), use(b.amount_cents, "a"), use(b.status, "st"), use(b.due_at, "d"),
                   use(b.issued_at, "t"));
  if (n != 1) return std::nullopt;
  return db::scalar(tx, kBillIdByKey, use(b.community_id, "c"), use(b.unit_id, "u"), use(b.schedule_id, "s"),
                    use(b.period, "p"));
}

std::int64_t count_bills(db::Tx& tx, std::int64_t cid, std::string const& period) {
  return db::scalar(tx, kCountBills, use(cid, "c"), use(period, "p"));
}

std::optional<Bill> bill(db::Tx& tx, std::int64_t cid, std::int64_t id) {
  return db::one(tx, kFindBill, bill_from, use(id, "id"), use(cid, "c"));
}

std::vector<Bill> bills(db::Tx& tx, std::int64_t cid, BillFilter const& f, json::Page const& page) {
  db::Query q(kListBills);
  q.value(cid).sql(" AND id < ").value(page.below());
  if (f.status) q.sql(" AND status = ").value(*f.status);
  if (f.unit_id) q.sql(" AND unit_id = ").value(*f.unit_id);
  if (f.period) q.sql(" AND period = ").value(*f.period);
  q.sql(" ORDER BY id DESC LIMIT ").value(page.fetch());
  return q.all(tx, bill_from);
}

std::vector<Bill> bills_of_units(db::Tx& tx, std::vector<UnitRef> const& units, std::optional<std::string> const& status,
                                 json::Page const& page) {
  auto const fetch = static_cast<std::size_t>(page.fetch());
  std::vector<Bill> out;
  for (auto const& u : units) {
    db::Query q(kListBills);
    q.value(u.community_id).sql(" AND unit_id = ").value(u.unit_id);
    q.sql(" AND id < ").value(page.below());
    if (status) q.sql(" AND status = ").value(*status);
    q.sql(" ORDER BY id DESC LIMIT ").value(page.fetch());
    auto rows = q.all(tx, bill_from);
    out.insert(out.end(), rows.begin(), rows.end());
  }
  std::sort(out.begin(), out.end(), [](Bill const& a, Bill const& b) { return a.id > b.id; });
  out.erase(std::unique(out.begin(), out.end(), [](Bill const& a, Bill const& b) { return a.id == b.id; }), out.end());
  if (out.size() > fetch) out.resize(fetch);
  return out;
}

bool mark_paid(db::Tx& tx, std::int64_t cid, std::int64_t id, std::string const& method, std::int64_t paid_by,
               std::int64_t now) {
  return tx.exec(kMarkPaid, use(now, "t"), use(paid_by, "by"), use(method, "m"), use(id, "id"), use(cid, "c")) == 1;
}

constexpr char const* kSetBillPoints =
    "UPDATE property_bills SET points_spent = :p, points_cents = :pc WHERE id = :id AND community_id = :c";
void set_bill_points(db::Tx& tx, std::int64_t cid, std::int64_t id, std::int64_t points, std::int64_t cents) {
  tx.exec(kSetBillPoints, use(points, "p"), use(cents, "pc"), use(id, "id"), use(cid, "c"));
}

void set_bill_transaction(db::Tx& tx, std::int64_t cid, std::int64_t id, std::int64_t transaction_id) {
  tx.exec(kSetBillTransaction, use(transaction_id, "x"), use(id, "id"), use(cid, "c"));
}

// On a plain session (db::read), not a write transaction: SQLite's write lock is not taken.
std::vector<BillRef> overdue_candidates(soci::session& s, std::int64_t now, int limit) {
  return db::all(
      s, kOverdueCandidates,
      [](db::Row const& r) {
        BillRef ref;
        db::Cols(r).into(ref.community_id, ref.id);
        return ref;
      },
      use(now, "t"), use(limit, "l"));
}

bool mark_overdue(db::Tx& tx, std::int64_t cid, std::int64_t id, std::int64_t now) {
  return tx.exec(kMarkOverdue, use(now, "t"), use(id, "id"), use(cid, "c"), use(now, "t2")) == 1;
}

std::vector<PeriodSummary> billing_summary(db::Tx& tx, std::int64_t cid, std::optional<std::string> const& period) {
  db::Query q(kBillingSummary);
  q.value(cid);
  if (period) q.sql(" AND period = ").value(*period);
  q.sql(" GROUP BY period ORDER BY period DESC");
  return q.all(tx, summary_from);
}

// ---- repair tickets

namespace {
#define PROPERTY_TICKET_COLS                                                                                      \
  "id, community_id, unit_id, opened_by, category, description, status, assigned_to, resolution_note, rating, " \
  "rating_comment, created_at, updated_at, resolved_at, closed_at, first_response_at, sla_first_response_hours, " \
  "sla_resolution_hours"
constexpr char const* kInsertTicket =
    "INSERT INTO property_tickets (community_id, unit_id, opened_by, category, description, status, assigned_to, "
    "created_at, updated_at, sla_first_response_hours, sla_resolution_hours) "
    "VALUES (:c, :u, :o, :cat, :d, :s, 0, :t, :t2, :fr, :rs)";
constexpr char const* kFindTicket =
    "SELECT " PROPERTY_TICKET_COLS " FROM property_tickets WHERE id = :id AND community_id = :c";
constexpr char const* kListTickets = "SELECT " PROPERTY_TICKET_COLS " FROM property_tickets WHERE community_id = ";
constexpr char const* kInsertHistory =
    "INSERT INTO property_ticket_history (community_id, ticket_id, from_status, to_status, actor_id, note, "
    "happened_at, rating) VALUES (:c, :t, :f, :to, :a, :n, :at, :r)";
constexpr char const* kHistory =
    "SELECT from_status, to_status, actor_id, happened_at, note FROM property_ticket_history "
    "WHERE ticket_id = :t AND community_id = :c ORDER BY id";

constexpr auto ticket_from =
    db::fields(&Ticket::id, &Ticket::community_id, &Ticket::unit_id, &Ticket::opened_by, &Ticket::category,
               &Ticket::description, &Ticket::status, &Ticket::assigned_to, &Ticket::resolution_note,
               &Ticket::rating, &Ticket::rating_comment, &Ticket::created_at, &Ticket::updated_at,
               &Ticket::resolved_at, &Ticket::closed_at, &Ticket::first_response_at,
               &Ticket::sla_first_response_hours, &Ticket::sla_resolution_hours);

constexpr auto history_from =
    db::fields(&HistoryEntry::from, &HistoryEntry::to, &HistoryEntry::actor_id, &HistoryEntry::at,
               &HistoryEntry::note);
}  // namespace

std::int64_t insert_ticket(db::Tx& tx, Ticket const& t) {
  return tx.insert("property_tickets", kInsertTicket, use(t.community_id, "c"), use(t.unit_id, "u"),
                   use(t.opened_by, "o"), use(t.category, "cat"), use(t.description, "d"), use(t.status, "s"),
                   use(t.created_at, "t"), use(t.created_at, "t2"), use(t.sla_first_response_hours.value_or(0), "fr"),
                   use(t.sla_resolution_hours.value_or(0), "rs"));
}

std::optional<Ticket> ticket(db::Tx& tx, std::int64_t cid, std::int64_t id) {
  return db::one(tx, kFindTicket, ticket_from, use(id, "id"), use(cid, "c"));
}

std::vector<Ticket> tickets(db::Tx& tx, std::int64_t cid, std::int64_t opened_by, std::optional<std::string> const& status,
                            json::Page const& page) {
  db::Query q(kListTickets);
  q.value(cid).sql(" AND id < ").value(page.below());
  if (opened_by) q.sql(" AND opened_by = ").value(opened_by);
  if (status) q.sql(" AND status = ").value(*status);
  q.sql(" ORDER BY id DESC LIMIT ").value(page.fetch());
  return q.all(tx, ticket_from);
}

bool transition_ticket(db::Tx& tx, std::int64_t cid, std::int64_t id, std::string const& from, std::string const& to,
                       TicketChange const& change, std::int64_t now) {
  db::Query q("UPDATE property_tickets SET status = ");
  q.value(to).sql(", updated_at = ").value(now);
  if (change.assigned_to) q.sql(", assigned_to = ").value(*change.assigned_to);
  if (change.resolution_note) q.sql(", resolution_note = ").value(*change.resolution_note);
  if (change.set_resolved) q.sql(", resolved_at = ").value(now);
  if (change.set_first_response) q.sql(", first_response_at = COALESCE(first_response_at, ").value(now).sql(")");
  if (change.clear_resolved) q.sql(", resolved_at = NULL, closed_at = NULL, rating = NULL, rating_comment = NULL");
  if (change.set_closed) {
    q.sql(", closed_at = ").value(now).sql(", rating = ").value(change.rating);
    if (change.rating_comment)
      q.sql(", rating_comment = ").value(*change.rating_comment);
    else
      q.sql(", rating_comment = NULL");
  }
  q.sql(" WHERE id = ").value(id).sql(" AND community_id = ").value(cid).sql(" AND status = ").value(from);
  return q.exec(tx) == 1;
}

std::int64_t add_history(db::Tx& tx, std::int64_t cid, std::int64_t ticket_id, std::optional<std::string> const& from,
                         std::string const& to, std::int64_t actor, std::optional<std::string> const& note,
                         std::int64_t now, std::optional<std::int64_t> rating) {
  soci::indicator from_ind = from ? soci::i_ok : soci::i_null;
  soci::indicator note_ind = note ? soci::i_ok : soci::i_null;
  soci::indicator rating_ind = rating ? soci::i_ok : soci::i_null;
  std::string from_v = from.value_or("");
  std::string note_v = note.value_or("");
  std::int64_t rating_v = rating.value_or(0);
  return tx.insert("property_ticket_history", kInsertHistory, use(cid, "c"), use(ticket_id, "t"),
                   use(from_v, from_ind, "f"), use(to, "to"), use(actor, "a"), use(note_v, note_ind, "n"),
                   use(now, "at"), use(rating_v, rating_ind, "r"));
}

std::vector<HistoryEntry> history(db::Tx& tx, std::int64_t cid, std::int64_t ticket_id) {
  return db::all(tx, kHistory, history_from, use(ticket_id, "t"), use(cid, "c"));
}

// ---- ticket SLA targets

namespace {
constexpr char const* kSlaRows =
    "SELECT category, first_response_hours, resolution_hours, updated_at FROM property_ticket_sla "
    "WHERE community_id = :c ORDER BY category";
constexpr char const* kDeleteSla = "DELETE FROM property_ticket_sla WHERE community_id = :c";
constexpr char const* kInsertSla =
    "INSERT INTO property_ticket_sla (community_id, category, first_response_hours, resolution_hours, updated_at, "
    "updated_by) VALUES (:c, :k, :f, :r, :t, :by)";
// The community's history rows in id order, each with its ticket's SLA fields.
constexpr char const* kTicketSteps =
    "SELECT h.id, h.ticket_id, h.from_status, h.to_status, h.actor_id, h.happened_at, h.rating, t.category, "
    "t.opened_by, t.unit_id, t.created_at, t.sla_first_response_hours, t.sla_resolution_hours "
    "FROM property_ticket_history h JOIN property_tickets t ON t.id = h.ticket_id AND t.community_id = h.community_id "
    "WHERE h.community_id = :c AND h.id > :a ORDER BY h.id LIMIT :n";
}  // namespace

std::vector<SlaRow> sla_rows(db::Tx& tx, std::int64_t cid) {
  return db::all(
      tx, kSlaRows,
      db::fields(&SlaRow::category, &SlaRow::first_response_hours, &SlaRow::resolution_hours,
                 &SlaRow::updated_at),
      use(cid, "c"));
}

void replace_sla(db::Tx& tx, std::int64_t cid, std::vector<SlaRow> const& rows, std::int64_t by, std::int64_t now) {
  tx.exec(kDeleteSla, use(cid, "c"));
  for (auto const& s : rows)
    tx.exec(kInsertSla, use(cid, "c"), use(s.category, "k"), use(s.first_response_hours, "f"),
            use(s.resolution_hours, "r"), use(now, "t"), use(by, "by"));
}

std::vector<TicketStep> ticket_steps_after(db::Tx& tx, std::int64_t cid, std::int64_t after_history_id,
                                           std::int64_t limit) {
  return db::all(
      tx, kTicketSteps,
      db::fields(&TicketStep::history_id, &TicketStep::ticket_id, &TicketStep::from, &TicketStep::to,
                 &TicketStep::actor_id, &TicketStep::at, &TicketStep::rating, &TicketStep::category,
                 &TicketStep::opened_by, &TicketStep::unit_id, &TicketStep::opened_at,
                 &TicketStep::sla_first_response_hours, &TicketStep::sla_resolution_hours),
      use(cid, "c"), use(after_history_id, "a"), use(limit, "n"));
}

// ---- announcements

namespace {
// With the viewer's read receipt joined (r.read_at).
#define PROPERTY_ANNOUNCEMENT_FROM                                                                                  \
  "SELECT a.id, a.community_id, a.building_id, a.title, a.body, a.created_by, a.audience_count, a.read_count, "   \
  "a.created_at, r.read_at FROM property_announcements a LEFT JOIN property_announcement_reads r "                \
  "ON r.announcement_id = a.id AND r.account_id = "
constexpr char const* kInsertAnnouncement =
    "INSERT INTO property_announcements (community_id, building_id, title, body, created_by, audience_count, "
    "read_count, created_at) VALUES (:c, :b, :t, :body, :by, :n, 0, :at)";
constexpr char const* kFindAnnouncement =
    PROPERTY_ANNOUNCEMENT_FROM ":v WHERE a.id = :id AND a.community_id = :c";
constexpr char const* kListAnnouncements = PROPERTY_ANNOUNCEMENT_FROM;  // viewer, then " WHERE a.community_id = …"
// Prefixed by db::insert_ignore(backend).
constexpr char const* kInsertRead =
    " INTO property_announcement_reads (community_id, announcement_id, account_id, read_at) VALUES (:c, :a, :acc, :t)";
constexpr char const* kCountRead =
    "UPDATE property_announcements SET read_count = read_count + 1 WHERE id = :id AND community_id = :c";

constexpr auto announcement_from =
    db::fields(&Announcement::id, &Announcement::community_id, &Announcement::building_id,
               &Announcement::title, &Announcement::body, &Announcement::created_by,
               &Announcement::audience_count, &Announcement::read_count, &Announcement::created_at,
               &Announcement::read_at);
}  // namespace

std::int64_t insert_announcement(db::Tx& tx, Announcement const& a) {
  return tx.insert("property_announcements", kInsertAnnouncement, use(a.community_id, "c"), use(a.building_id, "b"),
                   use(a.title, "t"), use(a.body, "body"), use(a.created_by, "by"), use(a.audience_count, "n"),
                   use(a.created_at, "at"));
}

std::optional<Announcement> announcement(db::Tx& tx, std::int64_t cid, std::int64_t id, std::int64_t viewer) {
  return db::one(tx, kFindAnnouncement, announcement_from, use(viewer, "v"), use(id, "id"), use(cid, "c"));
}

std::vector<Announcement> announcements(db::Tx& tx, std::int64_t cid,
                                        std::optional<std::vector<std::int64_t>> const& buildings, std::int64_t viewer,
                                        json::Page const& page) {
  db::Query q(kListAnnouncements);
  q.value(viewer).sql(" WHERE a.community_id = ").value(cid).sql(" AND a.id < ").value(page.below());
  if (buildings) {
    q.sql(" AND (a.building_id = 0");
    for (auto bid : *buildings) q.sql(" OR a.building_id = ").value(bid);
    q.sql(")");
  }
  q.sql(" ORDER BY a.id DESC LIMIT ").value(page.fetch());
  return q.all(tx, announcement_from);
}

bool mark_read(db::Tx& tx, std::int64_t cid, std::int64_t announcement_id, std::int64_t account_id, std::int64_t now) {
  auto n = tx.exec(std::string(db::insert_ignore(tx.backend())) + kInsertRead, use(cid, "c"),
                   use(announcement_id, "a"), use(account_id, "acc"), use(now, "t"));
  return count_if_changed(tx, n, kCountRead, announcement_id, cid);
}

// ---- visitor passes

namespace {
#define PROPERTY_PASS_COLS                                                                                           \
  "id, community_id, code, visitor_name, created_by, unit_id, valid_from, valid_until, status, used_at, verified_by, " \
  "created_at"
constexpr char const* kInsertPass =
    "INSERT INTO property_visitor_passes (community_id, code, visitor_name, created_by, unit_id, valid_from, "
    "valid_until, status, created_at) VALUES (:c, :code, :n, :by, :u, :f, :un, :s, :t)";
constexpr char const* kFindPass =
    "SELECT " PROPERTY_PASS_COLS " FROM property_visitor_passes WHERE id = :id AND community_id = :c";
constexpr char const* kFindPassByCode =
    "SELECT " PROPERTY_PASS_COLS " FROM property_visitor_passes WHERE code = :code AND community_id = :c";
constexpr char const* kListPasses = "SELECT " PROPERTY_PASS_COLS " FROM property_visitor_passes WHERE community_id = ";
constexpr char const* kUsePass =
    "UPDATE property_visitor_passes SET status = 'used', used_at = :t, verified_by = :v "
    "WHERE id = :id AND community_id = :c AND status = 'active' AND valid_from <= :t2 AND valid_until > :t3";

constexpr auto pass_from =
    db::fields(&VisitorPass::id, &VisitorPass::community_id, &VisitorPass::code, &VisitorPass::visitor_name,
               &VisitorPass::created_by, &VisitorPass::unit_id, &VisitorPass::valid_from,
               &VisitorPass::valid_until, &VisitorPass::status, &VisitorPass::used_at,
               &VisitorPass::verified_by, &VisitorPass::created_at);
}  // namespace

std::int64_t insert_pass(db::Tx& tx, VisitorPass const& p) {
  return tx.insert("property_visitor_passes", kInsertPass, use(p.community_id, "c"), use(p.code, "code"),
                   use(p.visitor_name, "n"), use(p.created_by, "by"), use(p.unit_id, "u"), use(p.valid_from, "f"),
                   use(p.valid_until, "un"), use(p.status, "s"), use(p.created_at, "t"));
}

std::optional<VisitorPass> pass(db::Tx& tx, std::int64_t cid, std::int64_t id) {
  return db::one(tx, kFindPass, pass_from, use(id, "id"), use(cid, "c"));
}

std::optional<VisitorPass> pass_by_code(db::Tx& tx, std::int64_t cid, std::string const& code) {
  return db::one(tx, kFindPassByCode, pass_from, use(code, "code"), use(cid, "c"));
}

std::vector<VisitorPass> passes(db::Tx& tx, std::int64_t cid, std::int64_t created_by, json::Page const& page) {
  db::Query q(kListPasses);
  q.value(cid).sql(" AND id < ").value(page.below());
  if (created_by) q.sql(" AND created_by = ").value(created_by);
  q.sql(" ORDER BY id DESC LIMIT ").value(page.fetch());
  return q.all(tx, pass_from);
}

bool use_pass(db::Tx& tx, std::int64_t cid, std::int64_t id, std::int64_t verified_by, std::int64_t now) {
  return tx.exec(kUsePass, use(now, "t"), use(verified_by, "v"), use(id, "id"), use(cid, "c"), use(now, "t2"),
                 use(now, "t3")) == 1;
}

// ---- amenities and bookings

namespace {
#define PROPERTY_AMENITY_COLS "id, community_id, name, capacity, created_at"
#define PROPERTY_BOOKING_COLS \
  "id, community_id, amenity_id, account_id, starts_at, ends_at, status, created_at, cancelled_at"
constexpr char const* kInsertAmenity =
    "INSERT INTO property_amenities (community_id, name, capacity, booking_version, created_at) "
    "VALUES (:c, :n, :cap, 0, :t)";
constexpr char const* kFindAmenity =
    "SELECT " PROPERTY_AMENITY_COLS " FROM property_amenities WHERE id = :id AND community_id = :c";
constexpr char const* kListAmenities =
    "SELECT " PROPERTY_AMENITY_COLS " FROM property_amenities WHERE community_id = :c AND id < :b "
    "ORDER BY id DESC LIMIT :l";
constexpr char const* kLockAmenity =
    "UPDATE property_amenities SET booking_version = booking_version + 1 WHERE id = :id AND community_id = :c";
constexpr char const* kOverlappingBookings =
    "SELECT " PROPERTY_BOOKING_COLS " FROM property_bookings WHERE amenity_id = :a AND community_id = :c AND "
    "status = 'active' AND starts_at < :to AND ends_at > :from ORDER BY starts_at";
constexpr char const* kInsertBooking =
    "INSERT INTO property_bookings (community_id, amenity_id, account_id, starts_at, ends_at, status, created_at) "
    "VALUES (:c, :a, :acc, :s, :e, 'active', :t)";
constexpr char const* kFindBooking =
    "SELECT " PROPERTY_BOOKING_COLS " FROM property_bookings WHERE id = :id AND amenity_id = :a AND community_id = :c";
constexpr char const* kListBookings =
    "SELECT " PROPERTY_BOOKING_COLS " FROM property_bookings WHERE amenity_id = :a AND community_id = :c AND "
    "status = 'active' AND starts_at < :to AND ends_at > :from AND id > :after ORDER BY id LIMIT :l";
constexpr char const* kCancelBooking =
    "UPDATE property_bookings SET status = 'cancelled', cancelled_at = :t "
    "WHERE id = :id AND community_id = :c AND status = 'active'";

constexpr auto amenity_from =
    db::fields(&Amenity::id, &Amenity::community_id, &Amenity::name, &Amenity::capacity,
               &Amenity::created_at);

constexpr auto booking_from =
    db::fields(&Booking::id, &Booking::community_id, &Booking::amenity_id, &Booking::account_id,
               &Booking::starts_at, &Booking::ends_at, &Booking::status, &Booking::created_at,
               &Booking::cancelled_at);
}  // namespace

std::int64_t insert_amenity(db::Tx& tx, Amenity const& a) {
  return tx.insert("property_amenities", kInsertAmenity, use(a.community_id, "c"), use(a.name, "n"),
                   use(a.capacity, "cap"), use(a.created_at, "t"));
}

std::optional<Amenity> amenity(db::Tx& tx, std::int64_t cid, std::int64_t id) {
  return db::one(tx, kFindAmenity, amenity_from, use(id, "id"), use(cid, "c"));
}

std::vector<Amenity> amenities(db::Tx& tx, std::int64_t cid, json::Page const& page) {
  return db::all(tx, kListAmenities, amenity_from, use(cid, "c"), use(page.below(), "b"), use(page.fetch(), "l"));
}

bool lock_amenity(db::Tx& tx, std::int64_t cid, std::int64_t id) {
  return tx.exec(kLockAmenity, use(id, "id"), use(cid, "c")) == 1;
}

std::vector<Booking> overlapping_bookings(db::Tx& tx, std::int64_t cid, std::int64_t amenity_id, std::int64_t from,
                                          std::int64_t to) {
  return db::all(tx, kOverlappingBookings, booking_from, use(amenity_id, "a"), use(cid, "c"), use(to, "to"),
                 use(from, "from"));
}

std::int64_t insert_booking(db::Tx& tx, Booking const& b) {
  return tx.insert("property_bookings", kInsertBooking, use(b.community_id, "c"), use(b.amenity_id, "a"),
                   use(b.account_id, "acc"), use(b.starts_at, "s"), use(b.ends_at, "e"), use(b.created_at, "t"));
}

std::optional<Booking> booking(db::Tx& tx, std::int64_t cid, std::int64_t amenity_id, std::int64_t id) {
  return db::one(tx, kFindBooking, booking_from, use(id, "id"), use(amenity_id, "a"), use(cid, "c"));
}

std::vector<Booking> bookings(db::Tx& tx, std::int64_t cid, std::int64_t amenity_id, std::int64_t from, std::int64_t to,
                              json::Page const& page) {
  // Oldest first: the cursor continues after the last id seen.
  return db::all(tx, kListBookings, booking_from, use(amenity_id, "a"), use(cid, "c"), use(to, "to"), use(from, "from"),
                 use(page.above(), "after"), use(page.fetch(), "l"));
}

bool cancel_booking(db::Tx& tx, std::int64_t cid, std::int64_t id, std::int64_t now) {
  return tx.exec(kCancelBooking, use(now, "t"), use(id, "id"), use(cid, "c")) == 1;
}

// ---- suggestions

namespace {
// With the viewer's vote joined (v.id).
#define PROPERTY_SUGGESTION_FROM                                                                                   \
  "SELECT s.id, s.community_id, s.author_id, s.title, s.body, s.vote_count, s.created_at, v.id "                 \
  "FROM property_suggestions s LEFT JOIN property_suggestion_votes v ON v.suggestion_id = s.id AND v.account_id = "
constexpr char const* kInsertSuggestion =
    "INSERT INTO property_suggestions (community_id, author_id, title, body, vote_count, created_at) "
    "VALUES (:c, :a, :t, :b, 0, :at)";
constexpr char const* kFindSuggestion = PROPERTY_SUGGESTION_FROM ":v WHERE s.id = :id AND s.community_id = :c";
constexpr char const* kListSuggestions = PROPERTY_SUGGESTION_FROM;  // viewer, then " WHERE s.community_id = …"
// Prefixed by db::insert_ignore(backend).
constexpr char const* kInsertVote =
    " INTO property_suggestion_votes (community_id, suggestion_id, account_id, created_at) VALUES (:c, :s, :a, :t)";
constexpr char const* kCountVote =
    "UPDATE property_suggestions SET vote_count = vote_count + 1 WHERE id = :id AND community_id = :c";
constexpr char const* kDeleteVote =
    "DELETE FROM property_suggestion_votes WHERE suggestion_id = :s AND account_id = :a AND community_id = :c";
constexpr char const* kUncountVote =
    "UPDATE property_suggestions SET vote_count = vote_count - 1 WHERE id = :id AND community_id = :c AND "
    "vote_count > 0";

Suggestion suggestion_from(db::Row const& r) {
  db::Cols c(r);
  Suggestion s;
  c.into(s.id, s.community_id, s.author_id, s.title, s.body, s.vote_count, s.created_at);
  s.voted = c.opt_integer().has_value();
  return s;
}
}  // namespace

std::int64_t insert_suggestion(db::Tx& tx, Suggestion const& s) {
  return tx.insert("property_suggestions", kInsertSuggestion, use(s.community_id, "c"), use(s.author_id, "a"),
                   use(s.title, "t"), use(s.body, "b"), use(s.created_at, "at"));
}

std::optional<Suggestion> suggestion(db::Tx& tx, std::int64_t cid, std::int64_t id, std::int64_t viewer) {
  return db::one(tx, kFindSuggestion, suggestion_from, use(viewer, "v"), use(id, "id"), use(cid, "c"));
}

std::vector<Suggestion> suggestions(db::Tx& tx, std::int64_t cid, bool by_votes, std::int64_t offset,
                                    std::int64_t viewer, json::Page const& page) {
  db::Query q(kListSuggestions);
  q.value(viewer).sql(" WHERE s.community_id = ").value(cid);
  if (by_votes)
    q.sql(" ORDER BY s.vote_count DESC, s.id DESC LIMIT ").value(page.fetch()).sql(" OFFSET ").value(offset);
  else
    q.sql(" AND s.id < ").value(page.below()).sql(" ORDER BY s.id DESC LIMIT ").value(page.fetch());
  return q.all(tx, suggestion_from);
}

bool add_vote(db::Tx& tx, std::int64_t cid, std::int64_t suggestion_id, std::int64_t account_id, std::int64_t now) {
  auto n = tx.exec(std::string(db::insert_ignore(tx.backend())) + kInsertVote, use(cid, "c"), use(suggestion_id, "s"),
                   use(account_id, "a"), use(now, "t"));
  return count_if_changed(tx, n, kCountVote, suggestion_id, cid);
}

bool remove_vote(db::Tx& tx, std::int64_t cid, std::int64_t suggestion_id, std::int64_t account_id) {
  auto n = tx.exec(kDeleteVote, use(suggestion_id, "s"), use(account_id, "a"), use(cid, "c"));
  return count_if_changed(tx, n, kUncountVote, suggestion_id, cid);
}

constexpr char const* kAdoptSuggestion =
    "UPDATE property_suggestions SET adopted_at = :t, adopted_by = :b "
    "WHERE id = :id AND community_id = :c AND adopted_at IS NULL";

bool adopt_suggestion(db::Tx& tx, std::int64_t cid, std::int64_t suggestion_id, std::int64_t by, std::int64_t now) {
  return tx.exec(kAdoptSuggestion, use(now, "t"), use(by, "b"), use(suggestion_id, "id"), use(cid, "c")) == 1;
}

constexpr char const* kSuggestionAdoptedAt =
    "SELECT adopted_at FROM property_suggestions WHERE id = :id AND community_id = :c";

std::optional<std::int64_t> suggestion_adopted_at(db::Tx& tx, std::int64_t cid, std::int64_t suggestion_id) {
  auto v = db::one(
      tx, kSuggestionAdoptedAt, [](db::Row const& r) { return db::Cols(r).opt_integer(); }, use(suggestion_id, "id"),
      use(cid, "c"));
  return v ? *v : std::nullopt;
}

// ---- suggestion texts (api.hpp: suggestion_texts)

constexpr char const* kSuggestionTexts =
    "SELECT id, title, body, vote_count FROM property_suggestions WHERE community_id = :c AND created_at >= :f "
    "AND created_at < :t ORDER BY id DESC LIMIT :n";
std::vector<SuggestionText> suggestion_texts(db::Tx& tx, std::int64_t cid, std::int64_t from, std::int64_t to,
                                             std::int64_t limit) {
  return db::all(
      tx, kSuggestionTexts,
      db::fields(&SuggestionText::id, &SuggestionText::title, &SuggestionText::body,
                 &SuggestionText::vote_count),
      use(cid, "c"), use(from, "f"), use(to, "t"), use(limit, "n"));
}

}  // namespace courtyard::property::repo
