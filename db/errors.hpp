#pragma once
// Storage errors. db/ knows nothing of HTTP: the gateway maps these to answers
// (Unavailable -> 503 with Retry-After).
#include <stdexcept>

namespace courtyard::db {

// Storage cannot take the request now: no pooled session within the wait, or the server is
// unreachable. Safe to retry later; nothing was written.
struct Unavailable : std::runtime_error {
  explicit Unavailable(std::string const& what, int retry_after_s = 1)
      : std::runtime_error(what), retry_after_s(retry_after_s) {}
  int retry_after_s;
};

}  // namespace courtyard::db
