#include "services/wallet/logic.hpp"

#include <stdexcept>

namespace courtyard::wallet::logic {

std::string_view kind_name(Owner k) {
  switch (k) {
    case Owner::Resident: return "resident";
    case Owner::Merchant: return "merchant";
    case Owner::Community: return "community";
    case Owner::Cash: return "cash";
    case Owner::Hold: return "hold";
  }
  return "?";
}

bool may_go_negative(Owner k) { return k == Owner::Cash; }

void check_balanced(std::vector<Leg> const& legs) {
  if (legs.size() < 2) throw std::logic_error("a ledger transaction needs at least two legs");
  std::int64_t sum = 0;
  for (auto const& l : legs) {
    if (l.amount_cents == 0) throw std::logic_error("a ledger leg must move money");
    sum += l.amount_cents;
  }
  if (sum != 0) throw std::logic_error("ledger legs must sum to zero");
}

std::map<std::int64_t, std::int64_t> net_by_account(std::vector<std::pair<std::int64_t, std::int64_t>> const& moves) {
  std::map<std::int64_t, std::int64_t> out;
  for (auto const& [account, amount] : moves) out[account] += amount;
  return out;
}

std::optional<std::string> top_up_problem(std::int64_t amount_cents) {
  if (amount_cents <= 0 || amount_cents > kMaxTopUpCents)
    return "must be between 1 and " + std::to_string(kMaxTopUpCents);
  return std::nullopt;
}

bool balanced(std::int64_t total_cents) { return total_cents == 0; }

}  // namespace courtyard::wallet::logic
