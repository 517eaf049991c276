#pragma once
#include "services/core/service.hpp"

namespace courtyard::delivery {

class DeliveryService final : public Service {
 public:
  explicit DeliveryService(Env& env) : env_(env) {}
  std::string_view name() const override { return "delivery"; }
  std::vector<db::Migration> migrations() const override;
  void routes(gateway::Router& r) override;

 private:
  Env& env_;
};

}  // namespace courtyard::delivery
