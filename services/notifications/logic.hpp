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

// What they are told instead when several new orders of the shop arrive together (one
// delivery batch of order.placed, two or more payloads): one "N new orders" notification, so
// a busy shop's phones get one alert per batch, not one per order (a flash sale delivers
// thousands a second). `data`: merchant_id, orders (the count) and order_ids (the first
// kDigestOrderIds of them, in the order given).
constexpr std::size_t kDigestOrderIds = 50;
Draft merchant_digest(std::vector<boost::json::object const*> const& payloads);

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
// Order lines named in a shop's new-order notice; the rest are counted.
constexpr std::size_t kNoticeLines = 5;
std::string clip(std::string s, std::size_t max_bytes);

// ---- preferences: per notification category and channel

// The channels a resident chooses per category. `in_app`: the row is kept in
// /v1/me/notifications; `push`: it is also sent live over /v1/ws (a live copy of a list item,
// so push needs in_app); `email`: stored only, Courtyard has no e-mail sender yet.
struct Choice {
  bool in_app = true;
  bool push = true;
  bool email = false;
};

struct Category {
  std::string_view name;
  std::string_view description;
  bool locked = false;     // account and security notices: in_app and push cannot be turned off
  bool marketing = false;  // delivered only with the member's marketing consent
};

// Every category, in the order the API lists them.
std::vector<Category> const& categories();
Category const* find_category(std::string_view name);
// The category a notification type belongs to ("order.ready" -> orders). Types starting
// with "campaign" or "marketing" are marketing; unknown types are "other" (on by default).
Category const& category_of(std::string_view type);
// What applies when the resident chose nothing: everything on (email off: no sender), except
// marketing, which follows the consent.
Choice default_choice(Category const& c, bool marketing_consent);
// Whether a notification of this category reaches the list / the socket, given the stored
// choice (or the default) and, for marketing, the consent.
bool listed(Category const& c, Choice const& ch, bool marketing_consent);
bool pushed(Category const& c, Choice const& ch, bool marketing_consent);

// A change to one category: the channels named in the request (nullopt = unchanged).
struct ChoiceChange {
  std::optional<bool> in_app, push, email;
};
// The stored choice after the change, or the reason it is refused (422): a locked category
// turned off, or push on without in_app. Turning in_app off without naming push turns push
// off with it.
struct Applied {
  Choice choice;
  std::optional<std::string> refused;
};
Applied apply_change(Category const& c, Choice current, ChoiceChange const& change);

}  // namespace courtyard::notifications
