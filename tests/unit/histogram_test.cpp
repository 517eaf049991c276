// http::Histogram, the one histogram /metrics writes (handler latency per route, checkout batches).
#include "http/histogram.hpp"

#include <catch2/catch.hpp>

#include <string>

using courtyard::http::Histogram;

TEST_CASE("a histogram counts each duration in its bucket and writes cumulative lines", "[metrics]") {
  Histogram h;
  h.observe(0.0002);  // <= 0.0005
  h.observe(0.0005);  // on a bound: that bucket
  h.observe(0.03);    // <= 0.05
  h.observe(9.0);     // beyond the last bound: +Inf only
  CHECK(h.count() == 4);

  std::string out;
  h.render(out, "x_seconds", "route=\"GET /a\"");
  CHECK(out.find("x_seconds_bucket{route=\"GET /a\",le=\"0.0005\"} 2\n") != std::string::npos);
  CHECK(out.find("x_seconds_bucket{route=\"GET /a\",le=\"0.025\"} 2\n") != std::string::npos);
  CHECK(out.find("x_seconds_bucket{route=\"GET /a\",le=\"0.05\"} 3\n") != std::string::npos);
  CHECK(out.find("x_seconds_bucket{route=\"GET /a\",le=\"2.5\"} 3\n") != std::string::npos);
  CHECK(out.find("x_seconds_bucket{route=\"GET /a\",le=\"+Inf\"} 4\n") != std::string::npos);
  auto sum_at = out.find("x_seconds_sum{route=\"GET /a\"} ");
  REQUIRE(sum_at != std::string::npos);
  CHECK(std::stod(out.substr(sum_at + 30)) == Approx(9.0307).margin(1e-5));  // kept in whole microseconds
  CHECK(out.find("x_seconds_count{route=\"GET /a\"} 4\n") != std::string::npos);

  std::string bare;
  h.render(bare, "y_seconds");
  CHECK(bare.find("y_seconds_bucket{le=\"1\"} 3\n") != std::string::npos);
  CHECK(bare.find("y_seconds_count 4\n") != std::string::npos);
  CHECK(bare.find("y_seconds_sum 9.03") != std::string::npos);
}
