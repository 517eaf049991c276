// merchant.* -> the applicant hears every decision on its application or merchant (with the
// manager's reason); the community's managers hear of each new application.
#include "services/identity/api.hpp"
#include "services/notifications/routes.hpp"

#include <boost/json.hpp>

namespace courtyard::notifications {

namespace bj = boost::json;

namespace {

std::int64_t id_of(bj::object const& p, std::string_view k) { return json::int_field(p, k).value_or(0); }

std::string text_of(bj::object const& p, std::string_view k) {
  auto const* v = p.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

void on_merchant_event(events::Event const& e, db::Tx& tx) {
  if (!e.payload.is_object()) return;
  auto const& p = e.payload.as_object();
  std::int64_t cid = e.community_id ? e.community_id : id_of(p, "community_id");
  std::string name = text_of(p, "name"), reason = text_of(p, "reason");
  std::string title, body;
  std::vector<std::int64_t> recipients;
  if (e.topic == "merchant.applied") {
    title = "New merchant application";
    body = name + " applied to sell in the community.";
    recipients = identity::accounts_with_role(tx, cid, Role::Manager);
  } else {
    if (e.topic == "merchant.approved") {
      title = "Your shop is approved";
      body = name + " can now sell in the community.";
    } else if (e.topic == "merchant.rejected") {
      title = "Your merchant application was declined";
      body = name + ": " + reason;
    } else if (e.topic == "merchant.suspended") {
      title = "Your shop is suspended";
      body = name + " takes no new orders: " + reason;
    } else if (e.topic == "merchant.reinstated") {
      title = "Your shop is reinstated";
      body = name + " takes orders again.";
    } else {
      return;
    }
    if (auto owner = id_of(p, "owner_id")) recipients.push_back(owner);
  }
  bj::object data{{"merchant_id", id_of(p, "merchant_id")}, {"status", text_of(p, "status")}};
  if (!reason.empty()) data["reason"] = reason;
  std::string serialized = bj::serialize(data);
  // One row per (event, account): a redelivered event inserts nothing new.
  std::string key = "event:" + std::to_string(e.id);
  std::vector<repo::Row> rows;
  for (auto account : recipients) rows.push_back({account, cid, e.topic, title, body, serialized, key});
  store(tx, rows);
}

}  // namespace courtyard::notifications
