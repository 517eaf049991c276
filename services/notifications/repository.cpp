#include "services/notifications/repository.hpp"

#include "db/row.hpp"
#include "http/json.hpp"

#include <boost/json.hpp>

namespace courtyard::notifications::repo {

namespace bj = boost::json;

long long insert_many(db::Tx& tx, std::vector<Row> const& rows) {
  if (rows.empty()) return 0;
  std::int64_t account = 0, community = 0, created = 0;
  std::string type, title, body, data, key;
  soci::indicator key_ind = soci::i_null;
  soci::statement st =
      (tx.sql().prepare << std::string(db::insert_ignore(tx.backend())) +
                               " INTO notifications (account_id, community_id, type, title, body, data, dedupe_key, "
                               "created_at) VALUES (:a, :c, :ty, :ti, :b, :d, :k, :t)",
       soci::use(account, "a"), soci::use(community, "c"), soci::use(type, "ty"), soci::use(title, "ti"),
       soci::use(body, "b"), soci::use(data, "d"), soci::use(key, key_ind, "k"), soci::use(created, "t"));
  long long inserted = 0;
  for (auto const& r : rows) {
    account = r.account_id;
    community = r.community_id;
    type = r.type;
    title = r.title;
    body = r.body;
    data = r.data;
    key = r.dedupe_key.value_or("");
    key_ind = r.dedupe_key ? soci::i_ok : soci::i_null;
    // Stamped when written, not when the transaction began: the WebSocket push looks for
    // rows by created_at, and this keeps the gap to the commit small (gateway/net/notifier).
    created = db::now_ms();
    st.execute(true);
    inserted += st.get_affected_rows();
  }
  return inserted;
}

bj::object to_json(soci::row const& r) {
  bj::value data;
  boost::system::error_code ec;
  data = bj::parse(db::as_text(r, 6), ec);
  if (ec || !data.is_object()) data = bj::object{};
  return bj::object{{"id", db::as_int(r, 0)},
                    {"account_id", db::as_int(r, 1)},
                    {"community_id", db::as_int(r, 2)},
                    {"type", db::as_text(r, 3)},
                    {"title", db::as_text(r, 4)},
                    {"body", db::as_text(r, 5)},
                    {"data", std::move(data)},
                    {"created_at", json::rfc3339(db::as_int(r, 7))},
                    {"read_at", json::time_or_null(db::opt_int(r, 8))}};
}

std::vector<bj::object> list(db::Tx& tx, ListFilter const& f) {
  long long before = f.before_id > 0 ? f.before_id : INT64_MAX;
  long long limit = f.limit;
  int unread = f.unread_only ? 1 : 0;
  soci::rowset<soci::row> rs =
      (tx.sql().prepare << std::string("SELECT ") + kColumns +
                               " FROM notifications WHERE account_id = :a AND id < :b "
                               "AND (:u = 0 OR read_at IS NULL) AND (:c = 0 OR community_id = :c2) "
                               "ORDER BY id DESC LIMIT :l",
       soci::use(f.account_id, "a"), soci::use(before, "b"), soci::use(unread, "u"), soci::use(f.community_id, "c"),
       soci::use(f.community_id, "c2"), soci::use(limit, "l"));
  std::vector<bj::object> out;
  for (auto const& r : rs) out.push_back(to_json(r));
  return out;
}

std::optional<bj::object> find(db::Tx& tx, std::int64_t account_id, std::int64_t id) {
  soci::rowset<soci::row> rs =
      (tx.sql().prepare << std::string("SELECT ") + kColumns + " FROM notifications WHERE id = :id AND account_id = :a",
       soci::use(id, "id"), soci::use(account_id, "a"));
  for (auto const& r : rs) return to_json(r);
  return std::nullopt;
}

long long mark_read(db::Tx& tx, std::int64_t account_id, std::int64_t id) {
  std::int64_t now = tx.now_ms();
  return tx.exec("UPDATE notifications SET read_at = :t WHERE id = :id AND account_id = :a AND read_at IS NULL",
                 soci::use(now, "t"), soci::use(id, "id"), soci::use(account_id, "a"));
}

long long mark_all_read(db::Tx& tx, std::int64_t account_id, std::int64_t community_id) {
  std::int64_t now = tx.now_ms();
  return tx.exec("UPDATE notifications SET read_at = :t WHERE account_id = :a AND read_at IS NULL "
                 "AND (:c = 0 OR community_id = :c2)",
                 soci::use(now, "t"), soci::use(account_id, "a"), soci::use(community_id, "c"),
                 soci::use(community_id, "c2"));
}

std::int64_t unread_count(db::Tx& tx, std::int64_t account_id) {
  soci::rowset<soci::row> rs =
      (tx.sql().prepare << "SELECT COUNT(*) FROM notifications WHERE account_id = :a AND read_at IS NULL",
       soci::use(account_id, "a"));
  for (auto const& r : rs) return db::as_int(r, 0);
  return 0;
}

}  // namespace courtyard::notifications::repo
