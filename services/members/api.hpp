#pragma once
// What other parts of Courtyard may call from members: the points a member
// holds, spending them (the entry point checkout will use), the member's part
// of the data export, and the daily job bodies.
#include "db/database.hpp"
#include "db/outbox.hpp"
#include "db/tx.hpp"
#include "services/members/logic.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>

namespace courtyard::members {

using logic::Points;

// The member's points in the community (0 when none were ever earned).
Points balance(db::Tx& tx, std::int64_t community_id, std::int64_t account_id);

// Spends `points` (> 0) of the member's points, oldest lots first, inside the
// caller's transaction (so it commits with its cause). `reference` names the
// cause ("order:42"): a second debit with the same reference changes nothing
// and returns 0. Throws Conflict("insufficient-points") when the member holds
// fewer points.
std::int64_t debit(db::Tx& tx, std::int64_t community_id, std::int64_t account_id, Points points,
                   std::string const& reference);

// Whether the account allows its data to be used for `purpose` (its stored choice, or the
// purpose's default: marketing off, recommendations and analytics on). PUT /v1/me/consents
// publishes consent.changed {account_id, purposes} in the transaction that stores a change.
bool consents_to(db::Tx& tx, std::int64_t account_id, logic::Purpose purpose);

// Everything members stores about the account, in every community: consents,
// statuses, postings and lots (GET /v1/me/export).
boost::json::object export_account(db::Tx& tx, std::int64_t account_id);

// Job bodies ("members.expire_points", "members.announce_expiring_points",
// "members.review_tiers"); each returns how many lots / notices / downgrades it
// handled and is safe to run on several instances at once (conditional updates
// under the member lock).
int expire_due_points(db::Database& db, events::Bus& bus, std::int64_t now_ms);
int announce_expiring_points(db::Database& db, events::Bus& bus, std::int64_t now_ms);
int review_tiers(db::Database& db, events::Bus& bus, std::int64_t now_ms);

}  // namespace courtyard::members
