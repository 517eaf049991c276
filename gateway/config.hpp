#pragma once
// Configuration: CLI flags > environment (COURTYARD_<KEY>: upper case, dashes and dots as
// underscores) > config file (`key = value` lines, `[service]` sections; unknown keys are
// rejected) > defaults. Platform keys live here; each service declares its own section.
#include "http/settings.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace courtyard::gateway {

struct Config {
  std::string listen = "127.0.0.1:8080";
  std::string db = "sqlite3://courtyard.db";
  int threads = 2;             // I/O threads
  int workers = 0;             // handler worker threads (blocking storage calls); 0 = by storage (App)
  int queue = 1024;            // pending handler jobs before 503
  std::size_t db_pool = 0;     // 0 = workers + 6
  bool demo = false;
  std::vector<std::string> services{"identity", "wallet", "property", "shops", "clubs", "delivery", "notifications",
                                    "webhooks", "members", "settlement", "analytics",
                                    "recommendations"};
  std::vector<std::string> plugins;       // paths to plugin .so files
  std::string instance_id;                // lease owner; default host:pid:random
  std::string web_root = "auto";          // built web clients (portal/, app/); auto: next to the binary; "" = none

  // HTTP limits
  std::size_t header_limit = 16 * 1024;   // -> 431
  std::size_t body_limit = 1024 * 1024;   // -> 413
  std::chrono::seconds read_timeout{15};  // whole request (headers + body) must arrive in this
  std::chrono::seconds idle_timeout{60};  // keep-alive idle
  std::chrono::seconds drain_timeout{20}; // SIGTERM: in-flight requests get this long
  std::size_t max_connections = 20000;
  // SO_REUSEPORT: several processes on one host listen on the same port and the kernel
  // spreads new connections over them (a process holds at most its descriptor limit).
  bool reuse_port = false;

  // Middleware
  bool access_log = true;
  std::string log_level = "info";
  std::string log_format = "auto";  // access log: json | text | auto (text on a terminal, else JSON)
  double rate_limit_rps = 50;   // per principal (or IP when anonymous); 0 disables
  double rate_limit_burst = 100;
  // Behind a load balancer every request comes from its address; for requests from these
  // addresses the client is the right-most X-Forwarded-For entry that is not one of them.
  std::vector<std::string> trusted_proxies;

  // Each service's own section ("identity.token-ttl-hours", "delivery.auto-assign-delay"),
  // declared by the service (http/settings.hpp). App fills in defaults for keys not set here.
  settings::Values settings;

  // Signed-in principals are cached this long at most (0 disables; http/principal_cache.hpp).
  std::chrono::milliseconds auth_cache{10'000};

  // Events / jobs
  std::chrono::milliseconds dispatcher_poll{200};
  std::chrono::milliseconds scheduler_poll{1000};
  int events_retention_days = 7;  // finished event deliveries and their events are pruned after this
  bool background = true;  // run dispatcher + scheduler threads (tests turn it off and drain)
};

// Parses argv + environment + optional --config file. Throws std::invalid_argument with a
// readable message on unknown keys or bad values. Sets `help` when --help was given.
struct ParsedConfig {
  Config config;
  bool help = false;
  std::string help_text;
};
// `service_keys` are the keys the services declare (all_service_keys() by default).
ParsedConfig parse_config(int argc, char const* const* argv, char const* const* envp,
                          std::vector<settings::Key> const& service_keys);
ParsedConfig parse_config(int argc, char const* const* argv, char const* const* envp);

}  // namespace courtyard::gateway
