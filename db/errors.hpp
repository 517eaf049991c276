#pragma once
// Storage errors. db/ knows nothing of HTTP: the gateway maps these to answers
// (Unavailable -> 503 with Retry-After).
#include <stdexcept>
#include <string>

namespace courtyard::db {

// Storage cannot take the request now: no pooled session within the wait, or the server is
// unreachable. Safe to retry later; nothing was written.
struct Unavailable : std::runtime_error {
  explicit Unavailable(std::string const& what, int retry_after_s = 1)
      : std::runtime_error(what), retry_after_s(retry_after_s) {}
  int retry_after_s;
};

// The connection was lost while COMMIT was in flight: the transaction may or may not have
// committed. Never retried (a retry could place an order or charge twice); the gateway
// answers 503 /problems/outcome-unknown so the client checks, or retries with the same
// Idempotency-Key.
struct CommitUnknown : std::runtime_error {
  explicit CommitUnknown(std::string const& what) : std::runtime_error(what) {}
};

}  // namespace courtyard::db
