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

bj::object preferences_json(std::vector<repo::Preference> const& stored, bool marketing_consent) {
  bj::array items;
  for (auto const& c : categories()) {
    std::optional<repo::Preference> mine;
    for (auto const& p : stored)
      if (p.category == c.name) mine = p;
    auto ch = choice_for(mine, c, marketing_consent);
    bj::object o{{"category", c.name},
                 {"description", c.description},
                 {"in_app", c.locked || ch.in_app},
                 {"push", c.locked || ch.push},
                 {"email", ch.email},
                 {"locked", c.locked},
                 {"customized", mine.has_value()}};
    if (c.marketing) o["consent"] = bj::object{{"purpose", "marketing"}, {"given", marketing_consent}};
    o["delivered"] = listed(c, ch, marketing_consent);
    items.push_back(std::move(o));
  }
  return bj::object{{"categories", std::move(items)},
                    {"channels",
                     bj::object{{"in_app", "kept in /v1/me/notifications"},
                                {"push", "sent live over /v1/ws (needs in_app)"},
                                {"email", "stored only: Courtyard has no e-mail sender yet"}}}};
}

}  // namespace courtyard::notifications
