#pragma once
// What other parts of Courtyard may call from delivery.
#include "db/tx.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <utility>
#include <string>

namespace courtyard::delivery {

// The account's rows in this service, for the resident's data export (export.cpp).
boost::json::object export_account(db::Tx& tx, std::int64_t account_id);
// Account erasure (erase.cpp; members orchestrates POST /v1/me/erasure): delivery tasks and parcels
// name the account by id only; nothing changes. Deliveries the account (as a courier) holds
// block erasure.
// Returns what it changed, for the erasure receipt.
boost::json::object erase_account(db::Tx& tx, std::int64_t account_id);
// What stops the account from being erased now, as (code, detail); empty = nothing.
std::vector<std::pair<std::string, std::string>> erasure_blockers(db::Tx& tx, std::int64_t account_id);

// Checkout with a delivery slot (shops' order placement, in its transaction): books one place
// of slot `slot_id` of merchant `merchant_id` for the order. Throws the API's errors:
// 422 (field slot_id) when it is not an open slot of that merchant or has started,
// 409 /problems/slot-full when every place is taken (a conditional update: never overbooked).
// The place is given back when the order is cancelled (order.cancelled, any reason).
// Returns the slot's window {starts_at, ends_at} for the answer.
struct SlotWindow {
  std::int64_t slot_id = 0;
  std::int64_t starts_at = 0;
  std::int64_t ends_at = 0;
};
SlotWindow book_slot(db::Tx& tx, std::int64_t community_id, std::int64_t merchant_id, std::int64_t slot_id,
                     std::int64_t order_id, std::int64_t buyer_id);
// The slot the order holds a place in (none once the order is cancelled), for the order's answer.
std::optional<SlotWindow> booked_slot(db::Tx& tx, std::int64_t order_id);

// Offline-verifiable codes (codes.hpp): a signed token for the code of object `object_id`
// of `kind` ("redemption", "visitor_pass", "delivery", "delivery_stop") in the community,
// valid until min(now + 15 minutes, valid_until_ms). Signs with the community's current key
// (created on first use). Call it in a write transaction.
struct SignedCode {
  std::string token;
  std::int64_t key_id = 0;
  std::int64_t expires_at = 0;
};
SignedCode sign_code(db::Tx& tx, std::int64_t community_id, std::string_view kind, std::int64_t object_id,
                     std::int64_t valid_until_ms);
// The JSON a token route answers: {"kind", "object_id", "token", "key_id", "expires_at", "qr"}.
boost::json::object signed_code_json(std::string_view kind, std::int64_t object_id, SignedCode const& c);

}  // namespace courtyard::delivery
