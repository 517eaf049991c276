#include "services/clubs/repository.hpp"

#include "db/row.hpp"

namespace courtyard::clubs::repo {

namespace {

constexpr char const* kClubColumns =
    "c.id, c.community_id, c.name, c.description, c.is_open, c.member_count, c.created_by, c.created_at";

Club club_of(soci::row const& r) {
  Club c;
  c.id = db::as_int(r, 0);
  c.community_id = db::as_int(r, 1);
  c.name = db::as_text(r, 2);
  c.description = db::as_text(r, 3);
  c.open = db::as_int(r, 4) != 0;
  c.member_count = db::as_int(r, 5);
  c.created_by = db::as_int(r, 6);
  c.created_at = db::as_int(r, 7);
  return c;
}

constexpr char const* kMemberColumns = "id, club_id, account_id, status, organiser, created_at";

Member member_of(soci::row const& r) {
  Member m;
  m.id = db::as_int(r, 0);
  m.club_id = db::as_int(r, 1);
  m.account_id = db::as_int(r, 2);
  m.status = db::as_text(r, 3);
  m.organiser = db::as_int(r, 4) != 0;
  m.created_at = db::as_int(r, 5);
  return m;
}

constexpr char const* kEventColumns =
    "e.id, e.community_id, e.club_id, e.series_id, e.title, e.starts_at, e.capacity, e.seats_taken, e.fee_cents, "
    "e.created_by, e.created_at, c.name, c.is_open";

Event event_of(soci::row const& r) {
  Event e;
  e.id = db::as_int(r, 0);
  e.community_id = db::as_int(r, 1);
  e.club_id = db::as_int(r, 2);
  e.series_id = db::as_int(r, 3);
  e.title = db::as_text(r, 4);
  e.starts_at = db::as_int(r, 5);
  e.capacity = db::as_int(r, 6);
  e.seats_taken = db::as_int(r, 7);
  e.fee_cents = db::as_int(r, 8);
  e.created_by = db::as_int(r, 9);
  e.created_at = db::as_int(r, 10);
  e.club_name = db::as_text(r, 11);
  e.club_open = db::as_int(r, 12) != 0;
  return e;
}

constexpr char const* kRsvpColumns =
    "id, event_id, account_id, status, waitlist_seq, check_in_code, checked_in_at, paid_cents, created_at";

Rsvp rsvp_of(soci::row const& r) {
  Rsvp v;
  v.id = db::as_int(r, 0);
  v.event_id = db::as_int(r, 1);
  v.account_id = db::as_int(r, 2);
  v.status = db::as_text(r, 3);
  v.waitlist_seq = db::as_int(r, 4);
  v.check_in_code = db::opt_text(r, 5);
  v.checked_in_at = db::opt_int(r, 6);
  v.paid_cents = db::as_int(r, 7);
  v.created_at = db::as_int(r, 8);
  return v;
}

constexpr char const* kPostColumns =
    "id, community_id, club_id, author_id, body, like_count, comment_count, report_count, hidden, created_at";

Post post_of(soci::row const& r) {
  Post p;
  p.id = db::as_int(r, 0);
  p.community_id = db::as_int(r, 1);
  p.club_id = db::as_int(r, 2);
  p.author_id = db::as_int(r, 3);
  p.body = db::as_text(r, 4);
  p.like_count = db::as_int(r, 5);
  p.comment_count = db::as_int(r, 6);
  p.report_count = db::as_int(r, 7);
  p.hidden = db::as_int(r, 8) != 0;
  p.created_at = db::as_int(r, 9);
  return p;
}

Comment comment_of(soci::row const& r) {
  Comment c;
  c.id = db::as_int(r, 0);
  c.post_id = db::as_int(r, 1);
  c.author_id = db::as_int(r, 2);
  c.body = db::as_text(r, 3);
  c.created_at = db::as_int(r, 4);
  return c;
}

std::int64_t single_int(db::Tx& tx, std::string const& query, std::int64_t a) {
  soci::row r;
  tx.sql() << query, soci::use(a, "a"), soci::into(r);
  return tx.sql().got_data() ? db::as_int(r, 0) : 0;
}

}  // namespace

// ---- clubs

std::int64_t insert_club(db::Tx& tx, std::int64_t cid, std::string const& name, std::string const& description,
                         bool open, std::int64_t created_by) {
  int o = open ? 1 : 0;
  std::int64_t now = tx.now_ms();
  return tx.insert("clubs",
                   "INSERT INTO clubs (community_id, name, description, is_open, member_count, created_by, created_at) "
                   "VALUES (:c, :n, :d, :o, 0, :b, :t)",
                   soci::use(cid, "c"), soci::use(name, "n"), soci::use(description, "d"), soci::use(o, "o"),
                   soci::use(created_by, "b"), soci::use(now, "t"));
}

std::optional<Club> find_club(db::Tx& tx, std::int64_t cid, std::int64_t club_id) {
  soci::row r;
  tx.sql() << std::string("SELECT ") + kClubColumns + " FROM clubs c WHERE c.id = :id AND c.community_id = :c",
      soci::use(club_id, "id"), soci::use(cid, "c"), soci::into(r);
  if (!tx.sql().got_data()) return std::nullopt;
  return club_of(r);
}

std::vector<Club> list_clubs(db::Tx& tx, std::int64_t cid, std::int64_t after, std::int64_t limit) {
  soci::rowset<soci::row> rs =
      (tx.sql().prepare << std::string("SELECT ") + kClubColumns +
                               " FROM clubs c WHERE c.community_id = :c AND c.id > :a ORDER BY c.id LIMIT :l",
       soci::use(cid, "c"), soci::use(after, "a"), soci::use(limit, "l"));
  std::vector<Club> out;
  for (auto const& r : rs) out.push_back(club_of(r));
  return out;
}

std::optional<Member> find_member(db::Tx& tx, std::int64_t club_id, std::int64_t account_id) {
  soci::row r;
  tx.sql() << std::string("SELECT ") + kMemberColumns + " FROM club_members WHERE club_id = :k AND account_id = :a",
      soci::use(club_id, "k"), soci::use(account_id, "a"), soci::into(r);
  if (!tx.sql().got_data()) return std::nullopt;
  return member_of(r);
}

void insert_member(db::Tx& tx, std::int64_t cid, std::int64_t club_id, std::int64_t account_id,
                   std::string const& status, bool organiser) {
  int o = organiser ? 1 : 0;
  std::int64_t now = tx.now_ms();
  tx.exec("INSERT INTO club_members (community_id, club_id, account_id, status, organiser, created_at) "
          "VALUES (:c, :k, :a, :s, :o, :t)",
          soci::use(cid, "c"), soci::use(club_id, "k"), soci::use(account_id, "a"), soci::use(status, "s"),
          soci::use(o, "o"), soci::use(now, "t"));
}

std::vector<Member> list_members(db::Tx& tx, std::int64_t club_id, bool include_pending, std::int64_t after,
                                 std::int64_t limit) {
  std::string member = "member";
  std::string other = include_pending ? "pending" : "member";
  soci::rowset<soci::row> rs =
      (tx.sql().prepare << std::string("SELECT ") + kMemberColumns +
                               " FROM club_members WHERE club_id = :k AND status IN (:s1, :s2) AND id > :a "
                               "ORDER BY id LIMIT :l",
       soci::use(club_id, "k"), soci::use(member, "s1"), soci::use(other, "s2"), soci::use(after, "a"),
       soci::use(limit, "l"));
  std::vector<Member> out;
  for (auto const& r : rs) out.push_back(member_of(r));
  return out;
}

long long approve_member(db::Tx& tx, std::int64_t club_id, std::int64_t account_id) {
  return tx.exec("UPDATE club_members SET status = 'member' WHERE club_id = :k AND account_id = :a "
                 "AND status = 'pending'",
                 soci::use(club_id, "k"), soci::use(account_id, "a"));
}

long long make_organiser(db::Tx& tx, std::int64_t club_id, std::int64_t account_id) {
  return tx.exec("UPDATE club_members SET organiser = 1 WHERE club_id = :k AND account_id = :a "
                 "AND status = 'member' AND organiser = 0",
                 soci::use(club_id, "k"), soci::use(account_id, "a"));
}

long long delete_member(db::Tx& tx, std::int64_t club_id, std::int64_t account_id, std::string const& status) {
  return tx.exec("DELETE FROM club_members WHERE club_id = :k AND account_id = :a AND status = :s",
                 soci::use(club_id, "k"), soci::use(account_id, "a"), soci::use(status, "s"));
}

void bump_member_count(db::Tx& tx, std::int64_t club_id, std::int64_t delta) {
  tx.exec("UPDATE clubs SET member_count = member_count + :d WHERE id = :id", soci::use(delta, "d"),
          soci::use(club_id, "id"));
}

std::int64_t count_organisers(db::Tx& tx, std::int64_t club_id) {
  return single_int(tx, "SELECT COUNT(*) FROM club_members WHERE club_id = :a AND status = 'member' AND organiser = 1",
                    club_id);
}

// ---- events

std::int64_t insert_event(db::Tx& tx, std::int64_t cid, std::int64_t club_id, std::string const& title,
                          std::int64_t starts_at, std::int64_t capacity, std::int64_t fee_cents,
                          std::int64_t created_by) {
  std::int64_t now = tx.now_ms();
  return tx.insert("club_events",
                   "INSERT INTO club_events (community_id, club_id, series_id, title, starts_at, capacity, seats_taken, "
                   "waitlist_seq, fee_cents, reminder_sent, created_by, created_at) "
                   "VALUES (:c, :k, 0, :ti, :s, :cap, 0, 0, :f, 0, :b, :t)",
                   soci::use(cid, "c"), soci::use(club_id, "k"), soci::use(title, "ti"), soci::use(starts_at, "s"),
                   soci::use(capacity, "cap"), soci::use(fee_cents, "f"), soci::use(created_by, "b"),
                   soci::use(now, "t"));
}

void set_series(db::Tx& tx, std::int64_t event_id, std::int64_t series_id) {
  tx.exec("UPDATE club_events SET series_id = :s WHERE id = :id", soci::use(series_id, "s"),
          soci::use(event_id, "id"));
}

std::optional<Event> find_event(db::Tx& tx, std::int64_t cid, std::int64_t event_id) {
  soci::row r;
  tx.sql() << std::string("SELECT ") + kEventColumns +
                  " FROM club_events e JOIN clubs c ON c.id = e.club_id WHERE e.id = :id AND e.community_id = :c",
      soci::use(event_id, "id"), soci::use(cid, "c"), soci::into(r);
  if (!tx.sql().got_data()) return std::nullopt;
  return event_of(r);
}

std::vector<Event> list_events(db::Tx& tx, std::int64_t cid, std::int64_t club_id, std::int64_t from, std::int64_t to,
                               std::int64_t after, std::int64_t limit) {
  // Keyset pagination on (starts_at, id): the cursor is the last event's id.
  std::int64_t after_start = from;
  std::int64_t after_id = 0;
  if (after > 0) {
    soci::row r;
    tx.sql() << "SELECT starts_at FROM club_events WHERE id = :id AND community_id = :c", soci::use(after, "id"),
        soci::use(cid, "c"), soci::into(r);
    if (!tx.sql().got_data()) return {};
    after_start = db::as_int(r, 0);
    after_id = after;
  }
  std::string q = std::string("SELECT ") + kEventColumns +
                  " FROM club_events e JOIN clubs c ON c.id = e.club_id "
                  "WHERE e.community_id = :c AND e.starts_at >= :f AND e.starts_at < :t "
                  "AND (e.starts_at > :s1 OR (e.starts_at = :s2 AND e.id > :i)) "
                  "AND (:k1 = 0 OR e.club_id = :k2) ORDER BY e.starts_at, e.id LIMIT :l";
  soci::rowset<soci::row> rs =
      (tx.sql().prepare << q, soci::use(cid, "c"), soci::use(from, "f"), soci::use(to, "t"),
       soci::use(after_start, "s1"), soci::use(after_start, "s2"), soci::use(after_id, "i"), soci::use(club_id, "k1"),
       soci::use(club_id, "k2"), soci::use(limit, "l"));
  std::vector<Event> out;
  for (auto const& r : rs) out.push_back(event_of(r));
  return out;
}

bool take_seat(db::Tx& tx, std::int64_t event_id) {
  return tx.exec("UPDATE club_events SET seats_taken = seats_taken + 1 WHERE id = :id AND seats_taken < capacity",
                 soci::use(event_id, "id")) == 1;
}

void free_seat(db::Tx& tx, std::int64_t event_id) {
  tx.exec("UPDATE club_events SET seats_taken = seats_taken - 1 WHERE id = :id AND seats_taken > 0",
          soci::use(event_id, "id"));
}

std::int64_t next_waitlist_ticket(db::Tx& tx, std::int64_t event_id) {
  tx.exec("UPDATE club_events SET waitlist_seq = waitlist_seq + 1 WHERE id = :id", soci::use(event_id, "id"));
  return single_int(tx, "SELECT waitlist_seq FROM club_events WHERE id = :a", event_id);
}

std::optional<Rsvp> find_rsvp(db::Tx& tx, std::int64_t event_id, std::int64_t account_id) {
  soci::row r;
  tx.sql() << std::string("SELECT ") + kRsvpColumns + " FROM event_rsvps WHERE event_id = :e AND account_id = :a",
      soci::use(event_id, "e"), soci::use(account_id, "a"), soci::into(r);
  if (!tx.sql().got_data()) return std::nullopt;
  return rsvp_of(r);
}

std::optional<Rsvp> find_rsvp_by_code(db::Tx& tx, std::int64_t event_id, std::string const& code) {
  soci::row r;
  tx.sql() << std::string("SELECT ") + kRsvpColumns +
                  " FROM event_rsvps WHERE event_id = :e AND check_in_code = :k AND status = 'going'",
      soci::use(event_id, "e"), soci::use(code, "k"), soci::into(r);
  if (!tx.sql().got_data()) return std::nullopt;
  return rsvp_of(r);
}

std::int64_t insert_rsvp(db::Tx& tx, std::int64_t cid, std::int64_t event_id, std::int64_t account_id,
                         std::string const& status, std::int64_t seq, std::optional<std::string> const& code) {
  std::int64_t now = tx.now_ms();
  std::string c = code.value_or("");
  soci::indicator ind = code ? soci::i_ok : soci::i_null;
  return tx.insert("event_rsvps",
                   "INSERT INTO event_rsvps (community_id, event_id, account_id, status, waitlist_seq, check_in_code, "
                   "checked_in_at, paid_cents, created_at, updated_at) "
                   "VALUES (:c, :e, :a, :s, :q, :k, NULL, 0, :t, :u)",
                   soci::use(cid, "c"), soci::use(event_id, "e"), soci::use(account_id, "a"), soci::use(status, "s"),
                   soci::use(seq, "q"), soci::use(c, ind, "k"), soci::use(now, "t"), soci::use(now, "u"));
}

bool reactivate_rsvp(db::Tx& tx, std::int64_t rsvp_id, std::string const& status, std::int64_t seq,
                     std::optional<std::string> const& code) {
  std::int64_t now = tx.now_ms();
  std::string c = code.value_or("");
  soci::indicator ind = code ? soci::i_ok : soci::i_null;
  return tx.exec("UPDATE event_rsvps SET status = :s, waitlist_seq = :q, check_in_code = :k, checked_in_at = NULL, "
                 "paid_cents = 0, created_at = :t, updated_at = :u WHERE id = :id AND status = 'cancelled'",
                 soci::use(status, "s"), soci::use(seq, "q"), soci::use(c, ind, "k"), soci::use(now, "t"),
                 soci::use(now, "u"), soci::use(rsvp_id, "id")) == 1;
}

bool transition_rsvp(db::Tx& tx, std::int64_t rsvp_id, std::string const& from, std::string const& to,
                     std::optional<std::string> const& code) {
  std::int64_t now = tx.now_ms();
  if (code) {
    return tx.exec("UPDATE event_rsvps SET status = :s, check_in_code = :k, updated_at = :u "
                   "WHERE id = :id AND status = :f",
                   soci::use(to, "s"), soci::use(*code, "k"), soci::use(now, "u"), soci::use(rsvp_id, "id"),
                   soci::use(from, "f")) == 1;
  }
  return tx.exec("UPDATE event_rsvps SET status = :s, updated_at = :u WHERE id = :id AND status = :f",
                 soci::use(to, "s"), soci::use(now, "u"), soci::use(rsvp_id, "id"), soci::use(from, "f")) == 1;
}

void set_paid(db::Tx& tx, std::int64_t rsvp_id, std::int64_t paid_cents) {
  tx.exec("UPDATE event_rsvps SET paid_cents = :p WHERE id = :id", soci::use(paid_cents, "p"),
          soci::use(rsvp_id, "id"));
}

bool check_in(db::Tx& tx, std::int64_t rsvp_id) {
  std::int64_t now = tx.now_ms();
  return tx.exec("UPDATE event_rsvps SET checked_in_at = :t WHERE id = :id AND status = 'going' "
                 "AND checked_in_at IS NULL",
                 soci::use(now, "t"), soci::use(rsvp_id, "id")) == 1;
}

std::vector<Rsvp> waitlist(db::Tx& tx, std::int64_t event_id, std::int64_t limit) {
  soci::rowset<soci::row> rs =
      (tx.sql().prepare << std::string("SELECT ") + kRsvpColumns +
                               " FROM event_rsvps WHERE event_id = :e AND status = 'waitlisted' "
                               "ORDER BY waitlist_seq, id LIMIT :l",
       soci::use(event_id, "e"), soci::use(limit, "l"));
  std::vector<Rsvp> out;
  for (auto const& r : rs) out.push_back(rsvp_of(r));
  return out;
}

std::vector<std::int64_t> waiting_tickets(db::Tx& tx, std::int64_t event_id) {
  soci::rowset<soci::row> rs =
      (tx.sql().prepare << "SELECT waitlist_seq FROM event_rsvps WHERE event_id = :e AND status = 'waitlisted'",
       soci::use(event_id, "e"));
  std::vector<std::int64_t> out;
  for (auto const& r : rs) out.push_back(db::as_int(r, 0));
  return out;
}

std::int64_t count_rsvps(db::Tx& tx, std::int64_t event_id, std::string const& status) {
  soci::row r;
  tx.sql() << "SELECT COUNT(*) FROM event_rsvps WHERE event_id = :e AND status = :s", soci::use(event_id, "e"),
      soci::use(status, "s"), soci::into(r);
  return db::as_int(r, 0);
}

std::vector<std::int64_t> going_accounts(db::Tx& tx, std::int64_t event_id) {
  soci::rowset<soci::row> rs =
      (tx.sql().prepare << "SELECT account_id FROM event_rsvps WHERE event_id = :e AND status = 'going' ORDER BY id",
       soci::use(event_id, "e"));
  std::vector<std::int64_t> out;
  for (auto const& r : rs) out.push_back(db::as_int(r, 0));
  return out;
}

std::vector<Event> reminder_candidates(db::Tx& tx, std::int64_t now_ms, std::int64_t lead_ms, std::int64_t limit) {
  std::int64_t until = now_ms + lead_ms;
  soci::rowset<soci::row> rs =
      (tx.sql().prepare << std::string("SELECT ") + kEventColumns +
                               " FROM club_events e JOIN clubs c ON c.id = e.club_id "
                               "WHERE e.reminder_sent = 0 AND e.starts_at > :n AND e.starts_at <= :u "
                               "ORDER BY e.starts_at, e.id LIMIT :l",
       soci::use(now_ms, "n"), soci::use(until, "u"), soci::use(limit, "l"));
  std::vector<Event> out;
  for (auto const& r : rs) out.push_back(event_of(r));
  return out;
}

bool mark_reminded(db::Tx& tx, std::int64_t event_id) {
  return tx.exec("UPDATE club_events SET reminder_sent = 1 WHERE id = :id AND reminder_sent = 0",
                 soci::use(event_id, "id")) == 1;
}

// ---- posts

std::int64_t insert_post(db::Tx& tx, std::int64_t cid, std::int64_t club_id, std::int64_t author_id,
                         std::string const& body) {
  std::int64_t now = tx.now_ms();
  return tx.insert("community_posts",
                   "INSERT INTO community_posts (community_id, club_id, author_id, body, like_count, comment_count, "
                   "report_count, hidden, created_at) VALUES (:c, :k, :a, :b, 0, 0, 0, 0, :t)",
                   soci::use(cid, "c"), soci::use(club_id, "k"), soci::use(author_id, "a"), soci::use(body, "b"),
                   soci::use(now, "t"));
}

std::optional<Post> find_post(db::Tx& tx, std::int64_t cid, std::int64_t post_id) {
  soci::row r;
  tx.sql() << std::string("SELECT ") + kPostColumns + " FROM community_posts WHERE id = :id AND community_id = :c",
      soci::use(post_id, "id"), soci::use(cid, "c"), soci::into(r);
  if (!tx.sql().got_data()) return std::nullopt;
  return post_of(r);
}

std::vector<Post> list_posts(db::Tx& tx, std::int64_t cid, FeedQuery const& q) {
  std::int64_t before = q.before > 0 ? q.before : INT64_MAX;
  int max_hidden = q.include_hidden ? 1 : 0;
  std::int64_t limit = q.limit;
  std::vector<Post> out;
  if (q.reported_only) {
    soci::rowset<soci::row> rs =
        (tx.sql().prepare << std::string("SELECT ") + kPostColumns +
                                 " FROM community_posts WHERE community_id = :c AND report_count > 0 AND id < :b "
                                 "AND hidden <= :h ORDER BY id DESC LIMIT :l",
         soci::use(cid, "c"), soci::use(before, "b"), soci::use(max_hidden, "h"), soci::use(limit, "l"));
    for (auto const& r : rs) out.push_back(post_of(r));
    return out;
  }
  std::int64_t club = q.club_id;
  soci::rowset<soci::row> rs =
      (tx.sql().prepare << std::string("SELECT ") + kPostColumns +
                               " FROM community_posts WHERE community_id = :c AND club_id = :k AND id < :b "
                               "AND hidden <= :h ORDER BY id DESC LIMIT :l",
       soci::use(cid, "c"), soci::use(club, "k"), soci::use(before, "b"), soci::use(max_hidden, "h"),
       soci::use(limit, "l"));
  for (auto const& r : rs) out.push_back(post_of(r));
  return out;
}

bool hide_post(db::Tx& tx, std::int64_t post_id) {
  return tx.exec("UPDATE community_posts SET hidden = 1 WHERE id = :id AND hidden = 0", soci::use(post_id, "id")) == 1;
}

std::int64_t insert_comment(db::Tx& tx, std::int64_t cid, std::int64_t post_id, std::int64_t author_id,
                            std::string const& body) {
  std::int64_t now = tx.now_ms();
  return tx.insert("post_comments",
                   "INSERT INTO post_comments (community_id, post_id, author_id, body, created_at) "
                   "VALUES (:c, :p, :a, :b, :t)",
                   soci::use(cid, "c"), soci::use(post_id, "p"), soci::use(author_id, "a"), soci::use(body, "b"),
                   soci::use(now, "t"));
}

std::vector<Comment> list_comments(db::Tx& tx, std::int64_t post_id, std::int64_t after, std::int64_t limit) {
  soci::rowset<soci::row> rs =
      (tx.sql().prepare << "SELECT id, post_id, author_id, body, created_at FROM post_comments "
                           "WHERE post_id = :p AND id > :a ORDER BY id LIMIT :l",
       soci::use(post_id, "p"), soci::use(after, "a"), soci::use(limit, "l"));
  std::vector<Comment> out;
  for (auto const& r : rs) out.push_back(comment_of(r));
  return out;
}

void insert_like(db::Tx& tx, std::int64_t cid, std::int64_t post_id, std::int64_t account_id) {
  std::int64_t now = tx.now_ms();
  tx.exec("INSERT INTO post_likes (community_id, post_id, account_id, created_at) VALUES (:c, :p, :a, :t)",
          soci::use(cid, "c"), soci::use(post_id, "p"), soci::use(account_id, "a"), soci::use(now, "t"));
}

long long delete_like(db::Tx& tx, std::int64_t post_id, std::int64_t account_id) {
  return tx.exec("DELETE FROM post_likes WHERE post_id = :p AND account_id = :a", soci::use(post_id, "p"),
                 soci::use(account_id, "a"));
}

bool has_liked(db::Tx& tx, std::int64_t post_id, std::int64_t account_id) {
  soci::row r;
  tx.sql() << "SELECT id FROM post_likes WHERE post_id = :p AND account_id = :a", soci::use(post_id, "p"),
      soci::use(account_id, "a"), soci::into(r);
  return tx.sql().got_data();
}

void insert_report(db::Tx& tx, std::int64_t cid, std::int64_t post_id, std::int64_t account_id,
                   std::string const& reason) {
  std::int64_t now = tx.now_ms();
  tx.exec("INSERT INTO post_reports (community_id, post_id, account_id, reason, created_at) "
          "VALUES (:c, :p, :a, :r, :t)",
          soci::use(cid, "c"), soci::use(post_id, "p"), soci::use(account_id, "a"), soci::use(reason, "r"),
          soci::use(now, "t"));
}

void bump_post_counter(db::Tx& tx, std::int64_t post_id, Counter counter, std::int64_t delta) {
  char const* q = nullptr;
  switch (counter) {
    case Counter::Likes: q = "UPDATE community_posts SET like_count = like_count + :d WHERE id = :id"; break;
    case Counter::Comments: q = "UPDATE community_posts SET comment_count = comment_count + :d WHERE id = :id"; break;
    case Counter::Reports: q = "UPDATE community_posts SET report_count = report_count + :d WHERE id = :id"; break;
  }
  tx.exec(q, soci::use(delta, "d"), soci::use(post_id, "id"));
}

}  // namespace courtyard::clubs::repo
