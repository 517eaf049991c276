#pragma once
// The community wallet: a double-entry ledger. Every posting is one ledger transaction
// whose entries sum to zero; balances are kept on the accounts in the same database
// transaction. Resident and merchant accounts never go below zero (a conditional update
// refuses it: 409 /problems/insufficient-funds); the external `cash` account is the
// counterpart of money entering or leaving the platform and may go negative.
// A merchant's account is kMerchantBuckets sub-accounts (rows) so that concurrent orders
// to one shop do not queue on one balance row: an order's payment and its refund use the
// sub-account merchant_for_order() picks; balances and statements add the sub-accounts up
// (ARCHITECTURE.md, "Money and stock under load").
// Other services (property bills, shop orders, paid events, group-buy holds) pay through
// this header, always inside their own db::Tx so a payment commits with its cause.
#include "db/tx.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <utility>
#include <string>
#include <vector>

namespace courtyard::wallet {

enum class Owner { Resident, Merchant, Community, Cash, Hold };

struct AccountRef {
  Owner kind;
  std::int64_t owner_id;  // account id, merchant id, 0 for community/cash, hold reference id
  int bucket = 0;         // a merchant's sub-account, 0..kMerchantBuckets-1; 0 for every other kind
};
// Sub-accounts per merchant: enough that a flash sale's concurrent payments rarely meet on
// one row, few enough that a balance read sums a handful of rows.
inline constexpr int kMerchantBuckets = 16;
inline AccountRef resident(std::int64_t account_id) { return {Owner::Resident, account_id}; }
// The merchant's takings (sub-account 0); balance() and statements cover all of them.
inline AccountRef merchant(std::int64_t merchant_id) { return {Owner::Merchant, merchant_id}; }
// The sub-account an order's payment is credited to and its refund taken from.
inline AccountRef merchant_for_order(std::int64_t merchant_id, std::int64_t order_id) {
  return {Owner::Merchant, merchant_id, static_cast<int>(order_id % kMerchantBuckets)};
}
// The community's own income account (property fees).
inline AccountRef community() { return {Owner::Community, 0}; }
// Outside money: top-ups, offline payments, refunds to a card.
inline AccountRef cash() { return {Owner::Cash, 0}; }
// Escrow for one purpose (e.g. a group buy participation); `id` is the holder's row id.
inline AccountRef hold(std::int64_t id) { return {Owner::Hold, id}; }

struct Leg {
  AccountRef account;
  std::int64_t amount_cents;  // + credit, - debit
};

// Posts one balanced transaction (legs sum to zero, each amount != 0). Throws
// Conflict("insufficient-funds") when a non-negative account would drop below zero. A
// merchant sub-account that is short first takes in the merchant's other sub-accounts (a
// "consolidation" transaction, hidden from statements), so a debit is refused only when the
// merchant as a whole is short.
// `kind` e.g. "top_up", "bill_payment", "order_payment", "refund"; `reference` e.g. "order:42".
std::int64_t post(db::Tx& tx, std::int64_t community_id, std::vector<Leg> const& legs, std::string const& kind,
                  std::string const& reference);
// Several balanced transactions in one go, for a caller that answers many requests in one
// database transaction (shops' checkout batches): the accounts are read and locked once (in
// key order, as post() locks them), checked entry by entry in the postings' order, set in one
// UPDATE, and the transactions and entries written in one INSERT each, with the same rows
// and running balances post() would have written one by one. A non-negative account that
// would drop below zero anywhere throws Conflict("insufficient-funds") and nothing is
// meant to commit: no merchant consolidation here (the caller falls back to post()).
// Returns the ledger transactions' ids, in the postings' order.
struct Posting {
  std::vector<Leg> legs;
  std::string kind;
  std::string reference;
};
std::vector<std::int64_t> post_all(db::Tx& tx, std::int64_t community_id, std::vector<Posting> const& postings);
// Moves `amount_cents` (> 0) from one account to another.
std::int64_t transfer(db::Tx& tx, std::int64_t community_id, AccountRef from, AccountRef to, std::int64_t amount_cents,
                      std::string const& kind, std::string const& reference);
// The owner's balance: for a merchant, the sum of its sub-accounts (`bucket` is ignored).
std::int64_t balance(db::Tx& tx, std::int64_t community_id, AccountRef account);

// The account's rows in this service, for the resident's data export (export.cpp).
boost::json::object export_account(db::Tx& tx, std::int64_t account_id);
// Account erasure (erase.cpp; members orchestrates POST /v1/me/erasure): nothing personal is
// stored here (accounts and entries name the account id only), so nothing changes: the
// ledger keeps balancing. A positive balance blocks erasure (the money is the resident's).
// Returns what it changed, for the erasure receipt.
boost::json::object erase_account(db::Tx& tx, std::int64_t account_id);
// What stops the account from being erased now, as (code, detail); empty = nothing.
std::vector<std::pair<std::string, std::string>> erasure_blockers(db::Tx& tx, std::int64_t account_id);

}  // namespace courtyard::wallet
