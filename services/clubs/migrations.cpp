#include "services/clubs/service.hpp"

namespace courtyard::clubs {

std::vector<db::Migration> ClubsService::migrations() const {
  return {
      {1, "clubs and memberships", R"SQL(
CREATE TABLE IF NOT EXISTS clubs (
  id {pk},
  community_id BIGINT NOT NULL,
  name VARCHAR(120) NOT NULL,
  description TEXT NOT NULL,
  is_open INT NOT NULL,
  member_count BIGINT NOT NULL,
  created_by BIGINT NOT NULL,
  created_at BIGINT NOT NULL
){engine};
CREATE INDEX idx_clubs_community ON clubs (community_id, id);
CREATE TABLE IF NOT EXISTS club_members (
  id {pk},
  community_id BIGINT NOT NULL,
  club_id BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  organiser INT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (club_id, account_id)
){engine};
CREATE INDEX idx_club_members_club ON club_members (club_id, status, id);
)SQL"},
      {2, "club events and RSVPs", R"SQL(
CREATE TABLE IF NOT EXISTS club_events (
  id {pk},
  community_id BIGINT NOT NULL,
  club_id BIGINT NOT NULL,
  series_id BIGINT NOT NULL,
  title VARCHAR(200) NOT NULL,
  starts_at BIGINT NOT NULL,
  capacity BIGINT NOT NULL,
  seats_taken BIGINT NOT NULL,
  waitlist_seq BIGINT NOT NULL,
  fee_cents BIGINT NOT NULL,
  reminder_sent INT NOT NULL,
  created_by BIGINT NOT NULL,
  created_at BIGINT NOT NULL
){engine};
CREATE INDEX idx_club_events_community ON club_events (community_id, starts_at, id);
CREATE INDEX idx_club_events_club ON club_events (club_id, starts_at, id);
CREATE INDEX idx_club_events_reminder ON club_events (reminder_sent, starts_at);
CREATE TABLE IF NOT EXISTS event_rsvps (
  id {pk},
  community_id BIGINT NOT NULL,
  event_id BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  waitlist_seq BIGINT NOT NULL,
  check_in_code VARCHAR(16) NULL,
  checked_in_at BIGINT NULL,
  paid_cents BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (event_id, account_id)
){engine};
CREATE INDEX idx_event_rsvps_status ON event_rsvps (event_id, status, waitlist_seq);
CREATE INDEX idx_event_rsvps_code ON event_rsvps (event_id, check_in_code);
)SQL"},
      {3, "community posts", R"SQL(
CREATE TABLE IF NOT EXISTS community_posts (
  id {pk},
  community_id BIGINT NOT NULL,
  club_id BIGINT NOT NULL,
  author_id BIGINT NOT NULL,
  body TEXT NOT NULL,
  like_count BIGINT NOT NULL,
  comment_count BIGINT NOT NULL,
  report_count BIGINT NOT NULL,
  hidden INT NOT NULL,
  created_at BIGINT NOT NULL
){engine};
CREATE INDEX idx_posts_feed ON community_posts (community_id, club_id, id);
CREATE INDEX idx_posts_reported ON community_posts (community_id, report_count, id);
CREATE TABLE IF NOT EXISTS post_comments (
  id {pk},
  community_id BIGINT NOT NULL,
  post_id BIGINT NOT NULL,
  author_id BIGINT NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL
){engine};
CREATE INDEX idx_post_comments_post ON post_comments (post_id, id);
CREATE TABLE IF NOT EXISTS post_likes (
  id {pk},
  community_id BIGINT NOT NULL,
  post_id BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (post_id, account_id)
){engine};
CREATE TABLE IF NOT EXISTS post_reports (
  id {pk},
  community_id BIGINT NOT NULL,
  post_id BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  reason TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (post_id, account_id)
){engine};
)SQL"},
      // A paid event's fee may be paid partly with loyalty points (members): points_spent
      // points paid points_cents of it (paid_cents is the money part), debited under
      // points_ref, which a cancellation gives back.
      {10, "event fees paid partly with points", R"SQL(
ALTER TABLE event_rsvps ADD COLUMN points_spent BIGINT NOT NULL DEFAULT 0;
ALTER TABLE event_rsvps ADD COLUMN points_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE event_rsvps ADD COLUMN points_ref VARCHAR(96) NULL;
)SQL"},
      // Account erasure: posts and comments stay, their author shows as a former resident.
      {80, "posts and comments by erased accounts", R"SQL(
ALTER TABLE community_posts ADD COLUMN author_erased INTEGER NOT NULL DEFAULT 0;
ALTER TABLE post_comments ADD COLUMN author_erased INTEGER NOT NULL DEFAULT 0;
)SQL"},
  };
}

}  // namespace courtyard::clubs
