// Clubs and memberships: create, list, join (open at once, closed after approval),
// organisers, leaving.
#include "services/clubs/routes.hpp"
#include "services/identity/api.hpp"

namespace courtyard::clubs {

namespace {

constexpr std::size_t kMaxName = 120;
constexpr std::size_t kMaxDescription = 2000;

void publish_joined(db::Tx& tx, std::int64_t cid, std::int64_t club_id, std::int64_t account_id,
                    std::string const& status) {
  tx.publish("club.joined", cid,
             bj::object{{"community_id", cid}, {"club_id", club_id}, {"account_id", account_id}, {"status", status}});
}

// A member with their display name.
bj::object named_member_json(db::Tx& tx, repo::Member const& m) {
  auto out = member_json(m);
  if (auto a = identity::account(tx, m.account_id)) out["display_name"] = a->display_name;
  return out;
}

// The target's membership after an organiser's verb, with their display name.
Response member_response(db::Tx& tx, std::int64_t club_id, std::int64_t account_id) {
  auto m = repo::find_member(tx, club_id, account_id);
  if (!m) throw NotFound("member");
  return Response::json(named_member_json(tx, *m));
}

Response create_club(Request const& req, Context& ctx) {
  auto body = req.json();
  auto name = json::str(body, "name", 1, kMaxName);
  auto description = json::opt_str(body, "description", kMaxDescription).value_or("");
  bool open = json::boolean(body, "open");
  return ctx.tx([&](db::Tx& tx) {
    std::int64_t me = ctx.principal.account_id;
    std::int64_t id = repo::insert_club(tx, ctx.community_id, name, description, open, me);
    // The creator is the club's first member and organiser.
    repo::insert_member(tx, ctx.community_id, id, me, "member", true);
    repo::bump_member_count(tx, id, 1);
    auto club = club_or_404(tx, ctx.community_id, id);
    return Response::created(club_json(club, repo::find_member(tx, id, me)),
                             ctx.path("/clubs/" + std::to_string(id)));
  });
}

Response list_clubs(Request const& req, Context& ctx) {
  auto page = req.page();
  return ctx.tx([&](db::Tx& tx) {
    return Response::json(
        json::page_of_rows(repo::list_clubs(tx, ctx.community_id, page), page, [&](repo::Club const& c) {
          return club_json(c, repo::find_member(tx, c.id, ctx.principal.account_id));
        }));
  });
}

Response get_club(Request const& req, Context& ctx) {
  std::int64_t club_id = req.id("id");
  return ctx.tx([&](db::Tx& tx) {
    auto club = club_or_404(tx, ctx.community_id, club_id);
    return Response::json(club_json(club, repo::find_member(tx, club_id, ctx.principal.account_id)));
  });
}

Response join_club(Request const& req, Context& ctx) {
  std::int64_t club_id = req.id("id");
  return ctx.tx([&](db::Tx& tx) {
    auto club = club_or_404(tx, ctx.community_id, club_id);
    std::int64_t me = ctx.principal.account_id;
    std::string status = club.open ? "member" : "pending";
    try {
      repo::insert_member(tx, ctx.community_id, club_id, me, status, false);
    } catch (std::exception const& e) {
      rethrow_duplicate(e, "already-member", "you are already a member of this club or your request is pending");
    }
    if (club.open) repo::bump_member_count(tx, club_id, 1);
    publish_joined(tx, ctx.community_id, club_id, me, status);
    return Response::json(member_json(*repo::find_member(tx, club_id, me)));
  });
}

Response list_members(Request const& req, Context& ctx) {
  std::int64_t club_id = req.id("id");
  auto page = req.page();
  return ctx.tx([&](db::Tx& tx) {
    auto club = club_or_404(tx, ctx.community_id, club_id);
    require_can_see(tx, ctx, club);
    bool organiser = is_organiser(repo::find_member(tx, club_id, ctx.principal.account_id));
    return Response::json(json::page_of_rows(repo::list_members(tx, club_id, organiser, page), page,
                                             [&](repo::Member const& m) { return named_member_json(tx, m); }));
  });
}

// An organiser's verb on another account's membership: the club exists and the caller organises it.
template <class Verb>
Response organiser_verb(Request const& req, Context& ctx, Verb verb) {
  std::int64_t club_id = req.id("id");
  std::int64_t target = req.id("account_id");
  return ctx.tx([&](db::Tx& tx) {
    club_or_404(tx, ctx.community_id, club_id);
    require_organiser(tx, ctx, club_id);
    verb(tx, club_id, target);
    return member_response(tx, club_id, target);
  });
}

Response approve_member(Request const& req, Context& ctx) {
  return organiser_verb(req, ctx, [&](db::Tx& tx, std::int64_t club_id, std::int64_t target) {
    if (!repo::find_member(tx, club_id, target)) throw NotFound("membership request");
    if (repo::approve_member(tx, club_id, target) != 1)
      throw Conflict("not-pending", "this account is already a member of the club");
    repo::bump_member_count(tx, club_id, 1);
    publish_joined(tx, ctx.community_id, club_id, target, "member");
  });
}

Response make_organiser(Request const& req, Context& ctx) {
  return organiser_verb(req, ctx, [](db::Tx& tx, std::int64_t club_id, std::int64_t target) {
    auto m = repo::find_member(tx, club_id, target);
    if (!m) throw NotFound("member");
    if (repo::make_organiser(tx, club_id, target) != 1)
      throw Conflict(m->status == "pending" ? "not-member" : "already-organiser",
                     m->status == "pending" ? "approve the membership request first"
                                            : "this member is already an organiser");
  });
}

Response leave_club(Request const& req, Context& ctx) {
  std::int64_t club_id = req.id("id");
  return ctx.tx([&](db::Tx& tx) {
    club_or_404(tx, ctx.community_id, club_id);
    std::int64_t me = ctx.principal.account_id;
    auto mine = repo::find_member(tx, club_id, me);
    if (!mine) throw NotFound("membership");
    if (mine->status == "pending") {
      // Withdrawing a request.
      if (repo::delete_member(tx, club_id, me, "pending") != 1) throw Conflict("membership changed; retry");
      return Response::no_content();
    }
    // Lock the club row first: concurrent leaves of one club are serialised, so two
    // organisers cannot both leave on the strength of the other.
    repo::bump_member_count(tx, club_id, -1);
    auto club = club_or_404(tx, ctx.community_id, club_id);
    mine = repo::find_member(tx, club_id, me);
    if (!is_club_member(mine)) throw NotFound("membership");
    auto verdict = logic::decide_leave(mine->organiser, repo::count_organisers(tx, club_id), club.member_count + 1);
    if (verdict == logic::LeaveVerdict::LastOrganiser)
      throw Conflict("last-organiser", "make another member an organiser before leaving");
    if (repo::delete_member(tx, club_id, me, "member") != 1) throw NotFound("membership");
    return Response::no_content();
  });
}

}  // namespace

void add_club_routes(http::Router& r) {
  r.post("/v1/communities/{cid}/clubs", Access::any_of(Role::Resident | Role::Manager), create_club);
  r.get("/v1/communities/{cid}/clubs", Access::member(), list_clubs);
  r.get("/v1/communities/{cid}/clubs/{id}", Access::member(), get_club);
  r.post("/v1/communities/{cid}/clubs/{id}/join", Access::member(), join_club);
  r.get("/v1/communities/{cid}/clubs/{id}/members", Access::member(), list_members);
  r.post("/v1/communities/{cid}/clubs/{id}/members/{account_id}/approve", Access::member(), approve_member);
  r.post("/v1/communities/{cid}/clubs/{id}/members/{account_id}/organiser", Access::member(), make_organiser);
  r.del("/v1/communities/{cid}/clubs/{id}/members/me", Access::member(), leave_club);
}

}  // namespace courtyard::clubs
