// The members service's notices: points about to expire ("N points expire on
// D") and a tier change (a downgrade happens only at a period end). One row per
// event and account.
#include "services/notifications/logic.hpp"
#include "services/notifications/routes.hpp"

#include <boost/json.hpp>

namespace courtyard::notifications {

namespace bj = boost::json;

void on_member_notice(events::Event const& e, db::Tx& tx) {
  if (!e.payload.is_object()) return;
  auto const& p = e.payload.as_object();
  auto const* account = p.if_contains("account_id");
  if (!account || !account->is_int64() || account->as_int64() <= 0) return;
  auto text = [&](std::string_view key) {
    auto const* v = p.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  repo::Row row;
  row.account_id = account->as_int64();
  row.community_id = e.community_id;
  row.type = e.topic;
  if (e.topic == "points.expiring") {
    auto const* points = p.if_contains("points");
    std::string n = points && points->is_int64() ? std::to_string(points->as_int64()) : "Some";
    row.title = n + " points expire on " + text("expires_on");
    row.body = "Use them before " + text("expires_on") + " or they expire.";
  } else if (e.topic == "tier.changed") {
    auto const* to = p.if_contains("to");
    std::string name = to && to->is_object() && to->as_object().contains("name") && to->at("name").is_string()
                           ? std::string(to->at("name").as_string())
                           : std::string();
    bool up = text("direction") == "up";
    row.title = up ? "You reached " + name : (name.empty() ? "Your tier has ended" : "Your tier is now " + name);
    row.body = up ? "Your points over the last 12 months moved you up a tier."
                  : "Your tier was reviewed at the end of the period, from "
                    "your points over the last 12 months.";
  } else {
    return;
  }
  row.title = clip(row.title, kTitleMax);
  row.body = clip(row.body, kBodyMax);
  bj::object data = p;
  row.data = bj::serialize(data);
  row.dedupe_key = "event:" + std::to_string(e.id);
  store(tx, {row});
}

}  // namespace courtyard::notifications
