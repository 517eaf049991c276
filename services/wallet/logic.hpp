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

// An account's natural key: (owner kind, owner id, sub-account).
struct AccountKey {
  std::string kind;
  std::int64_t owner_id = 0;
  int bucket = 0;
  auto operator<=>(AccountKey const&) const = default;
};
AccountKey key_of(AccountRef const& ref);

// The net amount per account, in ascending key order: the lock order of every posting, so
// concurrent postings never deadlock on each other; accounts netting to zero are kept.
std::map<AccountKey, std::int64_t> net_by_account(std::vector<Leg> const& legs);

// The legs that move every other sub-account's money (`balances`: bucket -> balance) into
// `into`; empty when there is nothing to move.
std::vector<Leg> consolidation_legs(std::int64_t merchant_id, int into, std::map<int, std::int64_t> const& balances);

// The balance after each entry of a statement page (entry amounts newest first), given the
// balance now and the sum of the entries newer than the page.
std::vector<std::int64_t> running_balances(std::int64_t balance_now, std::int64_t newer_sum,
                                           std::vector<std::int64_t> const& amounts_newest_first);

// Why a top-up amount is refused (nullopt when it is fine).
std::optional<std::string> top_up_problem(std::int64_t amount_cents);

// Double entry: all balances of a community always sum to zero.
bool balanced(std::int64_t total_cents);

}  // namespace courtyard::wallet::logic
