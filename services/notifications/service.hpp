#pragma once
#include "http/service.hpp"

namespace courtyard::notifications {

// Notification rows per account, made from the events of every service (one subscriber
// "notifications.<topic>" per topic, idempotent per event and account), listed and marked
// read under /v1/me/notifications, and pushed over the WebSocket at /v1/ws by the gateway
// (gateway/net/notifier). The plain GET /v1/ws route answers 426: only an upgrade is served.
class NotificationsService final : public Service {
 public:
  explicit NotificationsService(Env& env) : env_(env) {}
  std::string_view name() const override { return "notifications"; }
  std::vector<db::Migration> migrations() const override;
  void routes(http::Router& r) override;
  void subscribe(events::Bus& bus) override;

 private:
  Env& env_;
};

}  // namespace courtyard::notifications
