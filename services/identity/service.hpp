#pragma once
// Accounts, sessions, communities and their buildings/units, roles (residency and staff),
// and merchant API keys. Other services use services/identity/api.hpp.
#include "http/service.hpp"
#include "services/identity/logic.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace courtyard::identity {

// What the handlers need from the configuration, checked once at start.
struct Settings {
  PasswordCost password_cost = PasswordCost::Interactive;
  std::int64_t token_ttl_ms = 0;
  int login_max_failures = 5;         // per (email, client address) in the window
  std::int64_t login_window_ms = 0;
  int login_global_failures = 50;     // per email over every address, then exponential delay
  std::int64_t login_max_delay_ms = 0;
  int hash_concurrency = 0;           // 0: twice the cores
  int hash_per_client_per_minute = 0; // 0: no per-client limit
  int hash_burst = 10;
  int max_pending_applications = 3;   // per account, over every community
};

// Per-client token buckets for requests that run Argon2id (register, login). In memory, so
// each instance limits on its own: behind N instances a client gets up to N times the rate.
class HashBuckets {
 public:
  HashBuckets(int per_minute, int burst) : per_minute_(per_minute), burst_(burst) {}
  // Throws TooManyRequests when `client` has used up its hashing budget.
  void take(std::string const& client, std::int64_t now_ms);

 private:
  int per_minute_;
  int burst_;
  std::mutex mu_;
  std::map<std::string, Bucket> buckets_;
};

class IdentityService final : public Service {
 public:
  // Throws std::invalid_argument when the identity settings in the config are invalid.
  explicit IdentityService(Env& env);
  // The identity.* configuration section.
  static std::vector<settings::Key> settings_keys();
  std::string_view name() const override { return "identity"; }
  std::vector<db::Migration> migrations() const override;
  void routes(http::Router& r) override;
  void jobs(jobs::Scheduler& s) override;

 private:
  Settings settings_;
  std::shared_ptr<HashBuckets> buckets_;
};

}  // namespace courtyard::identity
