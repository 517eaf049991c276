#pragma once
// What other services and the gateway's WebSocket push may call from notifications.
#include "db/tx.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <utility>
#include <optional>
#include <string>
#include <vector>

namespace courtyard::notifications {

// Adds a notification row for one account inside the caller's transaction (so it commits
// with its cause). `dedupe_key`, when given, makes the call idempotent per account
// (a second call with the same key adds nothing and returns 0). Returns the new row's id.
std::int64_t notify(db::Tx& tx, std::int64_t account_id, std::int64_t community_id, std::string const& type,
                    std::string const& title, std::string const& body, boost::json::object const& data = {},
                    std::optional<std::string> const& dedupe_key = std::nullopt);

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

// The rows with these ids, as the API shows them ({id, account_id, community_id, type, title,
// body, data, created_at, read_at}), in id order.
std::vector<boost::json::object> by_ids(db::Database& db, std::vector<std::int64_t> const& ids);

// The account's rows in this service, for the resident's data export (export.cpp).
boost::json::object export_account(db::Tx& tx, std::int64_t account_id);

}  // namespace courtyard::notifications
