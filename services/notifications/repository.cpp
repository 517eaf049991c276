#include "services/notifications/repository.hpp"

#include "db/query.hpp"

#include <algorithm>
#include <cstdint>

namespace courtyard::notifications::repo {

namespace {

using soci::use;

// The columns notification_from reads, in its order.
#define NOTIFICATION_COLUMNS "id, account_id, community_id, type, title, body, data, created_at, read_at"

constexpr auto notification_from =
    db::fields(&Notification::id, &Notification::account_id, &Notification::community_id, &Notification::type,
               &Notification::title, &Notification::body, &Notification::data, &Notification::created_at,
               &Notification::read_at);

}  // namespace

constexpr char const* kInsert =
    " INTO notifications (account_id, community_id, type, title, body, data, dedupe_key, created_at, push) VALUES ";

// Rows per INSERT statement (an audience page is written in a few statements, not one per row).
constexpr std::size_t kInsertChunk = 100;

long long insert_many(db::Tx& tx, std::vector<Row> const& rows) {
  if (rows.empty()) return 0;
  long long inserted = 0;
  for (std::size_t from = 0; from < rows.size(); from += kInsertChunk) {
    std::size_t to = std::min(rows.size(), from + kInsertChunk);
    // Stamped when written, not when the transaction began: the WebSocket push looks for
    // rows by created_at, and this keeps the gap to the commit small (gateway/net/notifier).
    std::int64_t created = db::now_ms();
    db::Query q(std::string(db::insert_ignore(tx.backend())) + kInsert);
    for (std::size_t i = from; i < to; ++i) {
      auto const& r = rows[i];
      q.sql(i == from ? "(" : ", (").value(r.account_id).sql(", ").value(r.community_id).sql(", ").value(r.type);
      q.sql(", ").value(r.title).sql(", ").value(r.body).sql(", ").value(r.data).sql(", ");
      if (r.dedupe_key)
        q.value(*r.dedupe_key);
      else
        q.sql("NULL");
      q.sql(", ").value(created).sql(", ").value(std::int64_t{r.push ? 1 : 0}).sql(")");
    }
    inserted += q.exec(tx);
  }
  if (inserted > 0) wake_after_commit(tx);
  return inserted;
}

constexpr char const* kList =
    "SELECT " NOTIFICATION_COLUMNS
    " FROM notifications WHERE account_id = :a AND id < :b "
    "AND (:u = 0 OR read_at IS NULL) AND (:c = 0 OR community_id = :c2) "
    "ORDER BY id DESC LIMIT :l";

std::vector<Notification> list(db::Tx& tx, std::int64_t account_id, bool unread_only, std::int64_t community_id,
                               json::Page const& page) {
  int unread = unread_only ? 1 : 0;
  return db::all(tx, kList, notification_from, use(account_id, "a"), use(page.below(), "b"), use(unread, "u"),
                 use(community_id, "c"), use(community_id, "c2"), use(page.fetch(), "l"));
}

constexpr char const* kFind = "SELECT " NOTIFICATION_COLUMNS " FROM notifications WHERE id = :id AND account_id = :a";

std::optional<Notification> find(db::Tx& tx, std::int64_t account_id, std::int64_t id) {
  return db::one(tx, kFind, notification_from, use(id, "id"), use(account_id, "a"));
}

constexpr char const* kMarkRead =
    "UPDATE notifications SET read_at = :t WHERE id = :id AND account_id = :a AND read_at IS NULL";

long long mark_read(db::Tx& tx, std::int64_t account_id, std::int64_t id) {
  std::int64_t now = tx.now_ms();
  return tx.exec(kMarkRead, use(now, "t"), use(id, "id"), use(account_id, "a"));
}

constexpr char const* kMarkAllRead =
    "UPDATE notifications SET read_at = :t WHERE account_id = :a AND read_at IS NULL "
    "AND (:c = 0 OR community_id = :c2)";

long long mark_all_read(db::Tx& tx, std::int64_t account_id, std::int64_t community_id) {
  std::int64_t now = tx.now_ms();
  return tx.exec(kMarkAllRead, use(now, "t"), use(account_id, "a"), use(community_id, "c"),
                 use(community_id, "c2"));
}

constexpr char const* kUnreadCount = "SELECT COUNT(*) FROM notifications WHERE account_id = :a AND read_at IS NULL";

std::int64_t unread_count(db::Tx& tx, std::int64_t account_id) {
  return db::scalar(tx, kUnreadCount, use(account_id, "a"));
}

// ---- preferences

namespace {
constexpr auto preference_from =
    db::fields(&Preference::account_id, &Preference::category, &Preference::in_app, &Preference::push,
               &Preference::email);
}  // namespace

constexpr char const* kPreferences =
    "SELECT account_id, category, in_app, push, email FROM notification_preferences WHERE account_id = :a "
    "ORDER BY category";

std::vector<Preference> preferences(db::Tx& tx, std::int64_t account_id) {
  return db::all(tx, kPreferences, preference_from, use(account_id, "a"));
}

constexpr char const* kPreferencesInRange =
    "SELECT account_id, category, in_app, push, email FROM notification_preferences "
    "WHERE category = :c AND account_id >= :lo AND account_id <= :hi";

std::vector<Preference> preferences_in_range(db::Tx& tx, std::string const& category, std::int64_t lo,
                                             std::int64_t hi) {
  return db::all(tx, kPreferencesInRange, preference_from, use(category, "c"), use(lo, "lo"), use(hi, "hi"));
}

constexpr char const* kInsertPreference =
    " INTO notification_preferences (account_id, category, in_app, push, email, updated_at) "
    "VALUES (:a, :c, :i, :p, :e, :t)";
constexpr char const* kUpdatePreference =
    "UPDATE notification_preferences SET in_app = :i, push = :p, email = :e, updated_at = :t "
    "WHERE account_id = :a AND category = :c";

void set_preference(db::Tx& tx, Preference const& p, std::int64_t now) {
  int in_app = p.in_app ? 1 : 0, push = p.push ? 1 : 0, email = p.email ? 1 : 0;
  tx.exec(std::string(db::insert_ignore(tx.backend())) + kInsertPreference, use(p.account_id, "a"),
          use(p.category, "c"), use(in_app, "i"), use(push, "p"), use(email, "e"), use(now, "t"));
  tx.exec(kUpdatePreference, use(in_app, "i"), use(push, "p"), use(email, "e"), use(now, "t"),
          use(p.account_id, "a"), use(p.category, "c"));
}

// ---- erasure

constexpr char const* kDeleteAccountNotifications = "DELETE FROM notifications WHERE account_id = :a";
constexpr char const* kDeleteAccountPreferences = "DELETE FROM notification_preferences WHERE account_id = :a";

long long delete_account_rows(db::Tx& tx, std::int64_t account_id) {
  return tx.exec(kDeleteAccountNotifications, use(account_id, "a")) +
         tx.exec(kDeleteAccountPreferences, use(account_id, "a"));
}

// ---- retention

constexpr char const* kCreatedBefore =
    "SELECT id FROM notifications WHERE created_at < :c AND id > :a ORDER BY id LIMIT :l";
constexpr char const* kDeleteCreatedBefore =
    "DELETE FROM notifications WHERE id >= :lo AND id <= :hi AND created_at < :c";

std::vector<std::int64_t> created_before(soci::session& s, std::int64_t cut_ms, std::int64_t after_id, int limit) {
  return db::all(
      s, kCreatedBefore, db::first_integer, use(cut_ms, "c"), use(after_id, "a"),
      use(limit, "l"));
}

long long delete_created_before(db::Tx& tx, std::int64_t lo, std::int64_t hi, std::int64_t cut_ms) {
  return tx.exec(kDeleteCreatedBefore, use(lo, "lo"), use(hi, "hi"), use(cut_ms, "c"));
}

// ---- plain reads, on a pooled session (db::read): a Tx would take SQLite's write lock, not for a poll

constexpr char const* kCreatedAfter =
    "SELECT id, account_id, created_at FROM notifications WHERE id > :a ORDER BY id LIMIT :l";
constexpr char const* kInIdRanges = "SELECT id, account_id, created_at FROM notifications WHERE ";
constexpr char const* kMaxId = "SELECT COALESCE(MAX(id), 0) FROM notifications";

namespace {
Recent recent_from(db::Row const& r) {
  Recent n;
  db::Cols(r).into(n.id, n.account_id, n.created_at);
  return n;
}
}  // namespace

std::vector<Recent> created_after(soci::session& s, std::int64_t after_id, int limit) {
  return db::all(s, kCreatedAfter, recent_from, use(after_id, "a"), use(limit, "l"));
}

std::vector<Recent> in_id_ranges(soci::session& s, std::vector<std::pair<std::int64_t, std::int64_t>> const& ranges) {
  constexpr std::size_t kChunk = 50;
  std::vector<Recent> out;
  for (std::size_t start = 0; start < ranges.size(); start += kChunk) {
    std::size_t n = std::min(kChunk, ranges.size() - start);
    db::Query q(kInIdRanges);
    for (std::size_t i = start; i < start + n; ++i)
      q.sql(i > start ? " OR (id >= " : "(id >= ")
          .value(ranges[i].first)
          .sql(" AND id <= ")
          .value(ranges[i].second)
          .sql(")");
    q.sql(" ORDER BY id");
    for (auto const& r : q.all(s, recent_from)) out.push_back(r);
  }
  std::sort(out.begin(), out.end(), [](Recent const& a, Recent const& b) { return a.id < b.id; });
  return out;
}

std::int64_t max_id(soci::session& s) { return db::scalar(s, kMaxId); }

constexpr char const* kByIds = "SELECT " NOTIFICATION_COLUMNS " FROM notifications WHERE push = 1 AND id IN (";

std::vector<Notification> by_ids(soci::session& s, std::vector<std::int64_t> const& ids) {
  constexpr std::size_t kChunk = 100;
  std::vector<Notification> out;
  for (std::size_t start = 0; start < ids.size(); start += kChunk) {
    std::size_t n = std::min(kChunk, ids.size() - start);
    db::Query q(kByIds);
    q.values({ids.begin() + static_cast<std::ptrdiff_t>(start), ids.begin() + static_cast<std::ptrdiff_t>(start + n)})
        .sql(") ORDER BY id");
    for (auto& row : q.all(s, notification_from)) out.push_back(std::move(row));
  }
  return out;
}

#undef NOTIFICATION_COLUMNS

}  // namespace courtyard::notifications::repo
