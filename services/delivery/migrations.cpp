#include "services/delivery/service.hpp"

namespace courtyard::delivery {

std::vector<db::Migration> DeliveryService::migrations() const {
  return {
      {1, "delivery tasks, their history, parcels", R"SQL(
CREATE TABLE IF NOT EXISTS delivery_tasks (
  id {pk},
  community_id BIGINT NOT NULL,
  order_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  resident_id BIGINT NOT NULL,
  unit_id BIGINT NOT NULL,
  courier_id BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  proof_code VARCHAR(16) NOT NULL,
  total_cents BIGINT NOT NULL,
  failure_reason TEXT NULL,
  source_event_id BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (order_id)
){engine};
CREATE INDEX idx_delivery_tasks_community ON delivery_tasks (community_id, status, id);
CREATE INDEX idx_delivery_tasks_due ON delivery_tasks (status, created_at);
CREATE INDEX idx_delivery_tasks_courier ON delivery_tasks (courier_id, status);
CREATE INDEX idx_delivery_tasks_resident ON delivery_tasks (resident_id, id);
CREATE TABLE IF NOT EXISTS delivery_history (
  id {pk},
  delivery_id BIGINT NOT NULL,
  community_id BIGINT NOT NULL,
  from_status VARCHAR(16) NULL,
  to_status VARCHAR(16) NOT NULL,
  actor_id BIGINT NOT NULL,
  note TEXT NULL,
  created_at BIGINT NOT NULL
){engine};
CREATE INDEX idx_delivery_history_task ON delivery_history (delivery_id, id);
CREATE TABLE IF NOT EXISTS parcels (
  id {pk},
  community_id BIGINT NOT NULL,
  unit_id BIGINT NOT NULL,
  carrier VARCHAR(64) NOT NULL,
  tracking_no VARCHAR(128) NOT NULL,
  pickup_code VARCHAR(16) NOT NULL,
  status VARCHAR(16) NOT NULL,
  logged_by BIGINT NOT NULL,
  picked_up_by BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  picked_up_at BIGINT NULL,
  UNIQUE (community_id, pickup_code)
){engine};
CREATE INDEX idx_parcels_community ON parcels (community_id, status, id);
CREATE INDEX idx_parcels_unit ON parcels (unit_id, id);
)SQL"},
      // A failed delivery is re-dispatched (delivery.max-attempts): which attempt a task is on.
      {2, "delivery attempts", R"SQL(
ALTER TABLE delivery_tasks ADD COLUMN attempt BIGINT NOT NULL DEFAULT 1;
)SQL"},
  };
}

}  // namespace courtyard::delivery
