#pragma once
#include "http/service.hpp"

namespace courtyard::members {

// Members and loyalty: one points ledger per community (its own double-entry
// ledger in the points currency), earned exactly once per source event from
// other services' events under versioned earn rules, kept as lots that expire
// oldest first; tiers by rolling 12-month earnings; the resident's membership,
// consents and data export; the manager's member view.
class MembersService final : public Service {
 public:
  explicit MembersService(Env& env);
  std::string_view name() const override { return "members"; }
  std::vector<db::Migration> migrations() const override;
  void routes(http::Router& r) override;
  void subscribe(events::Bus& bus) override;
  void jobs(jobs::Scheduler& s) override;

 private:
  Env& env_;
};

}  // namespace courtyard::members
