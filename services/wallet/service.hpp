#pragma once
#include "http/service.hpp"

namespace courtyard::wallet {

// Routes: the resident's wallet (/v1/me/wallet), manager top-ups with Idempotency-Key,
// a merchant's balance, and the community ledger summary (entries always sum to zero).
class WalletService final : public Service {
 public:
  explicit WalletService(Env& env) : env_(env) {}
  std::string_view name() const override { return "wallet"; }
  std::vector<db::Migration> migrations() const override;
  void routes(http::Router& r) override;

 private:
  Env& env_;
};

}  // namespace courtyard::wallet
