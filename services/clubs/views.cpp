// The JSON shapes of clubs' resources.
#include "services/clubs/routes.hpp"
#include "services/identity/api.hpp"

#include <algorithm>

namespace courtyard::clubs {

bj::value membership_json(std::optional<repo::Member> const& m) {
  if (!m) return nullptr;
  return bj::object{{"status", m->status}, {"organiser", m->organiser}, {"joined_at", json::rfc3339(m->created_at)}};
}

bj::object club_json(repo::Club const& c, std::optional<repo::Member> const& mine) {
  return bj::object{{"id", c.id},
                    {"community_id", c.community_id},
                    {"name", c.name},
                    {"description", c.description},
                    {"open", c.open},
                    {"member_count", c.member_count},
                    {"created_by", c.created_by},
                    {"created_at", json::rfc3339(c.created_at)},
                    {"my_membership", membership_json(mine)}};
}

bj::object member_json(repo::Member const& m) {
  return bj::object{{"club_id", m.club_id},
                    {"account_id", m.account_id},
                    {"status", m.status},
                    {"organiser", m.organiser},
                    {"joined_at", json::rfc3339(m.created_at)}};
}

bj::object event_json(repo::Event const& e) {
  return bj::object{{"id", e.id},
                    {"community_id", e.community_id},
                    {"club_id", e.club_id},
                    {"club_name", e.club_name},
                    {"club_open", e.club_open},
                    {"series_id", e.series_id ? bj::value(e.series_id) : bj::value(nullptr)},
                    {"title", e.title},
                    {"starts_at", json::rfc3339(e.starts_at)},
                    {"capacity", e.capacity},
                    {"seats_left", std::max<std::int64_t>(0, e.capacity - e.seats_taken)},
                    {"fee_cents", e.fee_cents},
                    {"created_by", e.created_by},
                    {"created_at", json::rfc3339(e.created_at)}};
}

bj::object rsvp_json(repo::Rsvp const& r, std::optional<std::int64_t> position) {
  bj::object o{{"event_id", r.event_id},
               {"account_id", r.account_id},
               {"status", r.status},
               {"paid_cents", r.paid_cents},
               {"points_spent", r.points_spent},
               {"points_cents", r.points_cents},
               {"created_at", json::rfc3339(r.created_at)}};
  if (r.status == "going") {
    o["check_in_code"] = r.check_in_code.value_or("");
    o["checked_in_at"] = json::time_or_null(r.checked_in_at);
  }
  if (r.status == "waitlisted" && position) o["position"] = *position;
  return o;
}

bj::object post_json(repo::Post const& p, bool moderator, std::int64_t viewer, bj::object author_badge) {
  bj::object o{{"id", p.id},
               {"community_id", p.community_id},
               {"club_id", p.club_id ? bj::value(p.club_id) : bj::value(nullptr)},
               {"author", std::move(author_badge)},
               {"author_label", p.author_erased ? bj::value("former resident") : bj::value(nullptr)},
               {"body", p.body},
               {"like_count", p.like_count},
               {"comment_count", p.comment_count},
               {"created_at", json::rfc3339(p.created_at)}};
  if (moderator || viewer == p.author_id) o["author_id"] = p.author_id;
  if (moderator) {
    o["hidden"] = p.hidden;
    o["report_count"] = p.report_count;
  }
  return o;
}

std::map<std::int64_t, bj::object> author_badges(db::Tx& tx, std::int64_t cid, std::vector<repo::Post> const& posts) {
  std::vector<std::int64_t> authors;
  for (auto const& p : posts) authors.push_back(p.author_id);
  auto residents = identity::residencies(tx, cid, authors);
  std::map<std::int64_t, bj::object> out;
  for (auto a : authors) {
    auto it = residents.find(a);
    out[a] = identity::trust_badge(it == residents.end() ? std::nullopt : std::optional(it->second), tx.now_ms());
  }
  return out;
}

bj::object post_json(db::Tx& tx, Context const& ctx, repo::Post const& p, bool moderator) {
  auto badges = author_badges(tx, ctx.community_id, {p});
  return post_json(p, moderator, ctx.principal.account_id, badges[p.author_id]);
}

bj::object comment_json(repo::Comment const& c) {
  return bj::object{{"id", c.id},
                    {"post_id", c.post_id},
                    {"author_id", c.author_id},
                    {"author_label", c.author_erased ? bj::value("former resident") : bj::value(nullptr)},
                    {"body", c.body},
                    {"created_at", json::rfc3339(c.created_at)}};
}

}  // namespace courtyard::clubs
