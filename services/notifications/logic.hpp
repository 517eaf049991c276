#pragma once
// Pure rules: which events concern which accounts, and the text they are told.
// No SOCI, no Beast.
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace courtyard::notifications {

struct Draft {
  std::string type;   // the event topic, e.g. "order.ready"
  std::string title;
  std::string body;
  boost::json::object data;               // the payload's ids, without recipient lists
  std::vector<std::int64_t> recipients;   // distinct, positive account ids
  // Instead of recipients: every resident of the event's community (0) or of this building,
  // looked up page by page by the subscriber. Events carry references, not recipient lists.
  std::optional<std::int64_t> residents_of_building;
};

// What the merchant's owner and staff are told about one of its orders (a new order, a
// cancellation, a failed delivery); nullopt for topics that do not concern them.
std::optional<Draft> merchant_draft(std::string_view topic, boost::json::object const& payload);

// Every topic this service turns into notifications.
std::vector<std::string> const& topics();

// The notification an event asks for, or nullopt when it concerns nobody (e.g. an
// event.rsvp that is not a promotion).
std::optional<Draft> render(std::string_view topic, boost::json::object const& payload);

// "12.50" from 1250 (negative amounts keep their sign).
std::string money(std::int64_t cents);

// Title and body limits (longer texts are cut, never rejected: they come from events).
constexpr std::size_t kTitleMax = 200;
constexpr std::size_t kBodyMax = 2000;
std::string clip(std::string s, std::size_t max_bytes);

}  // namespace courtyard::notifications
