// Repository for the ledger (SOCI, bound parameters only).
#include "http/errors.hpp"
#include "services/wallet/api.hpp"

#include <algorithm>
#include <map>

namespace courtyard::wallet {

namespace {

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

// Cash is the outside world's side of every top-up and may go negative; all other
// accounts hold real balances.
bool may_go_negative(Owner k) { return k == Owner::Cash; }

std::int64_t account_id(db::Tx& tx, std::int64_t cid, AccountRef ref) {
  std::string kind(kind_name(ref.kind));
  long long id = 0;
  tx.sql() << "SELECT id FROM wallet_accounts WHERE community_id = :c AND owner_kind = :k AND owner_id = :o",
      soci::use(cid), soci::use(kind), soci::use(ref.owner_id), soci::into(id);
  if (tx.sql().got_data()) return id;
  int neg = may_go_negative(ref.kind) ? 1 : 0;
  std::int64_t now = tx.now_ms();
  tx.exec(std::string(db::insert_ignore(tx.backend())) +
              " INTO wallet_accounts (community_id, owner_kind, owner_id, balance_cents, allow_negative, created_at) "
              "VALUES (:c, :k, :o, 0, :n, :t)",
          soci::use(cid, "c"), soci::use(kind, "k"), soci::use(ref.owner_id, "o"), soci::use(neg, "n"),
          soci::use(now, "t"));
  tx.sql() << "SELECT id FROM wallet_accounts WHERE community_id = :c AND owner_kind = :k AND owner_id = :o",
      soci::use(cid), soci::use(kind), soci::use(ref.owner_id), soci::into(id);
  return id;
}

}  // namespace

std::int64_t post(db::Tx& tx, std::int64_t community_id, std::vector<Leg> const& legs, std::string const& kind,
                  std::string const& reference) {
  if (legs.size() < 2) throw std::logic_error("a ledger transaction needs at least two legs");
  std::int64_t sum = 0;
  for (auto const& l : legs) {
    if (l.amount_cents == 0) throw std::logic_error("a ledger leg must move money");
    sum += l.amount_cents;
  }
  if (sum != 0) throw std::logic_error("ledger legs must sum to zero");

  // Resolve accounts and apply legs in account-id order so concurrent postings lock rows
  // in the same order (no lock-order deadlocks on MySQL).
  std::map<std::int64_t, std::int64_t> by_account;
  for (auto const& l : legs) by_account[account_id(tx, community_id, l.account)] += l.amount_cents;

  std::int64_t now = tx.now_ms();
  std::int64_t txn = tx.insert("wallet_transactions",
                               "INSERT INTO wallet_transactions (community_id, kind, reference, created_at) "
                               "VALUES (:c, :k, :r, :t)",
                               soci::use(community_id, "c"), soci::use(kind, "k"), soci::use(reference, "r"),
                               soci::use(now, "t"));
  for (auto const& [acct, amount] : by_account) {
    if (amount == 0) continue;
    auto n = tx.exec("UPDATE wallet_accounts SET balance_cents = balance_cents + :d "
                     "WHERE id = :id AND (allow_negative = 1 OR balance_cents + :d2 >= 0)",
                     soci::use(amount, "d"), soci::use(acct, "id"), soci::use(amount, "d2"));
    if (n != 1) throw Conflict("insufficient-funds", "the wallet balance is too low for this payment");
    long long after = 0;
    tx.sql() << "SELECT balance_cents FROM wallet_accounts WHERE id = :id", soci::use(acct), soci::into(after);
    tx.exec("INSERT INTO wallet_entries (transaction_id, account_id, community_id, amount_cents, balance_after_cents, "
            "created_at) VALUES (:x, :a, :c, :m, :b, :t)",
            soci::use(txn, "x"), soci::use(acct, "a"), soci::use(community_id, "c"), soci::use(amount, "m"),
            soci::use(after, "b"), soci::use(now, "t"));
  }
  return txn;
}

std::int64_t transfer(db::Tx& tx, std::int64_t community_id, AccountRef from, AccountRef to, std::int64_t amount_cents,
                      std::string const& kind, std::string const& reference) {
  if (amount_cents <= 0) throw std::logic_error("a transfer amount must be positive");
  return post(tx, community_id, {{from, -amount_cents}, {to, amount_cents}}, kind, reference);
}

std::int64_t balance(db::Tx& tx, std::int64_t community_id, AccountRef ref) {
  std::string kind(kind_name(ref.kind));
  long long b = 0;
  tx.sql() << "SELECT balance_cents FROM wallet_accounts WHERE community_id = :c AND owner_kind = :k AND owner_id = :o",
      soci::use(community_id), soci::use(kind), soci::use(ref.owner_id), soci::into(b);
  return tx.sql().got_data() ? b : 0;
}

}  // namespace courtyard::wallet
