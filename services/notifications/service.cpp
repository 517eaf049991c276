#include "services/notifications/service.hpp"

#include "services/notifications/logic.hpp"
#include "services/notifications/routes.hpp"

#include <spdlog/spdlog.h>

namespace courtyard::notifications {

namespace {
constexpr std::int64_t kMaxRetentionDays = 3650;
}

NotificationsService::NotificationsService(Env& env)
    : retention_(std::chrono::hours(24 * env.settings.integer("notifications.retention-days"))) {}

std::vector<settings::Key> NotificationsService::settings_keys() {
  return {settings::Key::integer("notifications.retention-days", 90, 1, kMaxRetentionDays,
                                 "days a notification is kept (read or not) before the hourly job deletes it")};
}

void NotificationsService::routes(http::Router& r) {
  add_notification_routes(r);
  add_preference_routes(r);
}

void NotificationsService::subscribe(events::Bus& bus) {
  for (auto const& topic : topics()) bus.subscribe_batch("notifications." + topic, topic, on_events, kEventBatch);
  for (auto topic : {"merchant.applied", "merchant.approved", "merchant.rejected", "merchant.suspended",
                     "merchant.reinstated"})
    bus.subscribe(std::string("notifications.") + topic, topic, on_merchant_event);
  for (auto const* topic : {"points.expiring", "tier.changed"})
    bus.subscribe(std::string("notifications.") + topic, topic, on_member_notice);
  bus.subscribe("notifications.wish.answered", "wish.answered", on_wish_answered);
}

void NotificationsService::jobs(jobs::Scheduler& s) {
  s.every("notifications.prune", std::chrono::hours(1), [retention = retention_](jobs::JobContext& jc) {
    if (auto n = prune(jc.db, jc.now_ms, retention))
      spdlog::info("notifications.prune: removed {} notifications older than {} days", n, retention.count() / 86400000);
  });
}

}  // namespace courtyard::notifications
