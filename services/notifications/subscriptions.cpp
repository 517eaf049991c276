// Every topic() of the other services becomes notification rows for its recipients.
#include "services/identity/api.hpp"
#include "services/notifications/logic.hpp"
#include "services/notifications/routes.hpp"

#include <boost/json.hpp>

#include <algorithm>

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

  // The merchant's side of an order: its owner and staff, looked up here (events carry
  // references, not recipient lists).
  auto const& p = e.payload.as_object();
  auto const* mid = p.if_contains("merchant_id");
  if (mid && mid->is_int64() && cid > 0) {
    auto merchant = merchant_draft(e.topic, p);
    if (merchant) {
      std::string mdata = bj::serialize(merchant->data);
      for (auto account : identity::accounts_acting_for(tx, cid, mid->as_int64())) {
        if (std::find(draft->recipients.begin(), draft->recipients.end(), account) != draft->recipients.end()) continue;
        rows.push_back({account, cid, merchant->type, merchant->title, merchant->body, mdata, key});
      }
    }
  }
  repo::insert_many(tx, rows);
}

}  // namespace courtyard::notifications
