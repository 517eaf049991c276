// http::csv: the one rule for CSV answers (which format was asked for, how a field is written).
#include "http/csv.hpp"
#include "http/errors.hpp"

#include <catch2/catch.hpp>

using namespace courtyard;

namespace {

http::Request with(std::vector<std::pair<std::string, std::string>> query, std::string accept = "") {
  http::Request r;
  r.query = std::move(query);
  if (!accept.empty()) r.headers.emplace_back("accept", std::move(accept));
  return r;
}

}  // namespace

TEST_CASE("CSV fields are quoted only when they must be, and formulas are shown, not run", "[csv]") {
  using http::csv::field;
  CHECK(field("plain") == "plain");
  CHECK(field("SEPA-1") == "SEPA-1");
  CHECK(field("") == "");
  CHECK(field("a,b") == "\"a,b\"");
  CHECK(field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(field("two\nlines") == "\"two\nlines\"");
  CHECK(field("cr\rhere") == "\"cr\rhere\"");
  // Spreadsheet formulas get a leading apostrophe inside quotes.
  CHECK(field("=SUM(A1)") == "\"'=SUM(A1)\"");
  CHECK(field("+cmd") == "\"'+cmd\"");
  CHECK(field("-1+2|calc") == "\"'-1+2|calc\"");
  CHECK(field("@import") == "\"'@import\"");
  CHECK(field("\tx") == "\"'\tx\"");
  CHECK(field("=\"a\"") == "\"'=\"\"a\"\"\"");
  // Numbers stay numbers.
  CHECK(field("-5") == "-5");
  CHECK(field("+3.25") == "+3.25");
  CHECK(field("-") == "\"'-\"");
  CHECK(field("-.") == "\"'-.\"");
  CHECK(field("1.2.3") == "1.2.3");
}

TEST_CASE("the format is ?format=csv|json, else the Accept header; another format is a 422", "[csv]") {
  using http::csv::wanted;
  CHECK(wanted(with({{"format", "csv"}})));
  CHECK_FALSE(wanted(with({{"format", "json"}}, "text/csv")));
  CHECK(wanted(with({}, "text/csv")));
  CHECK(wanted(with({}, "application/json;q=0.5, text/csv")));
  CHECK_FALSE(wanted(with({}, "application/json")));
  CHECK_FALSE(wanted(with({})));
  CHECK(wanted(with({{"format", ""}}, "text/csv")));  // empty counts as absent
  CHECK_THROWS_AS(wanted(with({{"format", "xml"}})), Invalid);
}

TEST_CASE("a CSV download names its file", "[csv]") {
  auto r = http::csv::download("a,b\r\n", "audit");
  CHECK(r.status == 200);
  CHECK(r.body == "a,b\r\n");
  CHECK(r.content_type == "text/csv; charset=utf-8");
  CHECK(r.header("content-disposition") == std::optional<std::string_view>("attachment; filename=\"audit.csv\""));
}
