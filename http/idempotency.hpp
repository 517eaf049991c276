#pragma once
// Idempotency-Key (API.md), in one place: the logic, its table and its clean-up job.
//
// A POST that carries `Idempotency-Key` first claims the key for (account, key) in a short
// transaction of its own, then runs the handler in a second transaction that also records
// the answer on the claimed row, so the change and its stored answer commit together.
//   * the same key and body again: the stored answer (status, body, Location) with
//     `Idempotent-Replayed: true`; refused outcomes (409, 422) are stored and replayed too;
//   * while the first request still runs: the repeat waits for it (a few seconds) and then
//     replays its answer, or answers 409 /problems/request-in-progress with Retry-After;
//     it never runs the handler a second time and never reports a business error of its own;
//   * the same key with another body: 422 /problems/idempotency-key-reused;
//   * keys are scoped per account: one account never sees another's stored answer;
//   * a claim whose request died (crash, 5xx) is released or taken over after a while.
#include "db/jobs.hpp"
#include "db/migration.hpp"
#include "http/message.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace courtyard {
class Context;
namespace db {
class Tx;
}
}  // namespace courtyard

namespace courtyard::idempotency {

http::Response run(Context& ctx, http::Request const& req, std::function<http::Response(db::Tx&)> fn);

// For a handler that answers several requests in one transaction (shops' checkout batches).
struct Claim {
  std::int64_t account = 0;
  std::string key;
  std::string hash;  // of method, path and body
};
// The request's key, checked as run() checks it (422 when malformed); nullopt without one.
std::optional<Claim> claim_of(Context const& ctx, http::Request const& req);
// Stores the finished answers of keys nobody holds yet, in one statement of `tx`. A key
// already held (a repeat, or one in flight) makes it throw the backend's unique violation:
// the caller then rolls back and answers those requests one by one through run().
void store_all(db::Tx& tx, std::vector<std::pair<Claim const*, http::Response const*>> const& answers);

std::vector<db::Migration> migrations();  // the idempotency_keys table
void jobs(jobs::Scheduler& s);            // drops keys older than 48 hours

}  // namespace courtyard::idempotency
