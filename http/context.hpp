#pragma once
// Per-request context handed to handlers with the Request: who calls, in which community,
// and the storage and event bus to act through.
#include "db/outbox.hpp"
#include "db/tx.hpp"
#include "http/audit.hpp"
#include "http/message.hpp"
#include "http/principal.hpp"

#include <functional>
#include <type_traits>
#include <string>
#include <vector>

namespace courtyard {

class Context {
 public:
  Context(Principal const& p, db::Database& db, events::Bus& bus, std::string request_id)
      : principal(p), db(db), bus(bus), request_id(std::move(request_id)) {}

  Principal const& principal;
  db::Database& db;
  events::Bus& bus;
  std::string request_id;
  std::int64_t community_id = 0;  // from {cid} when the route has one
  // The route only reads (Route::read_only): tx() runs read units.
  bool read_only = false;

  // A transaction with the outbox attached; retried whole on deadlock/busy. In a privileged
  // request, the first transaction that commits also writes its audit entry (http/audit.hpp).
  // In a read-only route it is a read unit (db::TxMode::Read).
  template <class F>
  auto tx(F&& fn) {
    return db::transact(db, &bus, [&](db::Tx& t) {
      if constexpr (std::is_void_v<std::invoke_result_t<F&, db::Tx&>>) {
        fn(t);
        audit_once(t);
      } else {
        auto result = fn(t);
        audit_once(t);
        return result;
      }
    }, {}, read_only ? db::TxMode::Read : db::TxMode::Write);
  }

  // Set by App before the handler runs.
  audit::Request audit;

  // Runs fn in one transaction together with storing its answer under the request's
  // `Idempotency-Key` (http/idempotency.hpp); a repeat replays the stored answer.
  http::Response idempotent(http::Request const& req, std::function<http::Response(db::Tx&)> fn);

  // ---- who the caller is in this community (community_id)
  // A manager of the community, or a platform admin.
  bool is_manager() const;
  // The units the caller lives in within the community (residents; empty otherwise).
  std::vector<std::int64_t> my_units() const;
  bool lives_in(std::int64_t unit_id) const;
  // The caller acts for this merchant (owner/staff, an API key of it, or a platform admin).
  bool acts_for(std::int64_t merchant_id) const;
  // "/v1/communities/{cid}" + suffix, for Location headers.
  std::string path(std::string_view suffix = {}) const;

 private:
  void audit_once(db::Tx& t);
  bool audited_ = false;
};

}  // namespace courtyard
