// The JSON shape of a notification.
#include "services/notifications/routes.hpp"

#include "http/json.hpp"

#include <boost/json.hpp>

namespace courtyard::notifications {

namespace bj = boost::json;

bj::object notification_json(repo::Notification const& n) {
  bj::value data;
  boost::system::error_code ec;
  data = bj::parse(n.data, ec);
  if (ec || !data.is_object()) data = bj::object{};
  return bj::object{{"id", n.id},
                    {"account_id", n.account_id},
                    {"community_id", n.community_id},
                    {"type", n.type},
                    {"title", n.title},
                    {"body", n.body},
                    {"data", std::move(data)},
                    {"created_at", json::rfc3339(n.created_at)},
                    {"read_at", json::time_or_null(n.read_at)}};
}

}  // namespace courtyard::notifications
