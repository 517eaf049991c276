#pragma once
// What the gateway tests share: requests handed straight to App::handle, and second Apps
// on the test database with settings of their own.
#include "gateway/app.hpp"
#include "tests/support/test_app.hpp"

#include <memory>
#include <string>

namespace courtyard::test::gateway_test {

// A request as the network layer hands it to App::handle, coming from `remote_ip` (each test
// file uses its own, so their rate-limit buckets stay apart).
inline http::Request request_from(std::string remote_ip, std::string method, std::string path,
                                  http::Headers headers = {}, std::string body = {}) {
  http::Request r;
  r.method = std::move(method);
  r.target = path;
  r.path = std::move(path);
  r.headers = std::move(headers);
  r.body = std::move(body);
  r.remote_ip = std::move(remote_ip);
  return r;
}

// The test app's settings for a second App on the same database: no background work, no
// access log, a pool of two connections, and the given rate limit. Callers set its services.
inline gateway::Config second_app_config(double rps, double burst) {
  gateway::Config cfg = TestApp::get().app().config();
  cfg.background = false;
  cfg.access_log = false;
  cfg.rate_limit_rps = rps;
  cfg.rate_limit_burst = burst;
  cfg.db_pool = 2;
  return cfg;
}

}  // namespace courtyard::test::gateway_test
