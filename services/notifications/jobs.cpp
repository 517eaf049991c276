// Retention: notification rows older than notifications.retention-days are deleted.
#include "services/notifications/routes.hpp"

#include <spdlog/spdlog.h>

namespace courtyard::notifications {

long long prune(db::Database& db, std::int64_t now_ms, std::chrono::milliseconds retention, int batch) {
  std::int64_t cut = now_ms - retention.count();
  long long removed = 0;
  // Ids first on a plain session, then each batch deleted in its own short transaction, so
  // a large backlog never holds the write lock for long.
  for (std::int64_t after = 0;;) {
    auto ids = db::read(db, [&](soci::session& s) { return repo::created_before(s, cut, after, batch); });
    if (ids.empty()) break;
    removed += db::transact(db, nullptr, [&](db::Tx& tx) {
      return repo::delete_created_before(tx, ids.front(), ids.back(), cut);
    });
    after = ids.back();
    if (static_cast<int>(ids.size()) < batch) break;
  }
  return removed;
}

}  // namespace courtyard::notifications
