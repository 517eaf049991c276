#pragma once
// All SQL of the webhooks service, as named query constants in repository.cpp.
#include "db/tx.hpp"
#include "http/json.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace courtyard::webhooks::repo {

// An endpoint's owner: a merchant of the community, or the community itself (merchant 0).
struct Owner {
  std::int64_t community_id = 0;
  std::int64_t merchant_id = 0;
};

struct Endpoint {
  std::int64_t id = 0, community_id = 0, merchant_id = 0;
  std::string url, description;
  std::vector<std::string> event_types;
  bool enabled = true;
  std::optional<std::string> disabled_reason;
  std::string secret;                          // sealed
  std::optional<std::string> previous_secret;  // sealed; valid until previous_until
  std::int64_t previous_until = 0;
  std::int64_t wakeups = 0;
  std::int64_t created_by = 0, created_at = 0, updated_at = 0;
};

struct Delivery {
  std::int64_t id = 0, community_id = 0, endpoint_id = 0;
  std::optional<std::int64_t> event_id;
  std::int64_t seq = 0;
  std::string message_id, event_type, payload, status;
  int attempts = 0;
  std::int64_t next_attempt_at = 0;
  std::optional<std::int64_t> last_status;
  std::optional<std::string> last_error;
  std::optional<std::int64_t> replay_of;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> completed_at;
};

struct Attempt {
  std::int64_t id = 0, community_id = 0, endpoint_id = 0, delivery_id = 0;
  int attempt = 0;
  std::int64_t started_at = 0, latency_ms = 0;
  std::optional<std::int64_t> http_status;
  std::optional<std::string> error;
  std::string response_snippet, outcome;
};

// ---- endpoints
std::int64_t insert_endpoint(db::Tx& tx, Endpoint const& e);
std::optional<Endpoint> find_endpoint(db::Tx& tx, Owner const& o, std::int64_t id);
std::optional<Endpoint> endpoint_by_id(db::Tx& tx, std::int64_t id);
std::int64_t count_endpoints(db::Tx& tx, Owner const& o);
std::vector<Endpoint> list_endpoints(db::Tx& tx, Owner const& o, json::Page const& page);
// url, description, event types, enabled and reason, updated_at.
void update_endpoint(db::Tx& tx, Endpoint const& e);
void rotate_secret(db::Tx& tx, std::int64_t id, std::string const& sealed, std::string const& previous_sealed,
                   std::int64_t previous_until);
// Deletes the endpoint with its deliveries and their attempts; false when not found.
bool delete_endpoint(db::Tx& tx, Owner const& o, std::int64_t id);
void disable_endpoint(db::Tx& tx, std::int64_t id, std::string const& reason);
// Enabled endpoints an event of the community may go to: the community's own and, when
// merchant_id > 0, that merchant's.
std::vector<Endpoint> candidates_for_event(db::Tx& tx, std::int64_t community_id, std::int64_t merchant_id);

// ---- deliveries
// INSERT ignoring a duplicate (endpoint, event); true when inserted. Wakes the endpoint.
bool insert_delivery(db::Tx& tx, Delivery const& d);
// A delivery that has no event (a test event, a replay); returns its id. Wakes the endpoint.
std::int64_t insert_manual_delivery(db::Tx& tx, Delivery const& d);
std::vector<Delivery> list_deliveries(db::Tx& tx, std::int64_t community_id, std::int64_t endpoint_id,
                                      std::string const& status, json::Page const& page);
std::optional<Delivery> find_delivery(db::Tx& tx, std::int64_t community_id, std::int64_t endpoint_id,
                                      std::int64_t id);
std::vector<Attempt> attempts_of(db::Tx& tx, std::int64_t delivery_id);

// ---- the sender
// Enabled endpoints due (next_send_at <= now) and not leased, soonest first.
std::vector<std::int64_t> due_endpoints(db::Tx& tx, std::int64_t now, int limit);
// Leases the endpoint until `until` if no one holds it; true when ours.
bool claim_endpoint(db::Tx& tx, std::int64_t id, std::string const& owner, std::int64_t until, std::int64_t now);
void extend_lease(db::Tx& tx, std::int64_t id, std::string const& owner, std::int64_t until);
// Releases it and sets when to look next: `next_send_at`, unless a delivery woke it since
// `wakeups_seen` (then now).
void release_endpoint(db::Tx& tx, std::int64_t id, std::string const& owner, std::int64_t next_send_at,
                      std::int64_t wakeups_seen, std::int64_t now);
// The endpoint's first pending delivery in order (seq, id).
std::optional<Delivery> head_of(db::Tx& tx, std::int64_t endpoint_id);
void insert_attempt(db::Tx& tx, Attempt const& a);
// Records an attempt's result on the delivery, if it is still pending after `attempts_before`
// attempts (a second sender that raced us changes nothing); true when recorded.
bool finish_attempt(db::Tx& tx, Delivery const& d, int attempts_before, std::string const& status,
                    std::int64_t next_attempt_at, std::optional<std::int64_t> http_status,
                    std::optional<std::string> const& error, std::optional<std::int64_t> completed_at);

// Succeeded and failed deliveries completed before `before`, with their attempts, at most
// `batch`; returns how many deliveries went.
long long prune(db::Tx& tx, std::int64_t before, int batch);

}  // namespace courtyard::webhooks::repo
