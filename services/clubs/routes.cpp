// What the clubs handlers share: look-ups that throw the API's errors and the caller's role
// in a club.
#include "db/database.hpp"
#include "services/clubs/routes.hpp"

namespace courtyard::clubs {

repo::Club club_or_404(db::Tx& tx, std::int64_t cid, std::int64_t club_id) {
  auto c = repo::find_club(tx, cid, club_id);
  if (!c) throw NotFound("club");
  return *c;
}

bool is_club_member(std::optional<repo::Member> const& m) { return m && m->status == "member"; }
bool is_organiser(std::optional<repo::Member> const& m) { return is_club_member(m) && m->organiser; }

repo::Member require_organiser(db::Tx& tx, Context const& ctx, std::int64_t club_id) {
  auto m = repo::find_member(tx, club_id, ctx.principal.account_id);
  if (!is_organiser(m)) throw Forbidden("only an organiser of the club may do this");
  return *m;
}

void require_can_see(db::Tx& tx, Context const& ctx, repo::Club const& club) {
  if (club.open || ctx.is_manager()) return;
  if (!is_club_member(repo::find_member(tx, club.id, ctx.principal.account_id)))
    throw Forbidden("this club is closed; its content is for its members");
}

void rethrow_duplicate(std::exception const& e, std::string slug, std::string detail) {
  if (db::is_unique_violation(e)) throw Conflict(std::move(slug), std::move(detail));
  throw;
}

}  // namespace courtyard::clubs
