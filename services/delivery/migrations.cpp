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
      // Delivery slots (issue 14): merchants publish windows with a capacity; a delivery
      // checkout books a place (one booking per order); a task copies its slot's window.
      {70, "delivery slots and bookings; tasks carry their slot", R"SQL(
CREATE TABLE IF NOT EXISTS delivery_slots (
  id {pk},
  community_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  capacity BIGINT NOT NULL,
  booked BIGINT NOT NULL DEFAULT 0,
  status VARCHAR(16) NOT NULL,
  created_by BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  CHECK (booked >= 0 AND booked <= capacity)
){engine};
CREATE INDEX idx_delivery_slots_merchant ON delivery_slots (community_id, merchant_id, starts_at);
CREATE INDEX idx_delivery_slots_open ON delivery_slots (community_id, status, starts_at);
CREATE TABLE IF NOT EXISTS delivery_slot_bookings (
  id {pk},
  community_id BIGINT NOT NULL,
  slot_id BIGINT NOT NULL,
  order_id BIGINT NOT NULL,
  buyer_id BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  created_at BIGINT NOT NULL,
  released_at BIGINT NULL,
  UNIQUE (order_id)
){engine};
CREATE INDEX idx_delivery_slot_bookings_slot ON delivery_slot_bookings (slot_id, status);
ALTER TABLE delivery_tasks ADD COLUMN slot_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE delivery_tasks ADD COLUMN slot_starts_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE delivery_tasks ADD COLUMN slot_ends_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE delivery_tasks ADD COLUMN late_at BIGINT NULL;
CREATE INDEX idx_delivery_tasks_slot ON delivery_tasks (community_id, slot_id, id);
CREATE INDEX idx_delivery_tasks_late ON delivery_tasks (slot_ends_at, status);
)SQL"},
      // Group buy -> batched delivery: one batch per (group buy, building) for delivery orders
      // and one pickup point per group buy; one stop per household order.
      {71, "delivery batches and their stops", R"SQL(
CREATE TABLE IF NOT EXISTS delivery_batches (
  id {pk},
  community_id BIGINT NOT NULL,
  merchant_id BIGINT NOT NULL,
  group_buy_id BIGINT NOT NULL,
  kind VARCHAR(16) NOT NULL,
  building_id BIGINT NOT NULL,
  building_name VARCHAR(100) NOT NULL,
  courier_id BIGINT NOT NULL DEFAULT 0,
  status VARCHAR(16) NOT NULL,
  stops_total BIGINT NOT NULL DEFAULT 0,
  stops_done BIGINT NOT NULL DEFAULT 0,
  stops_cancelled BIGINT NOT NULL DEFAULT 0,
  source_event_id BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (group_buy_id, kind, building_id)
){engine};
CREATE INDEX idx_delivery_batches_community ON delivery_batches (community_id, status, id);
CREATE INDEX idx_delivery_batches_merchant ON delivery_batches (community_id, merchant_id, id);
CREATE TABLE IF NOT EXISTS delivery_batch_stops (
  id {pk},
  community_id BIGINT NOT NULL,
  batch_id BIGINT NOT NULL,
  order_id BIGINT NOT NULL,
  resident_id BIGINT NOT NULL,
  unit_id BIGINT NOT NULL,
  unit_number VARCHAR(32) NOT NULL,
  floor BIGINT NOT NULL,
  seq BIGINT NOT NULL,
  proof_code VARCHAR(16) NOT NULL,
  status VARCHAR(16) NOT NULL,
  done_at BIGINT NULL,
  done_by BIGINT NOT NULL DEFAULT 0,
  UNIQUE (order_id)
){engine};
CREATE INDEX idx_delivery_batch_stops_batch ON delivery_batch_stops (batch_id, seq);
CREATE INDEX idx_delivery_batch_stops_resident ON delivery_batch_stops (resident_id, id);
)SQL"},
      // Offline-verifiable codes: a per-community Ed25519 key pair (rotated keys stay listed
      // until every token they signed has expired) and the ledger of codes used, one per object.
      {72, "code signing keys and code uses", R"SQL(
CREATE TABLE IF NOT EXISTS code_keys (
  id {pk},
  community_id BIGINT NOT NULL,
  generation BIGINT NOT NULL,
  public_key VARCHAR(64) NOT NULL,
  secret_key VARCHAR(128) NOT NULL,
  created_at BIGINT NOT NULL,
  retired_at BIGINT NULL,
  listed_until BIGINT NULL,
  UNIQUE (community_id, generation)
){engine};
CREATE TABLE IF NOT EXISTS code_uses (
  id {pk},
  community_id BIGINT NOT NULL,
  kind VARCHAR(16) NOT NULL,
  object_id BIGINT NOT NULL,
  key_id BIGINT NOT NULL,
  nonce VARCHAR(16) NOT NULL,
  used_at BIGINT NOT NULL,
  device_id VARCHAR(64) NOT NULL,
  synced_by BIGINT NOT NULL,
  synced_at BIGINT NOT NULL,
  UNIQUE (community_id, kind, object_id)
){engine};
)SQL"},
  };
}

}  // namespace courtyard::delivery
