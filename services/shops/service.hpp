#pragma once
#include "http/service.hpp"

namespace courtyard::shops {

// Neighbourhood shops: merchants (applied for, approved by a manager), their catalogue with
// a purchase-sale-stock ledger, orders paid from the wallet and fulfilled by pickup code or
// delivery, reviews, coupons, group buys with escrowed funds, and merchant figures.
class ShopsService final : public Service {
 public:
  explicit ShopsService(Env& env) : env_(env) {}
  std::string_view name() const override { return "shops"; }
  std::vector<db::Migration> migrations() const override;
  void routes(http::Router& r) override;
  void subscribe(events::Bus& bus) override;
  void jobs(jobs::Scheduler& s) override;
  void metrics(std::string& out) const override;

 private:
  Env& env_;
};

}  // namespace courtyard::shops
