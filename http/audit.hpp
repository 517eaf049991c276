#pragma once
// The audit trail: every privileged action (a manager, merchant, courier, platform admin or
// API key changing something) is written, in the same transaction as the change, to an
// append-only log: actor and principal kind, community, action (the route), target (the
// path), the fields the request set (secrets redacted), request id, client address, time.
//
// Handlers do nothing for it: Context::tx() writes the entry in the first transaction of a
// privileged request that commits, so a refused call (403, 409, 422: rolled back) writes
// none, and each privileged request writes exactly one. Managers read their community's log,
// platform admins all of it (filters: actor, action, target, from, to; JSON or CSV). There is
// no route that changes or deletes an entry.
#include "db/migration.hpp"
#include "http/principal.hpp"
#include "http/router.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace courtyard {
class Context;
namespace db {
class Tx;
}
}  // namespace courtyard

namespace courtyard::audit {

// What App tells the Context about the request, so it can write the entry.
struct Request {
  bool privileged = false;
  std::string action;  // "POST /v1/communities/{cid}/merchants/{mid}/approve"
  std::string target;  // "/v1/communities/3/merchants/9/approve"
  std::string changes; // the request's JSON fields, secrets redacted ("" when none)
  std::string ip;
};

// True when this route, called by this principal, is a privileged action to audit:
// a state change (not GET/HEAD) by an API key, a platform admin, or a caller acting in a
// role other than resident (the route's rule admits a staff role the caller holds).
bool is_privileged(http::Route const& route, Principal const& p, std::int64_t community_id);
// The body's top-level fields, with secrets (password, token, secret, code) redacted.
std::string changes_of(std::string const& body);

void record(db::Tx& tx, Context const& ctx, Request const& a);

std::vector<db::Migration> migrations();
void routes(http::Router& r);  // GET /v1/communities/{cid}/audit, GET /v1/admin/audit

}  // namespace courtyard::audit
