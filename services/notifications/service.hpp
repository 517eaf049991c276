#pragma once
#include "http/service.hpp"

#include <chrono>

namespace courtyard::notifications {

// Notification rows per account, made from the events of every service (one subscriber
// "notifications.<topic>" per topic, idempotent per event and account), listed and marked
// read under /v1/me/notifications, and pushed over the WebSocket at /v1/ws by the gateway
// (gateway/net/notifier). The plain GET /v1/ws route answers 426: only an upgrade is served.
// Rows older than notifications.retention-days, read or not, are pruned by the job
// "notifications.prune" (hourly, one instance per period).
class NotificationsService final : public Service {
 public:
  explicit NotificationsService(Env& env);
  // The notifications.* configuration section.
  static std::vector<settings::Key> settings_keys();
  std::string_view name() const override { return "notifications"; }
  std::vector<db::Migration> migrations() const override;
  void routes(http::Router& r) override;
  void subscribe(events::Bus& bus) override;
  void jobs(jobs::Scheduler& s) override;

 private:
  std::chrono::milliseconds retention_;
};

}  // namespace courtyard::notifications
