#pragma once
// SOCI access for delivery tasks, their history and parcels (bound parameters only; every
// tenant query filters by community_id).
#include "db/tx.hpp"
#include "http/json.hpp"
#include "services/delivery/logic.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace courtyard::delivery::repo {

struct Task {
  std::int64_t id = 0;
  std::int64_t community_id = 0;
  std::int64_t order_id = 0;
  std::int64_t merchant_id = 0;
  std::int64_t resident_id = 0;
  std::int64_t unit_id = 0;
  std::int64_t courier_id = 0;
  Status status = Status::Pending;
  std::string proof_code;
  std::int64_t total_cents = 0;
  std::optional<std::string> failure_reason;
  std::int64_t source_event_id = 0;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::int64_t attempt = 1;  // 1 = the first courier; +1 per re-dispatch after a failure
};

struct HistoryEntry {
  std::optional<Status> from;
  Status to = Status::Pending;
  std::int64_t actor_id = 0;  // 0 = the system (order event, auto-assignment)
  std::optional<std::string> note;
  std::int64_t at = 0;
};

// Inserts unless a task for the order exists (UNIQUE(order_id)); returns the new id or 0.
std::int64_t insert_task_once(db::Tx& tx, Task const& t);
std::optional<Task> find(db::Tx& tx, std::int64_t community_id, std::int64_t id);
std::optional<Task> find_any(db::Tx& tx, std::int64_t id);
std::optional<Task> find_by_order(db::Tx& tx, std::int64_t order_id);

// A page of a community's tasks (newest first, page.limit + 1 rows), optionally in one status.
// visible_to_courier > 0: only unassigned pending tasks and that courier's; 0 = all (managers).
std::vector<Task> list_for_community(db::Tx& tx, std::int64_t community_id, std::optional<Status> status,
                                     std::int64_t visible_to_courier, json::Page const& page);
// A page of one resident's tasks in any community (newest first, page.limit + 1 rows).
std::vector<Task> list_for_resident(db::Tx& tx, std::int64_t resident_id, std::optional<Status> status,
                                    json::Page const& page);

// Conditional state change: only when the row is still in `from` with `expected_courier`
// assigned. Sets `new_courier` (claim/auto-assign) and the failure reason when given.
// Returns rows affected (0 or 1).
long long transition(db::Tx& tx, std::int64_t community_id, std::int64_t id, Status from, std::int64_t expected_courier,
                     Status to, std::int64_t new_courier, std::optional<std::string> const& reason);
// As transition, also requiring the task to be on attempt `attempt` (a final failure).
long long transition_on_attempt(db::Tx& tx, std::int64_t community_id, std::int64_t id, Status from,
                                std::int64_t expected_courier, std::int64_t attempt, Status to,
                                std::string const& reason);

// A failed attempt that is re-dispatched: back to pending with no courier and attempt + 1,
// only when the row is still in `from` with `expected_courier` on attempt `attempt`.
// Returns rows affected (0 or 1).
long long redispatch(db::Tx& tx, std::int64_t community_id, std::int64_t id, Status from, std::int64_t expected_courier,
                     std::int64_t attempt, std::string const& reason);

void add_history(db::Tx& tx, Task const& t, std::optional<Status> from, Status to, std::int64_t actor_id,
                 std::optional<std::string> const& note);
std::vector<HistoryEntry> history(db::Tx& tx, std::int64_t delivery_id);

// Active (claimed/picked-up) tasks per courier in a community.
std::map<std::int64_t, std::int64_t> active_by_courier(db::Tx& tx, std::int64_t community_id);
// Pending, unassigned tasks waiting since `created_before` or earlier (created, or re-dispatched
// after a failed attempt; any community), longest waiting first.
std::vector<std::pair<std::int64_t, std::int64_t>> due_for_assignment(db::Database& db, std::int64_t created_before,
                                                                      int limit);

struct Parcel {
  std::int64_t id = 0;
  std::int64_t community_id = 0;
  std::int64_t unit_id = 0;
  std::string carrier;
  std::string tracking_no;
  std::string pickup_code;
  ParcelStatus status = ParcelStatus::Waiting;
  std::int64_t logged_by = 0;
  std::int64_t picked_up_by = 0;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> picked_up_at;
};

// Inserts with a fresh pick-up code (unique per community; a collision draws again).
Parcel insert_parcel(db::Tx& tx, std::int64_t community_id, std::int64_t unit_id, std::string const& carrier,
                     std::string const& tracking_no, std::int64_t logged_by);
std::optional<Parcel> find_parcel(db::Tx& tx, std::int64_t community_id, std::int64_t id);
std::optional<Parcel> find_parcel_by_code(db::Tx& tx, std::int64_t community_id, std::string const& code);
// A page of a community's parcels (newest first, page.limit + 1 rows); `unit_ids` limits
// them to those units (residents: theirs; an empty list finds nothing).
std::vector<Parcel> list_parcels(db::Tx& tx, std::int64_t community_id, std::optional<ParcelStatus> status,
                                 std::optional<std::vector<std::int64_t>> const& unit_ids, json::Page const& page);
// waiting -> picked_up; rows affected (0 when someone was first).
long long pick_up_parcel(db::Tx& tx, std::int64_t community_id, std::int64_t id, std::int64_t by);

}  // namespace courtyard::delivery::repo
