// The ledger other services pay through (api.hpp): the rules come from logic.hpp, the SQL
// from repository.hpp.
#include "services/wallet/api.hpp"

#include "http/errors.hpp"
#include "services/wallet/logic.hpp"
#include "services/wallet/repository.hpp"

#include <stdexcept>
#include <utility>

namespace courtyard::wallet {

namespace {

// The account's id, opening it on first use.
std::int64_t account_id(db::Tx& tx, std::int64_t cid, AccountRef ref) {
  std::string kind(logic::kind_name(ref.kind));
  if (auto id = repo::find_account(tx, cid, kind, ref.owner_id)) return *id;
  repo::open_account(tx, cid, kind, ref.owner_id, logic::may_go_negative(ref.kind));
  return repo::find_account(tx, cid, kind, ref.owner_id).value_or(0);
}

}  // namespace

std::int64_t post(db::Tx& tx, std::int64_t community_id, std::vector<Leg> const& legs, std::string const& kind,
                  std::string const& reference) {
  logic::check_balanced(legs);

  // Resolve accounts and apply legs in account-id order so concurrent postings lock rows
  // in the same order (no lock-order deadlocks on MySQL).
  std::vector<std::pair<std::int64_t, std::int64_t>> moves;
  for (auto const& l : legs) moves.emplace_back(account_id(tx, community_id, l.account), l.amount_cents);

  std::int64_t txn = repo::insert_transaction(tx, community_id, kind, reference);
  for (auto const& [acct, amount] : logic::net_by_account(moves)) {
    if (amount == 0) continue;
    if (!repo::apply_delta(tx, acct, amount))
      throw Conflict("insufficient-funds", "the wallet balance is too low for this payment");
    repo::insert_entry(tx, txn, acct, community_id, amount, repo::account_balance(tx, acct));
  }
  return txn;
}

std::int64_t transfer(db::Tx& tx, std::int64_t community_id, AccountRef from, AccountRef to, std::int64_t amount_cents,
                      std::string const& kind, std::string const& reference) {
  if (amount_cents <= 0) throw std::logic_error("a transfer amount must be positive");
  return post(tx, community_id, {{from, -amount_cents}, {to, amount_cents}}, kind, reference);
}

std::int64_t balance(db::Tx& tx, std::int64_t community_id, AccountRef ref) {
  return repo::balance(tx, community_id, std::string(logic::kind_name(ref.kind)), ref.owner_id);
}

}  // namespace courtyard::wallet
