#include "http/errors.hpp"
#include "http/json.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <cstdio>
#include <ctime>

using namespace courtyard;

TEST_CASE("typed body fields: wrong type is 400, missing or invalid is 422", "[json]") {
  auto o = boost::json::parse(R"({"name":"  Rose  ","n":5,"b":true,"s":7,"blank":"   ","big":18446744073709551615})").as_object();
  CHECK(json::str(o, "name") == "Rose");
  CHECK(json::integer(o, "n") == 5);
  CHECK(json::boolean(o, "b"));
  CHECK_THROWS_AS(json::str(o, "s"), BadRequest);
  CHECK_THROWS_AS(json::integer(o, "name"), BadRequest);
  CHECK_THROWS_AS(json::str(o, "missing"), Invalid);
  CHECK_THROWS_AS(json::str(o, "blank"), Invalid);
  CHECK_THROWS_AS(json::integer(o, "big"), Invalid);
  CHECK_FALSE(json::opt_str(o, "missing"));
  CHECK_THROWS_AS(json::str(o, "name", 1, 3), Invalid);
  try {
    json::str(o, "missing");
  } catch (Invalid const& e) {
    REQUIRE(e.errors().size() == 1);
    CHECK(e.errors()[0].field == "missing");
    CHECK(e.status() == 422);
  }
}

TEST_CASE("event payload integers are read leniently and never throw", "[json][events]") {
  auto v = boost::json::parse(
      R"({"id":7,"neg":-3,"u":9223372036854775807,"huge":18446744073709551615,"s":"7","f":1.5,"b":true,"n":null})");
  auto const& o = v.as_object();
  CHECK(json::int_field(o, "id") == 7);
  CHECK(json::int_field(o, "neg") == -3);
  CHECK(json::int_field(o, "u") == INT64_MAX);
  CHECK_FALSE(json::int_field(o, "huge"));  // beyond int64: not taken as a negative number
  for (auto key : {"s", "f", "b", "n", "missing"}) CHECK_FALSE(json::int_field(o, key));
  CHECK(json::int_field(v, "id") == 7);
  CHECK_FALSE(json::int_field(boost::json::value(boost::json::array{1, 2}), "id"));
  CHECK_FALSE(json::int_field(boost::json::value(42), "id"));
}

TEST_CASE("RFC 3339 round trip", "[json][time]") {
  auto t = json::parse_rfc3339("2026-11-23T10:00:00Z");
  REQUIRE(t);
  CHECK(*t == 1795428000000LL);
  CHECK(json::rfc3339(*t) == "2026-11-23T10:00:00Z");
  CHECK(json::parse_rfc3339("2026-11-23T12:00:00+02:00") == t);
  CHECK(json::parse_rfc3339("2026-11-23T10:00:00.250Z") == *t + 250);
  CHECK(json::rfc3339(*t + 250) == "2026-11-23T10:00:00.250Z");
  CHECK_FALSE(json::parse_rfc3339("2026-02-30T10:00:00Z"));
  CHECK_FALSE(json::parse_rfc3339("2026-11-23"));
  CHECK_FALSE(json::parse_rfc3339("2026-11-23T10:00:00"));
  CHECK_FALSE(json::parse_rfc3339("yesterday"));
  CHECK(json::parse_rfc3339("2024-02-29T00:00:00Z"));
  CHECK_FALSE(json::parse_rfc3339("2025-02-29T00:00:00Z"));
}

TEST_CASE("rfc3339 writes what strftime-style formatting writes, across years and milliseconds", "[json][time]") {
  // rfc3339 formats digits by hand (it runs for every timestamp of every list row); the text
  // must stay exactly what the "%04d-%02d-%02dT%02d:%02d:%02d[.%03d]Z" format gave.
  auto reference = [](std::int64_t ms_since_epoch) {
    std::time_t secs = static_cast<std::time_t>(ms_since_epoch >= 0 ? ms_since_epoch / 1000 : (ms_since_epoch - 999) / 1000);
    int ms = static_cast<int>(ms_since_epoch - static_cast<std::int64_t>(secs) * 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    if (ms == 0)
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                    tm.tm_hour, tm.tm_min, tm.tm_sec);
    else
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
    return std::string(buf);
  };
  std::int64_t const samples[] = {0, 1, 999, 1000, -1, -1000, -1001, 1795428000000LL, 1795428000250LL,
                                  253402300799999LL, 253402300800000LL, -62167219200000LL, -62167219201500LL,
                                  951782400007LL, 4102444799990LL};
  for (auto t : samples) CHECK(json::rfc3339(t) == reference(t));
  for (std::int64_t t = -5000000000000LL; t < 6000000000000LL; t += 7777777777LL + 13) CHECK(json::rfc3339(t) == reference(t));
}

TEST_CASE("cursors are opaque round trips and garbage is rejected", "[json][pagination]") {
  CHECK(json::decode_cursor(json::encode_cursor(12345)) == 12345);
  CHECK_FALSE(json::decode_cursor("zzz"));
  CHECK_FALSE(json::decode_cursor("c-1"));
  CHECK_FALSE(json::decode_cursor("c12x"));
  auto page = json::page_result(boost::json::array{1, 2}, 2);
  CHECK(page.at("next_cursor").as_string() == json::encode_cursor(2));
  CHECK(json::page_result({}, std::nullopt).at("next_cursor").is_null());
}

TEST_CASE("a page's query bounds: below and above the cursor, one row more than the page", "[json][pagination]") {
  json::Page first{20, std::nullopt};
  CHECK(first.below() == INT64_MAX);  // newest first: every id
  CHECK(first.above() == 0);          // oldest first: every id
  CHECK(first.fetch() == 21);
  json::Page next{1, 500};
  CHECK(next.below() == 500);
  CHECK(next.above() == 500);
  CHECK(next.fetch() == 2);
  // What a page of `fetch()` rows becomes: `limit` of them and the last one's key as the cursor.
  struct R {
    std::int64_t id;
  };
  std::vector<R> rows{{9}, {8}};
  auto cut = json::page_cut(rows, next);
  CHECK(cut.count == 1);
  CHECK(cut.next == 9);
  rows.pop_back();
  CHECK_FALSE(json::page_cut(rows, next).next);
}

TEST_CASE("times whose UTC instant falls outside years 0000-9999 are refused", "[json][time][fuzz]") {
  // Found by tests/fuzz (fuzz_json): accepted, then printed as "10000-01-01T..." which no
  // client (nor parse_rfc3339 itself) could read back.
  CHECK_FALSE(courtyard::json::parse_rfc3339("9999-12-31T23:59:59.999-23:59"));
  CHECK_FALSE(courtyard::json::parse_rfc3339("0000-01-01T00:00:00+01:00"));
  auto edge = courtyard::json::parse_rfc3339("9999-12-31T23:59:59.999Z");
  REQUIRE(edge);
  CHECK(courtyard::json::parse_rfc3339(courtyard::json::rfc3339(*edge)) == edge);
}
