#pragma once
#include "http/service.hpp"
#include "services/webhooks/api.hpp"

namespace courtyard::webhooks {

// Signed webhooks (Standard Webhooks) for merchants and, on the property side, communities:
// endpoints with event-type filters and a secret shown once, deliveries fanned out from the
// outbox and sent by a leased job with retries, a delivery log, replay, secret rotation, test
// events, and outbound requests that can only reach the public internet.
class WebhooksService final : public Service {
 public:
  explicit WebhooksService(Env& env);
  static std::vector<settings::Key> settings_keys();
  std::string_view name() const override { return "webhooks"; }
  std::vector<db::Migration> migrations() const override;
  void routes(http::Router& r) override;
  void subscribe(events::Bus& bus) override;
  void jobs(jobs::Scheduler& s) override;

 private:
  Options options_;
};

}  // namespace courtyard::webhooks
