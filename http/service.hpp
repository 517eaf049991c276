#pragma once
// The Service interface (ARCHITECTURE.md "The service template"). Each service is one
// folder: service.hpp/.cpp (wiring only), routes.hpp + <area>_routes.cpp (handlers),
// views.cpp (JSON shapes), repository.hpp/.cpp (all SQL), logic.hpp/.cpp (pure rules),
// migrations.cpp, api.hpp (what other services may call), openapi.json.
#include "db/jobs.hpp"
#include "db/migration.hpp"
#include "db/outbox.hpp"
#include "http/router.hpp"
#include "http/settings.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace courtyard {

class Service {
 public:
  virtual ~Service() = default;
  virtual std::string_view name() const = 0;
  virtual std::vector<db::Migration> migrations() const = 0;  // versioned, per service
  virtual void routes(http::Router&) = 0;                      // paths + access rules
  virtual void subscribe(events::Bus&) {}                      // reactions to other services
  virtual void jobs(jobs::Scheduler&) {}                       // timers: billing, deadlines
  // Prometheus text exposition lines this service adds to /metrics (its own figures, named
  // courtyard_<service>_…; counters are per process).
  virtual void metrics(std::string&) const {}
};

// What a service gets at construction: its configuration section (validated by the
// service), storage and the event bus.
struct Env {
  settings::Values const& settings;
  db::Database& db;
  events::Bus& bus;
};

}  // namespace courtyard
