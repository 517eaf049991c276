#pragma once
#include "services/core/service.hpp"

namespace courtyard::property {

class PropertyService final : public Service {
 public:
  explicit PropertyService(Env& env) : env_(env) {}
  std::string_view name() const override { return "property"; }
  std::vector<db::Migration> migrations() const override;
  void routes(gateway::Router& r) override;

 private:
  Env& env_;
};

}  // namespace courtyard::property
