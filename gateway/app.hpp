#pragma once
// The application without the network: storage, event bus, registry of services,
// router, and the middleware pipeline that turns a Request into a Response.
// The Beast server (gateway/net) and the in-process test harness both drive App::handle.
#include "db/database.hpp"
#include "gateway/config.hpp"
#include "gateway/http.hpp"
#include "gateway/metrics.hpp"
#include "gateway/rate_limit.hpp"
#include "gateway/router.hpp"
#include "services/core/errors.hpp"
#include "services/core/events.hpp"
#include "services/core/jobs.hpp"
#include "services/core/principal.hpp"
#include "services/core/service.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace courtyard::gateway {

// Resolves a bearer credential (session token or ck_ API key) to a Principal;
// nullopt when unknown or expired. Provided by the identity service.
using Authenticator = std::function<std::optional<Principal>(db::Database&, std::string_view credential)>;

using ServiceFactory = std::function<std::unique_ptr<Service>(Env&)>;
struct ServiceEntry {
  std::string name;
  ServiceFactory make;
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
  std::vector<std::unique_ptr<Service>> const& services() const { return services_; }

  // The merged OpenAPI document served at /v1/openapi.json.
  std::string const& openapi() const { return openapi_; }
  std::string const& instance_id() const { return instance_id_; }

  // Adds a service at run time before start (plugins).
  void add_service(std::unique_ptr<Service> s);

 private:
  void platform_routes();
  void check_access(Route const& route, Request const& req, Principal const& p) const;
  std::string client_ip(Request const& req) const;

  Config config_;
  std::string instance_id_;
  std::unique_ptr<db::Database> db_;
  events::Bus bus_;
  std::unique_ptr<Env> env_;
  Router router_;
  Metrics metrics_;
  RateLimiter limiter_;
  Authenticator auth_;
  std::vector<std::unique_ptr<Service>> services_;
  std::unique_ptr<jobs::Scheduler> scheduler_;
  std::unique_ptr<events::Dispatcher> dispatcher_;
  std::string openapi_;
};

// Renders an error as application/problem+json (RFC 9457).
Response problem(int status, std::string_view slug, std::string_view title, std::string_view detail,
                 std::string_view request_id);

Response problem(ApiError const& e, std::string_view request_id);

// The merged OpenAPI document from the embedded fragments.
std::string merged_openapi();

}  // namespace courtyard::gateway
