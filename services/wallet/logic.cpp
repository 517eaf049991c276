#include "services/wallet/logic.hpp"

#include "http/names.hpp"

#include <stdexcept>

namespace courtyard::wallet::logic {

namespace {
constexpr auto kOwner = http::names<Owner>({{Owner::Resident, "resident"},
                                            {Owner::Merchant, "merchant"},
                                            {Owner::Community, "community"},
                                            {Owner::Cash, "cash"},
                                            {Owner::Hold, "hold"}});
static_assert(kOwner.distinct());
}  // namespace

std::string_view kind_name(Owner k) { return kOwner.name(k); }

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

AccountKey key_of(AccountRef const& ref) { return {std::string(kind_name(ref.kind)), ref.owner_id, ref.bucket}; }

std::map<AccountKey, std::int64_t> net_by_account(std::vector<Leg> const& legs) {
  std::map<AccountKey, std::int64_t> out;
  for (auto const& l : legs) out[key_of(l.account)] += l.amount_cents;
  return out;
}

std::vector<Leg> consolidation_legs(std::int64_t merchant_id, int into, std::map<int, std::int64_t> const& balances) {
  std::vector<Leg> legs;
  std::int64_t total = 0;
  for (auto const& [bucket, cents] : balances) {
    if (bucket == into || cents <= 0) continue;
    legs.push_back({{Owner::Merchant, merchant_id, bucket}, -cents});
    total += cents;
  }
  if (total > 0) legs.push_back({{Owner::Merchant, merchant_id, into}, total});
  return legs;
}

std::vector<std::int64_t> running_balances(std::int64_t balance_now, std::int64_t newer_sum,
                                           std::vector<std::int64_t> const& amounts_newest_first) {
  std::vector<std::int64_t> out;
  std::int64_t after = balance_now - newer_sum;
  for (auto amount : amounts_newest_first) {
    out.push_back(after);
    after -= amount;
  }
  return out;
}

std::optional<std::string> top_up_problem(std::int64_t amount_cents) {
  if (amount_cents <= 0 || amount_cents > kMaxTopUpCents)
    return "must be between 1 and " + std::to_string(kMaxTopUpCents);
  return std::nullopt;
}

bool balanced(std::int64_t total_cents) { return total_cents == 0; }

}  // namespace courtyard::wallet::logic
