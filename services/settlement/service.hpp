#pragma once
#include "http/service.hpp"

namespace courtyard::settlement {

// Settlement: the community's commission per merchant category, posted from the merchant to
// the community's revenue account when an order completes; weekly settlement periods in the
// community's time zone; an immutable statement per merchant and closed period (gross,
// refunds, commission, points reimbursed, net payable) and its payout (ARCHITECTURE.md,
// "Settlement").
class SettlementService final : public Service {
 public:
  explicit SettlementService(Env&) {}
  std::string_view name() const override { return "settlement"; }
  std::vector<db::Migration> migrations() const override;
  void routes(http::Router& r) override;
  void subscribe(events::Bus& bus) override;
  void jobs(jobs::Scheduler& s) override;
};

}  // namespace courtyard::settlement
