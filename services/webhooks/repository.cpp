#include "services/webhooks/repository.hpp"

#include "db/query.hpp"
#include "services/webhooks/logic.hpp"

#include <climits>

namespace courtyard::webhooks::repo {

namespace {

using soci::use;

soci::indicator null_if_absent(bool present) { return present ? soci::i_ok : soci::i_null; }

#define WEBHOOKS_ENDPOINT_COLS                                                                             \
  "id, community_id, merchant_id, url, description, event_types, enabled, disabled_reason, secret, "      \
  "previous_secret, previous_until, wakeups, created_by, created_at, updated_at"
Endpoint endpoint_from(db::Row const& r) {
  db::Cols c(r);
  Endpoint e;
  std::string types;
  c.into(e.id, e.community_id, e.merchant_id, e.url, e.description, types, e.enabled, e.disabled_reason, e.secret,
         e.previous_secret, e.previous_until, e.wakeups, e.created_by, e.created_at, e.updated_at);
  e.event_types = logic::split_types(types);
  return e;
}

#define WEBHOOKS_DELIVERY_COLS                                                                         \
  "id, community_id, endpoint_id, event_id, seq, message_id, event_type, payload, status, attempts, " \
  "next_attempt_at, last_status, last_error, replay_of, created_at, completed_at"
constexpr auto delivery_from =
    db::fields(&Delivery::id, &Delivery::community_id, &Delivery::endpoint_id, &Delivery::event_id,
               &Delivery::seq, &Delivery::message_id, &Delivery::event_type, &Delivery::payload,
               &Delivery::status, &Delivery::attempts, &Delivery::next_attempt_at, &Delivery::last_status,
               &Delivery::last_error, &Delivery::replay_of, &Delivery::created_at, &Delivery::completed_at);

#define WEBHOOKS_ATTEMPT_COLS                                                                              \
  "id, community_id, endpoint_id, delivery_id, attempt, started_at, latency_ms, http_status, error, " \
  "response_snippet, outcome"
constexpr auto attempt_from =
    db::fields(&Attempt::id, &Attempt::community_id, &Attempt::endpoint_id, &Attempt::delivery_id,
               &Attempt::attempt, &Attempt::started_at, &Attempt::latency_ms, &Attempt::http_status,
               &Attempt::error, &Attempt::response_snippet, &Attempt::outcome);


// A new delivery makes its endpoint due now (unless it already is) and counts as a wake-up.
constexpr char const* kWake =
    "UPDATE webhook_endpoints SET wakeups = wakeups + 1, "
    "next_send_at = CASE WHEN next_send_at > :now THEN :now2 ELSE next_send_at END WHERE id = :id";
void wake(db::Tx& tx, std::int64_t endpoint_id) {
  std::int64_t now = tx.now_ms();
  tx.exec(kWake, use(now, "now"), use(now, "now2"), use(endpoint_id, "id"));
}

std::string cut(std::string const& s, std::size_t n) { return s.size() <= n ? s : s.substr(0, n); }

}  // namespace

// ---- endpoints

constexpr char const* kInsertEndpoint =
    "INSERT INTO webhook_endpoints (community_id, merchant_id, url, description, event_types, enabled, secret, "
    "previous_until, next_send_at, created_by, created_at, updated_at) "
    "VALUES (:c, :m, :u, :d, :t, 1, :s, 0, :n, :by, :at, :at2)";
std::int64_t insert_endpoint(db::Tx& tx, Endpoint const& e) {
  std::string types = logic::join_types(e.event_types);
  std::int64_t now = tx.now_ms(), never = LLONG_MAX / 2;
  return tx.insert("webhook_endpoints", kInsertEndpoint, use(e.community_id, "c"), use(e.merchant_id, "m"),
                   use(e.url, "u"), use(e.description, "d"), use(types, "t"), use(e.secret, "s"), use(never, "n"),
                   use(e.created_by, "by"), use(now, "at"), use(now, "at2"));
}

constexpr char const* kFindEndpoint = "SELECT " WEBHOOKS_ENDPOINT_COLS
                                      " FROM webhook_endpoints WHERE id = :id AND community_id = :c AND merchant_id = :m";
std::optional<Endpoint> find_endpoint(db::Tx& tx, Owner const& o, std::int64_t id) {
  return db::one(tx, kFindEndpoint, endpoint_from, use(id, "id"), use(o.community_id, "c"), use(o.merchant_id, "m"));
}

constexpr char const* kEndpointById = "SELECT " WEBHOOKS_ENDPOINT_COLS " FROM webhook_endpoints WHERE id = :id";
std::optional<Endpoint> endpoint_by_id(db::Tx& tx, std::int64_t id) {
  return db::one(tx, kEndpointById, endpoint_from, use(id, "id"));
}

constexpr char const* kCountEndpoints =
    "SELECT COUNT(*) FROM webhook_endpoints WHERE community_id = :c AND merchant_id = :m";
std::int64_t count_endpoints(db::Tx& tx, Owner const& o) {
  return db::scalar(tx, kCountEndpoints, use(o.community_id, "c"), use(o.merchant_id, "m"));
}

constexpr char const* kListEndpoints =
    "SELECT " WEBHOOKS_ENDPOINT_COLS
    " FROM webhook_endpoints WHERE community_id = :c AND merchant_id = :m AND id < :b ORDER BY id DESC LIMIT :l";
std::vector<Endpoint> list_endpoints(db::Tx& tx, Owner const& o, json::Page const& page) {
  return db::all(tx, kListEndpoints, endpoint_from, use(o.community_id, "c"), use(o.merchant_id, "m"),
                 use(page.below(), "b"), use(page.fetch(), "l"));
}

constexpr char const* kUpdateEndpoint =
    "UPDATE webhook_endpoints SET url = :u, description = :d, event_types = :t, enabled = :e, "
    "disabled_reason = :r, updated_at = :at, "
    // Re-enabled: look at its queue now.
    "next_send_at = CASE WHEN :e2 = 1 THEN :now ELSE next_send_at END WHERE id = :id";
void update_endpoint(db::Tx& tx, Endpoint const& e) {
  std::string types = logic::join_types(e.event_types);
  std::string reason = e.disabled_reason.value_or("");
  soci::indicator reason_ind = null_if_absent(e.disabled_reason.has_value());
  int enabled = e.enabled ? 1 : 0;
  std::int64_t now = tx.now_ms();
  tx.exec(kUpdateEndpoint, use(e.url, "u"), use(e.description, "d"), use(types, "t"), use(enabled, "e"),
          use(reason, reason_ind, "r"), use(now, "at"), use(enabled, "e2"), use(now, "now"), use(e.id, "id"));
}

constexpr char const* kRotateSecret =
    "UPDATE webhook_endpoints SET secret = :s, previous_secret = :p, previous_until = :pu, updated_at = :at "
    "WHERE id = :id";
void rotate_secret(db::Tx& tx, std::int64_t id, std::string const& sealed, std::string const& previous_sealed,
                   std::int64_t previous_until) {
  std::int64_t now = tx.now_ms();
  tx.exec(kRotateSecret, use(sealed, "s"), use(previous_sealed, "p"), use(previous_until, "pu"), use(now, "at"),
          use(id, "id"));
}

constexpr char const* kDeleteAttempts = "DELETE FROM webhook_attempts WHERE endpoint_id = :id";
constexpr char const* kDeleteDeliveries = "DELETE FROM webhook_deliveries WHERE endpoint_id = :id";
constexpr char const* kDeleteEndpoint =
    "DELETE FROM webhook_endpoints WHERE id = :id AND community_id = :c AND merchant_id = :m";
bool delete_endpoint(db::Tx& tx, Owner const& o, std::int64_t id) {
  if (tx.exec(kDeleteEndpoint, use(id, "id"), use(o.community_id, "c"), use(o.merchant_id, "m")) != 1) return false;
  tx.exec(kDeleteAttempts, use(id, "id"));
  tx.exec(kDeleteDeliveries, use(id, "id"));
  return true;
}

constexpr char const* kDisableEndpoint =
    "UPDATE webhook_endpoints SET enabled = 0, disabled_reason = :r, updated_at = :at WHERE id = :id";
void disable_endpoint(db::Tx& tx, std::int64_t id, std::string const& reason) {
  std::int64_t now = tx.now_ms();
  tx.exec(kDisableEndpoint, use(reason, "r"), use(now, "at"), use(id, "id"));
}

constexpr char const* kCandidates = "SELECT " WEBHOOKS_ENDPOINT_COLS
                                    " FROM webhook_endpoints WHERE community_id = :c AND enabled = 1 "
                                    "AND (merchant_id = 0 OR merchant_id = :m) ORDER BY id";
std::vector<Endpoint> candidates_for_event(db::Tx& tx, std::int64_t community_id, std::int64_t merchant_id) {
  // merchant 0 would match the community's own endpoints twice over; -1 matches no merchant.
  std::int64_t m = merchant_id > 0 ? merchant_id : -1;
  return db::all(tx, kCandidates, endpoint_from, use(community_id, "c"), use(m, "m"));
}

// ---- deliveries

constexpr char const* kInsertDeliveryTail =
    " INTO webhook_deliveries (community_id, endpoint_id, event_id, seq, message_id, event_type, payload, status, "
    "attempts, next_attempt_at, replay_of, created_at) "
    "VALUES (:c, :e, :ev, :seq, :mid, :t, :p, 'pending', 0, :n, :r, :at)";

bool insert_delivery(db::Tx& tx, Delivery const& d) {
  std::string sql = std::string(db::insert_ignore(tx.backend())) + kInsertDeliveryTail;
  long long event_id = d.event_id.value_or(0), replay = d.replay_of.value_or(0);
  soci::indicator ev_ind = null_if_absent(d.event_id.has_value()), r_ind = null_if_absent(d.replay_of.has_value());
  std::int64_t now = tx.now_ms();
  bool inserted = tx.exec(sql, use(d.community_id, "c"), use(d.endpoint_id, "e"), use(event_id, ev_ind, "ev"),
                          use(d.seq, "seq"), use(d.message_id, "mid"), use(d.event_type, "t"), use(d.payload, "p"),
                          use(now, "n"), use(replay, r_ind, "r"), use(now, "at")) == 1;
  if (inserted) wake(tx, d.endpoint_id);
  return inserted;
}

std::int64_t insert_manual_delivery(db::Tx& tx, Delivery const& d) {
  std::string sql = std::string("INSERT") + kInsertDeliveryTail;
  long long replay = d.replay_of.value_or(0);
  soci::indicator ev_ind = soci::i_null, r_ind = null_if_absent(d.replay_of.has_value());
  long long no_event = 0;
  std::int64_t now = tx.now_ms();
  auto id = tx.insert("webhook_deliveries", sql, use(d.community_id, "c"), use(d.endpoint_id, "e"),
                      use(no_event, ev_ind, "ev"), use(d.seq, "seq"), use(d.message_id, "mid"),
                      use(d.event_type, "t"), use(d.payload, "p"), use(now, "n"), use(replay, r_ind, "r"),
                      use(now, "at"));
  wake(tx, d.endpoint_id);
  return id;
}

constexpr char const* kListDeliveries =
    "SELECT " WEBHOOKS_DELIVERY_COLS
    " FROM webhook_deliveries WHERE community_id = :c AND endpoint_id = :e AND (:s = '' OR status = :s2) "
    "AND id < :b ORDER BY id DESC LIMIT :l";
std::vector<Delivery> list_deliveries(db::Tx& tx, std::int64_t community_id, std::int64_t endpoint_id,
                                      std::string const& status, json::Page const& page) {
  return db::all(tx, kListDeliveries, delivery_from, use(community_id, "c"), use(endpoint_id, "e"), use(status, "s"),
                 use(status, "s2"), use(page.below(), "b"), use(page.fetch(), "l"));
}

constexpr char const* kFindDelivery = "SELECT " WEBHOOKS_DELIVERY_COLS
                                      " FROM webhook_deliveries WHERE id = :id AND community_id = :c AND endpoint_id = :e";
std::optional<Delivery> find_delivery(db::Tx& tx, std::int64_t community_id, std::int64_t endpoint_id,
                                      std::int64_t id) {
  return db::one(tx, kFindDelivery, delivery_from, use(id, "id"), use(community_id, "c"), use(endpoint_id, "e"));
}

constexpr char const* kAttemptsOf =
    "SELECT " WEBHOOKS_ATTEMPT_COLS " FROM webhook_attempts WHERE delivery_id = :d ORDER BY id";
std::vector<Attempt> attempts_of(db::Tx& tx, std::int64_t delivery_id) {
  return db::all(tx, kAttemptsOf, attempt_from, use(delivery_id, "d"));
}

// ---- the sender

constexpr char const* kDueEndpoints =
    "SELECT id FROM webhook_endpoints WHERE enabled = 1 AND next_send_at <= :now AND lease_until < :now2 "
    "ORDER BY next_send_at, id LIMIT :l";
std::vector<std::int64_t> due_endpoints(db::Tx& tx, std::int64_t now, int limit) {
  std::int64_t n = limit;
  return db::all(tx, kDueEndpoints, db::first_integer, use(now, "now"), use(now, "now2"), use(n, "l"));
}

constexpr char const* kClaimEndpoint =
    "UPDATE webhook_endpoints SET lease_owner = :o, lease_until = :u "
    "WHERE id = :id AND enabled = 1 AND lease_until < :now";
bool claim_endpoint(db::Tx& tx, std::int64_t id, std::string const& owner, std::int64_t until, std::int64_t now) {
  return tx.exec(kClaimEndpoint, use(owner, "o"), use(until, "u"), use(id, "id"), use(now, "now")) == 1;
}

constexpr char const* kExtendLease =
    "UPDATE webhook_endpoints SET lease_until = :u WHERE id = :id AND lease_owner = :o";
void extend_lease(db::Tx& tx, std::int64_t id, std::string const& owner, std::int64_t until) {
  tx.exec(kExtendLease, use(until, "u"), use(id, "id"), use(owner, "o"));
}

constexpr char const* kReleaseEndpoint =
    "UPDATE webhook_endpoints SET lease_owner = NULL, lease_until = 0, "
    "next_send_at = CASE WHEN wakeups = :w THEN :n ELSE :now END WHERE id = :id AND lease_owner = :o";
void release_endpoint(db::Tx& tx, std::int64_t id, std::string const& owner, std::int64_t next_send_at,
                      std::int64_t wakeups_seen, std::int64_t now) {
  tx.exec(kReleaseEndpoint, use(wakeups_seen, "w"), use(next_send_at, "n"), use(now, "now"), use(id, "id"),
          use(owner, "o"));
}

constexpr char const* kHeadOf = "SELECT " WEBHOOKS_DELIVERY_COLS
                                " FROM webhook_deliveries WHERE endpoint_id = :e AND status = 'pending' "
                                "ORDER BY seq, id LIMIT 1";
std::optional<Delivery> head_of(db::Tx& tx, std::int64_t endpoint_id) {
  return db::one(tx, kHeadOf, delivery_from, use(endpoint_id, "e"));
}

constexpr char const* kInsertAttempt =
    "INSERT INTO webhook_attempts (community_id, endpoint_id, delivery_id, attempt, started_at, latency_ms, "
    "http_status, error, response_snippet, outcome) VALUES (:c, :e, :d, :a, :s, :l, :h, :err, :r, :o)";
void insert_attempt(db::Tx& tx, Attempt const& a) {
  long long status = a.http_status.value_or(0);
  std::string error = cut(a.error.value_or(""), 300);
  soci::indicator status_ind = null_if_absent(a.http_status.has_value()), err_ind = null_if_absent(a.error.has_value());
  long long attempt = a.attempt;
  tx.exec(kInsertAttempt, use(a.community_id, "c"), use(a.endpoint_id, "e"), use(a.delivery_id, "d"),
          use(attempt, "a"), use(a.started_at, "s"), use(a.latency_ms, "l"), use(status, status_ind, "h"),
          use(error, err_ind, "err"), use(a.response_snippet, "r"), use(a.outcome, "o"));
}

constexpr char const* kFinishAttempt =
    "UPDATE webhook_deliveries SET status = :s, attempts = :a, next_attempt_at = :n, last_status = :h, "
    "last_error = :err, completed_at = :done WHERE id = :id AND status = 'pending' AND attempts = :before";
bool finish_attempt(db::Tx& tx, Delivery const& d, int attempts_before, std::string const& status,
                    std::int64_t next_attempt_at, std::optional<std::int64_t> http_status,
                    std::optional<std::string> const& error, std::optional<std::int64_t> completed_at) {
  long long attempts = attempts_before + 1, before = attempts_before;
  long long h = http_status.value_or(0), done = completed_at.value_or(0);
  std::string err = cut(error.value_or(""), 300);
  soci::indicator h_ind = null_if_absent(http_status.has_value()), err_ind = null_if_absent(error.has_value()),
                  done_ind = null_if_absent(completed_at.has_value());
  return tx.exec(kFinishAttempt, use(status, "s"), use(attempts, "a"), use(next_attempt_at, "n"), use(h, h_ind, "h"),
                 use(err, err_ind, "err"), use(done, done_ind, "done"), use(d.id, "id"), use(before, "before")) == 1;
}

constexpr char const* kPrunable =
    "SELECT id FROM webhook_deliveries WHERE status IN ('succeeded', 'failed') AND completed_at < :b "
    "ORDER BY completed_at LIMIT :l";
constexpr char const* kPruneAttempts = "DELETE FROM webhook_attempts WHERE delivery_id = :d";
constexpr char const* kPruneDelivery = "DELETE FROM webhook_deliveries WHERE id = :d";
long long prune(db::Tx& tx, std::int64_t before, int batch) {
  std::int64_t n = batch;
  auto ids = db::all(tx, kPrunable, db::first_integer, use(before, "b"), use(n, "l"));
  for (auto id : ids) {
    tx.exec(kPruneAttempts, use(id, "d"));
    tx.exec(kPruneDelivery, use(id, "d"));
  }
  return static_cast<long long>(ids.size());
}

}  // namespace courtyard::webhooks::repo
