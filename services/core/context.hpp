#pragma once
// Per-request context handed to handlers with the Request.
#include "db/tx.hpp"
#include "gateway/http.hpp"
#include "services/core/events.hpp"
#include "services/core/principal.hpp"

#include <functional>
#include <string>

namespace courtyard {

namespace gateway {
struct Config;
}

class Context {
 public:
  Context(Principal const& p, db::Database& db, events::Bus& bus, gateway::Config const& cfg, std::string request_id)
      : principal(p), db(db), bus(bus), config(cfg), request_id(std::move(request_id)) {}

  Principal const& principal;
  db::Database& db;
  events::Bus& bus;
  gateway::Config const& config;
  std::string request_id;
  std::int64_t community_id = 0;  // from {cid} when the route has one

  // A transaction with the outbox attached; retried whole on deadlock/busy.
  template <class F>
  auto tx(F&& fn) {
    return db::transact(db, &bus, std::forward<F>(fn));
  }

  // Honours `Idempotency-Key` (API.md): runs fn in one transaction together with storing
  // the key and the response; the same key + same body replays the stored response
  // (status and body, header `Idempotent-Replayed: true`); same key + other body -> 422
  // /problems/idempotency-key-reused. API errors are stored too, so a replay repeats them.
  // Without the header it just runs fn in a transaction.
  gateway::Response idempotent(gateway::Request const& req, std::function<gateway::Response(db::Tx&)> fn);
};

}  // namespace courtyard
