#include "services/webhooks/service.hpp"

#include "services/webhooks/logic.hpp"
#include "services/webhooks/routes.hpp"

namespace courtyard::webhooks {

WebhooksService::WebhooksService(Env& env) : options_(options_from(env.settings)) {}

std::vector<settings::Key> WebhooksService::settings_keys() {
  settings::Key schedule, secret_key;
  schedule.name = "webhooks.retry-schedule";
  schedule.fallback = std::string(logic::kDefaultSchedule);
  schedule.help = "delays before each retry of a failed delivery (ms, s, m, h, d; comma-separated); after the last "
                  "the delivery fails and the endpoint is disabled";
  secret_key.name = "webhooks.secret-key";
  secret_key.help = "64 hex characters: seals endpoint secrets at rest (empty: stored unsealed)";
  return {settings::Key::boolean("webhooks.allow-loopback", false,
                                 "let endpoint URLs point at loopback addresses (tests and local development only)"),
          schedule,
          settings::Key::integer("webhooks.timeout-ms", 10000, 100, 60000, "time limit of one delivery attempt"),
          settings::Key::integer("webhooks.max-concurrent", 8, 1, 64,
                                 "endpoints served at once by the sender (one delivery at a time each, in order)"),
          settings::Key::integer("webhooks.log-retention-days", 30, 1, 3650,
                                 "finished deliveries and their attempts are kept this long"),
          secret_key};
}

void WebhooksService::routes(http::Router& r) {
  add_endpoint_routes(r, options_);
  add_delivery_routes(r, options_);
}

void WebhooksService::subscribe(events::Bus& bus) {
  for (auto topic : logic::all_topics())
    bus.subscribe_batch("webhooks." + std::string(topic), std::string(topic), fan_out_all, kFanOutBatch);
}

void WebhooksService::jobs(jobs::Scheduler& s) {
  s.every("webhooks.send", std::chrono::seconds(1), [o = options_](jobs::JobContext& jc) { send_due(jc.db, o); });
  s.every("webhooks.prune", std::chrono::hours(1), [days = options_.log_retention_days](jobs::JobContext& jc) {
    prune_log(jc.db, jc.now_ms - days * 24 * 3600 * 1000);
  });
}

}  // namespace courtyard::webhooks
