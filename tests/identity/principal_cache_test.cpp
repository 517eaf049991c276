// The principal cache (http/principal_cache.hpp) on the backend under test: what this instance
// changes is seen at once, what another instance changes is seen at the next poll, an entry is
// never served past its session's end (also: auth_test's expiry case) or when the revocations were not read recently, and a
// lookup racing a change never caches what it read before the change. The two-process version
// is tests/e2e/principal_cache_test.cpp.
#include "db/tx.hpp"
#include "http/principal_cache.hpp"
#include "tests/support/test_app.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <thread>

using namespace courtyard;
using test::TestApp;
namespace bj = boost::json;
using namespace std::chrono_literals;

namespace {

Principal session_of(std::int64_t account_id, std::int64_t expires_at) {
  Principal p;
  p.kind = Principal::Kind::Session;
  p.account_id = account_id;
  p.expires_at = expires_at;
  return p;
}

// What principals::changed writes, without this process's immediate eviction: as another
// instance's commit looks from here.
void revoke_elsewhere(db::Database& db, std::int64_t account_id) {
  db::transact(db, nullptr, [&](db::Tx& tx) {
    tx.exec("UPDATE principal_seq SET seq = seq + 1 WHERE id = 1");
    long long seq = 0;
    tx.sql() << "SELECT seq FROM principal_seq WHERE id = 1", soci::into(seq);
    long long a = account_id, now = tx.now_ms();
    tx.exec("INSERT INTO principal_revocations (seq, account_id, created_at) VALUES (:s, :a, :n)",
            soci::use(seq, "s"), soci::use(a, "a"), soci::use(now, "n"));
  });
}

}  // namespace

TEST_CASE("principal cache: /v1/me is served from the cache, and logout on this instance ends it at once",
          "[identity][principal-cache]") {
  auto& t = TestApp::get();
  auto* cache = t.app().principal_cache();
  REQUIRE(cache != nullptr);
  auto who = t.account("cached");
  REQUIRE(t.get("/v1/me", who.token).status == 200);
  auto hits = cache->hits();
  auto me = t.get("/v1/me", who.token);
  REQUIRE(me.status == 200);
  CHECK(cache->hits() == hits + 1);
  CHECK(me.json.at("email").as_string() == who.email);
  CHECK(me.json.at("created_at").is_string());

  REQUIRE(t.post("/v1/auth/logout", bj::object{}, who.token).status == 204);
  CHECK(t.get("/v1/me", who.token).status == 401);
}

TEST_CASE("principal cache: a role granted on this instance is seen by the next request", "[identity][principal-cache]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto who = t.account("to-be-courier");
  REQUIRE(t.get(c.base(), who.token).status == 404);
  REQUIRE(t.get(c.base(), who.token).status == 404);  // cached without the role
  REQUIRE(t.post(c.base() + "/staff", {{"account_id", who.account_id}, {"role", "courier"}}, c.manager.token).status ==
          201);
  CHECK(t.get(c.base(), who.token).status == 200);
}

TEST_CASE("principal cache: another instance's change is seen at the next poll", "[identity][principal-cache]") {
  auto& db = TestApp::get().app().db();
  principals::Cache cache(db, {.ttl = 60s, .poll = 1h, .max_stale = 1h});
  REQUIRE(cache.poll());
  auto far = db::now_ms() + 3600'000;
  cache.store("token-a", cache.generation(), session_of(990001, far));
  cache.store("token-b", cache.generation(), session_of(990002, far));
  REQUIRE(cache.find("token-a"));

  revoke_elsewhere(db, 990001);
  CHECK(cache.find("token-a"));  // not polled yet (poll every hour here)
  REQUIRE(cache.poll());
  CHECK_FALSE(cache.find("token-a"));
  CHECK(cache.find("token-b"));
}

TEST_CASE("principal cache: nothing is served once the last poll is older than max_stale", "[identity][principal-cache]") {
  auto& db = TestApp::get().app().db();
  principals::Cache cache(db, {.ttl = 60s, .poll = 1h, .max_stale = 100ms});
  REQUIRE(cache.poll());
  cache.store("token", cache.generation(), session_of(990003, db::now_ms() + 3600'000));
  CHECK(cache.find("token"));
  std::this_thread::sleep_for(150ms);
  CHECK_FALSE(cache.find("token"));  // the revocations were not read within max_stale
  REQUIRE(cache.poll());
  CHECK(cache.find("token"));
}

TEST_CASE("principal cache: a lookup that read storage before a change does not cache what it read",
          "[identity][principal-cache]") {
  auto& db = TestApp::get().app().db();
  principals::Cache cache(db, {.ttl = 60s, .poll = 1h, .max_stale = 1h});
  REQUIRE(cache.poll());
  auto far = db::now_ms() + 3600'000;

  auto before = cache.generation();  // a request misses and reads the session ...
  // ... a logout commits on this instance meanwhile ...
  db::transact(db, nullptr, [&](db::Tx& tx) { principals::changed(tx, 990004); });
  // ... and the request then offers what it read: answered, not kept.
  auto entry = cache.store("token", before, session_of(990004, far));
  CHECK(entry->account_id == 990004);
  CHECK_FALSE(cache.find("token"));

  // The same race through another instance: refused once the poll has seen the change.
  before = cache.generation();
  revoke_elsewhere(db, 990004);
  REQUIRE(cache.poll());
  cache.store("token", before, session_of(990004, far));
  CHECK_FALSE(cache.find("token"));

  // Without a change in between it is kept; entries of sessions that have ended never are.
  cache.store("token", cache.generation(), session_of(990004, far));
  CHECK(cache.find("token"));
  cache.store("ended", cache.generation(), session_of(990005, db::now_ms() - 1));
  CHECK_FALSE(cache.find("ended"));
}

TEST_CASE("principal cache: principals::changed needs a write transaction", "[identity][principal-cache]") {
  auto& db = TestApp::get().app().db();
  CHECK_THROWS_AS(db::transact(db, nullptr, [](db::Tx& tx) { principals::changed(tx, 1); }, {}, db::TxMode::Read),
                  std::logic_error);
}

TEST_CASE("principal cache: the prune job drops revocations older than a day and keeps the rest",
          "[identity][principal-cache]") {
  auto& db = TestApp::get().app().db();
  revoke_elsewhere(db, 424242);
  revoke_elsewhere(db, 434343);
  std::int64_t now = db::now_ms();
  db::transact(db, nullptr, [&](db::Tx& tx) {
    long long old = now - 25LL * 3600 * 1000;
    tx.exec("UPDATE principal_revocations SET created_at = :old WHERE account_id = 424242", soci::use(old, "old"));
  });
  CHECK(principals::prune(db, now) >= 1);
  long long old_left = -1, recent_left = -1;
  db::read(db, [&](soci::session& s) {
    s << "SELECT COUNT(*) FROM principal_revocations WHERE account_id = 424242", soci::into(old_left);
    s << "SELECT COUNT(*) FROM principal_revocations WHERE account_id = 434343", soci::into(recent_left);
  });
  CHECK(old_left == 0);
  CHECK(recent_left == 1);
}
