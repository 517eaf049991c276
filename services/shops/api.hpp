#pragma once
// What other parts of Courtyard may call from shops.
#include "db/database.hpp"
#include "db/outbox.hpp"
#include "db/tx.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <vector>
#include <utility>
#include <string>
#include <optional>

namespace courtyard::shops {

// The "shops.close_group_buys" job body: settles every open group buy whose closes_at has
// passed. Each is claimed with a conditional update (open -> closing) in the transaction
// that settles it, so concurrent closers (two instances, a lease that expired mid-run)
// process each group buy exactly once. Returns how many this call closed.
int close_due_group_buys(db::Database& db, events::Bus& bus, std::int64_t now_ms);

// The account that owns the merchant `mid` of community `cid` (nullopt when there is no such
// merchant): webhooks lets the owner, not the merchant's staff, manage its endpoints.
std::optional<std::int64_t> merchant_owner(db::Tx& tx, std::int64_t cid, std::int64_t mid);
// The account's rows in this service, for the resident's data export (export.cpp).
boost::json::object export_account(db::Tx& tx, std::int64_t account_id);
// Account erasure (erase.cpp; members orchestrates POST /v1/me/erasure): reviews stay (order, rating,
// text) with the author shown as a former resident; orders, items and their sums stay.
// Open orders, open group-buy places and a merchant the account owns block erasure.
// Returns what it changed, for the erasure receipt.
boost::json::object erase_account(db::Tx& tx, std::int64_t account_id);
// What stops the account from being erased now, as (code, detail); empty = nothing.
std::vector<std::pair<std::string, std::string>> erasure_blockers(db::Tx& tx, std::int64_t account_id);

}  // namespace courtyard::shops
