#pragma once
// Reading request bodies: typed accessors that throw the API's errors.
// Wrong JSON type -> 400 (BadRequest); missing or out-of-range -> 422 (Invalid).
#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace courtyard::json {

namespace bj = boost::json;

// Required fields.
std::string str(bj::object const& o, std::string_view key, std::size_t min_len = 1, std::size_t max_len = 1000);
std::int64_t integer(bj::object const& o, std::string_view key);
bool boolean(bj::object const& o, std::string_view key);
// Optional fields: absent or null -> nullopt; wrong type -> 400.
std::optional<std::string> opt_str(bj::object const& o, std::string_view key, std::size_t max_len = 1000);
std::optional<std::int64_t> opt_integer(bj::object const& o, std::string_view key);
std::optional<bool> opt_boolean(bj::object const& o, std::string_view key);
// Required RFC 3339 UTC timestamp ("2026-11-23T10:00:00Z") -> epoch ms; 422 when unparsable.
std::int64_t time_ms(bj::object const& o, std::string_view key);
std::optional<std::int64_t> opt_time_ms(bj::object const& o, std::string_view key);
// Array of objects.
bj::array const& array(bj::object const& o, std::string_view key);

// JSON this code base wrote itself (event payloads), not request bodies: never throws. An
// integer field (int64, or a uint64 up to INT64_MAX); nullopt when it is missing, not an
// integer, or (second form) the value is not an object.
std::optional<std::int64_t> int_field(bj::object const& o, std::string_view key);
std::optional<std::int64_t> int_field(bj::value const& v, std::string_view key);

// Civil dates (proleptic Gregorian, UTC): days since 1970-01-01 and back.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);
void civil_from_days(std::int64_t days, int& y, unsigned& m, unsigned& d);

// Formatting for responses.
std::string rfc3339(std::int64_t epoch_ms);                 // "2026-11-23T10:00:00Z" (ms dropped if 0)
std::optional<std::int64_t> parse_rfc3339(std::string_view s);  // accepts Z or +hh:mm offsets
bj::value time_or_null(std::optional<std::int64_t> epoch_ms);

// Cursor pagination: `limit` (1-200, default 50) and opaque `cursor` (an id, base64url).
// A list query asks for fetch() rows (one more than the page, so page_cut knows whether
// another page follows) with keys below() the cursor when it runs newest first (id DESC), or
// above() it when it runs oldest first (id ASC):
//   "… WHERE community_id = :c AND id < :b ORDER BY id DESC LIMIT :l",
//   use(cid, "c"), use(page.below(), "b"), use(page.fetch(), "l")
struct Page {
  std::int64_t limit = 50;
  std::optional<std::int64_t> after;  // decoded cursor: continue strictly after this key

  std::int64_t below() const { return after.value_or(INT64_MAX); }
  std::int64_t above() const { return after.value_or(0); }
  std::int64_t fetch() const { return limit + 1; }
};
std::string encode_cursor(std::int64_t key);
std::optional<std::int64_t> decode_cursor(std::string_view cursor);  // nullopt when garbage
// {"items": items, "next_cursor": cursor-or-null}
bj::object page_result(bj::array items, std::optional<std::int64_t> next_key);
// How much of rows fetched with LIMIT page.fetch() (keyed by `row.id`) is this page: the
// first `count` rows, and the key the next page continues after when one follows.
struct PageCut {
  std::size_t count = 0;
  std::optional<std::int64_t> next;
};
template <class Row>
PageCut page_cut(std::vector<Row> const& rows, Page const& page) {
  auto const limit = static_cast<std::size_t>(page.limit);
  if (rows.size() <= limit) return {rows.size(), std::nullopt};
  return {limit, limit > 0 ? std::optional<std::int64_t>(rows[limit - 1].id) : std::nullopt};
}
// A list page: the rows of page_cut rendered by `view`, and the cursor when another page
// follows. (json_out.hpp's page_text writes the same page as text.)
template <class Row, class View>
bj::object page_of_rows(std::vector<Row> const& rows, Page const& page, View view) {
  auto cut = page_cut(rows, page);
  bj::array items;
  items.reserve(cut.count);
  for (std::size_t i = 0; i < cut.count; ++i) items.push_back(view(rows[i]));
  return page_result(std::move(items), cut.next);
}

}  // namespace courtyard::json
