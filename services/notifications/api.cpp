#include "services/notifications/api.hpp"

#include "services/notifications/logic.hpp"
#include "services/notifications/repository.hpp"
#include "services/notifications/routes.hpp"

#include <boost/json.hpp>

#include <mutex>

namespace courtyard::notifications {

std::int64_t notify(db::Tx& tx, std::int64_t account_id, std::int64_t community_id, std::string const& type,
                    std::string const& title, std::string const& body, boost::json::object const& data,
                    std::optional<std::string> const& dedupe_key) {
  repo::Row row{{account_id, community_id, clip(type, 64), clip(title, kTitleMax), clip(body, kBodyMax),
                 boost::json::serialize(data)},
                dedupe_key ? std::optional(clip(*dedupe_key, 64)) : std::nullopt};
  if (store(tx, {row}) != 1) return 0;
  return tx.last_insert_id("notifications");
}

// Plain reads on a pooled session (no transaction): the push polls often.
std::vector<Recent> created_after(db::Database& db, std::int64_t after_id, int limit) {
  return db::read(db, [&](soci::session& s) { return repo::created_after(s, after_id, limit); });
}

std::vector<Recent> in_id_ranges(db::Database& db, std::vector<std::pair<std::int64_t, std::int64_t>> const& ranges) {
  if (ranges.empty()) return {};
  return db::read(db, [&](soci::session& s) { return repo::in_id_ranges(s, ranges); });
}

std::int64_t max_id(db::Database& db) {
  return db::read(db, [&](soci::session& s) { return repo::max_id(s); });
}

namespace {
struct Watchers {
  std::mutex mu;
  std::uint64_t next = 1;
  std::vector<std::pair<std::uint64_t, std::function<void()>>> fns;
};
Watchers& watchers() {
  static Watchers w;
  return w;
}
}  // namespace

std::uint64_t watch_local_writes(std::function<void()> wake) {
  auto& w = watchers();
  std::lock_guard lk(w.mu);
  w.fns.emplace_back(w.next, std::move(wake));
  return w.next++;
}

void unwatch_local_writes(std::uint64_t handle) {
  auto& w = watchers();
  std::lock_guard lk(w.mu);
  std::erase_if(w.fns, [&](auto const& f) { return f.first == handle; });
}

void wake_after_commit(db::Tx& tx) {
  tx.after_commit([] {
    auto& w = watchers();
    std::lock_guard lk(w.mu);
    for (auto const& f : w.fns) f.second();
  });
}

std::vector<boost::json::object> by_ids(db::Database& db, std::vector<std::int64_t> const& ids) {
  std::vector<boost::json::object> out;
  if (ids.empty()) return out;
  for (auto const& n : db::read(db, [&](soci::session& s) { return repo::by_ids(s, ids); }))
    out.push_back(notification_json(n));
  return out;
}

}  // namespace courtyard::notifications
