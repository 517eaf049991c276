#include "services/delivery/logic.hpp"

#include "http/names.hpp"

#include <sodium.h>

#include <algorithm>

namespace courtyard::delivery {

namespace {
constexpr std::string_view kAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ2345679";

constexpr auto kStatus = http::names<Status>({{Status::Pending, "pending"},
                                              {Status::Claimed, "claimed"},
                                              {Status::PickedUp, "picked_up"},
                                              {Status::Delivered, "delivered"},
                                              {Status::Failed, "failed"},
                                              {Status::Cancelled, "cancelled"}});
constexpr auto kVerb = http::names<Verb>({{Verb::Claim, "claim"},
                                          {Verb::PickUp, "pick up"},
                                          {Verb::Deliver, "deliver"},
                                          {Verb::Fail, "fail"},
                                          {Verb::Cancel, "cancel"}});
constexpr auto kParcelStatus =
    http::names<ParcelStatus>({{ParcelStatus::Waiting, "waiting"}, {ParcelStatus::PickedUp, "picked_up"}});
constexpr auto kSlotStatus = http::names<SlotStatus>({{SlotStatus::Open, "open"}, {SlotStatus::Closed, "closed"}});
constexpr auto kBatchStatus = http::names<BatchStatus>({{BatchStatus::Pending, "pending"},
                                                        {BatchStatus::Claimed, "claimed"},
                                                        {BatchStatus::PickedUp, "picked_up"},
                                                        {BatchStatus::Completed, "completed"},
                                                        {BatchStatus::Cancelled, "cancelled"}});
constexpr auto kStopStatus = http::names<StopStatus>(
    {{StopStatus::Pending, "pending"}, {StopStatus::Done, "done"}, {StopStatus::Cancelled, "cancelled"}});
static_assert(kStatus.distinct() && kVerb.distinct() && kParcelStatus.distinct() && kSlotStatus.distinct() &&
              kBatchStatus.distinct() && kStopStatus.distinct());
}  // namespace

std::string_view to_string(Status s) { return kStatus.name(s); }
std::optional<Status> parse_status(std::string_view s) { return kStatus.parse(s); }
std::string_view to_string(Verb v) { return kVerb.name(v); }
std::string_view to_string(ParcelStatus s) { return kParcelStatus.name(s); }
std::optional<ParcelStatus> parse_parcel_status(std::string_view s) { return kParcelStatus.parse(s); }
std::string_view to_string(SlotStatus s) { return kSlotStatus.name(s); }
std::optional<SlotStatus> parse_slot_status(std::string_view s) { return kSlotStatus.parse(s); }
std::string_view to_string(BatchStatus s) { return kBatchStatus.name(s); }
std::optional<BatchStatus> parse_batch_status(std::string_view s) { return kBatchStatus.parse(s); }
std::string_view to_string(StopStatus s) { return kStopStatus.name(s); }
std::optional<StopStatus> parse_stop_status(std::string_view s) { return kStopStatus.parse(s); }

bool is_active(Status s) { return s == Status::Claimed || s == Status::PickedUp; }

std::string_view topic_of(Verb v) {
  switch (v) {
    case Verb::Claim: return "delivery.claimed";
    case Verb::PickUp: return "delivery.picked_up";
    case Verb::Deliver: return "delivery.delivered";
    case Verb::Fail: return "delivery.failed";
    case Verb::Cancel: return "";
  }
  return "";
}

Status target(Verb v) {
  switch (v) {
    case Verb::Claim: return Status::Claimed;
    case Verb::PickUp: return Status::PickedUp;
    case Verb::Deliver: return Status::Delivered;
    case Verb::Fail: return Status::Failed;
    case Verb::Cancel: return Status::Cancelled;
  }
  return Status::Pending;
}

bool allowed(Verb v, Status from) {
  switch (v) {
    case Verb::Claim: return from == Status::Pending;
    case Verb::PickUp: return from == Status::Claimed;
    case Verb::Deliver: return from == Status::PickedUp;
    case Verb::Fail:
    case Verb::Cancel: return from == Status::Pending || from == Status::Claimed || from == Status::PickedUp;
  }
  return false;
}

Decision decide(Verb v, Status current, std::int64_t assigned, Actor const& who) {
  if (v == Verb::Cancel) return allowed(v, current) ? Decision::Ok : Decision::Conflict;
  if (v == Verb::Claim) {
    if (!who.courier) return Decision::Forbidden;
    return allowed(v, current) && assigned == 0 ? Decision::Ok : Decision::Conflict;
  }
  bool mine = who.courier && assigned != 0 && assigned == who.account_id;
  if (v == Verb::Fail && who.manager && !mine) return allowed(v, current) ? Decision::Ok : Decision::Conflict;
  if (!mine) {
    // Someone else's task: not yours to move. Unassigned: claim it first (a state problem).
    if (assigned != 0 || !who.courier) return Decision::Forbidden;
    return Decision::Conflict;
  }
  if (v == Verb::Fail) return current == Status::Claimed || current == Status::PickedUp ? Decision::Ok : Decision::Conflict;
  return allowed(v, current) ? Decision::Ok : Decision::Conflict;
}

FailureOutcome after_failure(std::int64_t attempt, std::int64_t max_attempts) {
  if (attempt < 1) attempt = 1;
  if (attempt < max_attempts) return {Status::Pending, false, attempt + 1};
  return {Status::Failed, true, 0};
}

bool courier_may_see(Status current, std::int64_t assigned, std::int64_t me) {
  return assigned == me || (assigned == 0 && current == Status::Pending);
}

std::optional<std::int64_t> least_loaded(std::vector<std::int64_t> const& couriers,
                                         std::map<std::int64_t, std::int64_t> const& active) {
  std::optional<std::int64_t> best;
  std::int64_t best_load = 0;
  for (auto c : couriers) {
    auto it = active.find(c);
    std::int64_t load = it == active.end() ? 0 : it->second;
    if (!best || load < best_load || (load == best_load && c < *best)) {
      best = c;
      best_load = load;
    }
  }
  return best;
}

std::string new_code() {
  std::string out;
  out.reserve(kCodeLength);
  for (std::size_t i = 0; i < kCodeLength; ++i)
    out.push_back(kAlphabet[randombytes_uniform(static_cast<std::uint32_t>(kAlphabet.size()))]);
  return out;
}

std::string normalise_code(std::string_view raw) {
  std::string out;
  for (char c : raw) {
    if (c == ' ' || c == '-') continue;
    out.push_back(c >= 'a' && c <= 'z' ? char(c - 'a' + 'A') : c);
  }
  return out;
}

bool codes_match(std::string_view stored, std::string_view typed) {
  std::string t = normalise_code(typed);
  if (t.size() != stored.size() || stored.empty()) return false;
  return sodium_memcmp(stored.data(), t.data(), stored.size()) == 0;
}



// ---- slots

std::vector<std::pair<std::string, std::string>> slot_problems(std::int64_t starts_at, std::int64_t ends_at,
                                                                std::int64_t capacity, std::int64_t now) {
  std::vector<std::pair<std::string, std::string>> out;
  if (starts_at <= now) out.emplace_back("starts_at", "must be in the future");
  if (ends_at <= starts_at) out.emplace_back("ends_at", "must be after starts_at");
  else if (ends_at - starts_at > kMaxSlotLengthMs) out.emplace_back("ends_at", "a slot lasts at most 24 hours");
  if (capacity < 1 || capacity > kMaxSlotCapacity)
    out.emplace_back("capacity", "must be between 1 and " + std::to_string(kMaxSlotCapacity));
  return out;
}

SlotRefusal slot_refusal(SlotStatus status, std::int64_t starts_at, std::int64_t now) {
  if (status != SlotStatus::Open) return SlotRefusal::Closed;
  if (starts_at <= now) return SlotRefusal::Started;
  return SlotRefusal::None;
}

bool is_late(Status s, std::int64_t slot_ends_at, std::int64_t now) {
  if (slot_ends_at <= 0 || now < slot_ends_at) return false;
  return s == Status::Pending || s == Status::Claimed || s == Status::PickedUp;
}

// ---- batches

std::int64_t floor_of(std::string_view unit) {
  auto cut = unit.find_last_of("-/ #");
  std::string_view tail = cut == std::string_view::npos ? unit : unit.substr(cut + 1);
  std::size_t n = 0;
  while (n < tail.size() && tail[n] >= '0' && tail[n] <= '9') ++n;
  if (n < 3 || n > 6) return 0;
  std::int64_t floor = 0;
  for (std::size_t i = 0; i + 2 < n; ++i) floor = floor * 10 + (tail[i] - '0');
  return floor;
}

bool stop_before(StopPlace const& a, StopPlace const& b) {
  if (a.building != b.building) return a.building < b.building;
  if (a.floor != b.floor) return a.floor < b.floor;
  if (a.unit_number.size() != b.unit_number.size()) return a.unit_number.size() < b.unit_number.size();
  if (a.unit_number != b.unit_number) return a.unit_number < b.unit_number;
  return a.order_id < b.order_id;
}

BatchStatus batch_after_stop(BatchStatus current, std::int64_t total, std::int64_t done, std::int64_t cancelled) {
  if (current == BatchStatus::Completed || current == BatchStatus::Cancelled) return current;
  if (total > 0 && cancelled >= total) return BatchStatus::Cancelled;
  if (total > 0 && done + cancelled >= total) return BatchStatus::Completed;
  return current;
}

}  // namespace courtyard::delivery
