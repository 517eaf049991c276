#include "services/notifications/api.hpp"

#include "services/notifications/logic.hpp"
#include "services/notifications/repository.hpp"
#include "services/notifications/routes.hpp"

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

// Plain reads on a pooled session (no transaction): the push polls often.
std::vector<Recent> created_since(db::Database& db, std::int64_t since_ms, int limit) {
  return db::read(db, [&](soci::session& s) { return repo::created_since(s, since_ms, limit); });
}

std::vector<boost::json::object> by_ids(db::Database& db, std::vector<std::int64_t> const& ids) {
  std::vector<boost::json::object> out;
  if (ids.empty()) return out;
  for (auto const& n : db::read(db, [&](soci::session& s) { return repo::by_ids(s, ids); }))
    out.push_back(notification_json(n));
  return out;
}

}  // namespace courtyard::notifications
