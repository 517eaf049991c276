// Every topic() of the other services becomes notification rows for its recipients.
#include "services/notifications/logic.hpp"
#include "services/notifications/routes.hpp"

#include <boost/json.hpp>

namespace courtyard::notifications {

namespace bj = boost::json;

void on_event(events::Event const& e, db::Tx& tx) {
  if (!e.payload.is_object()) return;
  auto draft = render(e.topic, e.payload.as_object());
  if (!draft) return;
  std::int64_t cid = e.community_id;
  if (cid == 0)
    if (auto const* c = e.payload.as_object().if_contains("community_id"); c && c->is_int64()) cid = c->as_int64();
  std::string data = bj::serialize(draft->data);
  // One row per (event, account): a redelivered event inserts nothing new.
  std::string key = "event:" + std::to_string(e.id);
  std::vector<repo::Row> rows;
  rows.reserve(draft->recipients.size());
  for (auto account : draft->recipients) rows.push_back({account, cid, draft->type, draft->title, draft->body, data, key});
  repo::insert_many(tx, rows);
}

}  // namespace courtyard::notifications
