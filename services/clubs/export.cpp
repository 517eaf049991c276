// The clubs part of the resident's data export (GET /v1/me/export, served by
// members): the rows that belong to the account, as stored.
#include "db/json_rows.hpp"
#include "services/clubs/api.hpp"

#include <boost/json.hpp>

namespace courtyard::clubs {

namespace {
constexpr char const* kExportClubsCreated = "SELECT * FROM clubs WHERE created_by = :a ORDER BY id";
constexpr char const* kExportClubMemberships = "SELECT * FROM club_members WHERE account_id = :a ORDER BY id";
constexpr char const* kExportRsvps = "SELECT * FROM event_rsvps WHERE account_id = :a ORDER BY id";
constexpr char const* kExportPosts = "SELECT * FROM community_posts WHERE author_id = :a ORDER BY id";
constexpr char const* kExportComments = "SELECT * FROM post_comments WHERE author_id = :a ORDER BY id";
constexpr char const* kExportLikes = "SELECT * FROM post_likes WHERE account_id = :a ORDER BY id";
constexpr char const* kExportReports = "SELECT * FROM post_reports WHERE account_id = :a ORDER BY id";
}  // namespace

boost::json::object export_account(db::Tx& tx, std::int64_t account_id) {
  return boost::json::object{{"clubs_created", db::json_rows(tx, kExportClubsCreated, account_id)},
                             {"club_memberships", db::json_rows(tx, kExportClubMemberships, account_id)},
                             {"rsvps", db::json_rows(tx, kExportRsvps, account_id)},
                             {"posts", db::json_rows(tx, kExportPosts, account_id)},
                             {"comments", db::json_rows(tx, kExportComments, account_id)},
                             {"likes", db::json_rows(tx, kExportLikes, account_id)},
                             {"reports", db::json_rows(tx, kExportReports, account_id)}};
}

}  // namespace courtyard::clubs
