#pragma once
// The ledger's pure rules: account kinds, which accounts may go negative, what makes a
// posting valid (balanced, every leg moving money), and the top-up limit. No SOCI, no HTTP.
#include "services/wallet/api.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace courtyard::wallet::logic {

// The largest single top-up: 100,000.00.
constexpr std::int64_t kMaxTopUpCents = 10'000'000;

// The stored owner_kind of an account ("resident", "merchant", "community", "cash", "hold").
std::string_view kind_name(Owner k);

// Cash is the outside world's side of every top-up and may go negative; all other
// accounts hold real balances.
bool may_go_negative(Owner k);

// Throws std::logic_error unless the legs form a postable transaction: at least two legs,
// none of them zero, summing to zero.
void check_balanced(std::vector<Leg> const& legs);

// The net amount per resolved account id, in ascending id order (the lock order of a
// posting, so concurrent postings never deadlock); accounts netting to zero are kept.
std::map<std::int64_t, std::int64_t> net_by_account(std::vector<std::pair<std::int64_t, std::int64_t>> const& moves);

// Why a top-up amount is refused (nullopt when it is fine).
std::optional<std::string> top_up_problem(std::int64_t amount_cents);

// Double entry: all balances of a community always sum to zero.
bool balanced(std::int64_t total_cents);

}  // namespace courtyard::wallet::logic
