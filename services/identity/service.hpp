#pragma once
// Accounts, sessions, communities and their buildings/units, roles (residency and staff),
// and merchant API keys. Other services use services/identity/api.hpp.
#include "http/service.hpp"
#include "services/identity/logic.hpp"

#include <cstdint>

namespace courtyard::identity {

// What the handlers need from the configuration, checked once at start.
struct Settings {
  PasswordCost password_cost = PasswordCost::Interactive;
  std::int64_t token_ttl_ms = 0;
  int login_max_failures = 5;
  std::int64_t login_window_ms = 0;
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
};

}  // namespace courtyard::identity
