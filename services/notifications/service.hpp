#pragma once
#include "services/core/service.hpp"

namespace courtyard::notifications {

class NotificationsService final : public Service {
 public:
  explicit NotificationsService(Env& env) : env_(env) {}
  std::string_view name() const override { return "notifications"; }
  std::vector<db::Migration> migrations() const override;
  void routes(gateway::Router& r) override;

 private:
  Env& env_;
};

}  // namespace courtyard::notifications
