// /v1/ws over real sockets: in-process gateway instances (App + net::Server + Notifier) on
// the test database, so a change made through one instance is pushed by another.
#include "gateway/net/notifier.hpp"
#include "gateway/net/server.hpp"
#include "gateway/service_list.hpp"
#include "services/identity/api.hpp"
#include "services/notifications/api.hpp"
#include "tests/notifications/helpers.hpp"
#include "tests/notifications/ws_client.hpp"

#include <thread>

using namespace courtyard;
using namespace courtyard::test;
using namespace std::chrono_literals;
namespace bj = boost::json;

namespace {

// One more gateway instance on the shared test database, serving on a free loopback port.
struct Instance {
  Instance(bool background, gateway::net::RealtimeOptions opts = {},
           std::function<void(gateway::Config&)> const& tweak = {},
           gateway::Authenticator auth = &identity::authenticate)
      : app(config(background, tweak), services_under_test(), &identity::authenticate),
        notifier(app, std::move(auth), opts),
        server(app) {
    notifier.attach(server);
    port = server.listen().port();
    app.start_background();
    notifier.start();
    thread = std::thread([this] { server.run(); });
  }
  ~Instance() {
    server.stop();
    thread.join();
    notifier.stop();
    app.stop_background();
  }

  static gateway::Config config(bool background, std::function<void(gateway::Config&)> const& tweak) {
    gateway::Config c = TestApp::get().app().config();
    c.listen = "127.0.0.1:0";
    c.instance_id = TestApp::get().unique("instance");
    c.background = background;
    c.dispatcher_poll = 100ms;
    c.threads = 2;
    c.workers = 4;
    c.db_pool = 10;
    if (tweak) tweak(c);
    return c;
  }

  std::string ws(std::string const& token) const { return "/v1/ws?token=" + token; }

  gateway::App app;
  gateway::net::Notifier notifier;
  gateway::net::Server server;
  unsigned short port = 0;
  std::thread thread;
};

template <class F>
bool eventually(F f, std::chrono::milliseconds within = 3000ms) {
  auto end = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < end) {
    if (f()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return f();
}

std::int64_t notify_now(Actor const& a, std::int64_t cid, std::string const& title, std::string const& body = "b") {
  auto& t = TestApp::get();
  return db::transact(t.app().db(), &t.app().bus(), [&](db::Tx& tx) {
    return notifications::notify(tx, a.account_id, cid, "test.push", title, body);
  });
}

// Realtime options for tests that drive the poller themselves (poll_once()): its own
// timer would only poll every 5 s.
gateway::net::RealtimeOptions polled_by_hand() {
  gateway::net::RealtimeOptions opts;
  opts.poll = 5000ms;
  return opts;
}

// Realtime options for the per-account limit tests: two sockets per account.
gateway::net::RealtimeOptions two_sockets_per_account() {
  gateway::net::RealtimeOptions opts;
  opts.max_sockets_per_account = 2;
  return opts;
}

// Connects `who` to the instance and waits until it holds the socket (its only one).
void connect(ws::Client& c, Instance& a, Actor const& who) {
  REQUIRE(c.connect(a.port, a.ws(who.token)) == 101);
  REQUIRE(eventually([&] { return a.notifier.connections() == 1; }));
}

// The next message on `c` (within 2 s) pushes notification `id`; returns the message.
bj::value expect_push(ws::Client& c, std::int64_t id) {
  auto m = c.next_notification(2000ms);
  REQUIRE(m);
  CHECK(m->at("notification").at("id").as_int64() == id);
  return *m;
}

// An instance whose poller the test drives, with alice connected and the cursor set.
struct Polled {
  TestApp& t = TestApp::get();
  Instance a{false, polled_by_hand()};
  Actor alice = t.account("alice");
  ws::Client c;
  Polled() {
    connect(c, a, alice);
    a.notifier.poll_once();
  }
};

}  // namespace

TEST_CASE("the upgrade checks the token first", "[ws]") {
  auto& t = TestApp::get();
  Instance a(false);
  auto alice = t.account("alice");
  auto gauge = [&] { return a.app.metrics().websocket_connections.load(); };

  {
    ws::Client none;
    CHECK(none.connect(a.port, "/v1/ws") == 401);
    CHECK(none.response_body().find("/problems/unauthorized") != std::string::npos);
  }
  {
    ws::Client bad;
    CHECK(bad.connect(a.port, "/v1/ws?token=not-a-token") == 401);
  }
  {
    ws::Client bad_header;
    CHECK(bad_header.connect(a.port, "/v1/ws", "nope") == 401);
  }
  CHECK(gauge() == 0);
  {
    ws::Client by_query;
    REQUIRE(by_query.connect(a.port, a.ws(alice.token)) == 101);
    ws::Client by_header;
    REQUIRE(by_header.connect(a.port, "/v1/ws", alice.token) == 101);
    CHECK(eventually([&] { return gauge() == 2 && a.notifier.connections() == 2; }));
    CHECK(a.notifier.sockets_of(alice.account_id) == 2);

    // Both of alice's sockets get her notification.
    auto id = notify_now(alice, 1, "hello");
    for (auto* c : {&by_query, &by_header}) {
      auto m = expect_push(*c, id);
      CHECK(m.at("notification").at("title") == "hello");
      CHECK(m.at("notification").at("account_id").as_int64() == alice.account_id);
    }
    // An application-level ping is answered.
    by_query.send(R"({"type":"ping"})");
    auto pong = by_query.read(2000ms);
    REQUIRE(pong);
    CHECK(*pong == R"({"type":"pong"})");
    by_query.close();
    by_header.close();
  }
  CHECK(eventually([&] { return gauge() == 0 && a.notifier.connections() == 0; }));
}

TEST_CASE("a change made on one instance is pushed by another within a second", "[ws][scale-out]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto resident = t.resident(c, 0);
  auto neighbour = t.resident(c, 1);

  Instance a(false);  // holds the sockets; runs no dispatcher of its own
  Instance b(true);   // takes the request and processes its events

  ws::Client mine, theirs;
  REQUIRE(mine.connect(a.port, a.ws(resident.token)) == 101);
  REQUIRE(theirs.connect(a.port, a.ws(neighbour.token)) == 101);
  REQUIRE(eventually([&] { return a.notifier.connections() == 2; }));

  for (int round = 0; round < 3; ++round) {
    auto body = bj::serialize(bj::object{{"unit_id", c.unit_ids[0]}, {"carrier", "DHL"}, {"tracking_no", "R" + std::to_string(round)}});
    auto [status, res] = ws::http_request(b.port, ws::http::verb::post, c.base() + "/parcels", c.manager.token, body);
    auto committed = std::chrono::steady_clock::now();
    REQUIRE(status == 201);
    auto parcel_id = bj::parse(res).at("id").as_int64();

    auto m = mine.next_notification(2000ms);
    auto latency = std::chrono::steady_clock::now() - committed;
    REQUIRE(m);
    auto const& n = m->at("notification").as_object();
    CHECK(n.at("type") == "parcel.logged");
    CHECK(n.at("data").at("parcel_id").as_int64() == parcel_id);
    CHECK(n.at("account_id").as_int64() == resident.account_id);
    INFO("push latency " << std::chrono::duration_cast<std::chrono::milliseconds>(latency).count() << " ms");
    CHECK(latency < 1000ms);
  }
  // The neighbour in another unit got nothing.
  CHECK(!theirs.next_notification(300ms));
  CHECK(!theirs.closed());
  // Each notification was pushed once.
  CHECK(!mine.next_notification(500ms));
}

TEST_CASE("limits: message size, per-account sockets", "[ws][limits]") {
  auto& t = TestApp::get();
  Instance a(false, two_sockets_per_account());
  auto alice = t.account("alice");

  ws::Client c1, c2, c3;
  REQUIRE(c1.connect(a.port, a.ws(alice.token)) == 101);
  REQUIRE(c2.connect(a.port, a.ws(alice.token)) == 101);
  REQUIRE(eventually([&] { return a.notifier.sockets_of(alice.account_id) == 2; }));
  CHECK(c3.connect(a.port, a.ws(alice.token)) == 429);

  // Over 4 KiB: the server fails the connection with 1009 (message too big).
  c1.send(std::string(5000, 'x'));
  CHECK(!c1.read(2000ms));
  CHECK(c1.closed());
  CHECK(c1.reason().code == ws::websocket::close_code::too_big);
  // Just under the limit is fine.
  c2.send(R"({"type":"hello","pad":")" + std::string(3000, 'y') + "\"}");
  c2.send(R"({"type":"ping"})");
  auto pong = c2.read(2000ms);
  REQUIRE(pong);
  CHECK(*pong == R"({"type":"pong"})");
  // A ping with more fields than its type, longer than a TCP frame, is still answered.
  c2.send(R"({"pad":")" + std::string(2000, 'z') + R"(","type":"ping"})");
  auto long_pong = c2.read(2000ms);
  REQUIRE(long_pong);
  CHECK(*long_pong == R"({"type":"pong"})");
  CHECK(eventually([&] { return a.notifier.sockets_of(alice.account_id) == 1; }));
}

TEST_CASE("a client that answers no ping is closed", "[ws][limits]") {
  auto& t = TestApp::get();
  gateway::net::RealtimeOptions opts;
  opts.ping_interval = 200ms;
  Instance a(false, opts);
  auto quiet = t.account("quiet");
  auto alive = t.account("alive");

  ws::Client silent, reader;
  REQUIRE(silent.connect(a.port, a.ws(quiet.token)) == 101);  // never reads: never answers a ping
  REQUIRE(reader.connect(a.port, a.ws(alive.token)) == 101);
  REQUIRE(eventually([&] { return a.notifier.connections() == 2; }));
  // The reader's pending reads answer the pings (Beast replies with pongs while reading).
  auto end = std::chrono::steady_clock::now() + 1500ms;
  while (std::chrono::steady_clock::now() < end) reader.read(100ms);
  CHECK(!reader.closed());
  CHECK(a.notifier.sockets_of(alive.account_id) == 1);
  CHECK(eventually([&] { return a.notifier.sockets_of(quiet.account_id) == 0; }, 2000ms));
}

TEST_CASE("a slow consumer is disconnected, not buffered without bound", "[ws][limits]") {
  auto& t = TestApp::get();
  gateway::net::RealtimeOptions opts;
  opts.max_queue_messages = 8;
  opts.max_queue_bytes = 32 * 1024;
  Instance a(false, opts);
  auto slow = t.account("slow");
  auto fast = t.account("fast");

  ws::Client lazy, eager;
  REQUIRE(lazy.connect(a.port, a.ws(slow.token), "", 4096) == 101);  // tiny receive buffer, never reads
  REQUIRE(eager.connect(a.port, a.ws(fast.token)) == 101);
  REQUIRE(eventually([&] { return a.notifier.connections() == 2; }));

  // Far more than the kernel's socket buffers hold: the queue must hit its bound.
  std::string big(1900, 'z');
  db::transact(t.app().db(), &t.app().bus(), [&](db::Tx& tx) {
    for (int i = 0; i < 5000; ++i) notifications::notify(tx, slow.account_id, 1, "test.flood", "flood", big);
    notifications::notify(tx, fast.account_id, 1, "test.flood", "for the eager one", "b");
  });
  CHECK(eventually([&] { return a.notifier.sockets_of(slow.account_id) == 0; }, 5000ms));
  auto m = eager.next_notification(3000ms);
  REQUIRE(m);
  CHECK(m->at("notification").at("title") == "for the eager one");
  CHECK(a.notifier.sockets_of(fast.account_id) == 1);
}

TEST_CASE("a graceful stop closes the sockets with 1001", "[ws]") {
  auto& t = TestApp::get();
  auto alice = t.account("alice");
  ws::Client c;
  {
    Instance a(false);
    connect(c, a, alice);
    a.notifier.close_all();
    CHECK(!c.read(2000ms));
    CHECK(c.closed());
    CHECK(c.reason().code == ws::websocket::close_code::going_away);
  }
}

// ---- issue 10, defect 4: a socket lives no longer than its credential

namespace {

// Reads (and drops) messages until the server closes the socket or `within` passes.
bool closed_within(ws::Client& c, std::chrono::milliseconds within) {
  auto end = std::chrono::steady_clock::now() + within;
  while (!c.closed() && std::chrono::steady_clock::now() < end) c.read(100ms);
  return c.closed();
}

}  // namespace

TEST_CASE("a socket whose session ends (logout, expiry, role removal) is closed with 4001 on every instance",
          "[ws][revalidate]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto leaving = t.account("leaving");
  auto expiring = t.account("expiring");
  auto resident = t.resident(c, 0);
  auto staying = t.account("staying");

  Instance a(false);  // default options: the production period
  Instance b(false);
  ws::Client leaving_a, leaving_b, expiring_a, resident_a, staying_a;
  REQUIRE(leaving_a.connect(a.port, a.ws(leaving.token)) == 101);
  REQUIRE(leaving_b.connect(b.port, "/v1/ws", leaving.token) == 101);
  REQUIRE(expiring_a.connect(a.port, a.ws(expiring.token)) == 101);
  REQUIRE(resident_a.connect(a.port, a.ws(resident.token)) == 101);
  REQUIRE(staying_a.connect(a.port, a.ws(staying.token)) == 101);
  REQUIRE(eventually([&] { return a.notifier.connections() == 4 && b.notifier.connections() == 1; }));

  // Logout through instance b; the session expires; the resident's only role is removed.
  auto [status, body] = ws::http_request(b.port, ws::http::verb::post, "/v1/auth/logout", leaving.token);
  INFO(body);
  REQUIRE(status / 100 == 2);
  db::transact(t.app().db(), &t.app().bus(), [&](db::Tx& tx) {
    tx.exec("UPDATE sessions SET expires_at = 1 WHERE account_id = :a", soci::use(expiring.account_id));
    tx.exec("DELETE FROM memberships WHERE account_id = :a", soci::use(resident.account_id));
  });
  auto const changed = std::chrono::steady_clock::now();

  for (auto* sock : {&leaving_a, &leaving_b, &expiring_a, &resident_a}) {
    CHECK(closed_within(*sock, 5000ms));
    CHECK(sock->reason().code == 4001);
  }
  INFO("closed after " << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - changed).count() << " ms");
  CHECK(std::chrono::steady_clock::now() - changed < 5000ms);
  CHECK(eventually([&] { return a.notifier.connections() == 1 && b.notifier.connections() == 0; }));

  // The socket whose session is intact keeps receiving.
  auto id = notify_now(staying, 1, "still here");
  expect_push(staying_a, id);
  CHECK(!staying_a.closed());
}

TEST_CASE("revalidation asks storage once per distinct token per period, and keeps sockets on a storage failure",
          "[ws][revalidate]") {
  auto& t = TestApp::get();
  std::atomic<int> calls{0};
  std::atomic<bool> storage_down{false};
  gateway::net::RealtimeOptions opts;
  opts.revalidate = std::chrono::hours(1);  // only the explicit calls below
  Instance a(false, opts, {}, [&](db::Database& d, std::string_view credential) -> std::optional<Principal> {
    ++calls;
    if (storage_down) throw std::runtime_error("storage is down");
    return identity::authenticate(d, credential);
  });
  auto alice = t.account("alice");
  auto bob = t.account("bob");
  std::vector<std::unique_ptr<ws::Client>> clients;
  for (auto const* who : {&alice, &alice, &alice, &bob, &bob}) {
    clients.push_back(std::make_unique<ws::Client>());
    REQUIRE(clients.back()->connect(a.port, a.ws(who->token)) == 101);
  }
  REQUIRE(eventually([&] { return a.notifier.connections() == 5; }));

  calls = 0;
  CHECK(a.notifier.revalidate_once() == 0);
  CHECK(calls == 2);

  // Storage unreachable: nobody is disconnected for it.
  storage_down = true;
  calls = 0;
  CHECK(a.notifier.revalidate_once() == 0);
  CHECK(calls == 2);
  CHECK(a.notifier.connections() == 5);
  storage_down = false;
}

// ---- issue 10, defect 5: sockets count in max-connections; the per-account cap holds in a burst

TEST_CASE("upgraded sockets count in max-connections", "[ws][limits]") {
  auto& t = TestApp::get();
  Instance a(false, {}, [](gateway::Config& c) { c.max_connections = 3; });
  auto alice = t.account("alice");
  std::vector<std::unique_ptr<ws::Client>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(std::make_unique<ws::Client>());
    REQUIRE(clients.back()->connect(a.port, a.ws(alice.token)) == 101);
  }
  REQUIRE(eventually([&] { return a.notifier.connections() == 3; }));
  CHECK(a.app.metrics().open_connections.load() == 3);

  auto [status, body] = ws::http_request(a.port, ws::http::verb::get, "/healthz", "");
  CHECK(status == 503);
  ws::Client fourth;
  CHECK(fourth.connect(a.port, a.ws(alice.token)) == 503);

  clients.front()->close();  // frees a slot
  CHECK(eventually([&] { return a.app.metrics().open_connections.load() == 2; }));
  CHECK(ws::http_request(a.port, ws::http::verb::get, "/healthz", "").first == 200);
}

TEST_CASE("a burst of upgrades with one token never exceeds the per-account cap", "[ws][limits]") {
  auto& t = TestApp::get();
  Instance a(false, two_sockets_per_account());
  auto alice = t.account("alice");

  for (int round = 0; round < 3; ++round) {
    constexpr int kBurst = 12;
    std::vector<std::unique_ptr<ws::Client>> clients;
    for (int i = 0; i < kBurst; ++i) clients.push_back(std::make_unique<ws::Client>());
    std::vector<int> status(kBurst, 0);
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < kBurst; ++i)
      threads.emplace_back([&, i] {
        while (!go) std::this_thread::yield();
        status[i] = clients[i]->connect(a.port, a.ws(alice.token));
      });
    go = true;
    for (auto& th : threads) th.join();

    INFO("round " << round);
    CHECK(std::count(status.begin(), status.end(), 101) == 2);
    CHECK(std::count(status.begin(), status.end(), 429) == kBurst - 2);
    std::this_thread::sleep_for(200ms);
    CHECK(a.notifier.sockets_of(alice.account_id) == 2);
    for (auto& c : clients) c->close();
    REQUIRE(eventually([&] { return a.notifier.sockets_of(alice.account_id) == 0; }));
  }
}

// ---- the WebSocket timeouts are explicit (handshake, idle with pings) and the message size capped

TEST_CASE("a client that never answers the close handshake is cut off at the handshake timeout", "[ws][limits]") {
  auto& t = TestApp::get();
  gateway::net::RealtimeOptions opts;
  opts.handshake_timeout = std::chrono::seconds(1);
  opts.ping_interval = std::chrono::seconds(30);  // so the idle timeout cannot be what closes it
  Instance a(false, opts);
  auto alice = t.account("alice");
  ws::Client deaf;
  connect(deaf, a, alice);  // never reads again
  auto const started = std::chrono::steady_clock::now();
  a.notifier.close_all();
  CHECK(eventually([&] { return a.notifier.connections() == 0; }, 4000ms));
  CHECK(std::chrono::steady_clock::now() - started < 3000ms);
  CHECK(a.app.metrics().websocket_connections.load() == 0);
}

namespace {

// A notification row with an explicit id, committed on its own: lets a test make rows visible
// out of id order on both backends (SQLite serialises writers, so two open transactions
// cannot do it there).
void insert_with_id(std::int64_t id, std::int64_t account_id, std::string const& title) {
  auto& t = TestApp::get();
  db::transact(t.app().db(), &t.app().bus(), [&](db::Tx& tx) {
    std::int64_t now = db::now_ms();
    tx.exec("INSERT INTO notifications (id, account_id, community_id, type, title, body, data, created_at) "
            "VALUES (:i, :a, 1, 'test.push', :ti, 'b', '{}', :c)",
            soci::use(id, "i"), soci::use(account_id, "a"), soci::use(title, "ti"), soci::use(now, "c"));
  });
}

std::int64_t max_notification_id() { return notifications::max_id(TestApp::get().app().db()); }

}  // namespace

TEST_CASE("a notification written by this process is pushed at once, not at the next poll", "[ws][latency]") {
  auto& t = TestApp::get();
  Instance a(false, polled_by_hand());  // the poll alone would take up to 5 s
  auto alice = t.account("alice");
  ws::Client c;
  connect(c, a, alice);
  std::this_thread::sleep_for(100ms);  // the first poll (which sets the cursor) has run

  for (int round = 0; round < 3; ++round) {
    auto start = std::chrono::steady_clock::now();
    auto id = notify_now(alice, 1, "now " + std::to_string(round));
    auto m = c.next_notification(2000ms);
    auto latency = std::chrono::steady_clock::now() - start;
    REQUIRE(m);
    CHECK(m->at("notification").at("id").as_int64() == id);
    INFO("push latency " << std::chrono::duration_cast<std::chrono::milliseconds>(latency).count() << " ms");
    CHECK(latency < 1000ms);
  }
  CHECK(!c.next_notification(300ms));
}

TEST_CASE_METHOD(Polled, "a row committed after a larger id was seen is pushed exactly once", "[ws][gaps]") {

  auto n = max_notification_id() + 1;
  insert_with_id(n + 1, alice.account_id, "second");  // N+1 visible first
  a.notifier.poll_once();
  expect_push(c, n + 1);
  CHECK(a.notifier.open_gaps() == 1);  // N is remembered as not yet visible

  insert_with_id(n, alice.account_id, "first");  // N commits late
  a.notifier.poll_once();
  expect_push(c, n);
  CHECK(a.notifier.open_gaps() == 0);  // filled: cut out of its gap

  for (int i = 0; i < 3; ++i) a.notifier.poll_once();
  CHECK(!c.next_notification(500ms));  // each row once
}

// The socket is registered (so the poller sends to it) before Beast has finished writing the
// 101 answer; the client can hold its 101 before the server's accept handler has run. A row
// pushed in that moment used to be dropped: it must wait for the handshake and go out.
TEST_CASE("a row pushed while the upgrade answer is on its way is delivered", "[ws][race]") {
  auto& t = TestApp::get();
  Instance a(false, polled_by_hand(), [](gateway::Config& c) { c.threads = 1; });
  auto alice = t.account("alice");
  int pushed = 0;
  for (int round = 0; round < 200; ++round) {
    INFO("round " << round);
    a.notifier.poll_once();
    auto id = max_notification_id() + 1;
    insert_with_id(id, alice.account_id, "round " + std::to_string(round));  // above the cursor, nobody to send to yet
    ws::Client c;
    REQUIRE(c.connect(a.port, a.ws(alice.token)) == 101);
    // At once: alice is registered, so this poll sends the row to her new socket (unless the
    // poller thread, woken by another write, read it before she was: then it had no socket).
    if (a.notifier.poll_once() > 0) {
      ++pushed;
      expect_push(c, id);
    }
    c.close();
    REQUIRE(eventually([&] { return a.notifier.connections() == 0; }));
  }
  CHECK(pushed >= 150);
}

TEST_CASE("a gap that never fills is dropped after the window", "[ws][gaps]") {
  auto opts = polled_by_hand();
  opts.window = 300ms;
  Instance a(false, opts);
  auto& t = TestApp::get();
  auto alice = t.account("alice");
  a.notifier.poll_once();
  auto n = max_notification_id();
  insert_with_id(n + 5, alice.account_id, "after a jump");  // n+1..n+4: a rolled-back range, say
  a.notifier.poll_once();
  CHECK(a.notifier.open_gaps() == 1);
  std::this_thread::sleep_for(400ms);
  a.notifier.poll_once();
  CHECK(a.notifier.open_gaps() == 0);
}

TEST_CASE_METHOD(Polled, "a poll reads only rows it has not read before", "[ws][cost]") {

  // A broadcast-sized batch in one transaction.
  constexpr int kRows = 200;
  db::transact(t.app().db(), &t.app().bus(), [&](db::Tx& tx) {
    for (int i = 0; i < kRows; ++i) notifications::notify(tx, alice.account_id, 1, "test.push", "bulk", "b");
  });
  int got = 0;
  while (got < kRows && c.next_notification(2000ms)) ++got;
  CHECK(got == kRows);

  // Polls after that read nothing again (the window design re-read all 200 every time).
  a.notifier.poll_once();
  auto before = a.notifier.rows_read();
  for (int i = 0; i < 5; ++i) a.notifier.poll_once();
  CHECK(a.notifier.rows_read() == before);

  // And a poll with new rows reads just those.
  db::transact(t.app().db(), &t.app().bus(), [&](db::Tx& tx) {
    for (int i = 0; i < 3; ++i) notifications::notify(tx, alice.account_id, 1, "test.push", "three", "b");
  });
  REQUIRE(eventually([&] { return a.notifier.rows_read() >= before + 3; }));
  a.notifier.poll_once();
  CHECK(a.notifier.rows_read() == before + 3);
  for (int i = 0; i < 3; ++i) CHECK(c.next_notification(2000ms));
  CHECK(!c.next_notification(300ms));
}

TEST_CASE("two open transactions that commit out of id order: both rows pushed once (MySQL)", "[ws][gaps]") {
  auto& t = TestApp::get();
  if (t.app().db().backend() != db::Backend::MySql) return;  // SQLite serialises writers
  Instance a(false, polled_by_hand());
  auto alice = t.account("alice");
  ws::Client c;
  connect(c, a, alice);
  a.notifier.poll_once();

  db::Tx early(t.app().db(), &t.app().bus());
  auto n = notifications::notify(early, alice.account_id, 1, "test.push", "early", "b");
  std::int64_t n1 = 0;
  {
    db::Tx late(t.app().db(), &t.app().bus());
    n1 = notifications::notify(late, alice.account_id, 1, "test.push", "late", "b");
    late.commit();
  }
  REQUIRE(n1 > n);
  expect_push(c, n1);  // woken by the commit
  a.notifier.poll_once();
  CHECK(!c.next_notification(200ms));

  early.commit();
  expect_push(c, n);
  for (int i = 0; i < 3; ++i) a.notifier.poll_once();
  CHECK(!c.next_notification(500ms));
}
