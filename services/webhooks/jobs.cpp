// The "webhooks.send" job: due endpoints are leased and served in order by threads of the
// pass (never by a request thread); "webhooks.prune" trims the delivery log.
#include "db/database.hpp"
#include "http/random.hpp"
#include "services/webhooks/api.hpp"
#include "services/webhooks/outbound.hpp"
#include "services/webhooks/routes.hpp"
#include "services/webhooks/signature.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <thread>

namespace courtyard::webhooks {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::int64_t kNever = LLONG_MAX / 2;
constexpr std::int64_t kLeaseMarginMs = 60'000;
constexpr std::int64_t kRetryAfterErrorMs = 60'000;
constexpr auto kPassBudget = std::chrono::seconds(2);  // an endpoint whose pass threw looks again in a minute

double jitter_unit() { return static_cast<double>(randombytes_uniform(1'000'000)) / 1'000'000.0; }

std::int64_t wall_clock_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The secrets a delivery is signed with now: the current one, and the previous one during a
// rotation's overlap.
std::vector<std::string> signing_secrets(Options const& o, repo::Endpoint const& e, std::int64_t now) {
  std::vector<std::string> out{o.box.open(e.secret)};
  if (e.previous_secret && e.previous_until > now) out.push_back(o.box.open(*e.previous_secret));
  return out;
}

// Sends one delivery and records the attempt.
void attempt(db::Database& db, Options const& o, repo::Endpoint const& e, repo::Delivery const& d,
             std::string const& lease_owner) {
  auto started_at = db::now_ms();
  std::int64_t ts = wall_clock_s();  // receivers compare it with their own clock
  outbound::Request rq;
  rq.url = e.url;
  rq.body = d.payload;
  rq.timeout = o.timeout;
  rq.allow_loopback = o.allow_loopback;
  rq.headers = {{"webhook-id", d.message_id},
                {"webhook-timestamp", std::to_string(ts)},
                {"webhook-signature", signature_header(signing_secrets(o, e, started_at), d.message_id, ts, d.payload)}};
  auto res = outbound::post(rq);

  std::optional<std::int64_t> retry_after;
  if (res.retry_after) retry_after = logic::parse_retry_after_ms(*res.retry_after, wall_clock_s() * 1000);
  std::int64_t now = db::now_ms();
  auto decision = logic::decide(res.status, retry_after, d.attempts + 1, o.schedule, jitter_unit(), now);

  std::optional<std::int64_t> http_status;
  std::optional<std::string> error;
  if (res.status > 0) http_status = res.status;
  if (!res.error.empty()) error = res.error;
  else if (decision.kind != logic::Decision::Kind::Succeeded) error = "answered HTTP " + std::to_string(res.status);

  using Kind = logic::Decision::Kind;
  std::string status = decision.kind == Kind::Succeeded ? "succeeded" : decision.kind == Kind::Failed ? "failed" : "pending";
  std::optional<std::int64_t> completed;
  if (decision.kind != Kind::Retry) completed = now;

  db::transact(db, nullptr, [&](db::Tx& tx) {
    if (!repo::finish_attempt(tx, d, d.attempts, status, decision.kind == Kind::Retry ? decision.next_attempt_at : now,
                              http_status, error, completed))
      return;  // another sender recorded this attempt first
    repo::Attempt a;
    a.community_id = d.community_id;
    a.endpoint_id = d.endpoint_id;
    a.delivery_id = d.id;
    a.attempt = d.attempts + 1;
    a.started_at = started_at;
    a.latency_ms = res.latency_ms;
    a.http_status = http_status;
    a.error = error;
    a.response_snippet = logic::snippet(res.body);
    a.outcome = decision.kind == Kind::Retry ? "retrying" : status;
    repo::insert_attempt(tx, a);
    if (!decision.disable_reason.empty()) repo::disable_endpoint(tx, e.id, decision.disable_reason);
    repo::extend_lease(tx, e.id, lease_owner, now + o.timeout.count() + kLeaseMarginMs);
  });
  if (decision.kind != Kind::Succeeded)
    spdlog::info("webhook delivery {} to endpoint {}: attempt {} {}", d.id, e.id, d.attempts + 1,
                 error.value_or("failed"));
}

struct Work {
  std::optional<repo::Endpoint> endpoint;
  std::optional<repo::Delivery> head;
};

// Serves one endpoint: leases it, sends its due deliveries in order until one fails, the
// batch is used up or the pass's time is over, then releases it with the time to look again.
int serve(db::Database& db, Options const& o, std::int64_t endpoint_id, Clock::time_point deadline) {
  std::string owner = http::random_hex(8);
  std::int64_t lease_ms = o.timeout.count() + kLeaseMarginMs;
  bool ours = db::transact(db, nullptr, [&](db::Tx& tx) {
    auto now = db::now_ms();
    return repo::claim_endpoint(tx, endpoint_id, owner, now + lease_ms, now);
  });
  if (!ours) return 0;
  int sent = 0;
  std::int64_t next = db::now_ms();
  std::int64_t wakeups_seen = -1;
  try {
    for (int i = 0;; ++i) {
      auto w = db::transact(db, nullptr, [&](db::Tx& tx) {
        return Work{repo::endpoint_by_id(tx, endpoint_id), repo::head_of(tx, endpoint_id)};
      });
      auto now = db::now_ms();
      if (!w.endpoint || !w.endpoint->enabled) {
        next = kNever;  // deleted, or disabled: re-enabling makes it due again
        break;
      }
      wakeups_seen = w.endpoint->wakeups;
      if (!w.head) {
        next = kNever;
        break;
      }
      if (w.head->next_attempt_at > now) {
        next = w.head->next_attempt_at;
        break;
      }
      if (i >= o.batch || Clock::now() >= deadline) {
        next = now;
        break;
      }
      attempt(db, o, *w.endpoint, *w.head, owner);
      ++sent;
    }
  } catch (std::exception const& e) {
    spdlog::error("webhooks: serving endpoint {} failed: {}", endpoint_id, e.what());
    next = db::now_ms() + kRetryAfterErrorMs;
  }
  try {
    db::transact(db, nullptr, [&](db::Tx& tx) {
      repo::release_endpoint(tx, endpoint_id, owner, next, wakeups_seen, db::now_ms());
    });
  } catch (std::exception const& e) {
    spdlog::error("webhooks: releasing endpoint {} failed (its lease expires): {}", endpoint_id, e.what());
  }
  return sent;
}

}  // namespace

Options options_from(settings::Values const& v) {
  Options o;
  o.allow_loopback = v.boolean("webhooks.allow-loopback");
  auto schedule = logic::parse_schedule(v.text("webhooks.retry-schedule"));
  if (!schedule)
    throw settings::InvalidSetting("webhooks.retry-schedule must list 1 to 30 durations such as 5s,5m,2h,1d (got '" +
                                   v.text("webhooks.retry-schedule") + "')");
  o.schedule = *schedule;
  o.timeout = std::chrono::milliseconds(v.integer("webhooks.timeout-ms"));
  o.max_concurrent = static_cast<int>(v.integer("webhooks.max-concurrent"));
  o.log_retention_days = v.integer("webhooks.log-retention-days");
  try {
    o.box = SecretBox(v.text("webhooks.secret-key"));
  } catch (std::invalid_argument const& e) {
    throw settings::InvalidSetting(e.what());
  }
  if (!o.box.sealing()) spdlog::warn("webhooks.secret-key is not set: endpoint secrets are stored unsealed");
  return o;
}

int send_due(db::Database& db, Options const& o) {
  auto ids = db::transact(db, nullptr, [&](db::Tx& tx) {
    return repo::due_endpoints(tx, db::now_ms(), o.max_concurrent * 4);
  });
  if (ids.empty()) return 0;
  // The pass runs on the scheduler's thread: it starts no attempt after kPassBudget, so other
  // jobs wait at most that plus one attempt's timeout; what is left goes in the next pass.
  auto deadline = Clock::now() + kPassBudget;
  std::atomic<std::size_t> next{0};
  std::atomic<int> sent{0};
  auto work = [&] {
    for (std::size_t i; (i = next++) < ids.size() && Clock::now() < deadline;) {
      try {
        sent += serve(db, o, ids[i], deadline);
      } catch (std::exception const& e) {
        spdlog::error("webhooks: could not lease endpoint {}: {}", ids[i], e.what());
      }
    }
  };
  auto threads = std::min<std::size_t>(static_cast<std::size_t>(o.max_concurrent), ids.size());
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  return sent;
}

long long prune_log(db::Database& db, std::int64_t before_ms) {
  long long total = 0;
  while (true) {
    auto n = db::transact(db, nullptr, [&](db::Tx& tx) { return repo::prune(tx, before_ms, 500); });
    total += n;
    if (n < 500) return total;
  }
}

}  // namespace courtyard::webhooks
