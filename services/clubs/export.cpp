// The clubs part of the resident's data export (GET /v1/me/export, served by
// members): the rows that belong to the account, as stored.
#include "db/json_rows.hpp"
#include "services/clubs/api.hpp"

#include <boost/json.hpp>

namespace courtyard::clubs {

boost::json::object export_account(db::Tx& tx, std::int64_t account_id) {
  return db::json_sections(tx, account_id, {
      {"clubs_created", "SELECT * FROM clubs WHERE created_by = :a ORDER BY id"},
      {"club_memberships", "SELECT * FROM club_members WHERE account_id = :a ORDER BY id"},
      {"rsvps", "SELECT * FROM event_rsvps WHERE account_id = :a ORDER BY id"},
      {"posts", "SELECT * FROM community_posts WHERE author_id = :a ORDER BY id"},
      {"comments", "SELECT * FROM post_comments WHERE author_id = :a ORDER BY id"},
      {"likes", "SELECT * FROM post_likes WHERE account_id = :a ORDER BY id"},
      {"reports", "SELECT * FROM post_reports WHERE account_id = :a ORDER BY id"},
  });
}

}  // namespace courtyard::clubs
