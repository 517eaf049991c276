#include "services/notifications/logic.hpp"

#include "http/json.hpp"

#include <boost/json/array.hpp>

#include <algorithm>

namespace courtyard::notifications {

namespace bj = boost::json;

namespace {

std::int64_t num(bj::object const& o, std::string_view k) { return json::int_field(o, k).value_or(0); }

std::string text(bj::object const& o, std::string_view k) {
  auto const* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::vector<std::int64_t> ids(bj::object const& o, std::string_view k) {
  std::vector<std::int64_t> out;
  auto const* v = o.if_contains(k);
  if (!v || !v->is_array()) return out;
  for (auto const& x : v->as_array()) {
    if (x.is_int64() && x.as_int64() > 0) out.push_back(x.as_int64());
    else if (x.is_uint64()) out.push_back(static_cast<std::int64_t>(x.as_uint64()));
  }
  return out;
}

std::vector<std::int64_t> one(std::int64_t id) {
  if (id > 0) return {id};
  return {};
}

std::string order_ref(bj::object const& p) { return "Order #" + std::to_string(num(p, "order_id")); }

// What an order event's items say was ordered, for the shop ("2 × Sourdough loaf, 1 × Cinnamon
// bun · "): the first kNoticeLines lines, then how many more; "" for an event without items.
std::string order_lines(bj::object const& p) {
  auto const* items = p.if_contains("items");
  if (!items || !items->is_array() || items->as_array().empty()) return {};
  auto const& lines = items->as_array();
  std::string out;
  std::size_t shown = 0;
  for (auto const& line : lines) {
    if (shown == kNoticeLines) break;
    auto const* o = line.if_object();
    if (!o) continue;
    out += (shown++ ? ", " : "") + std::to_string(num(*o, "quantity")) + " × " + text(*o, "name");
  }
  if (shown == 0) return {};  // no line to name (not as shops publishes it)
  if (lines.size() > shown) out += " and " + std::to_string(lines.size() - shown) + " more";
  return out + " · ";
}

}  // namespace

std::string money(std::int64_t cents) {
  bool neg = cents < 0;
  std::uint64_t c = neg ? static_cast<std::uint64_t>(-(cents + 1)) + 1 : static_cast<std::uint64_t>(cents);
  std::string frac = std::to_string(c % 100);
  if (frac.size() < 2) frac = "0" + frac;
  return (neg ? "-" : "") + std::to_string(c / 100) + "." + frac;
}

std::string clip(std::string s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  s.resize(max_bytes);
  // Do not leave half a UTF-8 sequence at the end.
  while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80) s.pop_back();
  if (!s.empty() && (static_cast<unsigned char>(s.back()) & 0x80)) s.pop_back();
  return s;
}

std::vector<std::string> const& topics() {
  static std::vector<std::string> const all{
      "order.placed",     "order.accepted",     "order.ready",      "order.completed",    "order.cancelled",
      "order.delivery_failed",
      "delivery.created", "delivery.claimed",   "delivery.picked_up", "delivery.delivered", "delivery.failed",
      "bill.issued",      "bill.overdue",       "announcement.published", "event.reminder", "event.rsvp",
      "parcel.logged",    "parcel.picked_up",   "ticket.resolved",  "wallet.topped_up",
      "stock.low"};
  return all;
}

std::optional<Draft> merchant_draft(std::string_view topic, bj::object const& p) {
  Draft d;
  d.type = std::string(topic) + ".merchant";
  std::string order = order_ref(p);
  if (topic == "order.placed") {
    d.title = "New " + order;
    d.body = order_lines(p) + money(num(p, "total_cents")) +
             (text(p, "fulfilment") == "delivery" ? " · delivery" : " · pick-up") + ". Accept it in the order queue.";
  } else if (topic == "order.cancelled" && text(p, "reason") == "buyer") {
    d.title = order + " cancelled by the buyer";
    d.body = money(num(p, "total_cents")) + " was refunded to the buyer; the items are back in stock.";
  } else {
    return std::nullopt;
  }
  for (auto key : {"order_id", "merchant_id"})
    if (auto const* v = p.if_contains(key)) d.data[key] = *v;
  d.body = clip(std::move(d.body), kBodyMax);
  return d;
}

Draft merchant_digest(std::vector<bj::object const*> const& payloads) {
  Draft d;
  d.type = "order.placed.merchant";
  std::int64_t total = 0;
  std::size_t delivery = 0;
  bj::array order_ids;
  for (auto const* p : payloads) {
    total += num(*p, "total_cents");
    delivery += text(*p, "fulfilment") == "delivery";
    if (order_ids.size() < kDigestOrderIds) order_ids.emplace_back(num(*p, "order_id"));
  }
  std::size_t pickup = payloads.size() - delivery;
  d.title = std::to_string(payloads.size()) + " new orders";
  d.body = money(total) + " in all";
  if (pickup > 0) d.body += " · " + std::to_string(pickup) + " pick-up";
  if (delivery > 0) d.body += " · " + std::to_string(delivery) + " delivery";
  d.body += ". Accept them in the order queue.";
  if (!payloads.empty()) d.data["merchant_id"] = num(*payloads.front(), "merchant_id");
  d.data["orders"] = payloads.size();
  d.data["order_ids"] = std::move(order_ids);
  return d;
}

std::optional<Draft> render(std::string_view topic, bj::object const& p) {
  Draft d;
  d.type = std::string(topic);
  std::string order = order_ref(p);
  if (topic == "order.placed") {
    d.recipients = one(num(p, "buyer_id"));
    d.title = order + " placed";
    d.body = "You paid " + money(num(p, "total_cents")) + ". The shop will confirm it shortly.";
  } else if (topic == "order.accepted") {
    d.recipients = one(num(p, "buyer_id"));
    d.title = order + " accepted";
    d.body = "The shop is preparing your order.";
  } else if (topic == "order.ready") {
    d.recipients = one(num(p, "buyer_id"));
    bool delivery = text(p, "fulfilment") == "delivery";
    d.title = order + (delivery ? " is ready for delivery" : " is ready for pick-up");
    d.body = delivery ? "A courier will bring it to you." : "Show your redemption code at the shop.";
  } else if (topic == "order.completed") {
    d.recipients = one(num(p, "buyer_id"));
    d.title = order + " completed";
    d.body = "Thank you! Tell your neighbours how it went: leave a review.";
  } else if (topic == "order.cancelled") {
    d.recipients = one(num(p, "buyer_id"));
    bool delivery_failed = text(p, "reason") == "delivery_failed";
    d.title = order + (delivery_failed ? " cancelled: the delivery failed" : " cancelled");
    d.body = "Your payment of " + money(num(p, "total_cents")) + " was refunded to your wallet.";
  } else if (topic == "order.delivery_failed") {
    // For the merchant (its owner): the system cancelled the order after the last attempt.
    d.recipients = one(num(p, "merchant_owner_id"));
    d.title = order + " cancelled: the delivery failed";
    std::string reason = text(p, "reason");
    d.body = "No courier could deliver it" + (reason.empty() ? std::string() : " (" + reason + ")") + ". " +
             money(num(p, "refunded_cents")) + " was refunded to the buyer from your balance and the items are " +
             "back in stock.";
  } else if (topic == "stock.low") {
    // For the merchant (its owner), from analytics: a product fell to its low-stock threshold.
    d.recipients = one(num(p, "merchant_owner_id"));
    d.title = "Low stock: " + text(p, "product_name");
    d.body = std::to_string(num(p, "stock")) + " left (threshold " + std::to_string(num(p, "threshold")) +
             "). Suggested reorder: " + std::to_string(num(p, "suggested_reorder")) + ".";
  } else if (topic == "delivery.created") {
    d.recipients = one(num(p, "resident_id"));
    d.title = "Delivery of " + order + " scheduled";
    d.body = "Give the courier the proof code shown in the delivery's details.";
  } else if (topic == "delivery.claimed") {
    d.recipients = one(num(p, "resident_id"));
    d.title = "A courier took the delivery of " + order;
    d.body = "Your order will be picked up at the shop soon.";
  } else if (topic == "delivery.picked_up") {
    d.recipients = one(num(p, "resident_id"));
    d.title = order + " is on its way";
    d.body = "Have your proof code ready.";
  } else if (topic == "delivery.delivered") {
    d.recipients = one(num(p, "resident_id"));
    d.title = order + " delivered";
    d.body = "Enjoy!";
  } else if (topic == "delivery.failed") {
    d.recipients = one(num(p, "resident_id"));
    d.title = "Delivery of " + order + " failed";
    std::string reason = text(p, "reason");
    d.body = reason.empty() ? "The courier could not deliver your order." : "Reason: " + reason + ".";
    auto const* fin = p.if_contains("final");
    if (fin && fin->is_bool())
      d.body += fin->as_bool() ? " The order will be cancelled and your payment refunded to your wallet."
                               : " Another courier will try again.";
  } else if (topic == "bill.issued") {
    d.recipients = ids(p, "account_ids");
    d.title = "New bill for " + text(p, "period");
    d.body = "Amount due: " + money(num(p, "amount_cents")) + ".";
    if (auto due = num(p, "due_at_ms"); due > 0) d.body += " Due by " + json::rfc3339(due).substr(0, 10) + ".";
  } else if (topic == "bill.overdue") {
    d.recipients = ids(p, "account_ids");
    d.title = "Bill for " + text(p, "period") + " is overdue";
    d.body = "Please pay " + money(num(p, "amount_cents")) + " as soon as possible.";
  } else if (topic == "announcement.published") {
    // Announcements published before events carried references listed their recipients.
    if (p.contains("account_ids"))
      d.recipients = ids(p, "account_ids");
    else if (num(p, "building_id") >= 0)
      d.residents_of_building = num(p, "building_id");
    d.title = "Announcement: " + text(p, "title");
    d.body = "A new announcement from your property manager.";
  } else if (topic == "event.reminder") {
    d.recipients = ids(p, "account_ids");
    d.title = "Reminder: " + text(p, "title");
    auto starts = num(p, "starts_at_ms");
    d.body = starts > 0 ? "Starts at " + json::rfc3339(starts) + "." : "Starting soon.";
  } else if (topic == "event.rsvp") {
    if (text(p, "status") != "promoted") return std::nullopt;
    d.recipients = one(num(p, "account_id"));
    d.title = "You're in: a seat opened up";
    d.body = "You moved from the waiting list to going.";
  } else if (topic == "parcel.logged") {
    d.recipients = ids(p, "account_ids");
    d.title = "A parcel has arrived for you";
    std::string carrier = text(p, "carrier"), code = text(p, "pickup_code");
    d.body = (carrier.empty() ? std::string("A parcel") : carrier + " parcel") + " " + text(p, "tracking_no") +
             " is waiting at the front desk." + (code.empty() ? "" : " Pick-up code: " + code + ".");
  } else if (topic == "parcel.picked_up") {
    d.recipients = ids(p, "account_ids");
    d.title = "Parcel picked up";
    d.body = "The parcel for your unit was collected from the front desk.";
  } else if (topic == "ticket.resolved") {
    d.recipients = one(num(p, "opened_by"));
    d.title = "Repair ticket #" + std::to_string(num(p, "ticket_id")) + " resolved";
    d.body = "Please confirm and rate the repair, or reopen the ticket.";
  } else if (topic == "wallet.topped_up") {
    d.recipients = one(num(p, "account_id"));
    d.title = "Wallet topped up";
    d.body = money(num(p, "amount_cents")) + " added; balance " + money(num(p, "balance_cents")) + ".";
  } else {
    return std::nullopt;
  }
  std::sort(d.recipients.begin(), d.recipients.end());
  d.recipients.erase(std::unique(d.recipients.begin(), d.recipients.end()), d.recipients.end());
  if (d.recipients.empty() && !d.residents_of_building) return std::nullopt;
  // The event's ids and fields, not its lists: recipients, and an order's lines (up to 50;
  // the app opens the order for them).
  for (auto const& [k, v] : p)
    if (k != "account_ids" && k != "participant_ids" && k != "items") d.data[k] = v;
  d.title = clip(std::move(d.title), kTitleMax);
  d.body = clip(std::move(d.body), kBodyMax);
  return d;
}

// ---- preferences

std::vector<Category> const& categories() {
  static std::vector<Category> const all{
      {"account", "Your account and security: merchant applications and decisions", true, false},
      {"orders", "Your orders, their deliveries and refunds, answered wishes; for merchants, new and cancelled orders and low stock", false, false},
      {"bills", "Property bills issued and overdue", false, false},
      {"wallet", "Wallet top-ups", false, false},
      {"announcements", "Announcements from the property manager", false, false},
      {"events", "Event reminders and waiting-list promotions", false, false},
      {"parcels", "Parcels at the front desk", false, false},
      {"tickets", "Repair tickets resolved", false, false},
      {"points", "Loyalty points about to expire and tier changes", false, false},
      {"marketing", "Offers and messages from campaigns (needs the marketing consent)", false, true},
      {"other", "Anything else", false, false},
  };
  return all;
}

Category const* find_category(std::string_view name) {
  for (auto const& c : categories())
    if (c.name == name) return &c;
  return nullptr;
}

namespace {
bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
}  // namespace

Category const& category_of(std::string_view type) {
  std::string_view name = "other";
  if (starts_with(type, "merchant.") || starts_with(type, "account.") || starts_with(type, "security."))
    name = "account";
  else if (starts_with(type, "order.") || starts_with(type, "delivery.") || starts_with(type, "refund.") ||
           starts_with(type, "wish.") || starts_with(type, "stock."))
    name = "orders";  // shopping: orders, deliveries, refunds, wishes answered, a shop's low stock
  else if (starts_with(type, "bill."))
    name = "bills";
  else if (starts_with(type, "wallet."))
    name = "wallet";
  else if (starts_with(type, "announcement."))
    name = "announcements";
  else if (starts_with(type, "event."))
    name = "events";
  else if (starts_with(type, "parcel."))
    name = "parcels";
  else if (starts_with(type, "ticket."))
    name = "tickets";
  else if (starts_with(type, "points.") || starts_with(type, "tier."))
    name = "points";
  else if (starts_with(type, "campaign") || starts_with(type, "marketing"))
    name = "marketing";
  return *find_category(name);
}

Choice default_choice(Category const& c, bool marketing_consent) {
  if (c.marketing) return Choice{marketing_consent, marketing_consent, false};
  return Choice{};
}

bool listed(Category const& c, Choice const& ch, bool marketing_consent) {
  if (c.locked) return true;
  if (c.marketing && !marketing_consent) return false;
  return ch.in_app;
}

bool pushed(Category const& c, Choice const& ch, bool marketing_consent) {
  return listed(c, ch, marketing_consent) && (c.locked || ch.push);
}

Applied apply_change(Category const& c, Choice current, ChoiceChange const& change) {
  Applied out{current, std::nullopt};
  if (change.in_app) out.choice.in_app = *change.in_app;
  if (change.push) out.choice.push = *change.push;
  if (change.email) out.choice.email = *change.email;
  if (c.locked && (!out.choice.in_app || !out.choice.push)) {
    out.refused = "account and security notices cannot be turned off (in_app and push stay on)";
    return out;
  }
  if (!out.choice.in_app && out.choice.push) {
    if (change.push && *change.push) {
      out.refused = "push needs in_app: a push is the live copy of a notification in the list";
      return out;
    }
    out.choice.push = false;
  }
  return out;
}

}  // namespace courtyard::notifications
