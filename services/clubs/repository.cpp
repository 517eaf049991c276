#include "services/clubs/repository.hpp"

#include "db/query.hpp"

#include <cstdint>

namespace courtyard::clubs::repo {

namespace {

using soci::use;

// ---- row readers, in the order of their column lists

#define CLUBS_CLUB_COLS \
  "c.id, c.community_id, c.name, c.description, c.is_open, c.member_count, c.created_by, c.created_at"
constexpr auto club_from =
    db::fields(&Club::id, &Club::community_id, &Club::name, &Club::description, &Club::open,
               &Club::member_count, &Club::created_by, &Club::created_at);

#define CLUBS_MEMBER_COLS "id, club_id, account_id, status, organiser, created_at"
constexpr auto member_from =
    db::fields(&Member::id, &Member::club_id, &Member::account_id, &Member::status, &Member::organiser,
               &Member::created_at);

#define CLUBS_EVENT_COLS                                                                                         \
  "e.id, e.community_id, e.club_id, e.series_id, e.title, e.starts_at, e.capacity, e.seats_taken, e.fee_cents, " \
  "e.created_by, e.created_at, c.name, c.is_open"
constexpr auto event_from =
    db::fields(&Event::id, &Event::community_id, &Event::club_id, &Event::series_id, &Event::title,
               &Event::starts_at, &Event::capacity, &Event::seats_taken, &Event::fee_cents,
               &Event::created_by, &Event::created_at, &Event::club_name, &Event::club_open);

#define CLUBS_RSVP_COLS \
  "id, event_id, account_id, status, waitlist_seq, check_in_code, checked_in_at, paid_cents, created_at, " \
  "points_spent, points_cents, points_ref"
constexpr auto rsvp_from =
    db::fields(&Rsvp::id, &Rsvp::event_id, &Rsvp::account_id, &Rsvp::status, &Rsvp::waitlist_seq,
               &Rsvp::check_in_code, &Rsvp::checked_in_at, &Rsvp::paid_cents, &Rsvp::created_at,
               &Rsvp::points_spent, &Rsvp::points_cents, &Rsvp::points_ref);

#define CLUBS_POST_COLS \
  "id, community_id, club_id, author_id, body, like_count, comment_count, report_count, hidden, created_at, " \
  "author_erased"
constexpr auto post_from =
    db::fields(&Post::id, &Post::community_id, &Post::club_id, &Post::author_id, &Post::body,
               &Post::like_count, &Post::comment_count, &Post::report_count, &Post::hidden, &Post::created_at,
               &Post::author_erased);

constexpr auto comment_from =
    db::fields(&Comment::id, &Comment::post_id, &Comment::author_id, &Comment::body, &Comment::created_at,
               &Comment::author_erased);


}  // namespace

// ---- clubs

constexpr char const* kInsertClub =
    "INSERT INTO clubs (community_id, name, description, is_open, member_count, created_by, created_at) "
    "VALUES (:c, :n, :d, :o, 0, :b, :t)";
std::int64_t insert_club(db::Tx& tx, std::int64_t cid, std::string const& name, std::string const& description,
                         bool open, std::int64_t created_by) {
  int o = open ? 1 : 0;
  std::int64_t now = tx.now_ms();
  return tx.insert("clubs", kInsertClub, use(cid, "c"), use(name, "n"), use(description, "d"), use(o, "o"),
                   use(created_by, "b"), use(now, "t"));
}

constexpr char const* kFindClub = "SELECT " CLUBS_CLUB_COLS " FROM clubs c WHERE c.id = :id AND c.community_id = :c";
std::optional<Club> find_club(db::Tx& tx, std::int64_t cid, std::int64_t club_id) {
  return db::one(tx, kFindClub, club_from, use(club_id, "id"), use(cid, "c"));
}

constexpr char const* kListClubs =
    "SELECT " CLUBS_CLUB_COLS " FROM clubs c WHERE c.community_id = :c AND c.id > :a ORDER BY c.id LIMIT :l";
std::vector<Club> list_clubs(db::Tx& tx, std::int64_t cid, json::Page const& page) {
  return db::all(tx, kListClubs, club_from, use(cid, "c"), use(page.above(), "a"), use(page.fetch(), "l"));
}

constexpr char const* kFindMember =
    "SELECT " CLUBS_MEMBER_COLS " FROM club_members WHERE club_id = :k AND account_id = :a";
std::optional<Member> find_member(db::Tx& tx, std::int64_t club_id, std::int64_t account_id) {
  return db::one(tx, kFindMember, member_from, use(club_id, "k"), use(account_id, "a"));
}

constexpr char const* kInsertMember =
    "INSERT INTO club_members (community_id, club_id, account_id, status, organiser, created_at) "
    "VALUES (:c, :k, :a, :s, :o, :t)";
void insert_member(db::Tx& tx, std::int64_t cid, std::int64_t club_id, std::int64_t account_id,
                   std::string const& status, bool organiser) {
  int o = organiser ? 1 : 0;
  std::int64_t now = tx.now_ms();
  tx.exec(kInsertMember, use(cid, "c"), use(club_id, "k"), use(account_id, "a"), use(status, "s"), use(o, "o"),
          use(now, "t"));
}

constexpr char const* kListMembers =
    "SELECT " CLUBS_MEMBER_COLS
    " FROM club_members WHERE club_id = :k AND status IN (:s1, :s2) AND id > :a ORDER BY id LIMIT :l";
std::vector<Member> list_members(db::Tx& tx, std::int64_t club_id, bool include_pending, json::Page const& page) {
  std::string member = "member";
  std::string other = include_pending ? "pending" : "member";
  return db::all(tx, kListMembers, member_from, use(club_id, "k"), use(member, "s1"), use(other, "s2"),
                 use(page.above(), "a"), use(page.fetch(), "l"));
}

constexpr char const* kApproveMember =
    "UPDATE club_members SET status = 'member' WHERE club_id = :k AND account_id = :a AND status = 'pending'";
long long approve_member(db::Tx& tx, std::int64_t club_id, std::int64_t account_id) {
  return tx.exec(kApproveMember, use(club_id, "k"), use(account_id, "a"));
}

constexpr char const* kMakeOrganiser =
    "UPDATE club_members SET organiser = 1 WHERE club_id = :k AND account_id = :a "
    "AND status = 'member' AND organiser = 0";
long long make_organiser(db::Tx& tx, std::int64_t club_id, std::int64_t account_id) {
  return tx.exec(kMakeOrganiser, use(club_id, "k"), use(account_id, "a"));
}

constexpr char const* kDeleteMember =
    "DELETE FROM club_members WHERE club_id = :k AND account_id = :a AND status = :s";
long long delete_member(db::Tx& tx, std::int64_t club_id, std::int64_t account_id, std::string const& status) {
  return tx.exec(kDeleteMember, use(club_id, "k"), use(account_id, "a"), use(status, "s"));
}

constexpr char const* kBumpMemberCount = "UPDATE clubs SET member_count = member_count + :d WHERE id = :id";
void bump_member_count(db::Tx& tx, std::int64_t club_id, std::int64_t delta) {
  tx.exec(kBumpMemberCount, use(delta, "d"), use(club_id, "id"));
}

constexpr char const* kCountOrganisers =
    "SELECT COUNT(*) FROM club_members WHERE club_id = :a AND status = 'member' AND organiser = 1";
std::int64_t count_organisers(db::Tx& tx, std::int64_t club_id) {
  return db::scalar(tx, kCountOrganisers, use(club_id, "a"));
}

// ---- events

constexpr char const* kInsertEvent =
    "INSERT INTO club_events (community_id, club_id, series_id, title, starts_at, capacity, seats_taken, "
    "waitlist_seq, fee_cents, reminder_sent, created_by, created_at) "
    "VALUES (:c, :k, 0, :ti, :s, :cap, 0, 0, :f, 0, :b, :t)";
std::int64_t insert_event(db::Tx& tx, std::int64_t cid, std::int64_t club_id, std::string const& title,
                          std::int64_t starts_at, std::int64_t capacity, std::int64_t fee_cents,
                          std::int64_t created_by) {
  std::int64_t now = tx.now_ms();
  return tx.insert("club_events", kInsertEvent, use(cid, "c"), use(club_id, "k"), use(title, "ti"),
                   use(starts_at, "s"), use(capacity, "cap"), use(fee_cents, "f"), use(created_by, "b"),
                   use(now, "t"));
}

constexpr char const* kSetSeries = "UPDATE club_events SET series_id = :s WHERE id = :id";
void set_series(db::Tx& tx, std::int64_t event_id, std::int64_t series_id) {
  tx.exec(kSetSeries, use(series_id, "s"), use(event_id, "id"));
}

constexpr char const* kFindEvent =
    "SELECT " CLUBS_EVENT_COLS
    " FROM club_events e JOIN clubs c ON c.id = e.club_id WHERE e.id = :id AND e.community_id = :c";
std::optional<Event> find_event(db::Tx& tx, std::int64_t cid, std::int64_t event_id) {
  return db::one(tx, kFindEvent, event_from, use(event_id, "id"), use(cid, "c"));
}

constexpr char const* kEventStart = "SELECT starts_at FROM club_events WHERE id = :id AND community_id = :c";
constexpr char const* kListEvents =
    "SELECT " CLUBS_EVENT_COLS
    " FROM club_events e JOIN clubs c ON c.id = e.club_id "
    "WHERE e.community_id = :c AND e.starts_at >= :f AND e.starts_at < :t "
    "AND (e.starts_at > :s1 OR (e.starts_at = :s2 AND e.id > :i)) "
    "AND (:k1 = 0 OR e.club_id = :k2) ORDER BY e.starts_at, e.id LIMIT :l";
std::vector<Event> list_events(db::Tx& tx, std::int64_t cid, std::int64_t club_id, std::int64_t from, std::int64_t to,
                               json::Page const& page) {
  // Keyset pagination on (starts_at, id): the cursor is the last event's id.
  std::int64_t after = page.above(), n = page.fetch();
  std::int64_t after_start = from;
  std::int64_t after_id = 0;
  if (after > 0) {
    auto start = db::one(tx, kEventStart, db::first_integer, use(after, "id"), use(cid, "c"));
    if (!start) return {};
    after_start = *start;
    after_id = after;
  }
  return db::all(tx, kListEvents, event_from, use(cid, "c"), use(from, "f"), use(to, "t"), use(after_start, "s1"),
                 use(after_start, "s2"), use(after_id, "i"), use(club_id, "k1"), use(club_id, "k2"), use(n, "l"));
}

constexpr char const* kTakeSeat =
    "UPDATE club_events SET seats_taken = seats_taken + 1 WHERE id = :id AND seats_taken < capacity";
bool take_seat(db::Tx& tx, std::int64_t event_id) { return tx.exec(kTakeSeat, use(event_id, "id")) == 1; }

constexpr char const* kFreeSeat =
    "UPDATE club_events SET seats_taken = seats_taken - 1 WHERE id = :id AND seats_taken > 0";
void free_seat(db::Tx& tx, std::int64_t event_id) { tx.exec(kFreeSeat, use(event_id, "id")); }

constexpr char const* kBumpWaitlistSeq = "UPDATE club_events SET waitlist_seq = waitlist_seq + 1 WHERE id = :id";
constexpr char const* kWaitlistSeq = "SELECT waitlist_seq FROM club_events WHERE id = :a";
std::int64_t next_waitlist_ticket(db::Tx& tx, std::int64_t event_id) {
  tx.exec(kBumpWaitlistSeq, use(event_id, "id"));
  return db::scalar(tx, kWaitlistSeq, use(event_id, "a"));
}

constexpr char const* kFindRsvp =
    "SELECT " CLUBS_RSVP_COLS " FROM event_rsvps WHERE event_id = :e AND account_id = :a";
std::optional<Rsvp> find_rsvp(db::Tx& tx, std::int64_t event_id, std::int64_t account_id) {
  return db::one(tx, kFindRsvp, rsvp_from, use(event_id, "e"), use(account_id, "a"));
}

constexpr char const* kFindRsvpByCode =
    "SELECT " CLUBS_RSVP_COLS " FROM event_rsvps WHERE event_id = :e AND check_in_code = :k AND status = 'going'";
std::optional<Rsvp> find_rsvp_by_code(db::Tx& tx, std::int64_t event_id, std::string const& code) {
  return db::one(tx, kFindRsvpByCode, rsvp_from, use(event_id, "e"), use(code, "k"));
}

constexpr char const* kInsertRsvp =
    "INSERT INTO event_rsvps (community_id, event_id, account_id, status, waitlist_seq, check_in_code, "
    "checked_in_at, paid_cents, created_at, updated_at) "
    "VALUES (:c, :e, :a, :s, :q, :k, NULL, 0, :t, :u)";
std::int64_t insert_rsvp(db::Tx& tx, std::int64_t cid, std::int64_t event_id, std::int64_t account_id,
                         std::string const& status, std::int64_t seq, std::optional<std::string> const& code) {
  std::int64_t now = tx.now_ms();
  std::string c = code.value_or("");
  soci::indicator ind = code ? soci::i_ok : soci::i_null;
  return tx.insert("event_rsvps", kInsertRsvp, use(cid, "c"), use(event_id, "e"), use(account_id, "a"),
                   use(status, "s"), use(seq, "q"), use(c, ind, "k"), use(now, "t"), use(now, "u"));
}

constexpr char const* kReactivateRsvp =
    "UPDATE event_rsvps SET status = :s, waitlist_seq = :q, check_in_code = :k, checked_in_at = NULL, "
    "paid_cents = 0, created_at = :t, updated_at = :u WHERE id = :id AND status = 'cancelled'";
bool reactivate_rsvp(db::Tx& tx, std::int64_t rsvp_id, std::string const& status, std::int64_t seq,
                     std::optional<std::string> const& code) {
  std::int64_t now = tx.now_ms();
  std::string c = code.value_or("");
  soci::indicator ind = code ? soci::i_ok : soci::i_null;
  return tx.exec(kReactivateRsvp, use(status, "s"), use(seq, "q"), use(c, ind, "k"), use(now, "t"), use(now, "u"),
                 use(rsvp_id, "id")) == 1;
}

constexpr char const* kTransitionRsvpWithCode =
    "UPDATE event_rsvps SET status = :s, check_in_code = :k, updated_at = :u WHERE id = :id AND status = :f";
constexpr char const* kTransitionRsvp =
    "UPDATE event_rsvps SET status = :s, updated_at = :u WHERE id = :id AND status = :f";
bool transition_rsvp(db::Tx& tx, std::int64_t rsvp_id, std::string const& from, std::string const& to,
                     std::optional<std::string> const& code) {
  std::int64_t now = tx.now_ms();
  if (code) {
    return tx.exec(kTransitionRsvpWithCode, use(to, "s"), use(*code, "k"), use(now, "u"), use(rsvp_id, "id"),
                   use(from, "f")) == 1;
  }
  return tx.exec(kTransitionRsvp, use(to, "s"), use(now, "u"), use(rsvp_id, "id"), use(from, "f")) == 1;
}

constexpr char const* kSetPoints =
    "UPDATE event_rsvps SET points_spent = :p, points_cents = :pc, points_ref = :r WHERE id = :id";
void set_points(db::Tx& tx, std::int64_t rsvp_id, std::int64_t points, std::int64_t cents,
                std::optional<std::string> const& ref) {
  std::string r = ref.value_or("");
  soci::indicator ind = ref ? soci::i_ok : soci::i_null;
  tx.exec(kSetPoints, use(points, "p"), use(cents, "pc"), use(r, ind, "r"), use(rsvp_id, "id"));
}

constexpr char const* kSetPaid = "UPDATE event_rsvps SET paid_cents = :p WHERE id = :id";
void set_paid(db::Tx& tx, std::int64_t rsvp_id, std::int64_t paid_cents) {
  tx.exec(kSetPaid, use(paid_cents, "p"), use(rsvp_id, "id"));
}

constexpr char const* kCheckIn =
    "UPDATE event_rsvps SET checked_in_at = :t WHERE id = :id AND status = 'going' AND checked_in_at IS NULL";
bool check_in(db::Tx& tx, std::int64_t rsvp_id) {
  std::int64_t now = tx.now_ms();
  return tx.exec(kCheckIn, use(now, "t"), use(rsvp_id, "id")) == 1;
}

constexpr char const* kWaitlist =
    "SELECT " CLUBS_RSVP_COLS
    " FROM event_rsvps WHERE event_id = :e AND status = 'waitlisted' ORDER BY waitlist_seq, id LIMIT :l";
std::vector<Rsvp> waitlist(db::Tx& tx, std::int64_t event_id, std::int64_t limit) {
  return db::all(tx, kWaitlist, rsvp_from, use(event_id, "e"), use(limit, "l"));
}

constexpr char const* kWaitingTickets =
    "SELECT waitlist_seq FROM event_rsvps WHERE event_id = :e AND status = 'waitlisted'";
std::vector<std::int64_t> waiting_tickets(db::Tx& tx, std::int64_t event_id) {
  return db::all(tx, kWaitingTickets, db::first_integer, use(event_id, "e"));
}

constexpr char const* kCountRsvps = "SELECT COUNT(*) FROM event_rsvps WHERE event_id = :e AND status = :s";
std::int64_t count_rsvps(db::Tx& tx, std::int64_t event_id, std::string const& status) {
  return db::scalar(tx, kCountRsvps, use(event_id, "e"), use(status, "s"));
}

constexpr char const* kGoingAccounts =
    "SELECT account_id FROM event_rsvps WHERE event_id = :e AND status = 'going' ORDER BY id";
std::vector<std::int64_t> going_accounts(db::Tx& tx, std::int64_t event_id) {
  return db::all(tx, kGoingAccounts, db::first_integer, use(event_id, "e"));
}

constexpr char const* kReminderCandidates =
    "SELECT " CLUBS_EVENT_COLS
    " FROM club_events e JOIN clubs c ON c.id = e.club_id "
    "WHERE e.reminder_sent = 0 AND e.starts_at > :n AND e.starts_at <= :u "
    "ORDER BY e.starts_at, e.id LIMIT :l";
std::vector<Event> reminder_candidates(db::Tx& tx, std::int64_t now_ms, std::int64_t lead_ms, std::int64_t limit) {
  std::int64_t until = now_ms + lead_ms;
  return db::all(tx, kReminderCandidates, event_from, use(now_ms, "n"), use(until, "u"), use(limit, "l"));
}

constexpr char const* kMarkReminded =
    "UPDATE club_events SET reminder_sent = 1 WHERE id = :id AND reminder_sent = 0";
bool mark_reminded(db::Tx& tx, std::int64_t event_id) { return tx.exec(kMarkReminded, use(event_id, "id")) == 1; }

// ---- posts

constexpr char const* kInsertPost =
    "INSERT INTO community_posts (community_id, club_id, author_id, body, like_count, comment_count, "
    "report_count, hidden, created_at) VALUES (:c, :k, :a, :b, 0, 0, 0, 0, :t)";
std::int64_t insert_post(db::Tx& tx, std::int64_t cid, std::int64_t club_id, std::int64_t author_id,
                         std::string const& body) {
  std::int64_t now = tx.now_ms();
  return tx.insert("community_posts", kInsertPost, use(cid, "c"), use(club_id, "k"), use(author_id, "a"),
                   use(body, "b"), use(now, "t"));
}

constexpr char const* kFindPost =
    "SELECT " CLUBS_POST_COLS " FROM community_posts WHERE id = :id AND community_id = :c";
std::optional<Post> find_post(db::Tx& tx, std::int64_t cid, std::int64_t post_id) {
  return db::one(tx, kFindPost, post_from, use(post_id, "id"), use(cid, "c"));
}

constexpr char const* kReportedPosts =
    "SELECT " CLUBS_POST_COLS
    " FROM community_posts WHERE community_id = :c AND report_count > 0 AND id < :b "
    "AND hidden <= :h ORDER BY id DESC LIMIT :l";
constexpr char const* kFeedPosts =
    "SELECT " CLUBS_POST_COLS
    " FROM community_posts WHERE community_id = :c AND club_id = :k AND id < :b "
    "AND hidden <= :h ORDER BY id DESC LIMIT :l";
std::vector<Post> list_posts(db::Tx& tx, std::int64_t cid, FeedQuery const& q, json::Page const& page) {
  int max_hidden = q.include_hidden ? 1 : 0;
  if (q.reported_only)
    return db::all(tx, kReportedPosts, post_from, use(cid, "c"), use(page.below(), "b"), use(max_hidden, "h"),
                   use(page.fetch(), "l"));
  std::int64_t club = q.club_id;
  return db::all(tx, kFeedPosts, post_from, use(cid, "c"), use(club, "k"), use(page.below(), "b"), use(max_hidden, "h"),
                 use(page.fetch(), "l"));
}

constexpr char const* kHidePost = "UPDATE community_posts SET hidden = 1 WHERE id = :id AND hidden = 0";
bool hide_post(db::Tx& tx, std::int64_t post_id) { return tx.exec(kHidePost, use(post_id, "id")) == 1; }

constexpr char const* kInsertComment =
    "INSERT INTO post_comments (community_id, post_id, author_id, body, created_at) VALUES (:c, :p, :a, :b, :t)";
std::int64_t insert_comment(db::Tx& tx, std::int64_t cid, std::int64_t post_id, std::int64_t author_id,
                            std::string const& body) {
  std::int64_t now = tx.now_ms();
  return tx.insert("post_comments", kInsertComment, use(cid, "c"), use(post_id, "p"), use(author_id, "a"),
                   use(body, "b"), use(now, "t"));
}

constexpr char const* kListComments =
    "SELECT id, post_id, author_id, body, created_at, author_erased FROM post_comments "
    "WHERE post_id = :p AND id > :a ORDER BY id LIMIT :l";
std::vector<Comment> list_comments(db::Tx& tx, std::int64_t post_id, json::Page const& page) {
  return db::all(tx, kListComments, comment_from, use(post_id, "p"), use(page.above(), "a"), use(page.fetch(), "l"));
}

constexpr char const* kInsertLike =
    "INSERT INTO post_likes (community_id, post_id, account_id, created_at) VALUES (:c, :p, :a, :t)";
void insert_like(db::Tx& tx, std::int64_t cid, std::int64_t post_id, std::int64_t account_id) {
  std::int64_t now = tx.now_ms();
  tx.exec(kInsertLike, use(cid, "c"), use(post_id, "p"), use(account_id, "a"), use(now, "t"));
}

constexpr char const* kDeleteLike = "DELETE FROM post_likes WHERE post_id = :p AND account_id = :a";
long long delete_like(db::Tx& tx, std::int64_t post_id, std::int64_t account_id) {
  return tx.exec(kDeleteLike, use(post_id, "p"), use(account_id, "a"));
}

constexpr char const* kHasLiked = "SELECT id FROM post_likes WHERE post_id = :p AND account_id = :a";
bool has_liked(db::Tx& tx, std::int64_t post_id, std::int64_t account_id) {
  return db::one(tx, kHasLiked, db::first_integer, use(post_id, "p"), use(account_id, "a")).has_value();
}

constexpr char const* kInsertReport =
    "INSERT INTO post_reports (community_id, post_id, account_id, reason, created_at) VALUES (:c, :p, :a, :r, :t)";
void insert_report(db::Tx& tx, std::int64_t cid, std::int64_t post_id, std::int64_t account_id,
                   std::string const& reason) {
  std::int64_t now = tx.now_ms();
  tx.exec(kInsertReport, use(cid, "c"), use(post_id, "p"), use(account_id, "a"), use(reason, "r"), use(now, "t"));
}

constexpr char const* kBumpLikes = "UPDATE community_posts SET like_count = like_count + :d WHERE id = :id";
constexpr char const* kBumpComments = "UPDATE community_posts SET comment_count = comment_count + :d WHERE id = :id";
constexpr char const* kBumpReports = "UPDATE community_posts SET report_count = report_count + :d WHERE id = :id";
void bump_post_counter(db::Tx& tx, std::int64_t post_id, Counter counter, std::int64_t delta) {
  char const* q = nullptr;
  switch (counter) {
    case Counter::Likes: q = kBumpLikes; break;
    case Counter::Comments: q = kBumpComments; break;
    case Counter::Reports: q = kBumpReports; break;
  }
  tx.exec(q, use(delta, "d"), use(post_id, "id"));
}

// ---- savepoints

Savepoint::Savepoint(db::Tx& tx) : tx_(tx) { tx_.sql() << "SAVEPOINT clubs_promotion"; }

void Savepoint::rollback() {
  tx_.sql() << "ROLLBACK TO SAVEPOINT clubs_promotion";
  release();
}

void Savepoint::release() {
  if (done_) return;
  done_ = true;
  tx_.sql() << "RELEASE SAVEPOINT clubs_promotion";
}

}  // namespace courtyard::clubs::repo
