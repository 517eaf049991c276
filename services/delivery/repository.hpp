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
  std::int64_t slot_id = 0;  // the delivery slot booked at checkout (0 = none)
  std::int64_t slot_starts_at = 0, slot_ends_at = 0;
  std::optional<std::int64_t> late_at;  // when the late job flagged it (delivery.late)
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

// A page of a community's tasks (newest first, page.fetch() rows), optionally in one status.
// visible_to_courier > 0: only unassigned pending tasks and that courier's; 0 = all (managers).
// slot_id > 0: only that slot's tasks; late_at > 0: only tasks late at that time.
std::vector<Task> list_for_community(db::Tx& tx, std::int64_t community_id, std::optional<Status> status,
                                     std::int64_t visible_to_courier, json::Page const& page,
                                     std::int64_t slot_id = 0, std::int64_t late_at = 0);
// A page of one resident's tasks in any community (newest first, page.fetch() rows).
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
// A page of a community's parcels (newest first, page.fetch() rows); `unit_ids` limits
// them to those units (residents: theirs; an empty list finds nothing).
std::vector<Parcel> list_parcels(db::Tx& tx, std::int64_t community_id, std::optional<ParcelStatus> status,
                                 std::optional<std::vector<std::int64_t>> const& unit_ids, json::Page const& page);
// waiting -> picked_up; rows affected (0 when someone was first).
long long pick_up_parcel(db::Tx& tx, std::int64_t community_id, std::int64_t id, std::int64_t by);


// ---- delivery slots

struct Slot {
  std::int64_t id = 0;
  std::int64_t community_id = 0;
  std::int64_t merchant_id = 0;
  std::int64_t starts_at = 0, ends_at = 0;
  std::int64_t capacity = 0, booked = 0;
  SlotStatus status = SlotStatus::Open;
  std::int64_t created_by = 0;
  std::int64_t created_at = 0;
};

std::int64_t insert_slot(db::Tx& tx, Slot const& s);
std::optional<Slot> find_slot(db::Tx& tx, std::int64_t community_id, std::int64_t id);
// Slots of a community (merchant_id 0 = every merchant) starting in [from, to), by start;
// bookable_only: open, not started at `now` and not full.
std::vector<Slot> list_slots(db::Tx& tx, std::int64_t community_id, std::int64_t merchant_id, std::int64_t from,
                             std::int64_t to, bool bookable_only, std::int64_t now, std::int64_t limit);
// One place of the slot, if it is the merchant's, open, not started and not full: the
// conditional update that makes a full slot refuse, however many checkouts race for it.
bool take_slot_place(db::Tx& tx, std::int64_t community_id, std::int64_t merchant_id, std::int64_t slot_id,
                     std::int64_t now);
// open -> closed (no new bookings); rows affected.
long long close_slot(db::Tx& tx, std::int64_t community_id, std::int64_t merchant_id, std::int64_t slot_id);
void insert_booking(db::Tx& tx, std::int64_t community_id, std::int64_t slot_id, std::int64_t order_id,
                    std::int64_t buyer_id);
// The order's booking, released once, and its place given back; the slot id or 0.
std::int64_t release_booking(db::Tx& tx, std::int64_t order_id);
// The slot the order booked (still booked), or nullopt.
std::optional<Slot> booked_slot_of_order(db::Tx& tx, std::int64_t order_id);

// Tasks whose slot ended by `now`, still undelivered and not flagged yet: {id, community_id}.
std::vector<std::pair<std::int64_t, std::int64_t>> due_late(db::Database& db, std::int64_t now, int limit);
// Flags the task late once (rows affected).
long long mark_late(db::Tx& tx, std::int64_t community_id, std::int64_t id, std::int64_t now);

// ---- group-buy batches

struct Batch {
  std::int64_t id = 0;
  std::int64_t community_id = 0;
  std::int64_t merchant_id = 0;
  std::int64_t group_buy_id = 0;
  std::string kind;  // "delivery" (a courier's round of one building) or "pickup" (the merchant's counter)
  std::int64_t building_id = 0;
  std::string building_name;
  std::int64_t courier_id = 0;
  BatchStatus status = BatchStatus::Pending;
  std::int64_t stops_total = 0, stops_done = 0, stops_cancelled = 0;
  std::int64_t source_event_id = 0;
  std::int64_t created_at = 0, updated_at = 0;
};

struct Stop {
  std::int64_t id = 0;
  std::int64_t community_id = 0;
  std::int64_t batch_id = 0;
  std::int64_t order_id = 0;
  std::int64_t resident_id = 0;
  std::int64_t unit_id = 0;
  std::string unit_number;
  std::int64_t floor = 0;
  std::int64_t seq = 0;
  std::string proof_code;
  StopStatus status = StopStatus::Pending;
  std::optional<std::int64_t> done_at;
  std::int64_t done_by = 0;
};

// Inserts unless the group buy already has this batch; the new id or 0.
std::int64_t insert_batch_once(db::Tx& tx, Batch const& b);
void insert_stop(db::Tx& tx, Stop const& s);
std::optional<Batch> find_batch(db::Tx& tx, std::int64_t community_id, std::int64_t id);
std::optional<Batch> find_batch_any(db::Tx& tx, std::int64_t id);
// A page of a community's batches (newest first); merchant_id > 0 limits to that merchant;
// visible_to_courier > 0: delivery batches unclaimed and pending, or that courier's.
std::vector<Batch> list_batches(db::Tx& tx, std::int64_t community_id, std::int64_t merchant_id,
                                std::optional<BatchStatus> status, std::int64_t visible_to_courier,
                                json::Page const& page);
std::vector<Stop> stops_of(db::Tx& tx, std::int64_t batch_id);
std::optional<Stop> find_stop(db::Tx& tx, std::int64_t batch_id, std::int64_t stop_id);
std::optional<Stop> find_stop_by_order(db::Tx& tx, std::int64_t order_id);
std::optional<Stop> find_stop_by_id(db::Tx& tx, std::int64_t stop_id);
// A page of one resident's stops, any community (newest first).
std::vector<Stop> stops_of_resident(db::Tx& tx, std::int64_t resident_id, json::Page const& page);
// Conditional batch state change (from + expected courier); rows affected.
long long batch_transition(db::Tx& tx, std::int64_t community_id, std::int64_t id, BatchStatus from,
                           std::int64_t expected_courier, BatchStatus to, std::int64_t new_courier);
// pending -> done|cancelled, once; rows affected.
long long finish_stop(db::Tx& tx, std::int64_t stop_id, StopStatus to, std::int64_t by);
// Counts one stop done or cancelled on its batch and settles the batch's status; the batch after.
Batch count_stop(db::Tx& tx, std::int64_t batch_id, StopStatus outcome);

// ---- signing keys and code uses (code_routes.cpp)

struct CodeKey {
  std::int64_t id = 0;
  std::int64_t community_id = 0;
  std::int64_t generation = 0;
  std::string public_key;  // raw 32 bytes
  std::string secret_key;  // raw 64 bytes; never leaves the server
  std::int64_t created_at = 0;
  std::optional<std::int64_t> retired_at, listed_until;
};

// The community's signing key (the newest not retired).
std::optional<CodeKey> current_key(db::Tx& tx, std::int64_t community_id);
// Inserts generation `generation`; false when another request inserted it first.
bool insert_key(db::Tx& tx, std::int64_t community_id, std::int64_t generation, std::string const& public_key,
                std::string const& secret_key);
std::optional<CodeKey> find_key(db::Tx& tx, std::int64_t community_id, std::int64_t id);
// Keys a verifier should hold at `now`: the current one and retired ones still listed.
std::vector<CodeKey> listed_keys(db::Tx& tx, std::int64_t community_id, std::int64_t now);
long long retire_key(db::Tx& tx, std::int64_t id, std::int64_t now, std::int64_t listed_until);

struct CodeUse {
  std::int64_t community_id = 0;
  std::string kind;
  std::int64_t object_id = 0;
  std::int64_t key_id = 0;
  std::string nonce;
  std::int64_t used_at = 0;
  std::string device_id;
  std::int64_t synced_by = 0;
  std::int64_t synced_at = 0;
};
// The first use of the object wins (UNIQUE community, kind, object); false when it was used.
bool insert_use(db::Tx& tx, CodeUse const& u);
std::optional<CodeUse> find_use(db::Tx& tx, std::int64_t community_id, std::string const& kind, std::int64_t object_id);

}  // namespace courtyard::delivery::repo
