#pragma once
// What other services and the gateway's WebSocket push may call from notifications.
#include "db/tx.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <utility>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace courtyard::notifications {

// Adds a notification row for one account inside the caller's transaction (so it commits
// with its cause). `dedupe_key`, when given, makes the call idempotent per account
// (a second call with the same key adds nothing and returns 0). Returns the new row's id,
// or 0 when the recipient's preferences drop it: callers need not check preferences or
// consent themselves. `type` picks the preference category (logic::category_of): a type
// starting with "campaign" or "marketing" (e.g. "campaign.message") is marketing, delivered
// only when the recipient gave the marketing consent and did not turn marketing off.
std::int64_t notify(db::Tx& tx, std::int64_t account_id, std::int64_t community_id, std::string const& type,
                    std::string const& title, std::string const& body, boost::json::object const& data = {},
                    std::optional<std::string> const& dedupe_key = std::nullopt);

// Whether the account gave a consent purpose ("marketing"). Members owns consents and
// registers the lookup when it is built (notifications cannot link members); without one,
// nobody has consented and marketing notifications are dropped.
using ConsentLookup = bool (*)(db::Tx& tx, std::int64_t account_id, std::string_view purpose);
void set_consent_lookup(ConsentLookup lookup);

// ---- for the WebSocket push (gateway/net/notifier)

struct Recent {
  std::int64_t id = 0;
  std::int64_t account_id = 0;
  std::int64_t created_at = 0;
};
// Rows with id > `after_id` (id order), at most `limit`.
std::vector<Recent> created_after(db::Database& db, std::int64_t after_id, int limit);
// Rows whose id lies in one of the closed ranges [first, second], id order.
std::vector<Recent> in_id_ranges(db::Database& db, std::vector<std::pair<std::int64_t, std::int64_t>> const& ranges);
// The largest notification id so far (0 when there is none).
std::int64_t max_id(db::Database& db);

// Called on the committing thread right after every transaction in this process that added
// notification rows commits (the push wakes its poller with it, instead of waiting for its
// next poll; rows written by other processes are still found by the poll). Keep it cheap and
// non-throwing. Returns a handle for unwatch_local_writes.
std::uint64_t watch_local_writes(std::function<void()> wake);
void unwatch_local_writes(std::uint64_t handle);

// The rows with these ids that are to be pushed live (the recipient's push preference was on
// when the row was written), as the API shows them ({id, account_id, community_id, type, title,
// body, data, created_at, read_at}), in id order.
std::vector<boost::json::object> by_ids(db::Database& db, std::vector<std::int64_t> const& ids);

// The account's rows in this service, for the resident's data export (export.cpp).
boost::json::object export_account(db::Tx& tx, std::int64_t account_id);
// Account erasure: deletes the account's notification rows (their texts name orders,
// parcels, pickup codes) and its preferences. Returns what it did ({"notifications_deleted"}).
boost::json::object erase_account(db::Tx& tx, std::int64_t account_id);

}  // namespace courtyard::notifications
