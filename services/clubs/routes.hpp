#pragma once
// Internal to the clubs service: route registration by area and what the handlers share
// (pages, roles in the club, rendering resources).
#include "http/router.hpp"
#include "services/clubs/logic.hpp"
#include "services/clubs/repository.hpp"
#include "http/context.hpp"
#include "http/errors.hpp"
#include "http/json.hpp"

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace courtyard::clubs {

void add_club_routes(http::Router& r);
void add_event_routes(http::Router& r);
void add_post_routes(http::Router& r);

// Publishes event.reminder once per event about to start (conditional update on reminder_sent).
// Returns how many reminders were published.
int send_event_reminders(db::Database& db, events::Bus& bus, std::int64_t now_ms);


// {"items": [...], "next_cursor": ...} from rows fetched with limit + 1.
template <class Row, class Render>
boost::json::object page_json(std::vector<Row> rows, json::Page const& page, Render render) {
  std::optional<std::int64_t> next;
  if (rows.size() > static_cast<std::size_t>(page.limit)) {
    rows.resize(static_cast<std::size_t>(page.limit));
    next = rows.back().id;
  }
  boost::json::array items;
  for (auto const& row : rows) items.push_back(render(row));
  return json::page_result(std::move(items), next);
}

// Managers (and platform admins) moderate: they see hidden posts and closed clubs' content.
bool is_manager(Context const& ctx);
std::string community_path(std::int64_t cid);

// The club in {cid}, or 404.
repo::Club club_or_404(db::Tx& tx, std::int64_t cid, std::int64_t club_id);
// An accepted (not pending) member of the club.
bool is_club_member(std::optional<repo::Member> const& m);
bool is_organiser(std::optional<repo::Member> const& m);
// 403 unless the caller organises the club.
repo::Member require_organiser(db::Tx& tx, Context const& ctx, std::int64_t club_id);
// A closed club's content is for its members (and managers): 403 otherwise.
void require_can_see(db::Tx& tx, Context const& ctx, repo::Club const& club);

// Throws Conflict(slug, detail) when `e` is a uniqueness violation, else rethrows it.
[[noreturn]] void rethrow_duplicate(std::exception const& e, std::string slug, std::string detail);

boost::json::object club_json(repo::Club const& c, std::optional<repo::Member> const& mine);
boost::json::value membership_json(std::optional<repo::Member> const& m);
boost::json::object member_json(repo::Member const& m);
boost::json::object event_json(repo::Event const& e);
boost::json::object rsvp_json(repo::Rsvp const& r, std::optional<std::int64_t> position);
boost::json::object post_json(repo::Post const& p, bool moderator);
boost::json::object comment_json(repo::Comment const& c);

}  // namespace courtyard::clubs
