// The pure rules of notification preferences: which category a type belongs to, the
// defaults, and which changes are refused.
#include "services/notifications/logic.hpp"

#include <catch2/catch.hpp>

using namespace courtyard::notifications;

TEST_CASE("every notification type has a category", "[notifications][preferences][logic]") {
  CHECK(category_of("order.ready").name == "orders");
  CHECK(category_of("order.placed.merchant").name == "orders");
  CHECK(category_of("delivery.failed").name == "orders");
  CHECK(category_of("wish.answered").name == "orders");
  CHECK(category_of("stock.low").name == "orders");
  CHECK(category_of("bill.overdue").name == "bills");
  CHECK(category_of("announcement.published").name == "announcements");
  CHECK(category_of("event.reminder").name == "events");
  CHECK(category_of("parcel.logged").name == "parcels");
  CHECK(category_of("ticket.resolved").name == "tickets");
  CHECK(category_of("wallet.topped_up").name == "wallet");
  CHECK(category_of("points.expiring").name == "points");
  CHECK(category_of("tier.changed").name == "points");
  CHECK(category_of("merchant.approved").name == "account");
  CHECK(category_of("campaign.message").name == "marketing");
  CHECK(category_of("marketing").name == "marketing");
  CHECK(category_of("something.new").name == "other");
  // Every topic the service turns into notifications lands in a named category.
  for (auto const& t : topics()) CHECK(category_of(t).name != "other");
}

TEST_CASE("defaults: transactional on, e-mail off, marketing follows the consent", "[notifications][preferences][logic]") {
  auto const& orders = *find_category("orders");
  auto const& marketing = *find_category("marketing");
  auto const& account = *find_category("account");
  auto d = default_choice(orders, false);
  CHECK((d.in_app && d.push && !d.email));
  CHECK_FALSE(default_choice(marketing, false).in_app);
  CHECK(default_choice(marketing, true).in_app);
  CHECK_FALSE(listed(marketing, Choice{true, true, false}, false));  // no consent, no marketing
  CHECK(pushed(marketing, Choice{true, true, false}, true));
  CHECK(listed(account, Choice{false, false, false}, false));  // locked: always
  CHECK(pushed(account, Choice{false, false, false}, false));
  CHECK_FALSE(pushed(orders, Choice{true, false, false}, false));
  CHECK(listed(orders, Choice{true, false, false}, false));
}

TEST_CASE("changes: locked categories stay on, push needs the list", "[notifications][preferences][logic]") {
  auto const& orders = *find_category("orders");
  auto const& account = *find_category("account");
  auto off = apply_change(orders, Choice{}, ChoiceChange{false, std::nullopt, std::nullopt});
  CHECK_FALSE(off.refused);
  CHECK_FALSE(off.choice.in_app);
  CHECK_FALSE(off.choice.push);  // follows the list
  CHECK(apply_change(orders, Choice{}, ChoiceChange{false, true, std::nullopt}).refused);
  CHECK(apply_change(account, Choice{}, ChoiceChange{std::nullopt, false, std::nullopt}).refused);
  CHECK_FALSE(apply_change(account, Choice{}, ChoiceChange{std::nullopt, std::nullopt, true}).refused);
  auto email = apply_change(orders, Choice{}, ChoiceChange{std::nullopt, std::nullopt, true});
  CHECK(email.choice.email);
}
