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
// reference, the draft to expand once the rows are stored. The merchant's side of an order
// is gathered in `shops` and written by merchant_rows once the batch is read.
struct Audience {
  Draft draft;
  std::int64_t community_id = 0;
  std::string data, key;
};
// One event of a batch that concerns a merchant's owner and staff.
struct ShopEvent {
  events::Event const* event = nullptr;
  Draft draft;                           // what merchant_draft says of it alone
  std::string data;                      // draft.data, serialized once for all the staff
  std::vector<std::int64_t> recipients;  // its resident side's recipients (not told twice)
};
using Shops = std::map<std::pair<std::int64_t, std::int64_t>, std::vector<ShopEvent>>;  // by (community, merchant)

std::string event_key(std::int64_t event_id) { return "event:" + std::to_string(event_id); }

void rows_of(events::Event const& e, Shops& shops, std::vector<repo::Row>& rows, std::vector<Audience>& audiences) {
  if (!e.payload.is_object()) return;
  auto draft = render(e.topic, e.payload.as_object());
  if (!draft) return;
  std::int64_t cid = e.community_id;
  if (cid == 0) cid = json::int_field(e.payload, "community_id").value_or(0);
  std::string data = bj::serialize(draft->data);
  // One row per (event, account): a redelivered event inserts nothing new.
  std::string key = event_key(e.id);
  for (auto account : draft->recipients) rows.push_back({account, cid, draft->type, draft->title, draft->body, data, key});

  auto const& p = e.payload.as_object();
  auto mid = json::int_field(p, "merchant_id");
  if (mid && cid > 0)
    if (auto merchant = merchant_draft(e.topic, p)) {
      std::string mdata = bj::serialize(merchant->data);
      shops[{cid, *mid}].push_back({&e, std::move(*merchant), std::move(mdata), draft->recipients});
    }
  if (draft->residents_of_building && cid > 0)
    audiences.push_back({std::move(*draft), cid, std::move(data), std::move(key)});
}

// The merchant's side: its owner and staff, looked up once per merchant of the batch (events
// carry references, not recipient lists). Each is told of every event but their own orders;
// two or more new orders of the batch become one digest (merchant_digest), keyed by the
// first of them, so a redelivered batch inserts nothing new either.
void merchant_rows(Shops& shops, db::Tx& tx, std::vector<repo::Row>& rows) {
  for (auto& [shop, list] : shops) {
    auto [cid, mid] = shop;
    // A redelivery claimed with its first delivery is one event, told once.
    std::sort(list.begin(), list.end(), [](auto const& a, auto const& b) { return a.event->id < b.event->id; });
    list.erase(std::unique(list.begin(), list.end(), [](auto const& a, auto const& b) { return a.event->id == b.event->id; }),
               list.end());
    for (auto account : identity::accounts_acting_for(tx, cid, mid)) {
      auto tell = [&](Draft const& d, std::string data, std::int64_t event_id) {
        rows.push_back({account, cid, d.type, d.title, d.body, std::move(data), event_key(event_id)});
      };
      std::vector<ShopEvent const*> placed;
      for (auto const& s : list) {
        if (std::find(s.recipients.begin(), s.recipients.end(), account) != s.recipients.end()) continue;
        if (s.event->topic == "order.placed") placed.push_back(&s);
        else tell(s.draft, s.data, s.event->id);
      }
      if (placed.size() == 1) {
        tell(placed.front()->draft, placed.front()->data, placed.front()->event->id);
      } else if (placed.size() > 1) {
        std::vector<bj::object const*> payloads;
        for (auto const* s : placed) payloads.push_back(&s->event->payload.as_object());
        auto d = merchant_digest(payloads);
        tell(d, bj::serialize(d.data), placed.front()->event->id);
      }
    }
  }
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
  Shops shops;
  std::vector<repo::Row> rows;
  std::vector<Audience> audiences;
  for (auto const& e : batch) rows_of(e, shops, rows, audiences);
  merchant_rows(shops, tx, rows);
  store(tx, std::move(rows));  // one preference read per category and one insert for the batch
  for (auto const& a : audiences) expand(a, tx);
}

}  // namespace courtyard::notifications
