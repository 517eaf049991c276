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
                  {"balance_cents", 5000}, {"reason", "nobody home"}};
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

TEST_CASE("events that concern nobody render nothing", "[notifications][logic]") {
  CHECK(!render("event.rsvp", bj::object{{"account_id", 7}, {"status", "going"}}));
  CHECK(!render("order.placed", bj::object{{"order_id", 1}}));
  CHECK(!render("announcement.published", bj::object{{"account_ids", bj::array{}}}));
  CHECK(!render("unknown.topic", bj::object{{"account_id", 7}}));
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
