// GET /v1/me/export: everything Courtyard stores about the caller, as one JSON
// document, one section per service, each from that service's api.hpp. A
// service whose schema this database does not have (not enabled here) is
// reported as such instead of queried.
#include "db/json_rows.hpp"
#include "services/clubs/api.hpp"
#include "services/delivery/api.hpp"
#include "services/identity/api.hpp"
#include "services/members/api.hpp"
#include "services/members/routes.hpp"
#include "services/notifications/api.hpp"
#include "services/property/api.hpp"
#include "services/recommendations/api.hpp"
#include "services/shops/api.hpp"
#include "services/wallet/api.hpp"

namespace courtyard::members {

bj::object export_document(db::Tx& tx, Principal const& who) {
  std::int64_t account = who.account_id;
  bj::object doc;
  doc["format"] = "courtyard-export/1";
  doc["account_id"] = account;
  doc["exported_at"] = json::rfc3339(tx.now_ms());

  bj::object identity;
  if (auto info = identity::account(tx, account))
    identity = bj::object{{"id", info->id}, {"email", info->email}, {"display_name", info->display_name}};
  bj::array roles;
  for (auto const& m : who.memberships)
    roles.push_back(bj::object{{"community_id", m.community_id},
                               {"role", role_name(m.role)},
                               {"unit_id", m.unit_id},
                               {"merchant_id", m.merchant_id}});
  identity["roles"] = std::move(roles);
  doc["identity"] = std::move(identity);
  using Exporter = bj::object (*)(db::Tx&, std::int64_t);
  std::pair<char const*, Exporter> const sections[] = {
      {"wallet", &wallet::export_account},     {"property", &property::export_account},
      {"shops", &shops::export_account},       {"clubs", &clubs::export_account},
      {"delivery", &delivery::export_account}, {"notifications", &notifications::export_account},
      {"members", &members::export_account},   {"recommendations", &recommendations::export_account},
  };
  for (auto const& [service, exporter] : sections)
    doc[service] = db::has_schema(tx, service) ? exporter(tx, account) : bj::object{{"enabled", false}};
  return doc;
}

}  // namespace courtyard::members
