#pragma once
// What the gateway and tests may call from webhooks: its options and the sender's pass.
#include "db/database.hpp"
#include "http/settings.hpp"
#include "services/webhooks/logic.hpp"
#include "services/webhooks/signature.hpp"

#include <chrono>
#include <cstdint>

namespace courtyard::webhooks {

struct Options {
  bool allow_loopback = false;
  logic::Schedule schedule;
  std::chrono::milliseconds timeout{10000};
  int max_concurrent = 8;
  std::int64_t log_retention_days = 30;
  SecretBox box{""};
  int batch = 50;  // deliveries one endpoint gets per pass
};
// The webhooks.* settings; throws settings::InvalidSetting on a bad schedule or secret key.
Options options_from(settings::Values const& v);

// One pass of the "webhooks.send" job: every enabled endpoint whose head delivery is due is
// leased (one sender per endpoint, across instances) and served in order, up to
// `max_concurrent` endpoints at once on threads of this call; each gets up to `batch`
// deliveries, stopping at its first failure (the retry waits; later deliveries wait behind
// it). No attempt starts after 2 s of the pass (it runs on the scheduler's thread); the
// rest goes in the next pass. Returns the attempts made.
int send_due(db::Database& db, Options const& o);

// Deletes finished deliveries (and their attempts) completed before `before_ms`.
long long prune_log(db::Database& db, std::int64_t before_ms);

}  // namespace courtyard::webhooks
