#include "services/notifications/logic.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace courtyard::notifications;
namespace bj = boost::json;

TEST_CASE("every subscribed topic renders for the accounts it concerns", "[notifications][logic]") {
  bj::object base{{"community_id", 3}, {"order_id", 42},    {"buyer_id", 7},      {"total_cents", 1250},
                  {"fulfilment", "delivery"}, {"resident_id", 7}, {"delivery_id", 9}, {"courier_id", 5},
                  {"account_ids", bj::array{7, 8, 8, -1}}, {"period", "2026-11"}, {"amount_cents", 9900},
                  {"due_at_ms", 1795000000000}, {"title", "Water off"}, {"starts_at_ms", 1795000000000},
                  {"account_id", 7}, {"status", "promoted"}, {"opened_by", 7}, {"ticket_id", 11},
                  {"parcel_id", 4}, {"carrier", "DHL"}, {"tracking_no", "JD1"}, {"pickup_code", "ABCD2345"},
                  {"balance_cents", 5000}, {"reason", "nobody home"}, {"merchant_owner_id", 12},
                  {"refunded_cents", 1250}};
  for (auto const& topic : topics()) {
    INFO(topic);
    auto d = render(topic, base);
    REQUIRE(d);
    CHECK(d->type == topic);
    CHECK(!d->title.empty());
    CHECK(!d->body.empty());
    CHECK(!d->recipients.empty());
    CHECK(!d->data.contains("account_ids"));  // recipient lists are not copied into every row
    CHECK(d->data.at("community_id").as_int64() == 3);
    for (auto r : d->recipients) CHECK(r > 0);
  }
  auto bill = render("bill.issued", base);
  CHECK(bill->recipients == std::vector<std::int64_t>{7, 8});
  CHECK(bill->body.find("99.00") != std::string::npos);
  CHECK(render("order.ready", base)->title == "Order #42 is ready for delivery");
  CHECK(render("parcel.logged", base)->body.find("ABCD2345") != std::string::npos);
  CHECK(render("delivery.failed", base)->body.find("nobody home") != std::string::npos);
}

TEST_CASE("a failed delivery is told to the buyer and, when final, to the merchant", "[notifications][logic]") {
  bj::object failed{{"community_id", 3}, {"order_id", 42}, {"resident_id", 7}, {"merchant_id", 5},
                    {"reason", "nobody home"}, {"final", false}, {"attempt", 1}, {"max_attempts", 2}};
  auto again = render("delivery.failed", failed);
  REQUIRE(again);
  CHECK(again->recipients == std::vector<std::int64_t>{7});
  CHECK(again->body.find("Another courier will try again") != std::string::npos);
  failed["final"] = true;
  auto last = render("delivery.failed", failed);
  REQUIRE(last);
  CHECK(last->body.find("refunded") != std::string::npos);

  bj::object cancelled{{"community_id", 3}, {"order_id", 42}, {"buyer_id", 7}, {"merchant_id", 5},
                       {"total_cents", 1250}, {"reason", "delivery_failed"}, {"refunded_cents", 1250}};
  auto buyer = render("order.cancelled", cancelled);
  REQUIRE(buyer);
  CHECK(buyer->recipients == std::vector<std::int64_t>{7});
  CHECK(buyer->title == "Order #42 cancelled: the delivery failed");
  CHECK(buyer->body.find("12.50 was refunded to your wallet") != std::string::npos);

  // The merchant's owner, never the buyer, with the merchant's side of the story.
  bj::object notice{{"community_id", 3}, {"order_id", 42}, {"buyer_id", 7}, {"merchant_id", 5},
                    {"merchant_owner_id", 12}, {"refunded_cents", 1250}, {"reason", "nobody home"}};
  auto merchant = render("order.delivery_failed", notice);
  REQUIRE(merchant);
  CHECK(merchant->recipients == std::vector<std::int64_t>{12});
  CHECK(merchant->title == "Order #42 cancelled: the delivery failed");
  CHECK(merchant->body.find("12.50 was refunded to the buyer") != std::string::npos);
  CHECK(merchant->body.find("nobody home") != std::string::npos);
  CHECK(!render("order.delivery_failed", bj::object{{"order_id", 42}, {"buyer_id", 7}}));
  // Other cancellations keep their title.
  CHECK(render("order.cancelled", bj::object{{"order_id", 42}, {"buyer_id", 7}, {"reason", "buyer"}})->title ==
        "Order #42 cancelled");
}

TEST_CASE("events that concern nobody render nothing", "[notifications][logic]") {
  CHECK(!render("event.rsvp", bj::object{{"account_id", 7}, {"status", "going"}}));
  CHECK(!render("order.placed", bj::object{{"order_id", 1}}));
  CHECK(!render("announcement.published", bj::object{{"account_ids", bj::array{}}}));
  CHECK(!render("unknown.topic", bj::object{{"account_id", 7}}));
}

TEST_CASE("an announcement names its audience; the subscriber expands it", "[notifications][logic]") {
  auto all = render("announcement.published",
                    bj::object{{"announcement_id", 8}, {"building_id", 0}, {"title", "Lift"}, {"audience", "residents"}});
  REQUIRE(all);
  CHECK(all->recipients.empty());
  REQUIRE(all->residents_of_building);
  CHECK(*all->residents_of_building == 0);
  CHECK(all->title == "Announcement: Lift");
  auto one = render("announcement.published", bj::object{{"announcement_id", 9}, {"building_id", 4}, {"title", "B"}});
  REQUIRE(one);
  CHECK(one->residents_of_building == std::optional<std::int64_t>(4));
  // Events published before the change listed their recipients: those still work.
  auto listed = render("announcement.published", bj::object{{"announcement_id", 7}, {"account_ids", bj::array{3, 5}}});
  REQUIRE(listed);
  CHECK(listed->recipients == std::vector<std::int64_t>{3, 5});
  CHECK_FALSE(listed->residents_of_building);
}

TEST_CASE("money and clipping", "[notifications][logic]") {
  CHECK(money(0) == "0.00");
  CHECK(money(5) == "0.05");
  CHECK(money(1250) == "12.50");
  CHECK(money(-1250) == "-12.50");
  CHECK(clip("abc", 5) == "abc");
  CHECK(clip("abcdef", 3) == "abc");
  std::string u8 = "ab\xC3\xA9";  // "abé"
  CHECK(clip(u8, 3) == "ab");
}

TEST_CASE("a shop's notice of a new order says what was ordered", "[notifications][logic]") {
  auto line = [](std::int64_t q, std::string name) { return bj::object{{"quantity", q}, {"name", std::move(name)}}; };
  bj::object p{{"order_id", 7}, {"merchant_id", 3}, {"total_cents", 1150}, {"fulfilment", "pickup"},
               {"items", bj::array{line(2, "Sourdough loaf"), line(1, "Cinnamon bun")}}};
  auto d = merchant_draft("order.placed", p);
  REQUIRE(d);
  CHECK(d->type == "order.placed.merchant");
  CHECK(d->title == "New Order #7");
  CHECK(d->body == "2 × Sourdough loaf, 1 × Cinnamon bun · 11.50 · pick-up. Accept it in the order queue.");
  CHECK_FALSE(d->data.contains("items"));  // the order holds its lines

  // The first five lines are named, the rest counted.
  bj::array many;
  for (int i = 1; i <= 7; ++i) many.push_back(line(1, "Dish " + std::to_string(i)));
  p["items"] = many;
  p["fulfilment"] = "delivery";
  CHECK(merchant_draft("order.placed", p)->body ==
        "1 × Dish 1, 1 × Dish 2, 1 × Dish 3, 1 × Dish 4, 1 × Dish 5 and 2 more · 11.50 · delivery. Accept it in the "
        "order queue.");
  // Lines that are not objects name nothing.
  p["items"] = bj::array{1, "two"};
  CHECK(merchant_draft("order.placed", p)->body == "11.50 · delivery. Accept it in the order queue.");
  // An event from before items: as it was.
  p.erase("items");
  CHECK(merchant_draft("order.placed", p)->body == "11.50 · delivery. Accept it in the order queue.");
  // Long names: the body stays within its limit, cut on a character.
  bj::array long_names;
  for (int i = 0; i < 5; ++i) long_names.push_back(line(1, std::string(100, 'x') + "\xC3\xA9" + std::string(400, 'y')));
  p["items"] = long_names;
  auto cut = merchant_draft("order.placed", p)->body;
  CHECK(cut.size() <= kBodyMax);
  CHECK(cut.size() > kBodyMax - 4);
}

TEST_CASE("several new orders of one shop: one digest for its staff", "[notifications][logic]") {
  bj::object a{{"order_id", 7}, {"merchant_id", 3}, {"total_cents", 250}, {"fulfilment", "pickup"}};
  bj::object b{{"order_id", 8}, {"merchant_id", 3}, {"total_cents", 1000}, {"fulfilment", "delivery"}};
  bj::object c{{"order_id", 9}, {"merchant_id", 3}, {"total_cents", 5}};
  auto d = merchant_digest({&a, &b, &c});
  CHECK(d.type == "order.placed.merchant");
  CHECK(d.recipients.empty());
  CHECK(d.title == "3 new orders");
  CHECK(d.body == "12.55 in all · 2 pick-up · 1 delivery. Accept them in the order queue.");
  CHECK(d.data.at("merchant_id").as_int64() == 3);
  CHECK(d.data.at("orders").to_number<std::int64_t>() == 3);
  CHECK(d.data.at("order_ids").as_array() == bj::array{7, 8, 9});

  // A flash sale's batch lists the first kDigestOrderIds orders and counts them all.
  std::vector<bj::object> many(kDigestOrderIds + 10, a);
  std::vector<bj::object const*> ptrs;
  for (auto& o : many) ptrs.push_back(&o);
  auto big = merchant_digest(ptrs);
  CHECK(big.data.at("orders").to_number<std::size_t>() == kDigestOrderIds + 10);
  CHECK(big.data.at("order_ids").as_array().size() == kDigestOrderIds);
}
