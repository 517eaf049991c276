// Community content: the community feed and club feeds, comments, likes (one per
// account), reports (one per account) and moderation (managers hide posts).
#include "services/clubs/routes.hpp"

namespace courtyard::clubs {

namespace {

constexpr std::size_t kMaxPostBody = 5000;
constexpr std::size_t kMaxCommentBody = 2000;
constexpr std::size_t kMaxReason = 500;

std::string post_suffix(std::int64_t post_id) { return "/posts/" + std::to_string(post_id); }

// The post as the caller may see it: hidden posts exist only for managers; a closed club's
// posts only for its members (and managers).
repo::Post visible_post(db::Tx& tx, Context const& ctx, std::int64_t post_id) {
  auto p = repo::find_post(tx, ctx.community_id, post_id);
  if (!p || (p->hidden && !ctx.is_manager())) throw NotFound("post");
  if (p->club_id) require_can_see(tx, ctx, club_or_404(tx, ctx.community_id, p->club_id));
  return *p;
}

bj::object like_json(db::Tx& tx, Context const& ctx, std::int64_t post_id, bool liked) {
  auto p = repo::find_post(tx, ctx.community_id, post_id);
  return bj::object{{"post_id", post_id}, {"like_count", p ? p->like_count : 0}, {"liked", liked}};
}

// The feed filter `reported` (true / false, default false).
bool reported_filter(Request const& req) {
  auto v = req.query_param("reported");
  if (!v || *v == "false") return false;
  if (*v == "true") return true;
  throw Invalid("reported", "must be true or false");
}

Response publish_post(Request const& req, Context& ctx) {
  auto body = req.json();
  auto text = json::str(body, "body", 1, kMaxPostBody);
  auto club_id = json::opt_integer(body, "club_id").value_or(0);
  if (club_id < 0) throw Invalid("club_id", "must be a club id");
  return ctx.tx([&](db::Tx& tx) {
    std::int64_t me = ctx.principal.account_id;
    if (club_id) {
      club_or_404(tx, ctx.community_id, club_id);
      if (!is_club_member(repo::find_member(tx, club_id, me)))
        throw Forbidden("only members of the club may post in it");
    }
    std::int64_t id = repo::insert_post(tx, ctx.community_id, club_id, me, text);
    tx.publish("post.published", ctx.community_id,
               bj::object{{"community_id", ctx.community_id}, {"post_id", id}, {"club_id", club_id},
                          {"author_id", me}});
    auto post = repo::find_post(tx, ctx.community_id, id);
    return Response::created(post_json(tx, ctx, *post, ctx.is_manager()), ctx.path(post_suffix(id)));
  });
}

Response list_posts(Request const& req, Context& ctx) {
  auto page = req.page();
  bool reported = reported_filter(req);
  std::int64_t club_id = req.query_int("club_id", 0);
  if (club_id < 0) throw Invalid("club_id", "must be a club id");
  bool moderator = ctx.is_manager();
  if (reported && !moderator) throw Forbidden("only managers see reported posts");
  return ctx.tx([&](db::Tx& tx) {
    if (club_id) require_can_see(tx, ctx, club_or_404(tx, ctx.community_id, club_id));
    repo::FeedQuery q;
    q.club_id = club_id;
    q.include_hidden = moderator;
    q.reported_only = reported;
    auto rows = repo::list_posts(tx, ctx.community_id, q, page);
    auto badges = author_badges(tx, ctx.community_id, rows);
    return Response::json(json::page_of_rows(rows, page, [&](repo::Post const& p) {
      return post_json(p, moderator, ctx.principal.account_id, badges[p.author_id]);
    }));
  });
}

Response get_post(Request const& req, Context& ctx) {
  std::int64_t post_id = req.id("id");
  return ctx.tx([&](db::Tx& tx) {
    auto p = visible_post(tx, ctx, post_id);
    auto out = post_json(tx, ctx, p, ctx.is_manager());
    out["liked_by_me"] = repo::has_liked(tx, post_id, ctx.principal.account_id);
    return Response::json(out);
  });
}

Response add_comment(Request const& req, Context& ctx) {
  std::int64_t post_id = req.id("id");
  auto body = req.json();
  auto text = json::str(body, "body", 1, kMaxCommentBody);
  return ctx.tx([&](db::Tx& tx) {
    visible_post(tx, ctx, post_id);
    std::int64_t id = repo::insert_comment(tx, ctx.community_id, post_id, ctx.principal.account_id, text);
    repo::bump_post_counter(tx, post_id, repo::Counter::Comments, 1);
    repo::Comment c{id, post_id, ctx.principal.account_id, text, tx.now_ms()};
    return Response::created(comment_json(c), ctx.path(post_suffix(post_id) + "/comments"));
  });
}

Response list_comments(Request const& req, Context& ctx) {
  std::int64_t post_id = req.id("id");
  auto page = req.page();
  return ctx.tx([&](db::Tx& tx) {
    visible_post(tx, ctx, post_id);
    return Response::json(json::page_of_rows(repo::list_comments(tx, post_id, page), page, comment_json));
  });
}

Response like_post(Request const& req, Context& ctx) {
  std::int64_t post_id = req.id("id");
  return ctx.tx([&](db::Tx& tx) {
    visible_post(tx, ctx, post_id);
    try {
      repo::insert_like(tx, ctx.community_id, post_id, ctx.principal.account_id);
    } catch (std::exception const& e) {
      rethrow_duplicate(e, "already-liked", "you already like this post");
    }
    repo::bump_post_counter(tx, post_id, repo::Counter::Likes, 1);
    return Response::created(like_json(tx, ctx, post_id, true), ctx.path(post_suffix(post_id) + "/likes"));
  });
}

Response unlike_post(Request const& req, Context& ctx) {
  std::int64_t post_id = req.id("id");
  return ctx.tx([&](db::Tx& tx) {
    visible_post(tx, ctx, post_id);
    if (repo::delete_like(tx, post_id, ctx.principal.account_id) != 1) throw NotFound("like");
    repo::bump_post_counter(tx, post_id, repo::Counter::Likes, -1);
    return Response::json(like_json(tx, ctx, post_id, false));
  });
}

Response report_post(Request const& req, Context& ctx) {
  std::int64_t post_id = req.id("id");
  auto body = req.json();
  auto reason = json::str(body, "reason", 1, kMaxReason);
  return ctx.tx([&](db::Tx& tx) {
    visible_post(tx, ctx, post_id);
    try {
      repo::insert_report(tx, ctx.community_id, post_id, ctx.principal.account_id, reason);
    } catch (std::exception const& e) {
      rethrow_duplicate(e, "already-reported", "you already reported this post");
    }
    repo::bump_post_counter(tx, post_id, repo::Counter::Reports, 1);
    return Response::created(bj::object{{"post_id", post_id}, {"reason", reason}, {"reported", true}},
                             ctx.path(post_suffix(post_id)));
  });
}

Response hide_post(Request const& req, Context& ctx) {
  std::int64_t post_id = req.id("id");
  return ctx.tx([&](db::Tx& tx) {
    if (!repo::find_post(tx, ctx.community_id, post_id)) throw NotFound("post");
    if (!repo::hide_post(tx, post_id)) throw Conflict("already-hidden", "the post is already hidden");
    return Response::json(post_json(tx, ctx, *repo::find_post(tx, ctx.community_id, post_id), true));
  });
}

}  // namespace

void add_post_routes(http::Router& r) {
  r.post("/v1/communities/{cid}/posts", Access::member(), publish_post);
  r.get("/v1/communities/{cid}/posts", Access::member(), list_posts);
  r.get("/v1/communities/{cid}/posts/{id}", Access::member(), get_post);
  r.post("/v1/communities/{cid}/posts/{id}/comments", Access::member(), add_comment);
  r.get("/v1/communities/{cid}/posts/{id}/comments", Access::member(), list_comments);
  r.post("/v1/communities/{cid}/posts/{id}/likes", Access::member(), like_post);
  r.del("/v1/communities/{cid}/posts/{id}/likes", Access::member(), unlike_post);
  r.post("/v1/communities/{cid}/posts/{id}/report", Access::member(), report_post);
  r.post("/v1/communities/{cid}/posts/{id}/hide", Access::manager(), hide_post);
}

}  // namespace courtyard::clubs
