#pragma once
// Property storage (SOCI, bound parameters only). Every query over tenant data filters by
// community_id. Lists return up to page.fetch() rows, newest first (id descending) unless
// said otherwise, so the caller can tell whether another page follows.
#include "db/tx.hpp"
#include "services/identity/api.hpp"
#include "services/property/api.hpp"
#include "http/json.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace courtyard::property::repo {

// Units, buildings and residents come from identity's public API.
using identity::building_in_community;
using identity::occupied_units;
using identity::OccupiedUnit;
using identity::unit_building;

// ---- fee schedules
struct FeeSchedule {
  std::int64_t id = 0;
  std::int64_t community_id = 0;
  std::string name;
  std::int64_t amount_cents = 0;
  std::string scope;
  std::int64_t building_id = 0;
  bool active = true;
  std::int64_t created_by = 0;
  std::int64_t created_at = 0;
};
std::int64_t insert_schedule(db::Tx& tx, FeeSchedule const& s);
std::optional<FeeSchedule> schedule(db::Tx& tx, std::int64_t cid, std::int64_t id);
std::vector<FeeSchedule> schedules(db::Tx& tx, std::int64_t cid, std::optional<bool> active, json::Page const& page);
std::vector<FeeSchedule> active_schedules(db::Tx& tx, std::int64_t cid);
bool deactivate_schedule(db::Tx& tx, std::int64_t cid, std::int64_t id);

// ---- bills
struct Bill {
  std::int64_t id = 0;
  std::int64_t community_id = 0;
  std::int64_t unit_id = 0;
  std::int64_t building_id = 0;
  std::int64_t schedule_id = 0;
  std::string name;
  std::string period;
  std::int64_t amount_cents = 0;
  std::string status;
  std::int64_t due_at = 0;
  std::int64_t issued_at = 0;
  std::optional<std::int64_t> paid_at;
  std::optional<std::int64_t> paid_by;
  std::optional<std::string> method;
  std::optional<std::int64_t> transaction_id;
  std::optional<std::int64_t> overdue_at;
  std::int64_t points_spent = 0, points_cents = 0;  // the part paid with loyalty points
};
struct BillFilter {
  std::optional<std::string> status;
  std::optional<std::int64_t> unit_id;
  std::optional<std::string> period;
};
// INSERT IGNORE on (community_id, unit_id, schedule_id, period): the new bill's id, or
// nullopt when that unit was already billed for that schedule and period.
std::optional<std::int64_t> insert_bill_once(db::Tx& tx, Bill const& b);
std::int64_t count_bills(db::Tx& tx, std::int64_t cid, std::string const& period);
std::optional<Bill> bill(db::Tx& tx, std::int64_t cid, std::int64_t id);
std::vector<Bill> bills(db::Tx& tx, std::int64_t cid, BillFilter const& f, json::Page const& page);
// Bills of these (community, unit) pairs merged newest first.
struct UnitRef {
  std::int64_t community_id = 0;
  std::int64_t unit_id = 0;
};
std::vector<Bill> bills_of_units(db::Tx& tx, std::vector<UnitRef> const& units, std::optional<std::string> const& status,
                                 json::Page const& page);
// unpaid|overdue -> paid; false when the bill was not payable (already paid, or raced).
bool mark_paid(db::Tx& tx, std::int64_t cid, std::int64_t id, std::string const& method, std::int64_t paid_by,
               std::int64_t now);
void set_bill_transaction(db::Tx& tx, std::int64_t cid, std::int64_t id, std::int64_t transaction_id);
void set_bill_points(db::Tx& tx, std::int64_t cid, std::int64_t id, std::int64_t points, std::int64_t cents);
// Unpaid bills due before `now`, across communities (the overdue job), oldest first.
struct BillRef {
  std::int64_t community_id = 0;
  std::int64_t id = 0;
};
std::vector<BillRef> overdue_candidates(soci::session& s, std::int64_t now, int limit);
// unpaid -> overdue; false when another instance did it first or the bill was paid.
bool mark_overdue(db::Tx& tx, std::int64_t cid, std::int64_t id, std::int64_t now);

struct PeriodSummary {
  std::string period;
  std::int64_t billed_cents = 0;
  std::int64_t paid_cents = 0;
  std::int64_t overdue_cents = 0;
  std::int64_t outstanding_cents = 0;  // unpaid + overdue
  std::int64_t bills = 0;
  std::int64_t paid = 0;
  std::int64_t unpaid = 0;
  std::int64_t overdue = 0;
};
std::vector<PeriodSummary> billing_summary(db::Tx& tx, std::int64_t cid, std::optional<std::string> const& period);

// ---- repair tickets
struct Ticket {
  std::int64_t id = 0;
  std::int64_t community_id = 0;
  std::int64_t unit_id = 0;
  std::int64_t opened_by = 0;
  std::string category;
  std::string description;
  std::string status;
  std::int64_t assigned_to = 0;
  std::optional<std::string> resolution_note;
  std::optional<std::int64_t> rating;
  std::optional<std::string> rating_comment;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::optional<std::int64_t> resolved_at;
  std::optional<std::int64_t> closed_at;
  std::optional<std::int64_t> first_response_at;
  // The SLA targets in effect when it was opened (null: opened before targets were kept).
  std::optional<std::int64_t> sla_first_response_hours, sla_resolution_hours;
};
struct HistoryEntry {
  std::optional<std::string> from;
  std::string to;
  std::int64_t actor_id = 0;
  std::int64_t at = 0;
  std::optional<std::string> note;
};
std::int64_t insert_ticket(db::Tx& tx, Ticket const& t);
std::optional<Ticket> ticket(db::Tx& tx, std::int64_t cid, std::int64_t id);
// opened_by = 0: every ticket of the community.
std::vector<Ticket> tickets(db::Tx& tx, std::int64_t cid, std::int64_t opened_by, std::optional<std::string> const& status,
                            json::Page const& page);
// What a transition changes besides the status.
struct TicketChange {
  std::optional<std::int64_t> assigned_to;
  std::optional<std::string> resolution_note;
  bool set_resolved = false;   // resolved_at = now
  bool clear_resolved = false; // reopen: resolved_at, closed_at, rating cleared
  bool set_closed = false;     // closed_at = now, rating + comment
  bool set_first_response = false;  // first_response_at = now (only while it is null)
  std::int64_t rating = 0;
  std::optional<std::string> rating_comment;
};
// Conditional on the current status; false when it changed meanwhile.
bool transition_ticket(db::Tx& tx, std::int64_t cid, std::int64_t id, std::string const& from, std::string const& to,
                       TicketChange const& change, std::int64_t now);
// Returns the history row's id (the key of the SLA facts analytics counts once).
std::int64_t add_history(db::Tx& tx, std::int64_t cid, std::int64_t ticket_id, std::optional<std::string> const& from,
                         std::string const& to, std::int64_t actor, std::optional<std::string> const& note,
                         std::int64_t now, std::optional<std::int64_t> rating = std::nullopt);
std::vector<HistoryEntry> history(db::Tx& tx, std::int64_t cid, std::int64_t ticket_id);

// ---- ticket SLA targets: category "" is the community's default
struct SlaRow {
  std::string category;
  std::int64_t first_response_hours = 0, resolution_hours = 0;
  std::int64_t updated_at = 0;
};
std::vector<SlaRow> sla_rows(db::Tx& tx, std::int64_t cid);
// Replaces the community's targets with `rows`.
void replace_sla(db::Tx& tx, std::int64_t cid, std::vector<SlaRow> const& rows, std::int64_t by, std::int64_t now);
// One history row with what its ticket's SLA needs (the backfill of analytics).
struct TicketStep {
  std::int64_t history_id = 0, ticket_id = 0;
  std::optional<std::string> from;
  std::string to;
  std::int64_t actor_id = 0, at = 0;
  std::optional<std::int64_t> rating;
  std::string category;
  std::int64_t opened_by = 0, unit_id = 0, opened_at = 0;
  std::optional<std::int64_t> sla_first_response_hours, sla_resolution_hours;
};
std::vector<TicketStep> ticket_steps_after(db::Tx& tx, std::int64_t cid, std::int64_t after_history_id,
                                           std::int64_t limit);

// ---- announcements
struct Announcement {
  std::int64_t id = 0;
  std::int64_t community_id = 0;
  std::int64_t building_id = 0;
  std::string title;
  std::string body;
  std::int64_t created_by = 0;
  std::int64_t audience_count = 0;
  std::int64_t read_count = 0;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> read_at;  // the viewer's receipt
};
std::int64_t insert_announcement(db::Tx& tx, Announcement const& a);
std::optional<Announcement> announcement(db::Tx& tx, std::int64_t cid, std::int64_t id, std::int64_t viewer);
// buildings nullopt: every announcement (managers); else those for the whole community
// (building 0) or for one of these buildings.
std::vector<Announcement> announcements(db::Tx& tx, std::int64_t cid, std::optional<std::vector<std::int64_t>> const& buildings,
                                        std::int64_t viewer, json::Page const& page);
// Inserts the receipt once; true when it is new (read_count bumped in the same tx).
bool mark_read(db::Tx& tx, std::int64_t cid, std::int64_t announcement_id, std::int64_t account_id, std::int64_t now);

// ---- visitor passes
struct VisitorPass {
  std::int64_t id = 0;
  std::int64_t community_id = 0;
  std::string code;
  std::string visitor_name;
  std::int64_t created_by = 0;
  std::int64_t unit_id = 0;
  std::int64_t valid_from = 0;
  std::int64_t valid_until = 0;
  std::string status;
  std::optional<std::int64_t> used_at;
  std::optional<std::int64_t> verified_by;
  std::int64_t created_at = 0;
};
// Throws the storage's unique violation on a code collision.
std::int64_t insert_pass(db::Tx& tx, VisitorPass const& p);
std::optional<VisitorPass> pass(db::Tx& tx, std::int64_t cid, std::int64_t id);
std::optional<VisitorPass> pass_by_code(db::Tx& tx, std::int64_t cid, std::string const& code);
// created_by = 0: every pass of the community.
std::vector<VisitorPass> passes(db::Tx& tx, std::int64_t cid, std::int64_t created_by, json::Page const& page);
// active -> used while inside the window; false otherwise.
bool use_pass(db::Tx& tx, std::int64_t cid, std::int64_t id, std::int64_t verified_by, std::int64_t now);

// ---- amenities and bookings
struct Amenity {
  std::int64_t id = 0;
  std::int64_t community_id = 0;
  std::string name;
  std::int64_t capacity = 0;
  std::int64_t created_at = 0;
};
struct Booking {
  std::int64_t id = 0;
  std::int64_t community_id = 0;
  std::int64_t amenity_id = 0;
  std::int64_t account_id = 0;
  std::int64_t starts_at = 0;
  std::int64_t ends_at = 0;
  std::string status;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> cancelled_at;
};
std::int64_t insert_amenity(db::Tx& tx, Amenity const& a);
std::optional<Amenity> amenity(db::Tx& tx, std::int64_t cid, std::int64_t id);
std::vector<Amenity> amenities(db::Tx& tx, std::int64_t cid, json::Page const& page);
// Bumps the amenity's booking_version: the row lock (MySQL) / the write transaction
// (SQLite) serialises bookings of one amenity. False when the amenity is unknown.
bool lock_amenity(db::Tx& tx, std::int64_t cid, std::int64_t id);
// Active bookings of the amenity overlapping [from, to).
std::vector<Booking> overlapping_bookings(db::Tx& tx, std::int64_t cid, std::int64_t amenity_id, std::int64_t from,
                                          std::int64_t to);
std::int64_t insert_booking(db::Tx& tx, Booking const& b);
std::optional<Booking> booking(db::Tx& tx, std::int64_t cid, std::int64_t amenity_id, std::int64_t id);
// Active bookings overlapping [from, to), ordered by id ascending after page.after.
std::vector<Booking> bookings(db::Tx& tx, std::int64_t cid, std::int64_t amenity_id, std::int64_t from, std::int64_t to,
                              json::Page const& page);
bool cancel_booking(db::Tx& tx, std::int64_t cid, std::int64_t id, std::int64_t now);

// ---- suggestions
struct Suggestion {
  std::int64_t id = 0;
  std::int64_t community_id = 0;
  std::int64_t author_id = 0;
  std::string title;
  std::string body;
  std::int64_t vote_count = 0;
  std::int64_t created_at = 0;
  bool voted = false;  // by the viewer
};
std::int64_t insert_suggestion(db::Tx& tx, Suggestion const& s);
std::optional<Suggestion> suggestion(db::Tx& tx, std::int64_t cid, std::int64_t id, std::int64_t viewer);
// by_votes: most votes first, `offset` rows skipped; else newest first after page.after.
std::vector<Suggestion> suggestions(db::Tx& tx, std::int64_t cid, bool by_votes, std::int64_t offset,
                                    std::int64_t viewer, json::Page const& page);
// Insert-once vote (+1 with it); false when the account had already voted.
bool add_vote(db::Tx& tx, std::int64_t cid, std::int64_t suggestion_id, std::int64_t account_id, std::int64_t now);
// Removes the vote (-1 with it); false when there was none.
bool remove_vote(db::Tx& tx, std::int64_t cid, std::int64_t suggestion_id, std::int64_t account_id);
// Marks the suggestion adopted by a manager; false when it already was.
bool adopt_suggestion(db::Tx& tx, std::int64_t cid, std::int64_t suggestion_id, std::int64_t by, std::int64_t now);
// When the suggestion was adopted (nullopt: not adopted).
std::optional<std::int64_t> suggestion_adopted_at(db::Tx& tx, std::int64_t cid, std::int64_t suggestion_id);

// The suggestions' texts for property::suggestion_texts (api.hpp).
std::vector<SuggestionText> suggestion_texts(db::Tx& tx, std::int64_t cid, std::int64_t from, std::int64_t to,
                                             std::int64_t limit);

}  // namespace courtyard::property::repo
