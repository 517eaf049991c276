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
  };
}

}  // namespace courtyard::notifications
