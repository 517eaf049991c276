#pragma once
// The points ledger (internal to members): balanced postings over points
// accounts, the lots earned points live on, and the three things that move
// points — earning, spending (debit) and expiry. Every operation first locks
// the member's points account, so the changes to one member's points are
// serialised; the rules come from logic.hpp, the SQL from repository.hpp.
#include "db/tx.hpp"
#include "services/members/logic.hpp"
#include "services/members/repository.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace courtyard::members::ledger {

// Opens (if needed) and locks the member's points account; returns its balance.
logic::Points lock_member(db::Tx& tx, std::int64_t cid, std::int64_t account_id);

// Posts one balanced posting: `header` describes it (kind, member, points,
// source, rule); the legs move the points. Throws
// Conflict("insufficient-points") when a member account would go below zero,
// std::logic_error when the legs do not balance.
std::int64_t post(db::Tx& tx, repo::Posting header, std::vector<logic::Leg> const& legs);

// One earning, exactly once per (source event, member) and per (source,
// member).
struct Earning {
  std::int64_t community_id = 0;
  std::int64_t account_id = 0;
  logic::EarnKind kind = logic::EarnKind::BillPaidOnTime;
  std::string source_ref;        // "bill:12", "order:7", ...
  std::int64_t event_id = 0;     // the source event
  std::int64_t event_at = 0;     // when it happened (rule version, daily cap, lot date)
  std::int64_t total_cents = 0;  // order_completed
  std::int64_t merchant_id = 0;  // order_completed
};
// Earns under the rule in effect when the event happened: the tier's multiplier
// applies, the daily cap limits, a lot is added, the 12-month total grows and
// the tier may rise. Returns the points earned (0: no rule, rule off, capped,
// or earned already).
std::int64_t earn(db::Tx& tx, Earning const& e);

// Spends points oldest lot first. Throws Conflict("insufficient-points") when
// the member has fewer; a second debit with the same `reference` changes
// nothing and returns 0.
std::int64_t debit(db::Tx& tx, std::int64_t cid, std::int64_t account_id, logic::Points points,
                   std::string const& reference);

// Gives `points` back to the member, once per `reference` (a second call
// changes nothing and returns 0). The points return to the lots the debit named
// `debit_reference` took them from (last taken first, never more than it took),
// each as a new lot with that lot's earn date and expiry; anything beyond what
// the debit took (or with no such debit) is a new lot earned now.
std::int64_t give_back(db::Tx& tx, std::int64_t cid, std::int64_t account_id, logic::Points points,
                       std::string const& reference, std::string const& debit_reference);

// Expires what is left of one lot (its expiry has come). Returns the points
// expired (0 when the lot was spent or expired meanwhile).
std::int64_t expire_lot(db::Tx& tx, repo::Lot const& lot);

// ---- tiers

// The member's rolling 12-month earned points at `now`.
std::int64_t earned_12m(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::int64_t now);
// Raises the member's tier when the 12-month total reaches a higher one
// (publishes tier.changed); never lowers it (that waits for the period end:
// jobs.cpp).
void raise_tier(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::int64_t now);

// A bonus credit that no event earned (a campaign's points): posted with `source`
// ("campaign") and `reference` ("campaign:7"), exactly once per (reference, member) — a
// second credit changes nothing and returns 0. It lives on as a lot that expires like
// earned points, but does not count towards tiers (nothing was earned).
std::int64_t credit_bonus(db::Tx& tx, std::int64_t cid, std::int64_t account_id, logic::Points points,
                          std::string const& source, std::string const& reference);

}  // namespace courtyard::members::ledger
