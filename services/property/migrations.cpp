#include "services/property/service.hpp"

namespace courtyard::property {

// Every table carries community_id and every query filters by it. No foreign keys (as in
// identity): references are checked by the service.
std::vector<db::Migration> PropertyService::migrations() const {
  return {
      {1, "fee schedules and bills", R"SQL(
CREATE TABLE property_fee_schedules (
  id {pk},
  community_id BIGINT NOT NULL,
  name VARCHAR(200) NOT NULL,
  amount_cents BIGINT NOT NULL,
  scope VARCHAR(16) NOT NULL,
  building_id BIGINT NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1,
  created_by BIGINT NOT NULL,
  created_at BIGINT NOT NULL
){engine};
CREATE INDEX property_fee_schedules_community ON property_fee_schedules (community_id, active, id);

CREATE TABLE property_bills (
  id {pk},
  community_id BIGINT NOT NULL,
  unit_id BIGINT NOT NULL,
  building_id BIGINT NOT NULL,
  schedule_id BIGINT NOT NULL,
  name VARCHAR(200) NOT NULL,
  period VARCHAR(7) NOT NULL,
  amount_cents BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  due_at BIGINT NOT NULL,
  issued_at BIGINT NOT NULL,
  paid_at BIGINT NULL,
  paid_by BIGINT NULL,
  method VARCHAR(16) NULL,
  transaction_id BIGINT NULL,
  overdue_at BIGINT NULL
){engine};
CREATE UNIQUE INDEX property_bills_once ON property_bills (community_id, unit_id, schedule_id, period);
CREATE INDEX property_bills_status ON property_bills (community_id, status, id);
CREATE INDEX property_bills_period ON property_bills (community_id, period);
CREATE INDEX property_bills_unit ON property_bills (unit_id, id);
CREATE INDEX property_bills_due ON property_bills (status, due_at);
)SQL"},
      {2, "repair tickets and their history", R"SQL(
CREATE TABLE property_tickets (
  id {pk},
  community_id BIGINT NOT NULL,
  unit_id BIGINT NOT NULL,
  opened_by BIGINT NOT NULL,
  category VARCHAR(32) NOT NULL,
  description TEXT NOT NULL,
  status VARCHAR(16) NOT NULL,
  assigned_to BIGINT NOT NULL DEFAULT 0,
  resolution_note TEXT NULL,
  rating INTEGER NULL,
  rating_comment TEXT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  resolved_at BIGINT NULL,
  closed_at BIGINT NULL
){engine};
CREATE INDEX property_tickets_community ON property_tickets (community_id, status, id);
CREATE INDEX property_tickets_opener ON property_tickets (community_id, opened_by, id);

CREATE TABLE property_ticket_history (
  id {pk},
  community_id BIGINT NOT NULL,
  ticket_id BIGINT NOT NULL,
  from_status VARCHAR(16) NULL,
  to_status VARCHAR(16) NOT NULL,
  actor_id BIGINT NOT NULL,
  note TEXT NULL,
  happened_at BIGINT NOT NULL
){engine};
CREATE INDEX property_ticket_history_ticket ON property_ticket_history (ticket_id, id);
)SQL"},
      {3, "announcements and read receipts", R"SQL(
CREATE TABLE property_announcements (
  id {pk},
  community_id BIGINT NOT NULL,
  building_id BIGINT NOT NULL DEFAULT 0,
  title VARCHAR(200) NOT NULL,
  body TEXT NOT NULL,
  created_by BIGINT NOT NULL,
  audience_count BIGINT NOT NULL,
  read_count BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
){engine};
CREATE INDEX property_announcements_community ON property_announcements (community_id, building_id, id);

CREATE TABLE property_announcement_reads (
  id {pk},
  community_id BIGINT NOT NULL,
  announcement_id BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  read_at BIGINT NOT NULL
){engine};
CREATE UNIQUE INDEX property_announcement_reads_once ON property_announcement_reads (announcement_id, account_id);
)SQL"},
      {4, "visitor passes", R"SQL(
CREATE TABLE property_visitor_passes (
  id {pk},
  community_id BIGINT NOT NULL,
  code VARCHAR(16) NOT NULL,
  visitor_name VARCHAR(200) NOT NULL,
  created_by BIGINT NOT NULL,
  unit_id BIGINT NOT NULL,
  valid_from BIGINT NOT NULL,
  valid_until BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  used_at BIGINT NULL,
  verified_by BIGINT NULL,
  created_at BIGINT NOT NULL
){engine};
CREATE UNIQUE INDEX property_visitor_passes_code ON property_visitor_passes (code);
CREATE INDEX property_visitor_passes_community ON property_visitor_passes (community_id, created_by, id);
)SQL"},
      {5, "amenities and bookings", R"SQL(
CREATE TABLE property_amenities (
  id {pk},
  community_id BIGINT NOT NULL,
  name VARCHAR(200) NOT NULL,
  capacity BIGINT NOT NULL,
  booking_version BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
){engine};
CREATE INDEX property_amenities_community ON property_amenities (community_id, id);

CREATE TABLE property_bookings (
  id {pk},
  community_id BIGINT NOT NULL,
  amenity_id BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  created_at BIGINT NOT NULL,
  cancelled_at BIGINT NULL
){engine};
CREATE INDEX property_bookings_amenity ON property_bookings (amenity_id, status, starts_at);
)SQL"},
      {6, "suggestions and votes", R"SQL(
CREATE TABLE property_suggestions (
  id {pk},
  community_id BIGINT NOT NULL,
  author_id BIGINT NOT NULL,
  title VARCHAR(200) NOT NULL,
  body TEXT NOT NULL,
  vote_count BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
){engine};
CREATE INDEX property_suggestions_community ON property_suggestions (community_id, id);
CREATE INDEX property_suggestions_votes ON property_suggestions (community_id, vote_count, id);

CREATE TABLE property_suggestion_votes (
  id {pk},
  community_id BIGINT NOT NULL,
  suggestion_id BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  created_at BIGINT NOT NULL
){engine};
CREATE UNIQUE INDEX property_suggestion_votes_once ON property_suggestion_votes (suggestion_id, account_id);
)SQL"},
      {7, "suggestions a manager adopted", R"SQL(
ALTER TABLE property_suggestions ADD COLUMN adopted_at BIGINT NULL;
ALTER TABLE property_suggestions ADD COLUMN adopted_by BIGINT NULL;
)SQL"},
      // Where the manager lets bills take loyalty points (members' programme setting
      // points_on_bills), points_spent points paid points_cents of amount_cents; the wallet
      // paid the rest.
      {10, "bills paid partly with points", R"SQL(
ALTER TABLE property_bills ADD COLUMN points_spent BIGINT NOT NULL DEFAULT 0;
ALTER TABLE property_bills ADD COLUMN points_cents BIGINT NOT NULL DEFAULT 0;
)SQL"},
      // Ticket SLA (issue 14): the community's targets (category '' = every category without
      // its own), the targets a ticket was opened under, when staff first answered it, and the
      // rating each close gave (a reopen clears the ticket's). Existing tickets get their first
      // response (the transition out of `submitted`) and their last close's rating from history.
      {20, "ticket SLA targets, first responses and ratings in history", R"SQL(
CREATE TABLE property_ticket_sla (
  id {pk},
  community_id BIGINT NOT NULL,
  category VARCHAR(32) NOT NULL,
  first_response_hours BIGINT NOT NULL,
  resolution_hours BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by BIGINT NOT NULL
){engine};
CREATE UNIQUE INDEX property_ticket_sla_key ON property_ticket_sla (community_id, category);
ALTER TABLE property_tickets ADD COLUMN first_response_at BIGINT NULL;
ALTER TABLE property_tickets ADD COLUMN sla_first_response_hours BIGINT NULL;
ALTER TABLE property_tickets ADD COLUMN sla_resolution_hours BIGINT NULL;
ALTER TABLE property_ticket_history ADD COLUMN rating INTEGER NULL;
CREATE INDEX property_ticket_history_community ON property_ticket_history (community_id, id);
UPDATE property_tickets SET first_response_at = (SELECT MIN(h.happened_at) FROM property_ticket_history h
  WHERE h.ticket_id = property_tickets.id AND h.from_status = 'submitted');
UPDATE property_ticket_history SET rating = (SELECT t.rating FROM property_tickets t
  WHERE t.id = property_ticket_history.ticket_id AND t.closed_at = property_ticket_history.happened_at)
  WHERE to_status = 'closed';
)SQL"},
  };
}

}  // namespace courtyard::property
