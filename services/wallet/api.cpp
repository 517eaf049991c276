// The ledger other services pay through (api.hpp): the rules come from logic.hpp, the SQL
// from repository.hpp.
#include "services/wallet/api.hpp"

#include "http/errors.hpp"
#include "services/wallet/logic.hpp"
#include "services/wallet/repository.hpp"

#include <map>
#include <stdexcept>
#include <utility>

namespace courtyard::wallet {

namespace {

// Moves the merchant's other sub-accounts' money into sub-account `into`, as one
// "consolidation" ledger transaction; false when there was nothing to move.
bool consolidate(db::Tx& tx, std::int64_t cid, std::int64_t merchant_id, int into) {
  auto balances = repo::bucket_balances_for_update(tx, cid, "merchant", merchant_id);
  auto legs = logic::consolidation_legs(merchant_id, into, balances);
  if (legs.empty()) return false;
  post(tx, cid, legs, repo::kConsolidation, "merchant:" + std::to_string(merchant_id));
  return true;
}

// Applies one net movement to its account, opening the account on first use. The update is
// tried again once the account is known to exist: under READ COMMITTED the first one skips a
// row another transaction opened and has not committed yet (INSERT IGNORE waits for that
// commit, and a row committed after the first update is seen by the second).
bool apply(db::Tx& tx, std::int64_t cid, logic::AccountKey const& k, Owner kind, std::int64_t amount) {
  if (repo::apply_delta(tx, cid, k, amount)) return true;
  if (!repo::account_exists(tx, cid, k)) repo::open_account(tx, cid, k, logic::may_go_negative(kind));
  if (repo::apply_delta(tx, cid, k, amount)) return true;
  // A merchant sub-account short of a debit draws on the merchant's other sub-accounts.
  if (kind == Owner::Merchant && amount < 0 && consolidate(tx, cid, k.owner_id, k.bucket))
    return repo::apply_delta(tx, cid, k, amount);
  return false;
}

}  // namespace

std::int64_t post(db::Tx& tx, std::int64_t community_id, std::vector<Leg> const& legs, std::string const& kind,
                  std::string const& reference) {
  logic::check_balanced(legs);
  std::map<logic::AccountKey, Owner> kinds;
  for (auto const& l : legs) kinds[logic::key_of(l.account)] = l.account.kind;

  // Legs are applied in account-key order so concurrent postings lock rows in the same
  // order (no lock-order deadlocks on MySQL). Each leg is two statements: the conditional
  // update by the account's key and the entry that reads the new balance.
  std::int64_t txn = repo::insert_transaction(tx, community_id, kind, reference);
  for (auto const& [key, amount] : logic::net_by_account(legs)) {
    if (amount == 0) continue;
    if (!apply(tx, community_id, key, kinds.at(key), amount))
      throw Conflict("insufficient-funds", "the wallet balance is too low for this payment");
    repo::insert_entry(tx, txn, community_id, key, amount);
  }
  return txn;
}

std::vector<std::int64_t> post_all(db::Tx& tx, std::int64_t community_id, std::vector<Posting> const& postings) {
  if (postings.empty()) return {};
  // Each posting's net legs, in key order as post() applies them; every account once.
  std::vector<std::map<logic::AccountKey, std::int64_t>> nets;
  std::map<logic::AccountKey, Owner> kinds;
  for (auto const& p : postings) {
    logic::check_balanced(p.legs);
    for (auto const& l : p.legs) kinds[logic::key_of(l.account)] = l.account.kind;
    nets.push_back(logic::net_by_account(p.legs));
  }
  std::vector<logic::AccountKey> keys;
  for (auto const& [k, kind] : kinds) keys.push_back(k);

  auto rows = repo::accounts_for_update(tx, community_id, keys);
  if (rows.size() < keys.size()) {  // first use of an account: open it, then lock them all
    for (auto const& [k, kind] : kinds) repo::open_account(tx, community_id, k, logic::may_go_negative(kind));
    rows = repo::accounts_for_update(tx, community_id, keys);
    if (rows.size() < keys.size()) throw std::runtime_error("post_all: an account could not be opened");
  }
  std::map<logic::AccountKey, repo::AccountRow*> by_key;
  for (auto& r : rows) by_key[r.key] = &r;

  // The entries with the balances post() would have left after each, checked as it goes.
  std::vector<repo::EntryRow> entries;
  std::vector<std::size_t> entry_posting;  // which posting each entry belongs to
  for (std::size_t i = 0; i < nets.size(); ++i)
    for (auto const& [key, amount] : nets[i]) {
      if (amount == 0) continue;
      auto* a = by_key.at(key);
      a->balance_cents += amount;
      if (!a->allow_negative && a->balance_cents < 0)
        throw Conflict("insufficient-funds", "the wallet balance is too low for this payment");
      entries.push_back({0, a->id, amount, a->balance_cents});
      entry_posting.push_back(i);
    }
  std::vector<std::pair<std::int64_t, std::int64_t>> balances;
  for (auto const& r : rows) balances.emplace_back(r.id, r.balance_cents);
  repo::set_balances(tx, balances);

  std::vector<std::pair<std::string, std::string>> kinds_refs;
  for (auto const& p : postings) kinds_refs.emplace_back(p.kind, p.reference);
  auto ids = repo::insert_transactions(tx, community_id, kinds_refs);
  for (std::size_t e = 0; e < entries.size(); ++e) entries[e].transaction_id = ids[entry_posting[e]];
  repo::insert_entries(tx, community_id, entries);
  return ids;
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
