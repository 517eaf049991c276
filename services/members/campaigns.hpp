#pragma once
// Segments and campaigns (internal to members): a stored segment evaluated over the
// member facts, and issuing a campaign to a segment's members — once, whoever asks and
// however many instances ask at the same time. The rules come from logic.hpp, the SQL
// from repository.hpp; coupons, points and messages go through shops' api, the points
// ledger and notifications' api.
#include "db/tx.hpp"
#include "services/members/logic.hpp"
#include "services/members/repository.hpp"

#include <cstdint>

namespace courtyard::members::campaigns {

// The query of a stored segment at `now` (tier names resolved to the community's tier ids;
// a name no longer in use matches nobody).
repo::SegmentQuery query_for(db::Tx& tx, repo::Segment const& s, std::int64_t now);

// Issues the draft campaign to its segment's members as they are now: each member with
// marketing consent and under the community's frequency cap gets the coupon (one
// single-use code of their own), the points (a ledger credit, reason 'campaign') or only
// the message, and a notification; the others are recorded as skipped. The campaign row is
// claimed first (draft -> issued), so a second request waits for the first and then finds
// it issued: Conflict("campaign-issued"). A merchant's campaign needs at least k members
// (422 segment-too-small, without the number). Everything commits with the caller's
// transaction or not at all.
void issue(db::Tx& tx, repo::Campaign const& c, std::int64_t by);

}  // namespace courtyard::members::campaigns
