#include "services/notifications/api.hpp"

#include "db/row.hpp"
#include "services/notifications/logic.hpp"
#include "services/notifications/repository.hpp"

#include <boost/json.hpp>

namespace courtyard::notifications {

std::int64_t notify(db::Tx& tx, std::int64_t account_id, std::int64_t community_id, std::string const& type,
                    std::string const& title, std::string const& body, boost::json::object const& data,
                    std::optional<std::string> const& dedupe_key) {
  repo::Row row{account_id,
                community_id,
                clip(type, 64),
                clip(title, kTitleMax),
                clip(body, kBodyMax),
                boost::json::serialize(data),
                dedupe_key ? std::optional(clip(*dedupe_key, 64)) : std::nullopt};
  if (repo::insert_many(tx, {row}) != 1) return 0;
  return tx.last_insert_id("notifications");
}

std::vector<Recent> created_since(db::Database& db, std::int64_t since_ms, int limit) {
  return db::read(db, [&](soci::session& s) {
    soci::rowset<soci::row> rs =
        (s.prepare << "SELECT id, account_id, created_at FROM notifications WHERE created_at >= :s "
                      "ORDER BY created_at, id LIMIT :l",
         soci::use(since_ms, "s"), soci::use(limit, "l"));
    std::vector<Recent> out;
    for (auto const& r : rs) out.push_back({db::as_int(r, 0), db::as_int(r, 1), db::as_int(r, 2)});
    return out;
  });
}

std::vector<boost::json::object> by_ids(db::Database& db, std::vector<std::int64_t> const& ids) {
  std::vector<boost::json::object> out;
  if (ids.empty()) return out;
  constexpr std::size_t kChunk = 100;
  return db::read(db, [&](soci::session& s) {
    for (std::size_t start = 0; start < ids.size(); start += kChunk) {
      std::size_t n = std::min(kChunk, ids.size() - start);
      std::vector<std::string> names;
      std::string sql = std::string("SELECT ") + repo::kColumns + " FROM notifications WHERE id IN (";
      for (std::size_t i = 0; i < n; ++i) {
        names.push_back("i" + std::to_string(i));
        sql += (i ? ", :" : ":") + names.back();
      }
      sql += ") ORDER BY id";
      auto prep = (s.prepare << sql);
      for (std::size_t i = 0; i < n; ++i) prep, soci::use(ids[start + i], names[i]);
      soci::rowset<soci::row> rs = prep;
      for (auto const& r : rs) out.push_back(repo::to_json(r));
    }
    return out;
  });
}

}  // namespace courtyard::notifications
