#include "services/identity/service.hpp"

#include "services/identity/credentials.hpp"
#include "services/identity/repository.hpp"
#include "services/identity/routes.hpp"

#include <stdexcept>

namespace courtyard::identity {

namespace {

Settings settings_from(settings::Values const& v) {
  Settings s;
  auto cost = parse_password_cost(v.choice("identity.password-hash"));
  s.password_cost = *cost;
  s.token_ttl_ms = v.integer("identity.token-ttl-hours") * 3600 * 1000;
  s.login_max_failures = int(v.integer("identity.login-max-failures"));
  s.login_window_ms = v.integer("identity.login-window-minutes") * 60 * 1000;
  s.login_global_failures = int(v.integer("identity.login-global-max-failures"));
  s.login_max_delay_ms = v.integer("identity.login-max-delay-seconds") * 1000;
  s.hash_concurrency = int(v.integer("identity.hash-concurrency"));
  s.hash_per_client_per_minute = int(v.integer("identity.hash-per-client-per-minute"));
  s.hash_burst = int(v.integer("identity.hash-burst"));
  s.max_pending_applications = int(v.integer("identity.max-pending-applications"));
  return s;
}

}  // namespace

IdentityService::IdentityService(Env& env)
    : settings_(settings_from(env.settings)),
      buckets_(std::make_shared<HashBuckets>(settings_.hash_per_client_per_minute, settings_.hash_burst)) {
  ensure_sodium();
  set_hash_concurrency(settings_.hash_concurrency);  // the gate is process-wide
}

std::vector<settings::Key> IdentityService::settings_keys() {
  using K = settings::Key;
  return {
      K::integer("identity.token-ttl-hours", 720, 1, 24 * 366 * 10, "session token lifetime in hours",
                 "token-ttl-hours"),
      K::choice("identity.password-hash", "interactive", {"interactive", "moderate", "min"},
                "Argon2id cost (min: tests only)", "password-hash"),
      K::integer("identity.login-max-failures", 5, 1, 1'000'000, "failed logins per email and client address per window before 429",
                 "login-max-failures"),
      K::integer("identity.login-window-minutes", 15, 1, 24 * 60 * 31, "failed-login window in minutes",
                 "login-window-minutes"),
      K::integer("identity.login-global-max-failures", 50, 1, 1'000'000,
                 "failed logins per email from all addresses per window before each attempt is delayed"),
      K::integer("identity.login-max-delay-seconds", 900, 1, 24 * 3600, "longest delay between attempts on one email"),
      K::integer("identity.hash-concurrency", 0, 0, 1024, "Argon2id computations at once (0: twice the cores)"),
      K::integer("identity.hash-per-client-per-minute", 0, 0, 1'000'000,
                 "register/login requests per client address per minute, per instance (0: unlimited)"),
      K::integer("identity.hash-burst", 10, 1, 1'000'000, "register/login burst per client address"),
      K::integer("identity.max-pending-applications", 3, 1, 1000,
                 "open residency applications per account (one per community)"),
  };
}

void IdentityService::routes(http::Router& r) {
  add_account_routes(r, settings_, buckets_);
  add_community_routes(r, settings_);
  add_api_key_routes(r);
  add_merchant_staff_routes(r);
}

void IdentityService::jobs(jobs::Scheduler& s) {
  s.every("identity.prune", std::chrono::hours(1), [window = settings_.login_window_ms](jobs::JobContext& job) {
    db::transact(job.db, &job.bus, [&](db::Tx& tx) { repo::prune(tx, job.now_ms - window, job.now_ms); });
  });
}

}  // namespace courtyard::identity
