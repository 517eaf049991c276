#pragma once
// The fixtures the matrix and mass-assignment suites share: two communities, each with one
// of every kind of object, created through the public API; the callers that act on them;
// and a digest of the business tables.
#include "tests/support/test_app.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace courtyard::test::matrix {

namespace bj = boost::json;

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;

// Fails the fixture (not the matrix) when a set-up call does not answer as expected.
Result must(Result r, std::initializer_list<int> ok, std::string const& what);
http::Headers idem(TestApp& t);
std::string at(std::int64_t ms_from_now);  // RFC 3339, relative to the application clock

// One community and one of every object in it.
struct World {
  Community c;
  Actor resident, resident2, merchant, merchant2, courier, applicant;
  Actor staff;  // a staff account of `merchant` (orders and redemptions only)
  std::int64_t mid = 0, mid2 = 0;
  std::int64_t pid = 0, pid2 = 0;
  std::int64_t oid = 0;          // placed, by `resident` at `mid`
  std::int64_t ready_oid = 0;    // ready for delivery, by `resident` at `mid`
  std::int64_t delivery = 0;     // the task for ready_oid
  std::int64_t slot = 0;         // a delivery slot of the merchant
  std::int64_t segment = 0, merchant_segment = 0;  // the manager's and `merchant`'s segments
  std::int64_t campaign = 0;     // a message campaign of the manager (a draft)
  std::int64_t wish = 0;         // posted by `resident`
  std::int64_t ticket = 0, bill = 0, schedule = 0, club = 0, event = 0, post = 0, parcel = 0, pass = 0,
               amenity = 0, booking = 0, suggestion = 0, announcement = 0, application = 0, group_buy = 0,
               notification = 0;
  std::int64_t key_all_id = 0, key_none_id = 0, key_spare_id = 0;
  // Webhook endpoints of `merchant` and of the community, each with a queued test delivery.
  std::int64_t hook = 0, hook_delivery = 0, community_hook = 0, community_hook_delivery = 0;
  std::string key_all, key_none;             // ck_ tokens of `merchant`'s keys
  std::vector<std::string> key_none_scopes;  // the scopes the limited key holds

  std::string base() const { return c.base(); }
  std::string mbase() const { return c.base() + "/merchants/" + std::to_string(mid); }
  // The id substituted for a path parameter (the segment before it says which kind for {id}).
  std::int64_t param(std::string const& name, std::string const& previous_segment, std::string const& path) const;
};

// Builds a world; `scopes` are every API-key scope the route table names.
World build_world(TestApp& t, std::vector<std::string> const& scopes);

// Every scope named by a route.
std::vector<std::string> route_scopes(TestApp& t);

// Business tables: every table except the bookkeeping ones below. Maps table -> digest text
// (row count and a hash of every row, sorted, all columns).
std::set<std::string> const& bookkeeping_tables();
std::map<std::string, std::string> digest(TestApp& t);
std::int64_t count_rows(TestApp& t, std::string const& table);
std::int64_t max_id(TestApp& t, std::string const& table);  // 0 when empty
// Rows with id > after, each as "col=value, ..." (for reports).
std::vector<std::string> rows_after(TestApp& t, std::string const& table, std::int64_t after);

}  // namespace courtyard::test::matrix
