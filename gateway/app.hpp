#pragma once
// The application without the network: storage, event bus, registry of services,
// router, and the middleware pipeline that turns a Request into a Response.
// The Beast server (gateway/net) and the in-process test harness both drive App::handle.
#include "db/database.hpp"
#include "gateway/config.hpp"
#include "gateway/metrics.hpp"
#include "gateway/rate_limit.hpp"
#include "gateway/static_files.hpp"
#include "http/problem.hpp"
#include "http/router.hpp"
#include "http/principal.hpp"
#include "http/principal_cache.hpp"
#include "http/service.hpp"
#include "db/jobs.hpp"
#include "db/outbox.hpp"

#include <spdlog/common.h>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace courtyard::gateway {

// The HTTP vocabulary (http/) used unqualified throughout the gateway.
using http::Access;
using http::Headers;
using http::problem;
using http::Request;
using http::Response;
using http::Route;
using http::Router;

// Resolves a bearer credential (session token or ck_ API key) to a Principal;
// nullopt when unknown or expired. Provided by the identity service.
using Authenticator = std::function<std::optional<Principal>(db::Database&, std::string_view credential)>;

using ServiceFactory = std::function<std::unique_ptr<Service>(Env&)>;
struct ServiceEntry {
  std::string name;
  ServiceFactory make;
  std::vector<settings::Key> settings = {};  // the service's configuration section
};

class App {
 public:
  // Builds the enabled services (config.services, in `available` order), runs platform and
  // service migrations, collects routes, subscriptions and jobs.
  App(Config config, std::vector<ServiceEntry> const& available, Authenticator auth);
  ~App();

  // The whole middleware chain: request id -> metrics/access log -> auth -> rate limit ->
  // route match -> access rule -> handler -> problem+json mapping.
  Response handle(Request& req);
  // True when the request may run on the I/O thread (routes marked inline_ok).
  bool is_inline(std::string_view method, std::string_view path) const;

  // Background dispatcher + scheduler threads (config.background).
  void start_background();
  void stop_background();
  // Tests: process every due event delivery / run a job now.
  int drain_events();
  bool run_job(std::string const& name);

  Config const& config() const { return config_; }
  db::Database& db() { return *db_; }
  events::Bus& bus() { return bus_; }
  Router& router() { return router_; }
  Metrics& metrics() { return metrics_; }
  principals::Cache* principal_cache() { return principals_.get(); }
  std::vector<std::unique_ptr<Service>> const& services() const { return services_; }

  StaticFiles const& web() const { return *web_; }

  // The merged OpenAPI document served at /v1/openapi.json.
  std::string const& openapi() const { return openapi_; }
  std::string const& instance_id() const { return instance_id_; }

  // The access log: one JSON line per request (machines), or a short human line (terminal);
  // its level (info; the demo seeding logs at debug so the terminal shows the URLs first).
  void set_access_log_format(bool json) { access_log_json_ = json; }
  void set_access_log_level(spdlog::level::level_enum l) { access_log_level_ = l; }
  // The demo seeding talks to the server in-process, weeks of orders for a few accounts: its
  // requests must not spend those accounts' rate-limit budgets (off while it runs).
  void set_rate_limited(bool on) { rate_limited_ = on; }

  // Adds a service at run time before start (plugins).
  void add_service(std::unique_ptr<Service> s);

 private:
  void platform_routes();
  void rate_headers(Headers& out, RateLimiter::Decision const& d) const;
  std::string access_line(Request const& req, std::string const& route, int status, double secs,
                          std::int64_t account) const;
  void check_access(Route const& route, Request const& req, Principal const& p) const;
  std::string client_ip(Request const& req) const;
  // The credential's principal through the cache (nullptr when unknown or expired).
  std::shared_ptr<Principal const> authenticate(std::string_view credential);

  Config config_;
  std::string instance_id_;
  std::unique_ptr<db::Database> db_;
  events::Bus bus_;
  std::unique_ptr<Env> env_;
  Router router_;
  Metrics metrics_;
  RateLimiter limiter_;
  std::atomic<bool> rate_limited_{true};
  Authenticator auth_;
  std::unique_ptr<principals::Cache> principals_;  // null when auth-cache-ms is 0
  std::vector<std::unique_ptr<Service>> services_;
  std::unique_ptr<jobs::Scheduler> scheduler_;
  std::unique_ptr<events::Dispatcher> dispatcher_;
  std::string openapi_;
  std::unique_ptr<StaticFiles> web_;
  bool access_log_json_ = true;
  std::atomic<spdlog::level::level_enum> access_log_level_{spdlog::level::info};
};

// The merged OpenAPI document from the embedded fragments.
std::string merged_openapi();

}  // namespace courtyard::gateway
