#include "services/notifications/service.hpp"

namespace courtyard::notifications {

std::vector<db::Migration> NotificationsService::migrations() const {
  return {
      {1, "notification rows per account", R"SQL(
CREATE TABLE IF NOT EXISTS notifications (
  id {pk},
  account_id BIGINT NOT NULL,
  community_id BIGINT NOT NULL,
  type VARCHAR(64) NOT NULL,
  title VARCHAR(255) NOT NULL,
  body TEXT NOT NULL,
  data TEXT NOT NULL,
  dedupe_key VARCHAR(64) NULL,
  created_at BIGINT NOT NULL,
  read_at BIGINT NULL,
  UNIQUE (account_id, dedupe_key)
){engine};
CREATE INDEX idx_notifications_account ON notifications (account_id, id);
CREATE INDEX idx_notifications_created ON notifications (created_at, account_id);
)SQL"},
      // Preferences per account and category (logic::categories); a missing row means the
      // category's default. `push` on a row: sent live over /v1/ws (off: listed only).
      {80, "notification preferences per category and channel; rows that are not pushed", R"SQL(
CREATE TABLE notification_preferences (
  id {pk},
  account_id BIGINT NOT NULL,
  category VARCHAR(32) NOT NULL,
  in_app INTEGER NOT NULL,
  push INTEGER NOT NULL,
  email INTEGER NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (account_id, category)
){engine};
CREATE INDEX idx_notification_preferences_category ON notification_preferences (category, account_id);
ALTER TABLE notifications ADD COLUMN push INTEGER NOT NULL DEFAULT 1;
)SQL"},
  };
}

}  // namespace courtyard::notifications
