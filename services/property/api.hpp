#pragma once
// What other parts of Courtyard may call from property.
#include "db/tx.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <vector>
#include <vector>
#include <utility>
#include <string>

namespace courtyard::property {

// The account's rows in this service, for the resident's data export (export.cpp).
boost::json::object export_account(db::Tx& tx, std::int64_t account_id);
// Account erasure (erase.cpp; members orchestrates POST /v1/me/erasure): the free text the
// resident wrote for the manager (ticket descriptions, rating comments, ticket notes) and
// visitor names become "[erased]"; bills, payments, bookings, suggestions and votes stay.
// Returns what it changed, for the erasure receipt.
boost::json::object erase_account(db::Tx& tx, std::int64_t account_id);

// The text of the community's suggestions created in [from, to), newest first, at most
// `limit` (shops' category-gap report looks for the categories and terms they mention).
struct SuggestionText {
  std::int64_t id = 0;
  std::string title, body;
  std::int64_t vote_count = 0;
};
std::vector<SuggestionText> suggestion_texts(db::Tx& tx, std::int64_t cid, std::int64_t from, std::int64_t to,
                                             std::int64_t limit);

}  // namespace courtyard::property
