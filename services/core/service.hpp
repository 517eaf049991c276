#pragma once
// The Service interface (ARCHITECTURE.md "Services"). Each service is one folder:
// service.hpp/.cpp (wiring), logic (pure rules), repository (SOCI), migrations.cpp,
// api.hpp (what other services may call), openapi.json (its part of the API document).
#include "db/migration.hpp"
#include "gateway/router.hpp"
#include "services/core/events.hpp"
#include "services/core/jobs.hpp"

#include <string_view>
#include <vector>

namespace courtyard {

namespace gateway {
struct Config;
}

class Service {
 public:
  virtual ~Service() = default;
  virtual std::string_view name() const = 0;
  virtual std::vector<db::Migration> migrations() const = 0;  // versioned, per service
  virtual void routes(gateway::Router&) = 0;                   // paths + access rules
  virtual void subscribe(events::Bus&) {}                      // reactions to other services
  virtual void jobs(jobs::Scheduler&) {}                       // timers: billing, deadlines
};

// What a service gets at construction.
struct Env {
  gateway::Config const& config;
  db::Database& db;
  events::Bus& bus;
};

}  // namespace courtyard
