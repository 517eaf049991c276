#pragma once
// Internal to the clubs service: route registration by area and what the handlers share
// (look-ups that throw the API's errors, roles in the club, rendering resources).
#include "http/context.hpp"
#include "http/errors.hpp"
#include "http/json.hpp"
#include "http/router.hpp"
#include "services/clubs/logic.hpp"
#include "services/clubs/repository.hpp"

#include <boost/json.hpp>

#include <map>
#include <optional>
#include <string>

namespace courtyard::clubs {

namespace bj = boost::json;
using http::Access;
using http::Request;
using http::Response;

void add_club_routes(http::Router& r);
void add_event_routes(http::Router& r);
void add_post_routes(http::Router& r);

// The "clubs.event_reminders" job (jobs.cpp): publishes event.reminder once per event about
// to start (conditional update on reminder_sent). Returns how many reminders were published.
int send_event_reminders(db::Database& db, events::Bus& bus, std::int64_t now_ms);

// ---- shared by the handlers (routes.cpp)

// The club in {cid}, or 404.
repo::Club club_or_404(db::Tx& tx, std::int64_t cid, std::int64_t club_id);
// An accepted (not pending) member of the club.
bool is_club_member(std::optional<repo::Member> const& m);
bool is_organiser(std::optional<repo::Member> const& m);
// 403 unless the caller organises the club.
repo::Member require_organiser(db::Tx& tx, Context const& ctx, std::int64_t club_id);
// A closed club's content is for its members and the community's managers: 403 otherwise.
void require_can_see(db::Tx& tx, Context const& ctx, repo::Club const& club);

// Throws Conflict(slug, detail) when `e` is a uniqueness violation, else rethrows it.
[[noreturn]] void rethrow_duplicate(std::exception const& e, std::string slug, std::string detail);

// ---- views (views.cpp)

bj::object club_json(repo::Club const& c, std::optional<repo::Member> const& mine);
bj::value membership_json(std::optional<repo::Member> const& m);
bj::object member_json(repo::Member const& m);
bj::object event_json(repo::Event const& e);
bj::object rsvp_json(repo::Rsvp const& r, std::optional<std::int64_t> position);
// Moderators (managers) also see whether the post is hidden and how often it was reported.
// A post as `viewer` sees it: the author's trust badge (identity::trust_badge) always;
// author_id only for the author and moderators.
bj::object post_json(repo::Post const& p, bool moderator, std::int64_t viewer, bj::object author_badge);
// The trust badges of the posts' authors (by author id), read in one statement.
std::map<std::int64_t, bj::object> author_badges(db::Tx& tx, std::int64_t cid, std::vector<repo::Post> const& posts);
// post_json of one post, with its author's badge, as the caller sees it.
bj::object post_json(db::Tx& tx, Context const& ctx, repo::Post const& p, bool moderator);
bj::object comment_json(repo::Comment const& c);

}  // namespace courtyard::clubs
