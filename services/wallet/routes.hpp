#pragma once
// Internal to the wallet service: route registration and the JSON views the handlers share.
#include "http/context.hpp"
#include "http/errors.hpp"
#include "http/json.hpp"
#include "http/router.hpp"
#include "services/wallet/repository.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <vector>

namespace courtyard::wallet {

// The resident's wallet, manager top-ups and statements, a merchant's takings, the ledger summary.
void add_wallet_routes(http::Router& r);

// Views.
boost::json::object entry_json(repo::Entry const& e);
// {"community_id", "balance_cents", "entries", "next_cursor"} from entries fetched with limit + 1.
boost::json::object statement_json(std::int64_t cid, std::int64_t balance_cents, std::vector<repo::Entry> const& rows,
                                   json::Page const& page);
boost::json::object ledger_summary_json(std::int64_t cid, std::vector<repo::KindTotal> const& totals,
                                        std::int64_t transactions);

}  // namespace courtyard::wallet
