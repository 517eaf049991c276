#pragma once
// What other parts of Courtyard may call from members: the points a member
// holds, paying with them and giving them back (checkout, event fees, bills),
// the member's tier benefits, the member's part of the data export, and the
// daily job bodies.
#include "db/database.hpp"
#include "db/outbox.hpp"
#include "db/tx.hpp"
#include "services/members/logic.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <vector>
#include <utility>
#include <string>
#include <string_view>

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

// Whether members runs on this database (its schema is there). Other services
// ask before they offer points or tier benefits; without it checkout takes no
// points and applies no tier discount.
bool enabled(db::Tx& tx);

// Where points are spent: the programme decides whether bills take them.
enum class SpendOn { Order, EventFee, Bill };

struct PointsPayment {
  std::int64_t points = 0;  // points spent
  std::int64_t cents = 0;   // what they paid (points x cents_per_point)
};
// Pays part of `price_cents` with `points` (0: nothing happens) under the
// community's terms, in the caller's transaction, as debit `reference` (unique
// per member: "order:42"). Throws Invalid("points") when the programme refuses
// (more than the largest share of the price, bills not taking points, no
// programme here) and Conflict("insufficient-points") when the member holds
// fewer. The caller charges price_cents - cents in money.
PointsPayment pay_with_points(db::Tx& tx, std::int64_t community_id, std::int64_t account_id, std::int64_t points,
                              std::int64_t price_cents, SpendOn on, std::string const& reference);

// Gives `points` back (a cancelled order, an event RSVP cancelled, an
// after-sales refund), once per `reference` (a repeat changes nothing and
// returns 0), to the lots the debit `debit_reference` took them from, keeping
// their expiry. Returns the points given back.
std::int64_t give_back(db::Tx& tx, std::int64_t community_id, std::int64_t account_id, Points points,
                       std::string const& reference, std::string const& debit_reference);

// The member's tier and its shop discount (no tier: discount 0).
struct TierBenefits {
  std::optional<std::int64_t> tier_id;
  std::string tier_name;
  int discount_pct = 0;
  int earn_multiplier_pct = 100;
};
TierBenefits tier_benefits(db::Tx& tx, std::int64_t community_id, std::int64_t account_id);
// tier_benefits(…).discount_pct for several accounts at once (two statements at most):
// account -> percent, 0 for an account without a tier.
std::map<std::int64_t, int> tier_discounts(db::Tx& tx, std::int64_t community_id,
                                           std::vector<std::int64_t> const& account_ids);
// Whether the account allows its data to be used for `purpose` (its stored choice, or the
// purpose's default: marketing off, recommendations and analytics on). PUT /v1/me/consents
// publishes consent.changed {account_id, purposes} in the transaction that stores a change.
bool consents_to(db::Tx& tx, std::int64_t account_id, logic::Purpose purpose);

// Everything members stores about the account, in every community: consents,
// statuses, postings and lots (GET /v1/me/export).
boost::json::object export_account(db::Tx& tx, std::int64_t account_id);
// Account erasure (erase.cpp; members orchestrates POST /v1/me/erasure): the account's consents are
// deleted (marketing off); its points ledger, lots and tier stay, so every posting still
// balances.
// Returns what it changed, for the erasure receipt.
boost::json::object erase_account(db::Tx& tx, std::int64_t account_id);

// Whether the account gave this consent purpose ("marketing", "recommendations",
// "analytics"): the stored choice, or the purpose's default. Unknown purposes: false.
// Registered with notifications as its consent lookup.
bool has_consent(db::Tx& tx, std::int64_t account_id, std::string_view purpose);

// Job bodies ("members.expire_points", "members.announce_expiring_points",
// "members.review_tiers"); each returns how many lots / notices / downgrades it
// handled and is safe to run on several instances at once (conditional updates
// under the member lock).
int expire_due_points(db::Database& db, events::Bus& bus, std::int64_t now_ms);
int announce_expiring_points(db::Database& db, events::Bus& bus, std::int64_t now_ms);
int review_tiers(db::Database& db, events::Bus& bus, std::int64_t now_ms);

}  // namespace courtyard::members
