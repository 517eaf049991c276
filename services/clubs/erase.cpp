// The clubs part of account erasure (POST /v1/me/erasure, served by members). Posts and
// comments stay (replies and counts refer to them) with the author shown as a former
// resident; what the account told the moderators in its reports is replaced. Memberships,
// RSVPs and likes carry no text and stay, so counts and seats stay right.
#include "db/query.hpp"
#include "services/clubs/api.hpp"

#include <boost/json.hpp>

namespace courtyard::clubs {

using soci::use;

namespace {
constexpr char const* kErasePosts = "UPDATE community_posts SET author_erased = 1 WHERE author_id = :a";
constexpr char const* kEraseComments = "UPDATE post_comments SET author_erased = 1 WHERE author_id = :a";
constexpr char const* kEraseReports = "UPDATE post_reports SET reason = '[erased]' WHERE account_id = :a";
}  // namespace

boost::json::object erase_account(db::Tx& tx, std::int64_t account_id) {
  return boost::json::object{{"posts", tx.exec(kErasePosts, use(account_id, "a"))},
                             {"comments", tx.exec(kEraseComments, use(account_id, "a"))},
                             {"reports", tx.exec(kEraseReports, use(account_id, "a"))}};
}

}  // namespace courtyard::clubs
