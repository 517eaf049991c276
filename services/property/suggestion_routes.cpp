// Suggestions from residents, with one vote per resident.
#include "db/tx.hpp"
#include "http/errors.hpp"
#include "services/property/routes.hpp"

namespace courtyard::property {

using http::Access;
using http::Request;
using http::Response;

namespace {

// The suggestion as the caller sees it (with their vote), or 404.
repo::Suggestion visible_suggestion(db::Tx& tx, Context const& ctx, std::int64_t id) {
  return found(repo::suggestion(tx, ctx.community_id, id, ctx.principal.account_id), "suggestion");
}

Response create_suggestion(Request const& req, Context& ctx) {
  auto body = req.json();
  repo::Suggestion s;
  s.community_id = ctx.community_id;
  s.author_id = ctx.principal.account_id;
  s.title = json::str(body, "title", 1, kMaxTitle);
  s.body = json::str(body, "body", 1, kMaxBody);
  return ctx.tx([&](db::Tx& tx) {
    s.created_at = tx.now_ms();
    s.id = repo::insert_suggestion(tx, s);
    return Response::created(suggestion_view(s), ctx.path("/suggestions/" + std::to_string(s.id)));
  });
}

// sort=new (default): newest first, cursor = last id. sort=votes: most votes first; the
// cursor is an offset into that order.
Response list_suggestions(Request const& req, Context& ctx) {
  auto page = req.page();
  std::string sort(req.query_param("sort").value_or("new"));
  if (sort != "new" && sort != "votes") throw Invalid("sort", "must be votes or new");
  bool by_votes = sort == "votes";
  std::int64_t offset = by_votes ? page.after.value_or(0) : 0;
  return ctx.tx([&](db::Tx& tx) {
    auto rows = repo::suggestions(tx, ctx.community_id, by_votes, offset, ctx.principal.account_id, page);
    auto out = json::page_of_rows(rows, page, suggestion_view);
    if (by_votes && !out["next_cursor"].is_null()) out["next_cursor"] = json::encode_cursor(offset + page.limit);
    return Response::json(out);
  });
}

Response get_suggestion(Request const& req, Context& ctx) {
  auto id = req.id("id");
  return ctx.tx([&](db::Tx& tx) { return Response::json(suggestion_view(visible_suggestion(tx, ctx, id))); });
}

// One vote per resident: the unique (suggestion, account) key decides, and vote_count
// moves in the same transaction as the vote row.
Response vote(Request const& req, Context& ctx) {
  auto id = req.id("id");
  return ctx.tx([&](db::Tx& tx) {
    visible_suggestion(tx, ctx, id);
    if (!repo::add_vote(tx, ctx.community_id, id, ctx.principal.account_id, tx.now_ms()))
      throw Conflict("already-voted", "you have already voted for this suggestion");
    return Response::created(suggestion_view(visible_suggestion(tx, ctx, id)),
                             ctx.path("/suggestions/" + std::to_string(id)));
  });
}

Response unvote(Request const& req, Context& ctx) {
  auto id = req.id("id");
  return ctx.tx([&](db::Tx& tx) {
    visible_suggestion(tx, ctx, id);
    if (!repo::remove_vote(tx, ctx.community_id, id, ctx.principal.account_id)) throw NotFound("vote");
    return Response::no_content();
  });
}

// A manager adopts a suggestion (once): suggestion.adopted tells the author's side (members
// awards points for it).
Response adopt(Request const& req, Context& ctx) {
  auto id = req.id("id");
  return ctx.tx([&](db::Tx& tx) {
    auto s = visible_suggestion(tx, ctx, id);
    if (!repo::adopt_suggestion(tx, ctx.community_id, id, ctx.principal.account_id, tx.now_ms()))
      throw Conflict("already-adopted", "this suggestion has been adopted already");
    tx.publish("suggestion.adopted", ctx.community_id,
               bj::object{{"community_id", ctx.community_id},
                          {"suggestion_id", id},
                          {"author_id", s.author_id},
                          {"adopted_by", ctx.principal.account_id}});
    auto out = suggestion_view(s);
    out["adopted_at"] = json::time_or_null(repo::suggestion_adopted_at(tx, ctx.community_id, id));
    return Response::json(out);
  });
}

}  // namespace

void add_suggestion_routes(http::Router& r) {
  r.post("/v1/communities/{cid}/suggestions", Access::resident(), create_suggestion);
  r.get("/v1/communities/{cid}/suggestions", Access::member(), list_suggestions);
  r.get("/v1/communities/{cid}/suggestions/{id}", Access::member(), get_suggestion);
  r.post("/v1/communities/{cid}/suggestions/{id}/votes", Access::resident(), vote);
  r.del("/v1/communities/{cid}/suggestions/{id}/votes", Access::resident(), unvote);
  r.post("/v1/communities/{cid}/suggestions/{id}/adopt", Access::manager(), adopt);
}

}  // namespace courtyard::property
