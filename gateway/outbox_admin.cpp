#include "gateway/outbox_admin.hpp"

#include "db/outbox.hpp"
#include "http/context.hpp"
#include "http/errors.hpp"
#include "http/json.hpp"

namespace courtyard::gateway {

namespace {

using http::Request;
using http::Response;

constexpr std::size_t kMaxSubscriberChars = 96;

boost::json::object dead_letter_json(events::DeadLetter const& d) {
  return {{"id", d.id},
          {"event_id", d.event_id},
          {"subscriber", d.subscriber},
          {"topic", d.topic},
          {"community_id", d.community_id},
          {"attempts", d.attempts},
          {"last_error", d.last_error},
          {"published_at", json::rfc3339(d.published_at)},
          {"dead_at", json::rfc3339(d.dead_at)}};
}

Response list_dead_letters(Request const& req, Context& ctx) {
  auto page = req.page();
  std::optional<std::string> subscriber;
  if (auto s = req.query_param("subscriber")) {
    if (s->empty() || s->size() > kMaxSubscriberChars)
      throw Invalid("subscriber", "must be 1 to " + std::to_string(kMaxSubscriberChars) + " characters");
    subscriber = std::string(*s);
  }
  auto rows = events::dead_letters(ctx.db, subscriber, page.after, page.fetch());
  return Response::json(json::page_of_rows(rows, page, dead_letter_json));
}

Response retry_dead_letter(Request const& req, Context& ctx) {
  auto id = req.id("id");
  switch (events::retry_dead(ctx.db, &ctx.bus, id)) {
    case events::RetryResult::NotFound:
      throw NotFound("dead letter");
    case events::RetryResult::NotDead:
      throw Conflict("not-dead", "this delivery is not dead; only dead deliveries can be retried");
    case events::RetryResult::Requeued:
      break;
  }
  return Response::json(boost::json::object{{"id", id}, {"status", "pending"}});
}

}  // namespace

void add_outbox_admin_routes(http::Router& r) {
  r.get("/v1/admin/events/dead-letters", http::Access::admin(), list_dead_letters);
  r.post("/v1/admin/events/dead-letters/{id}/retry", http::Access::admin(), retry_dead_letter);
}

std::string outbox_metrics_text(events::Dispatcher const& d) { return d.metrics_text(); }

}  // namespace courtyard::gateway
