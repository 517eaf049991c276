#pragma once
// Pure rules of delivery tasks and parcels: the state machine, who may move a task, the
// least-loaded courier, proof and pick-up codes. No SOCI, no Beast.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace courtyard::delivery {

// pending -> claimed -> picked_up -> delivered; claimed|picked_up -> failed (courier);
// pending|claimed|picked_up -> failed (manager); any active -> cancelled (the order was
// cancelled). delivered, failed and cancelled are final. A failure while attempts remain
// (see after_failure) puts the task back to pending for another courier instead.
enum class Status { Pending, Claimed, PickedUp, Delivered, Failed, Cancelled };

std::string_view to_string(Status s);
std::optional<Status> parse_status(std::string_view s);
// Active tasks count towards a courier's load.
bool is_active(Status s);

enum class Verb { Claim, PickUp, Deliver, Fail, Cancel };

// The verb as messages say it ("pick up").
std::string_view to_string(Verb v);
// The event a verb publishes ("delivery.claimed"); "" for Cancel, which publishes none.
std::string_view topic_of(Verb v);

// The state a verb leads to.
Status target(Verb v);
// Whether `v` may be applied in state `from` (ignoring who asks).
bool allowed(Verb v, Status from);

// Who asks, relative to one task.
struct Actor {
  std::int64_t account_id = 0;
  bool courier = false;  // holds the courier role in the task's community
  bool manager = false;  // holds the manager role (or is a platform admin)
};

enum class Decision { Ok, Forbidden, Conflict };
// Courier verbs (pick-up, deliver, fail) belong to the assigned courier; a manager may fail
// any active task. Claim is for couriers on unassigned tasks. Forbidden wins over Conflict
// only when the task is assigned to someone else.
Decision decide(Verb v, Status current, std::int64_t assigned_courier, Actor const& who);

// Delivery attempts: the first one plus re-dispatches (the `delivery.max-attempts` setting).
constexpr std::int64_t kDefaultMaxAttempts = 2;
constexpr std::int64_t kMaxMaxAttempts = 10;

// What a failure of attempt number `attempt` (1-based) leads to, with `max_attempts` allowed:
// back to pending for attempt + 1 while attempts remain, else failed for good.
struct FailureOutcome {
  Status status = Status::Failed;  // Pending (re-dispatched) or Failed (final)
  bool final = true;
  std::int64_t next_attempt = 0;   // the attempt a re-dispatch starts (0 when final)
};
FailureOutcome after_failure(std::int64_t attempt, std::int64_t max_attempts);

// What a courier (not a manager) may see: unassigned pending tasks and their own.
bool courier_may_see(Status current, std::int64_t assigned_courier, std::int64_t me);

// The courier with the fewest active deliveries; ties go to the lowest account id.
// nullopt when there is no courier.
std::optional<std::int64_t> least_loaded(std::vector<std::int64_t> const& couriers,
                                         std::map<std::int64_t, std::int64_t> const& active_by_courier);

// Proof codes (resident -> courier) and parcel pick-up codes: 8 characters from a 31-symbol
// alphabet without look-alikes (~2^39), from libsodium's CSPRNG.
constexpr std::size_t kCodeLength = 8;
std::string new_code();
// Upper-cases and strips spaces and dashes, so "ab3d-ef7h" matches "AB3DEF7H".
std::string normalise_code(std::string_view raw);
// Constant-time comparison of a stored code with what a client typed.
bool codes_match(std::string_view stored, std::string_view typed);

// Parcels: waiting -> picked_up (once).
enum class ParcelStatus { Waiting, PickedUp };
std::string_view to_string(ParcelStatus s);
std::optional<ParcelStatus> parse_parcel_status(std::string_view s);


// ---- delivery slots (slot_routes.cpp)

// A slot: [starts_at, ends_at) with a capacity of orders. Published at least a little ahead,
// at most a day long, with 1..kMaxSlotCapacity places.
constexpr std::int64_t kMaxSlotCapacity = 1000;
constexpr std::int64_t kMaxSlotLengthMs = 24LL * 3600 * 1000;
enum class SlotStatus { Open, Closed };
std::string_view to_string(SlotStatus s);
std::optional<SlotStatus> parse_slot_status(std::string_view s);
// Field problems of a new slot ({field, message}); empty when it is fine.
std::vector<std::pair<std::string, std::string>> slot_problems(std::int64_t starts_at, std::int64_t ends_at,
                                                                std::int64_t capacity, std::int64_t now);
// Why a checkout may not book a place in a slot (the capacity itself is taken by a
// conditional update, not decided here).
enum class SlotRefusal { None, Closed, Started };
SlotRefusal slot_refusal(SlotStatus status, std::int64_t starts_at, std::int64_t now);

// A task is late when its slot has ended and it is still not delivered (nor given up).
bool is_late(Status s, std::int64_t slot_ends_at, std::int64_t now);

// ---- group-buy batches (batch_routes.cpp)

// A batch: pending -> claimed -> picked_up -> completed (its last stop done); cancelled when
// every stop was cancelled. A pickup batch (the merchant's counter) stays pending until done.
enum class BatchStatus { Pending, Claimed, PickedUp, Completed, Cancelled };
std::string_view to_string(BatchStatus s);
std::optional<BatchStatus> parse_batch_status(std::string_view s);
enum class StopStatus { Pending, Done, Cancelled };
std::string_view to_string(StopStatus s);
std::optional<StopStatus> parse_stop_status(std::string_view s);

// The floor a unit number names: the digits after the last separator ('-', '/', ' ', '#'),
// all but the last two ("1203" -> 12, "3-402" -> 4, "101" -> 1); 0 when it says none.
std::int64_t floor_of(std::string_view unit_number);

// A household's stop, for ordering a courier's round.
struct StopPlace {
  std::string building;     // building name
  std::int64_t floor = 0;
  std::string unit_number;
  std::int64_t order_id = 0;
};
// By building, then floor (ground up), then unit number (shorter first, so "99" < "101"),
// then order id.
bool stop_before(StopPlace const& a, StopPlace const& b);
// The batch status after a stop changed: completed when every stop not cancelled is done,
// cancelled when every stop is cancelled, else `current`.
BatchStatus batch_after_stop(BatchStatus current, std::int64_t total, std::int64_t done, std::int64_t cancelled);

}  // namespace courtyard::delivery
