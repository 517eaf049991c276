#include "services/identity/service.hpp"

#include "gateway/config.hpp"
#include "services/identity/credentials.hpp"
#include "services/identity/repository.hpp"
#include "services/identity/routes.hpp"

#include <stdexcept>

namespace courtyard::identity {

namespace {

Settings settings_from(gateway::Config const& config) {
  Settings s;
  auto cost = parse_password_cost(config.password_hash);
  if (!cost) throw std::invalid_argument("password_hash must be interactive, moderate or min");
  if (config.token_ttl.count() <= 0) throw std::invalid_argument("token_ttl must be positive");
  if (config.login_max_failures < 0) throw std::invalid_argument("login_max_failures must not be negative");
  if (config.login_window.count() <= 0) throw std::invalid_argument("login_window must be positive");
  s.password_cost = *cost;
  s.token_ttl_ms = std::chrono::duration_cast<std::chrono::milliseconds>(config.token_ttl).count();
  s.login_max_failures = config.login_max_failures;
  s.login_window_ms = std::chrono::duration_cast<std::chrono::milliseconds>(config.login_window).count();
  return s;
}

}  // namespace

IdentityService::IdentityService(Env& env) : settings_(settings_from(env.config)) { ensure_sodium(); }

void IdentityService::routes(gateway::Router& r) {
  add_account_routes(r, settings_);
  add_community_routes(r);
  add_api_key_routes(r);
}

void IdentityService::jobs(jobs::Scheduler& s) {
  s.every("identity.prune", std::chrono::hours(1), [window = settings_.login_window_ms](jobs::JobContext& job) {
    db::transact(job.db, &job.bus, [&](db::Tx& tx) { repo::prune(tx, job.now_ms - window, job.now_ms); });
  });
}

}  // namespace courtyard::identity
