#pragma once
#include "services/core/service.hpp"

namespace courtyard::clubs {

class ClubsService final : public Service {
 public:
  explicit ClubsService(Env& env) : env_(env) {}
  std::string_view name() const override { return "clubs"; }
  std::vector<db::Migration> migrations() const override;
  void routes(gateway::Router& r) override;

 private:
  Env& env_;
};

}  // namespace courtyard::clubs
