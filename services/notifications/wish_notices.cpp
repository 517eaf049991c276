// wish.answered (shops): every resident who joined the wish is told that a shop answered it
// with a group buy. The joiners are paged from shops (its api.hpp), 500 at a time, in the
// delivery's own transaction (all rows or none; a redelivery adds nothing).
#include "services/notifications/logic.hpp"
#include "services/notifications/routes.hpp"
#include "services/shops/api.hpp"

#include <boost/json.hpp>

namespace courtyard::notifications {

namespace bj = boost::json;

namespace {
constexpr std::int64_t kJoinerPage = 500;
}

void on_wish_answered(events::Event const& e, db::Tx& tx) {
  if (!e.payload.is_object()) return;
  auto const& p = e.payload.as_object();
  auto num = [&](std::string_view key) { return json::int_field(p, key).value_or(0); };
  auto const* title = p.if_contains("title");
  std::int64_t wish = num("wish_id"), group_buy = num("group_buy_id");
  if (wish <= 0 || e.community_id <= 0) return;
  repo::Row row;
  row.community_id = e.community_id;
  row.type = e.topic;
  row.title = clip("A shop answered your wish: " + (title && title->is_string() ? std::string(title->as_string()) : ""),
                   kTitleMax);
  row.body = "It is offered as a group buy at " + money(num("unit_price_cents")) +
             " each. Join the group buy to order it.";
  row.data = bj::serialize(bj::object{{"wish_id", wish}, {"group_buy_id", group_buy}, {"merchant_id", num("merchant_id")}});
  row.dedupe_key = "event:" + std::to_string(e.id);
  for (std::int64_t after = 0;;) {
    auto page = shops::wish_joiners(tx, e.community_id, wish, after, kJoinerPage);
    if (page.empty()) break;
    std::vector<repo::Row> rows;
    for (auto account : page) {
      row.account_id = account;
      rows.push_back(row);
    }
    repo::insert_many(tx, rows);
    after = page.back();
    if (static_cast<std::int64_t>(page.size()) < kJoinerPage) break;
  }
}

}  // namespace courtyard::notifications
