// Deliveries end to end: orders placed through the API reach a local receiver (Beast, on
// loopback) signed so that an independent verifier accepts them; the receiver goes down,
// more orders are placed, it comes back an hour later and gets every event exactly once by
// webhook-id, in order. Plus test events, replay, rotation (both signatures), 410, 429/503
// with Retry-After, one delivery at a time per endpoint, and the fan-out's idempotency.
#include "db/query.hpp"
#include "services/webhooks/api.hpp"
#include "services/webhooks/outbound.hpp"
#include "services/webhooks/routes.hpp"
#include "services/webhooks/url_guard.hpp"
#include "tests/webhooks/helpers.hpp"
#include "tests/webhooks/receiver.hpp"

#include <unistd.h>

#include <cstdlib>
#include <set>
#include <thread>

using namespace webhooks_test;

namespace {

constexpr std::int64_t kMinute = 60 * 1000;

// Fans out pending events and runs one sender pass.
void pump() {
  auto& t = TestApp::get();
  t.drain_events();
  REQUIRE(t.run_job("webhooks.send"));
}

bj::object delivery(Shop const& s, std::int64_t endpoint, std::int64_t did) {
  auto r = TestApp::get().get(s.hook(endpoint) + "/deliveries/" + std::to_string(did), s.owner.token);
  REQUIRE(r.status == 200);
  return r.json.as_object();
}

bj::array deliveries(Shop const& s, std::int64_t endpoint, std::string const& query = "") {
  auto r = TestApp::get().get(s.hook(endpoint) + "/deliveries?limit=200" + query, s.owner.token);
  REQUIRE(r.status == 200);
  return r.json.at("items").as_array();
}

std::int64_t event_of(std::string const& webhook_id) { return std::stoll(webhook_id.substr(4)); }  // "msg_<event>"

struct Hooked {
  Shop s;
  Receiver rx;
  std::int64_t endpoint = 0;
  std::string secret;
};

void hook_up(Hooked& h, bj::array types = {"order.*"}) {
  h.s = shop();
  h.rx.start();
  auto r = register_endpoint(h.s.hooks(), h.s.owner.token, h.rx.url(), std::move(types));
  INFO(r.body);
  REQUIRE(r.status == 201);
  h.endpoint = r.id();
  h.secret = std::string(r.json.at("secret").as_string());
  h.rx.set_secrets({h.secret});
}

// The usual case: a new shop whose endpoint for order.* events is a running receiver.
struct HookedShop {
  TestApp& t = TestApp::get();
  Hooked h;
  Shop& s = h.s;
  HookedShop() { hook_up(h); }
};

}  // namespace

TEST_CASE_METHOD(HookedShop, "a receiver down for an hour gets every event exactly once, in order", "[webhooks][e2e]") {
  std::vector<std::int64_t> orders;
  for (int i = 0; i < 3; ++i) orders.push_back(place_order(s));
  pump();
  auto first = h.rx.received();
  REQUIRE(first.size() == 3);
  for (auto const& r : first) {
    INFO(r.body);
    CHECK(r.type == "order.placed");
    CHECK(r.signed_by == std::vector<std::size_t>{0});
    CHECK(r.id.rfind("msg_", 0) == 0);
    auto body = bj::parse(r.body).as_object();
    CHECK(body.at("data").at("merchant_id").as_int64() == s.mid);
    // What was ordered comes with it (EVENTS.md): the receiver needs no call back.
    auto const& items = body.at("data").at("items").as_array();
    REQUIRE(items.size() == 1);
    CHECK(items[0].at("product_id").as_int64() == s.bread);
    CHECK(items[0].at("quantity").as_int64() == 1);
    CHECK(items[0].at("name").is_string());
    CHECK(body.at("timestamp").is_string());
    // The timestamp is the wall clock's, for the receiver's tolerance check.
    auto now_s = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    CHECK(std::llabs(std::stoll(r.timestamp) - now_s.count()) < 60);
  }

  // Down: three more orders and a cancellation.
  h.rx.stop();
  for (int i = 0; i < 3; ++i) orders.push_back(place_order(s));
  auto cancel = t.post(s.c.base() + "/orders/" + std::to_string(orders[4]) + "/cancel", bj::object{}, s.buyer.token,
                       {{"Idempotency-Key", t.unique("cancel")}});
  REQUIRE(cancel.status == 200);
  pump();
  auto pending = deliveries(s, h.endpoint, "&status=pending");
  REQUIRE(pending.size() == 4);
  // Only the first of them (in event order) was tried; the later ones wait behind it.
  std::int64_t head = 0, head_event = 0;
  for (auto const& d : pending)
    if (head == 0 || d.at("event_id").as_int64() < head_event) {
      head = d.at("id").as_int64();
      head_event = d.at("event_id").as_int64();
    }
  for (auto const& d : pending) CHECK(d.at("attempts").as_int64() == (d.at("id").as_int64() == head ? 1 : 0));
  auto head_log = delivery(s, h.endpoint, head);
  REQUIRE(head_log.at("attempt_log").as_array().size() == 1);
  auto const& failed = head_log.at("attempt_log").as_array()[0].as_object();
  CHECK(failed.at("http_status").is_null());
  CHECK(failed.at("outcome") == "retrying");
  CHECK(std::string(failed.at("error").as_string()).find("connecting") != std::string::npos);
  CHECK(head_log.at("last_error").is_string());

  // An hour passes in steps; each pass retries the head once it is due, never a later one.
  for (int minutes = 0; minutes < 60; minutes += 5) {
    t.advance_clock_ms(5 * kMinute);
    pump();
  }
  pending = deliveries(s, h.endpoint, "&status=pending");
  REQUIRE(pending.size() == 4);
  auto tries = delivery(s, h.endpoint, head).at("attempts").as_int64();
  CHECK(tries >= 3);  // 5 s, 5 min, 30 min
  CHECK(tries <= 4);
  for (auto const& d : pending)
    if (d.at("id").as_int64() != head) CHECK(d.at("attempts").as_int64() == 0);

  // Back up (same port). Within the retry schedule's next step everything arrives.
  h.rx.start();
  for (int i = 0; i < 12 && deliveries(s, h.endpoint, "&status=pending").size() > 0; ++i) {
    t.advance_clock_ms(30 * kMinute);
    pump();
  }
  CHECK(deliveries(s, h.endpoint, "&status=pending").empty());

  auto all = h.rx.received();
  REQUIRE(all.size() == 7);  // 6 placed + 1 cancelled
  std::set<std::string> ids;
  std::int64_t last_event = 0;
  for (auto const& r : all) {
    INFO(r.id << " " << r.body);
    CHECK(r.signed_by == std::vector<std::size_t>{0});
    CHECK(ids.insert(r.id).second);  // exactly once
    CHECK(event_of(r.id) > last_event);  // in order
    last_event = event_of(r.id);
  }
  int cancelled = 0;
  for (auto const& r : all) cancelled += r.type == "order.cancelled";
  CHECK(cancelled == 1);

  // The delivery log: every delivery succeeded; the head's log shows its failures then success.
  for (auto const& d : deliveries(s, h.endpoint)) CHECK(d.at("status") == "succeeded");
  auto log = delivery(s, h.endpoint, head).at("attempt_log").as_array();
  REQUIRE(log.size() >= 4);
  CHECK(log.back().at("outcome") == "succeeded");
  CHECK(log.back().at("http_status").as_int64() == 200);
  CHECK(log.back().at("response_snippet") == "thanks");
  CHECK(log.back().at("latency_ms").as_int64() >= 0);
  CHECK(delivery(s, h.endpoint, head).at("payload").at("type") == "order.placed");

  // Nothing is sent twice.
  pump();
  CHECK(h.rx.received().size() == 7);
}

TEST_CASE_METHOD(HookedShop, "test events, replay and secret rotation", "[webhooks][e2e]") {
  auto test = t.post(s.hook(h.endpoint) + "/test", bj::object{}, s.owner.token);
  INFO(test.body);
  REQUIRE(test.status == 202);
  CHECK(test.json.at("event_type") == "webhook.test");
  CHECK(test.json.at("status") == "pending");
  pump();
  auto got = h.rx.received();
  REQUIRE(got.size() == 1);
  CHECK(got[0].type == "webhook.test");
  CHECK(got[0].signed_by == std::vector<std::size_t>{0});
  auto test_id = test.id();
  CHECK(delivery(s, h.endpoint, test_id).at("status") == "succeeded");

  // Replay keeps the webhook-id.
  CHECK(t.post(s.hook(h.endpoint) + "/deliveries/999999999/replay", bj::object{}, s.owner.token).status == 404);
  auto replay = t.post(s.hook(h.endpoint) + "/deliveries/" + std::to_string(test_id) + "/replay", bj::object{},
                       s.owner.token);
  REQUIRE(replay.status == 202);
  CHECK(replay.json.at("replay_of").as_int64() == test_id);
  CHECK(replay.json.at("webhook_id") == test.json.at("webhook_id"));
  // A queued delivery cannot be replayed.
  CHECK(t.post(s.hook(h.endpoint) + "/deliveries/" + std::to_string(replay.id()) + "/replay", bj::object{},
               s.owner.token)
            .status == 409);
  pump();
  got = h.rx.received();
  REQUIRE(got.size() == 2);
  CHECK(got[1].id == got[0].id);

  // Rotation: during the overlap both signatures are sent; after it, only the new one.
  auto rotated = t.post(s.hook(h.endpoint) + "/rotate-secret", {{"overlap_seconds", 3600}}, s.owner.token);
  REQUIRE(rotated.status == 200);
  auto next = std::string(rotated.json.at("secret").as_string());
  h.rx.set_secrets({h.secret, next});
  place_order(s);
  pump();
  got = h.rx.received();
  REQUIRE(got.size() == 3);
  CHECK(got[2].signed_by == std::vector<std::size_t>{0, 1});
  t.advance_clock_ms(3600 * 1000 + 1000);
  place_order(s);
  pump();
  got = h.rx.received();
  REQUIRE(got.size() == 4);
  CHECK(got[3].signed_by == std::vector<std::size_t>{1});

  // Test events and replays wait for a disabled endpoint to be enabled: 409.
  REQUIRE(t.patch(s.hook(h.endpoint), {{"enabled", false}}, s.owner.token).status == 200);
  CHECK(t.post(s.hook(h.endpoint) + "/test", bj::object{}, s.owner.token).status == 409);
  // Disabled endpoints get no new deliveries.
  place_order(s);
  pump();
  CHECK(h.rx.received().size() == 4);
}

TEST_CASE_METHOD(HookedShop, "410 disables the endpoint; 429 and 503 honour Retry-After", "[webhooks][e2e]") {
  h.rx.answer(503, "600");
  place_order(s);
  pump();
  auto list = deliveries(s, h.endpoint);
  REQUIRE(list.size() == 1);
  auto did = list[0].at("id").as_int64();
  auto d = delivery(s, h.endpoint, did);
  CHECK(d.at("last_status").as_int64() == 503);
  CHECK(d.at("attempt_log").as_array()[0].at("response_snippet") == "not now");
  auto next = *courtyard::json::parse_rfc3339(d.at("next_attempt_at").as_string());
  CHECK(next - courtyard::db::now_ms() > 590 * 1000);  // not the schedule's 5 s
  t.advance_clock_ms(5 * kMinute);
  pump();
  CHECK(delivery(s, h.endpoint, did).at("attempts").as_int64() == 1);

  h.rx.answer(429, "Thu, 01 Jan 2099 00:00:00 GMT");  // capped at a day
  t.advance_clock_ms(6 * kMinute);
  pump();
  d = delivery(s, h.endpoint, did);
  CHECK(d.at("attempts").as_int64() == 2);
  CHECK(d.at("last_status").as_int64() == 429);
  next = *courtyard::json::parse_rfc3339(d.at("next_attempt_at").as_string());
  CHECK(next - courtyard::db::now_ms() > 23 * 3600 * 1000);

  h.rx.answer(410);
  t.advance_clock_ms(24 * 3600 * 1000 + kMinute);
  pump();
  d = delivery(s, h.endpoint, did);
  CHECK(d.at("status") == "failed");
  CHECK(d.at("last_status").as_int64() == 410);
  auto ep = t.get(s.hook(h.endpoint), s.owner.token);
  CHECK_FALSE(ep.json.at("enabled").as_bool());
  CHECK(ep.json.at("disabled_reason") == "gone");
  CHECK(h.rx.received().empty());

  // A failed delivery can be replayed once the endpoint is enabled again.
  h.rx.answer(200);
  REQUIRE(t.patch(s.hook(h.endpoint), {{"enabled", true}}, s.owner.token).status == 200);
  REQUIRE(t.post(s.hook(h.endpoint) + "/deliveries/" + std::to_string(did) + "/replay", bj::object{}, s.owner.token)
              .status == 202);
  pump();
  REQUIRE(h.rx.received().size() == 1);
  CHECK(h.rx.received()[0].type == "order.placed");
}

TEST_CASE_METHOD(HookedShop, "redirects are not followed and count as failures", "[webhooks][e2e]") {
  h.rx.answer(302);
  place_order(h.s);
  pump();
  auto list = deliveries(h.s, h.endpoint);
  REQUIRE(list.size() == 1);
  CHECK(list[0].at("status") == "pending");
  CHECK(list[0].at("last_status").as_int64() == 302);
  CHECK(h.rx.received().empty());
}

TEST_CASE_METHOD(HookedShop, "one delivery at a time per endpoint, in order, even with two senders",
                 "[webhooks][e2e][concurrency]") {
  h.rx.answer(200, "", 20);  // a slow receiver
  for (int i = 0; i < 8; ++i) place_order(s);
  t.drain_events();

  auto const& settings = t.app().config().settings;
  auto o = courtyard::webhooks::options_from(settings);
  std::vector<std::thread> senders;
  for (int i = 0; i < 3; ++i)
    senders.emplace_back([&] {
      for (int round = 0; round < 5; ++round) courtyard::webhooks::send_due(t.app().db(), o);
    });
  for (auto& th : senders) th.join();
  while (courtyard::webhooks::send_due(t.app().db(), o) > 0) {
  }
  auto got = h.rx.received();
  REQUIRE(got.size() == 8);
  CHECK(h.rx.max_in_flight() == 1);
  std::set<std::string> ids;
  std::int64_t last = 0;
  for (auto const& r : got) {
    CHECK(ids.insert(r.id).second);
    CHECK(event_of(r.id) > last);
    last = event_of(r.id);
  }
}

TEST_CASE("fan-out: matching endpoints only, once per event", "[webhooks][fanout]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto placed_only = register_endpoint(s.hooks(), s.owner.token, "https://a.example.com/", {"order.placed"});
  auto reviews = register_endpoint(s.hooks(), s.owner.token, "https://b.example.com/", {"review.posted"});
  auto community = register_endpoint(s.c.base() + "/webhooks", s.c.manager.token, "https://c.example.com/", {"bill.*"});
  REQUIRE(placed_only.status == 201);
  REQUIRE(reviews.status == 201);
  REQUIRE(community.status == 201);
  auto other = shop();  // another community's merchant: its orders reach none of these
  place_order(other);
  place_order(s);
  t.drain_events();
  CHECK(deliveries(s, placed_only.id()).size() == 1);
  CHECK(deliveries(s, reviews.id()).empty());

  // The same event fanned out again (a redelivered outbox item) adds nothing.
  auto d = deliveries(s, placed_only.id())[0];
  courtyard::events::Event e;
  e.id = d.at("event_id").as_int64();
  e.topic = "order.placed";
  e.community_id = s.c.id;
  e.payload = bj::object{{"community_id", s.c.id}, {"merchant_id", s.mid}, {"order_id", 1}};
  e.created_at = courtyard::db::now_ms();
  for (int i = 0; i < 2; ++i)
    courtyard::db::transact(t.app().db(), nullptr,
                            [&](courtyard::db::Tx& tx) { courtyard::webhooks::fan_out(e, tx); });
  CHECK(deliveries(s, placed_only.id()).size() == 1);
  // An event of another merchant of the community is not this merchant's.
  e.id += 1000000;
  e.payload.as_object()["merchant_id"] = s.mid + 1000000;
  courtyard::db::transact(t.app().db(), nullptr, [&](courtyard::db::Tx& tx) { courtyard::webhooks::fan_out(e, tx); });
  CHECK(deliveries(s, placed_only.id()).size() == 1);

  // Nothing listens at these hosts: later tests' sender passes should not try them.
  CHECK(t.del(s.hook(placed_only.id()), s.owner.token).status == 204);
  CHECK(t.del(s.hook(reviews.id()), s.owner.token).status == 204);
}

TEST_CASE("a host name that resolves inward is refused at connect, after DNS", "[webhooks][ssrf]") {
  Receiver rx;
  rx.start();
  auto port = rx.url().substr(std::string("http://127.0.0.1:").size());
  port = port.substr(0, port.find('/'));
  char host[256] = {0};
  REQUIRE(gethostname(host, sizeof host - 1) == 0);
  // This machine's own name: a registration-time check sees only a name; its addresses
  // are known after resolution.
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::resolver resolver(ioc);
  boost::system::error_code ec;
  auto addresses = resolver.resolve(host, port, ec);
  bool inward = !ec && !addresses.empty();
  for (auto const& a : addresses) inward = inward && !courtyard::webhooks::guard::blocked(a.endpoint().address(), false).empty();
  if (!inward) {
    WARN("this machine's name (" << host << ") does not resolve to inward addresses only; nothing to check");
    return;
  }
  std::string url = "http://" + std::string(host) + ":" + port + "/hooks";
  REQUIRE(courtyard::webhooks::guard::check_url(url, false).target);  // a plain name passes registration

  courtyard::webhooks::outbound::Request rq;
  rq.url = url;
  rq.body = "{}";
  rq.timeout = std::chrono::milliseconds(3000);
  rq.allow_loopback = false;
  auto res = courtyard::webhooks::outbound::post(rq);
  INFO(res.error);
  CHECK(res.status == 0);
  CHECK(res.error.find("resolves to") != std::string::npos);
  CHECK(rx.received().empty());

  // With allow-loopback (tests, development) the same name reaches the receiver.
  rq.allow_loopback = true;
  res = courtyard::webhooks::outbound::post(rq);
  INFO(res.error);
  bool loopback_only = true;
  for (auto const& a : addresses) loopback_only = loopback_only && a.endpoint().address().is_loopback();
  if (loopback_only) CHECK(res.status == 200);
}

TEST_CASE("HTTPS endpoints must complete a verified TLS handshake", "[webhooks][e2e]") {
  Hooked h;
  h.s = shop();
  h.rx.start();
  auto https = "https" + h.rx.url().substr(4);  // the plain-HTTP receiver, spoken to with TLS
  auto r = register_endpoint(h.s.hooks(), h.s.owner.token, https);
  REQUIRE(r.status == 201);
  place_order(h.s);
  pump();
  auto list = deliveries(h.s, r.id());
  REQUIRE(list.size() == 1);
  CHECK(list[0].at("status") == "pending");
  CHECK(list[0].at("last_status").is_null());
  CHECK(std::string(list[0].at("last_error").as_string()).find("TLS handshake") != std::string::npos);
  CHECK(h.rx.received().empty());
  CHECK(TestApp::get().del(h.s.hook(r.id()), h.s.owner.token).status == 204);
}

TEST_CASE_METHOD(HookedShop, "the delivery log keeps pending deliveries and prunes finished ones after retention",
                 "[webhooks][prune]") {
  place_order(s);
  pump();
  REQUIRE(h.rx.received().size() == 1);
  h.rx.stop();
  place_order(s);
  pump();
  REQUIRE(deliveries(s, h.endpoint, "&status=pending").size() == 1);
  REQUIRE(deliveries(s, h.endpoint, "&status=succeeded").size() == 1);
  auto done_id = deliveries(s, h.endpoint, "&status=succeeded")[0].at("id").as_int64();

  // A retention that ends before the delivery finished keeps it.
  courtyard::webhooks::prune_log(t.app().db(), courtyard::db::now_ms() - 3600 * 1000);
  CHECK(deliveries(s, h.endpoint, "&status=succeeded").size() == 1);
  CHECK(courtyard::webhooks::prune_log(t.app().db(), courtyard::db::now_ms() + 1) >= 1);
  CHECK(deliveries(s, h.endpoint, "&status=succeeded").empty());
  CHECK(t.get(s.hook(h.endpoint) + "/deliveries/" + std::to_string(done_id), s.owner.token).status == 404);
  auto pending = deliveries(s, h.endpoint, "&status=pending");
  REQUIRE(pending.size() == 1);
  CHECK(delivery(s, h.endpoint, pending[0].at("id").as_int64()).at("attempt_log").as_array().size() == 1);
  CHECK(t.del(s.hook(h.endpoint), s.owner.token).status == 204);
}
