// Every topic() of the other services becomes notification rows for its recipients.
#include "services/identity/api.hpp"
#include "services/notifications/logic.hpp"
#include "services/notifications/routes.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <utility>

namespace courtyard::notifications {

namespace bj = boost::json;

namespace {

// Residents are looked up and written this many at a time, so an audience of any size
// never sits in memory (or in one statement) at once.
constexpr std::int64_t kResidentPage = 500;

}  // namespace

namespace {

// What one event adds: its rows (appended to `rows`) and, for an audience named by
// reference, the draft to expand once the rows are stored. `acting` keeps the merchants'
// owners and staff the batch has looked up, by (community, merchant).
struct Audience {
  Draft draft;
  std::int64_t community_id = 0;
  std::string data, key;
};
void rows_of(events::Event const& e, db::Tx& tx,
             std::map<std::pair<std::int64_t, std::int64_t>, std::vector<std::int64_t>>& acting,
             std::vector<repo::Row>& rows, std::vector<Audience>& audiences) {
  if (!e.payload.is_object()) return;
  auto draft = render(e.topic, e.payload.as_object());
  if (!draft) return;
  std::int64_t cid = e.community_id;
  if (cid == 0) cid = json::int_field(e.payload, "community_id").value_or(0);
  std::string data = bj::serialize(draft->data);
  // One row per (event, account): a redelivered event inserts nothing new.
  std::string key = "event:" + std::to_string(e.id);
  for (auto account : draft->recipients) rows.push_back({account, cid, draft->type, draft->title, draft->body, data, key});

  // The merchant's side of an order: its owner and staff, looked up here (events carry
  // references, not recipient lists), once per merchant of the batch.
  auto const& p = e.payload.as_object();
  auto mid = json::int_field(p, "merchant_id");
  if (mid && cid > 0) {
    auto merchant = merchant_draft(e.topic, p);
    if (merchant) {
      std::string mdata = bj::serialize(merchant->data);
      auto [it, fresh] = acting.try_emplace({cid, *mid});
      if (fresh) it->second = identity::accounts_acting_for(tx, cid, *mid);
      for (auto account : it->second) {
        if (std::find(draft->recipients.begin(), draft->recipients.end(), account) != draft->recipients.end()) continue;
        rows.push_back({account, cid, merchant->type, merchant->title, merchant->body, mdata, key});
      }
    }
  }
  if (draft->residents_of_building && cid > 0)
    audiences.push_back({std::move(*draft), cid, std::move(data), std::move(key)});
}

// An audience named by reference (an announcement's residents), expanded page by page in
// the delivery's transaction: all rows commit together with the delivery, or none.
void expand(Audience const& a, db::Tx& tx) {
  std::vector<repo::Row> rows;
  for (std::int64_t after = 0;;) {
    auto page = identity::residents_page(tx, a.community_id, *a.draft.residents_of_building, after, kResidentPage);
    if (page.empty()) break;
    rows.clear();
    for (auto account : page)
      rows.push_back({account, a.community_id, a.draft.type, a.draft.title, a.draft.body, a.data, a.key});
    store(tx, rows);
    after = page.back();
    if (static_cast<std::int64_t>(page.size()) < kResidentPage) break;
  }
}

}  // namespace

void on_events(std::vector<events::Event> const& batch, db::Tx& tx) {
  std::map<std::pair<std::int64_t, std::int64_t>, std::vector<std::int64_t>> acting;
  std::vector<repo::Row> rows;
  std::vector<Audience> audiences;
  for (auto const& e : batch) rows_of(e, tx, acting, rows, audiences);
  store(tx, std::move(rows));  // one preference read per category and one insert for the batch
  for (auto const& a : audiences) expand(a, tx);
}

}  // namespace courtyard::notifications
