#include "services/wallet/service.hpp"

#include "services/wallet/routes.hpp"

namespace courtyard::wallet {

void WalletService::routes(http::Router& r) { add_wallet_routes(r); }

}  // namespace courtyard::wallet
