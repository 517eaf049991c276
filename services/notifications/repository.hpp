#pragma once
// SOCI access for notification rows (bound parameters only). Rows are per account; every
// read filters by the account that asks.
#include "db/tx.hpp"
#include "http/json.hpp"
#include "services/notifications/api.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace courtyard::notifications {
// After `tx` commits, runs the watch_local_writes callbacks (api.cpp); insert_many calls it.
void wake_after_commit(db::Tx& tx);
}  // namespace courtyard::notifications

namespace courtyard::notifications::repo {

// What a notification says and to whom: shared by a row to add and a stored one.
struct Content {
  std::int64_t account_id = 0;
  std::int64_t community_id = 0;
  std::string type;
  std::string title;
  std::string body;
  std::string data;  // serialized JSON object
};

// A row to add.
struct Row : Content {
  std::optional<std::string> dedupe_key;
  bool push = true;  // sent live over /v1/ws (the resident's preference)
};

// A stored row.
struct Notification : Content {
  std::int64_t id = 0;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> read_at;
};

// INSERT IGNORE on UNIQUE(account_id, dedupe_key); returns rows inserted.
long long insert_many(db::Tx& tx, std::vector<Row> const& rows);

// A page of the account's rows, newest first (page.fetch() rows); only unread ones when
// asked; community_id 0 = every community.
std::vector<Notification> list(db::Tx& tx, std::int64_t account_id, bool unread_only, std::int64_t community_id,
                               json::Page const& page);
std::optional<Notification> find(db::Tx& tx, std::int64_t account_id, std::int64_t id);
// Sets read_at when unset; rows affected.
long long mark_read(db::Tx& tx, std::int64_t account_id, std::int64_t id);
long long mark_all_read(db::Tx& tx, std::int64_t account_id, std::int64_t community_id);
std::int64_t unread_count(db::Tx& tx, std::int64_t account_id);

// ---- preferences (a missing row = the category's default)

struct Preference {
  std::int64_t account_id = 0;
  std::string category;
  bool in_app = true, push = true, email = false;
};
std::vector<Preference> preferences(db::Tx& tx, std::int64_t account_id);
// The stored choices for one category of accounts in [lo, hi] (a batch of recipients).
std::vector<Preference> preferences_in_range(db::Tx& tx, std::string const& category, std::int64_t lo,
                                             std::int64_t hi);
void set_preference(db::Tx& tx, Preference const& p, std::int64_t now);

// ---- erasure: the account's rows and choices go; returns rows deleted
long long delete_account_rows(db::Tx& tx, std::int64_t account_id);

// ---- retention

// Ids of rows created before `cut_ms` (read or not), after `after_id`, ascending, at most `limit`.
std::vector<std::int64_t> created_before(soci::session& s, std::int64_t cut_ms, std::int64_t after_id, int limit);
// Deletes the rows with ids in [lo, hi] created before `cut_ms`; rows deleted.
long long delete_created_before(db::Tx& tx, std::int64_t lo, std::int64_t hi, std::int64_t cut_ms);

// ---- plain reads outside a transaction (db::read), for the WebSocket push

// Rows with id > `after_id` (id order), at most `limit`: the push's new rows, by primary key.
std::vector<Recent> created_after(soci::session& s, std::int64_t after_id, int limit);
// Rows whose id lies in one of the closed ranges [first, second] (id order): the push's
// re-check of ids it passed while they were not yet visible.
std::vector<Recent> in_id_ranges(soci::session& s, std::vector<std::pair<std::int64_t, std::int64_t>> const& ranges);
// The largest id (0 when there are no rows).
std::int64_t max_id(soci::session& s);
// The rows with these ids, in id order.
std::vector<Notification> by_ids(soci::session& s, std::vector<std::int64_t> const& ids);

}  // namespace courtyard::notifications::repo
