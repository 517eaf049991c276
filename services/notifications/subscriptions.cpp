// Every topic() of the other services becomes notification rows for its recipients.
#include "services/identity/api.hpp"
#include "services/notifications/logic.hpp"
#include "services/notifications/routes.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace courtyard::notifications {

namespace bj = boost::json;

namespace {

// Residents are looked up and written this many at a time, so an audience of any size
// never sits in memory (or in one statement) at once.
constexpr std::int64_t kResidentPage = 500;

}  // namespace

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
  store(tx, rows);

  // An audience named by reference (an announcement's residents), expanded page by page in
  // this delivery's transaction: all rows commit together with the delivery, or none.
  if (draft->residents_of_building && cid > 0) {
    for (std::int64_t after = 0;;) {
      auto page = identity::residents_page(tx, cid, *draft->residents_of_building, after, kResidentPage);
      if (page.empty()) break;
      rows.clear();
      for (auto account : page) rows.push_back({account, cid, draft->type, draft->title, draft->body, data, key});
      store(tx, rows);
      after = page.back();
      if (static_cast<std::int64_t>(page.size()) < kResidentPage) break;
    }
  }
}

}  // namespace courtyard::notifications
