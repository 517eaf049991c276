#pragma once
// SOCI access for notification rows (bound parameters only). Rows are per account; every
// read filters by the account that asks.
#include "db/tx.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace courtyard::notifications::repo {

struct Row {
  std::int64_t account_id = 0;
  std::int64_t community_id = 0;
  std::string type;
  std::string title;
  std::string body;
  std::string data;  // serialized JSON object
  std::optional<std::string> dedupe_key;
};

// INSERT IGNORE on UNIQUE(account_id, dedupe_key); returns rows inserted.
long long insert_many(db::Tx& tx, std::vector<Row> const& rows);

inline constexpr char const* kColumns =
    "id, account_id, community_id, type, title, body, data, created_at, read_at";
boost::json::object to_json(soci::row const& r);

struct ListFilter {
  std::int64_t account_id = 0;
  bool unread_only = false;
  std::int64_t community_id = 0;  // 0 = every community
  std::int64_t before_id = 0;
  std::int64_t limit = 50;
};
std::vector<boost::json::object> list(db::Tx& tx, ListFilter const& f);
std::optional<boost::json::object> find(db::Tx& tx, std::int64_t account_id, std::int64_t id);
// Sets read_at when unset; rows affected.
long long mark_read(db::Tx& tx, std::int64_t account_id, std::int64_t id);
long long mark_all_read(db::Tx& tx, std::int64_t account_id, std::int64_t community_id);
std::int64_t unread_count(db::Tx& tx, std::int64_t account_id);

}  // namespace courtyard::notifications::repo
