#include "services/delivery/logic.hpp"

#include <sodium.h>

#include <algorithm>

namespace courtyard::delivery {

namespace {
constexpr std::string_view kAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ2345679";
}

std::string_view to_string(Status s) {
  switch (s) {
    case Status::Pending: return "pending";
    case Status::Claimed: return "claimed";
    case Status::PickedUp: return "picked_up";
    case Status::Delivered: return "delivered";
    case Status::Failed: return "failed";
    case Status::Cancelled: return "cancelled";
  }
  return "pending";
}

std::optional<Status> parse_status(std::string_view s) {
  for (Status st : {Status::Pending, Status::Claimed, Status::PickedUp, Status::Delivered, Status::Failed,
                    Status::Cancelled})
    if (to_string(st) == s) return st;
  return std::nullopt;
}

bool is_active(Status s) { return s == Status::Claimed || s == Status::PickedUp; }

std::string_view to_string(Verb v) {
  switch (v) {
    case Verb::Claim: return "claim";
    case Verb::PickUp: return "pick up";
    case Verb::Deliver: return "deliver";
    case Verb::Fail: return "fail";
    case Verb::Cancel: return "cancel";
  }
  return "?";
}

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

std::string_view to_string(ParcelStatus s) { return s == ParcelStatus::Waiting ? "waiting" : "picked_up"; }

std::optional<ParcelStatus> parse_parcel_status(std::string_view s) {
  if (s == "waiting") return ParcelStatus::Waiting;
  if (s == "picked_up") return ParcelStatus::PickedUp;
  return std::nullopt;
}

}  // namespace courtyard::delivery
