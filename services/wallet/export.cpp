// The wallet part of the resident's data export (GET /v1/me/export, served by
// members): the rows that belong to the account, as stored.
#include "db/json_rows.hpp"
#include "services/wallet/api.hpp"

#include <boost/json.hpp>

namespace courtyard::wallet {

boost::json::object export_account(db::Tx& tx, std::int64_t account_id) {
  return db::json_sections(tx, account_id, {
      {"accounts", "SELECT * FROM wallet_accounts WHERE owner_kind = 'resident' AND owner_id = :a ORDER BY id"},
      {"entries",
       "SELECT e.*, t.kind, t.reference FROM wallet_entries e JOIN wallet_accounts a ON a.id = "
       "e.account_id JOIN wallet_transactions t ON t.id = e.transaction_id WHERE a.owner_kind = "
       "'resident' AND a.owner_id = :a ORDER BY e.id"},
  });
}

}  // namespace courtyard::wallet
