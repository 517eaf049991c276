// Community content: the community feed and club feeds, comments, likes (one per
// account), reports (one per account) and moderation (managers hide posts).
#include "services/clubs/routes.hpp"

namespace courtyard::clubs {

namespace bj = boost::json;
using http::Access;
using http::Request;
using http::Response;

namespace {

constexpr std::size_t kMaxPostBody = 5000;
constexpr std::size_t kMaxCommentBody = 2000;
constexpr std::size_t kMaxReason = 500;

// The post as the caller may see it: hidden posts exist only for managers; a closed club's
// posts only for its members (and managers).
repo::Post visible_post(db::Tx& tx, Context const& ctx, std::int64_t post_id) {
  auto p = repo::find_post(tx, ctx.community_id, post_id);
  if (!p || (p->hidden && !is_manager(ctx))) throw NotFound("post");
  if (p->club_id) require_can_see(tx, ctx, club_or_404(tx, ctx.community_id, p->club_id));
  return *p;
}

bj::object like_json(db::Tx& tx, Context const& ctx, std::int64_t post_id, bool liked) {
  auto p = repo::find_post(tx, ctx.community_id, post_id);
  return bj::object{{"post_id", post_id}, {"like_count", p ? p->like_count : 0}, {"liked", liked}};
}

}  // namespace

void add_post_routes(http::Router& r) {
  r.post("/v1/communities/{cid}/posts", Access::member(), [](Request const& req, Context& ctx) {
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
      return Response::created(post_json(*post, is_manager(ctx)),
                               community_path(ctx.community_id) + "/posts/" + std::to_string(id));
    });
  });

  r.get("/v1/communities/{cid}/posts", Access::member(), [](Request const& req, Context& ctx) {
    auto page = req.page();
    bool reported = false;
    if (auto v = req.query_param("reported")) {
      if (*v == "true")
        reported = true;
      else if (*v != "false")
        throw Invalid("reported", "must be true or false");
    }
    std::int64_t club_id = req.query_int("club_id", 0);
    if (club_id < 0) throw Invalid("club_id", "must be a club id");
    bool moderator = is_manager(ctx);
    if (reported && !moderator) throw Forbidden("only managers see reported posts");
    return ctx.tx([&](db::Tx& tx) {
      if (club_id) require_can_see(tx, ctx, club_or_404(tx, ctx.community_id, club_id));
      repo::FeedQuery q;
      q.club_id = club_id;
      q.include_hidden = moderator;
      q.reported_only = reported;
      q.before = page.after.value_or(0);
      q.limit = page.limit + 1;
      auto rows = repo::list_posts(tx, ctx.community_id, q);
      return Response::json(
          page_json(rows, page, [&](repo::Post const& p) { return post_json(p, moderator); }));
    });
  });

  r.get("/v1/communities/{cid}/posts/{id}", Access::member(), [](Request const& req, Context& ctx) {
    std::int64_t post_id = req.id("id");
    return ctx.tx([&](db::Tx& tx) {
      auto p = visible_post(tx, ctx, post_id);
      auto out = post_json(p, is_manager(ctx));
      out["liked_by_me"] = repo::has_liked(tx, post_id, ctx.principal.account_id);
      return Response::json(out);
    });
  });

  r.post("/v1/communities/{cid}/posts/{id}/comments", Access::member(), [](Request const& req, Context& ctx) {
    std::int64_t post_id = req.id("id");
    auto body = req.json();
    auto text = json::str(body, "body", 1, kMaxCommentBody);
    return ctx.tx([&](db::Tx& tx) {
      visible_post(tx, ctx, post_id);
      std::int64_t id = repo::insert_comment(tx, ctx.community_id, post_id, ctx.principal.account_id, text);
      repo::bump_post_counter(tx, post_id, repo::Counter::Comments, 1);
      repo::Comment c{id, post_id, ctx.principal.account_id, text, tx.now_ms()};
      return Response::created(comment_json(c), community_path(ctx.community_id) + "/posts/" +
                                                    std::to_string(post_id) + "/comments");
    });
  });

  r.get("/v1/communities/{cid}/posts/{id}/comments", Access::member(), [](Request const& req, Context& ctx) {
    std::int64_t post_id = req.id("id");
    auto page = req.page();
    return ctx.tx([&](db::Tx& tx) {
      visible_post(tx, ctx, post_id);
      auto rows = repo::list_comments(tx, post_id, page.after.value_or(0), page.limit + 1);
      return Response::json(page_json(rows, page, [](repo::Comment const& c) { return comment_json(c); }));
    });
  });

  r.post("/v1/communities/{cid}/posts/{id}/likes", Access::member(), [](Request const& req, Context& ctx) {
    std::int64_t post_id = req.id("id");
    return ctx.tx([&](db::Tx& tx) {
      visible_post(tx, ctx, post_id);
      try {
        repo::insert_like(tx, ctx.community_id, post_id, ctx.principal.account_id);
      } catch (std::exception const& e) {
        rethrow_duplicate(e, "already-liked", "you already like this post");
      }
      repo::bump_post_counter(tx, post_id, repo::Counter::Likes, 1);
      return Response::created(like_json(tx, ctx, post_id, true), community_path(ctx.community_id) + "/posts/" +
                                                                     std::to_string(post_id) + "/likes");
    });
  });

  r.del("/v1/communities/{cid}/posts/{id}/likes", Access::member(), [](Request const& req, Context& ctx) {
    std::int64_t post_id = req.id("id");
    return ctx.tx([&](db::Tx& tx) {
      visible_post(tx, ctx, post_id);
      if (repo::delete_like(tx, post_id, ctx.principal.account_id) != 1) throw NotFound("like");
      repo::bump_post_counter(tx, post_id, repo::Counter::Likes, -1);
      return Response::json(like_json(tx, ctx, post_id, false));
    });
  });

  r.post("/v1/communities/{cid}/posts/{id}/report", Access::member(), [](Request const& req, Context& ctx) {
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
                               community_path(ctx.community_id) + "/posts/" + std::to_string(post_id));
    });
  });

  r.post("/v1/communities/{cid}/posts/{id}/hide", Access::manager(), [](Request const& req, Context& ctx) {
    std::int64_t post_id = req.id("id");
    return ctx.tx([&](db::Tx& tx) {
      if (!repo::find_post(tx, ctx.community_id, post_id)) throw NotFound("post");
      if (!repo::hide_post(tx, post_id)) throw Conflict("already-hidden", "the post is already hidden");
      return Response::json(post_json(*repo::find_post(tx, ctx.community_id, post_id), true));
    });
  });
}

}  // namespace courtyard::clubs
