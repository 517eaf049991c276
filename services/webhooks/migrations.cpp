#include "services/webhooks/service.hpp"

namespace courtyard::webhooks {

// webhook_endpoints: merchant_id 0 is a community (property side) endpoint. Secrets are
// stored sealed (signature.hpp). next_send_at is when the sender should next look at the
// endpoint (its head delivery's next attempt; lowered by every new delivery, with `wakeups`
// counting those so a sender never overwrites a wake-up it did not see); lease_owner and
// lease_until make one sender at a time serve an endpoint.
// webhook_deliveries: one per (endpoint, event), UNIQUE so a redelivered outbox event adds
// nothing; seq orders them per endpoint (the event id; 0 for test events and replays, which
// go first). The body is kept with the row, so the outbox's pruning never loses it.
// webhook_attempts: the delivery log.
std::vector<db::Migration> WebhooksService::migrations() const {
  return {
      {1, "webhook endpoints, deliveries and the delivery log", R"SQL(
CREATE TABLE webhook_endpoints (
  id {pk},
  community_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  url TEXT NOT NULL,
  description VARCHAR(200) NOT NULL,
  event_types TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  disabled_reason VARCHAR(32) NULL,
  secret TEXT NOT NULL,
  previous_secret TEXT NULL,
  previous_until BIGINT NOT NULL DEFAULT 0,
  next_send_at BIGINT NOT NULL,
  wakeups BIGINT NOT NULL DEFAULT 0,
  lease_owner VARCHAR(64) NULL,
  lease_until BIGINT NOT NULL DEFAULT 0,
  created_by BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
){engine};
CREATE INDEX webhook_endpoints_owner ON webhook_endpoints (community_id, merchant_id, id);
CREATE INDEX webhook_endpoints_due ON webhook_endpoints (enabled, next_send_at);

CREATE TABLE webhook_deliveries (
  id {pk},
  community_id BIGINT NOT NULL,
  endpoint_id BIGINT NOT NULL,
  event_id BIGINT NULL,
  seq BIGINT NOT NULL,
  message_id VARCHAR(64) NOT NULL,
  event_type VARCHAR(64) NOT NULL,
  payload TEXT NOT NULL,
  status VARCHAR(16) NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  last_status INTEGER NULL,
  last_error VARCHAR(300) NULL,
  replay_of BIGINT NULL,
  created_at BIGINT NOT NULL,
  completed_at BIGINT NULL
){engine};
CREATE UNIQUE INDEX webhook_deliveries_event ON webhook_deliveries (endpoint_id, event_id);
CREATE INDEX webhook_deliveries_queue ON webhook_deliveries (endpoint_id, status, seq, id);
CREATE INDEX webhook_deliveries_done ON webhook_deliveries (status, completed_at);

CREATE TABLE webhook_attempts (
  id {pk},
  community_id BIGINT NOT NULL,
  endpoint_id BIGINT NOT NULL,
  delivery_id BIGINT NOT NULL,
  attempt INTEGER NOT NULL,
  started_at BIGINT NOT NULL,
  latency_ms BIGINT NOT NULL,
  http_status INTEGER NULL,
  error VARCHAR(300) NULL,
  response_snippet TEXT NOT NULL,
  outcome VARCHAR(16) NOT NULL
){engine};
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);
)SQL"},
  };
}

}  // namespace courtyard::webhooks
