#pragma once
#include "http/service.hpp"

namespace courtyard::property {

// Property management: fee schedules and billing runs, bills paid through the wallet
// ledger (or recorded offline), the daily overdue job, repair tickets with their history,
// announcements with read receipts, visitor passes, amenity bookings and suggestions.
class PropertyService final : public Service {
 public:
  explicit PropertyService(Env& env) : env_(env) {}
  std::string_view name() const override { return "property"; }
  std::vector<db::Migration> migrations() const override;
  void routes(http::Router& r) override;
  void jobs(jobs::Scheduler& s) override;

 private:
  Env& env_;
};

}  // namespace courtyard::property
