#pragma once
#include "services/core/service.hpp"

namespace courtyard::shops {

class ShopsService final : public Service {
 public:
  explicit ShopsService(Env& env) : env_(env) {}
  std::string_view name() const override { return "shops"; }
  std::vector<db::Migration> migrations() const override;
  void routes(gateway::Router& r) override;

 private:
  Env& env_;
};

}  // namespace courtyard::shops
