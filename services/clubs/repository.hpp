#pragma once
// SOCI access for clubs, events, RSVPs and posts. Bound parameters only; every query
// that reads tenant data filters by community_id (directly or through a row already
// checked to belong to the community).
#include "db/tx.hpp"
#include "http/json.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace courtyard::clubs::repo {

// ---- clubs

struct Club {
  std::int64_t id = 0;
  std::int64_t community_id = 0;
  std::string name;
  std::string description;
  bool open = true;
  std::int64_t member_count = 0;
  std::int64_t created_by = 0;
  std::int64_t created_at = 0;
};

struct Member {
  std::int64_t id = 0;
  std::int64_t club_id = 0;
  std::int64_t account_id = 0;
  std::string status;  // "member" | "pending"
  bool organiser = false;
  std::int64_t created_at = 0;
};

std::int64_t insert_club(db::Tx& tx, std::int64_t cid, std::string const& name, std::string const& description,
                         bool open, std::int64_t created_by);
std::optional<Club> find_club(db::Tx& tx, std::int64_t cid, std::int64_t club_id);
// Ascending by id, strictly after page.after, at most page.fetch() rows.
std::vector<Club> list_clubs(db::Tx& tx, std::int64_t cid, json::Page const& page);

std::optional<Member> find_member(db::Tx& tx, std::int64_t club_id, std::int64_t account_id);
// Inserts a membership row; throws the driver's unique violation on a duplicate.
void insert_member(db::Tx& tx, std::int64_t cid, std::int64_t club_id, std::int64_t account_id,
                   std::string const& status, bool organiser);
// Ascending by id, strictly after page.after, at most page.fetch() rows.
std::vector<Member> list_members(db::Tx& tx, std::int64_t club_id, bool include_pending, json::Page const& page);
// Conditional transitions; return rows affected.
long long approve_member(db::Tx& tx, std::int64_t club_id, std::int64_t account_id);
long long make_organiser(db::Tx& tx, std::int64_t club_id, std::int64_t account_id);
long long delete_member(db::Tx& tx, std::int64_t club_id, std::int64_t account_id, std::string const& status);
// Adds `delta` to the club's member count (also serialises membership changes of one club).
void bump_member_count(db::Tx& tx, std::int64_t club_id, std::int64_t delta);
std::int64_t count_organisers(db::Tx& tx, std::int64_t club_id);

// ---- events

struct Event {
  std::int64_t id = 0;
  std::int64_t community_id = 0;
  std::int64_t club_id = 0;
  std::int64_t series_id = 0;  // 0: a single event
  std::string title;
  std::int64_t starts_at = 0;
  std::int64_t capacity = 0;
  std::int64_t seats_taken = 0;
  std::int64_t fee_cents = 0;
  std::int64_t created_by = 0;
  std::int64_t created_at = 0;
  std::string club_name;
  bool club_open = true;
};

std::int64_t insert_event(db::Tx& tx, std::int64_t cid, std::int64_t club_id, std::string const& title,
                          std::int64_t starts_at, std::int64_t capacity, std::int64_t fee_cents,
                          std::int64_t created_by);
void set_series(db::Tx& tx, std::int64_t event_id, std::int64_t series_id);
std::optional<Event> find_event(db::Tx& tx, std::int64_t cid, std::int64_t event_id);
// Ordered by (starts_at, id) within [from, to); page.after is the id of the last event of the
// previous page; at most page.fetch() rows. club_id 0 = every club of the community.
std::vector<Event> list_events(db::Tx& tx, std::int64_t cid, std::int64_t club_id, std::int64_t from, std::int64_t to,
                               json::Page const& page);

// The seat: `UPDATE ... SET seats_taken = seats_taken + 1 WHERE id AND seats_taken < capacity`.
bool take_seat(db::Tx& tx, std::int64_t event_id);
void free_seat(db::Tx& tx, std::int64_t event_id);
// Takes the next waitlist ticket number (locks the event row until commit).
std::int64_t next_waitlist_ticket(db::Tx& tx, std::int64_t event_id);

struct Rsvp {
  std::int64_t id = 0;
  std::int64_t event_id = 0;
  std::int64_t account_id = 0;
  std::string status;
  std::int64_t waitlist_seq = 0;
  std::optional<std::string> check_in_code;
  std::optional<std::int64_t> checked_in_at;
  std::int64_t paid_cents = 0;
  std::int64_t created_at = 0;
  std::int64_t points_spent = 0, points_cents = 0;  // the part of the fee paid with points
  std::optional<std::string> points_ref;           // the points debit's reference
};

std::optional<Rsvp> find_rsvp(db::Tx& tx, std::int64_t event_id, std::int64_t account_id);
std::optional<Rsvp> find_rsvp_by_code(db::Tx& tx, std::int64_t event_id, std::string const& code);
// A new RSVP row (throws the driver's unique violation when the account already has one).
std::int64_t insert_rsvp(db::Tx& tx, std::int64_t cid, std::int64_t event_id, std::int64_t account_id,
                         std::string const& status, std::int64_t seq, std::optional<std::string> const& code);
// Re-activates a cancelled RSVP; false when it is no longer cancelled.
bool reactivate_rsvp(db::Tx& tx, std::int64_t rsvp_id, std::string const& status, std::int64_t seq,
                     std::optional<std::string> const& code);
// Conditional status change from `from`; sets the code when given.
bool transition_rsvp(db::Tx& tx, std::int64_t rsvp_id, std::string const& from, std::string const& to,
                     std::optional<std::string> const& code);
void set_paid(db::Tx& tx, std::int64_t rsvp_id, std::int64_t paid_cents);
// Records the points that paid part of the fee (0 and no reference: none, or given back).
void set_points(db::Tx& tx, std::int64_t rsvp_id, std::int64_t points, std::int64_t cents,
                std::optional<std::string> const& ref);
bool check_in(db::Tx& tx, std::int64_t rsvp_id);
// Waitlisted RSVPs of the event in ticket order (at most `limit`).
std::vector<Rsvp> waitlist(db::Tx& tx, std::int64_t event_id, std::int64_t limit);
std::vector<std::int64_t> waiting_tickets(db::Tx& tx, std::int64_t event_id);
std::int64_t count_rsvps(db::Tx& tx, std::int64_t event_id, std::string const& status);
std::vector<std::int64_t> going_accounts(db::Tx& tx, std::int64_t event_id);

// Events that start within the reminder lead and have not been reminded (any community).
std::vector<Event> reminder_candidates(db::Tx& tx, std::int64_t now_ms, std::int64_t lead_ms, std::int64_t limit);
bool mark_reminded(db::Tx& tx, std::int64_t event_id);

// ---- posts

struct Post {
  std::int64_t id = 0;
  std::int64_t community_id = 0;
  std::int64_t club_id = 0;  // 0: the community feed
  std::int64_t author_id = 0;
  std::string body;
  std::int64_t like_count = 0;
  std::int64_t comment_count = 0;
  std::int64_t report_count = 0;
  bool hidden = false;
  std::int64_t created_at = 0;
  bool author_erased = false;  // shown as a former resident
};

std::int64_t insert_post(db::Tx& tx, std::int64_t cid, std::int64_t club_id, std::int64_t author_id,
                         std::string const& body);
std::optional<Post> find_post(db::Tx& tx, std::int64_t cid, std::int64_t post_id);

struct FeedQuery {
  std::int64_t club_id = 0;          // 0: community feed
  bool include_hidden = false;
  bool reported_only = false;        // every club's reported posts
};
// Newest first (id desc), strictly before page.after, at most page.fetch() rows.
std::vector<Post> list_posts(db::Tx& tx, std::int64_t cid, FeedQuery const& q, json::Page const& page);
bool hide_post(db::Tx& tx, std::int64_t post_id);

struct Comment {
  std::int64_t id = 0;
  std::int64_t post_id = 0;
  std::int64_t author_id = 0;
  std::string body;
  std::int64_t created_at = 0;
  bool author_erased = false;  // shown as a former resident
};
std::int64_t insert_comment(db::Tx& tx, std::int64_t cid, std::int64_t post_id, std::int64_t author_id,
                            std::string const& body);
// Oldest first, strictly after page.after, at most page.fetch() rows.
std::vector<Comment> list_comments(db::Tx& tx, std::int64_t post_id, json::Page const& page);

// Throws the driver's unique violation on a second like / report by the same account.
void insert_like(db::Tx& tx, std::int64_t cid, std::int64_t post_id, std::int64_t account_id);
long long delete_like(db::Tx& tx, std::int64_t post_id, std::int64_t account_id);
bool has_liked(db::Tx& tx, std::int64_t post_id, std::int64_t account_id);
void insert_report(db::Tx& tx, std::int64_t cid, std::int64_t post_id, std::int64_t account_id,
                   std::string const& reason);
enum class Counter { Likes, Comments, Reports };
// Adds `delta` to the post's counter in the same transaction as the row it counts.
void bump_post_counter(db::Tx& tx, std::int64_t post_id, Counter counter, std::int64_t delta);

// ---- savepoints

// A savepoint inside the transaction, so one step can be undone without undoing the rest.
// End it with rollback() (undo the step) or release() (keep it).
class Savepoint {
 public:
  explicit Savepoint(db::Tx& tx);
  Savepoint(Savepoint const&) = delete;
  Savepoint& operator=(Savepoint const&) = delete;
  void rollback();
  void release();

 private:
  db::Tx& tx_;
  bool done_ = false;
};

}  // namespace courtyard::clubs::repo
