// Large communities: events name their audience by reference and the subscriber expands it
// page by page; notification rows are pruned after notifications.retention-days.
#include "services/notifications/api.hpp"
#include "services/notifications/routes.hpp"
#include "tests/notifications/helpers.hpp"

#include <algorithm>
#include <chrono>
#include <map>

using namespace courtyard;
using namespace courtyard::test;
using namespace courtyard::test::notif;

namespace {

long long count(TestApp& t, std::string const& sql, std::string const& text) {
  return db::read(t.app().db(), [&](soci::session& s) {
    long long n = 0;
    s << sql, soci::use(text), soci::into(n);
    return n;
  });
}

// `n` resident memberships of the community, written in one transaction through bulk-bound
// statements (accounts are not needed: memberships name them by id). Returns the ids.
std::vector<long long> bulk_residents(TestApp& t, Community const& c, long long first_account, int n) {
  std::vector<long long> accounts, communities, units, created;
  std::vector<std::string> roles;
  for (int i = 0; i < n; ++i) {
    accounts.push_back(first_account + i);
    communities.push_back(c.id);
    units.push_back(c.unit_ids[std::size_t(i) % c.unit_ids.size()]);
    roles.emplace_back("resident");
    created.push_back(db::now_ms());
  }
  constexpr std::size_t kChunk = 1000;
  db::transact(t.app().db(), nullptr, [&](db::Tx& tx) {
    for (std::size_t at = 0; at < accounts.size(); at += kChunk) {
      auto end = std::min(accounts.size(), at + kChunk);
      std::vector<long long> a(accounts.begin() + at, accounts.begin() + end), cm(communities.begin() + at, communities.begin() + end),
          u(units.begin() + at, units.begin() + end), cr(created.begin() + at, created.begin() + end);
      std::vector<std::string> r(roles.begin() + at, roles.begin() + end);
      tx.sql() << "INSERT INTO memberships (account_id, community_id, role, unit_id, merchant_id, created_at) "
                  "VALUES (:a, :c, :r, :u, 0, :t)",
          soci::use(a, "a"), soci::use(cm, "c"), soci::use(r, "r"), soci::use(u, "u"), soci::use(cr, "t");
    }
  });
  return accounts;
}

}  // namespace

TEST_CASE("an announcement to a community of more than 10k residents reaches every one of them",
          "[notifications][scale]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto real = t.resident(c);  // signed in, to read the notification through the API
  constexpr int kBulk = 10200;
  // Far above any id the test's own accounts get, and distinct per community.
  bulk_residents(t, c, 2'000'000'000LL + c.id * 20'000, kBulk);
  t.drain_events();

  auto started = std::chrono::steady_clock::now();
  auto r = t.post(c.base() + "/announcements", {{"title", "Water off Tuesday"}, {"body", "From 9 to 11."}}, c.manager.token);
  auto publish_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  REQUIRE(r.status == 201);
  CHECK(r.json.at("audience_count").as_int64() == kBulk + 1);

  // The event names the audience; it does not list it.
  auto payload = db::read(t.app().db(), [&](soci::session& s) {
    std::string p;
    long long id = 0;
    s << "SELECT id, payload FROM events WHERE topic = 'announcement.published' AND community_id = :c",
        soci::use(c.id), soci::into(id), soci::into(p);
    return std::make_pair(id, bj::parse(p).as_object());
  });
  CHECK_FALSE(payload.second.contains("account_ids"));
  CHECK(payload.second.at("audience").as_string() == "residents");
  CHECK(payload.second.at("announcement_id").as_int64() == r.id());

  started = std::chrono::steady_clock::now();
  t.drain_events();
  auto deliver_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  WARN("publish " << publish_ms << " ms, notify " << kBulk + 1 << " residents " << deliver_ms << " ms");

  std::string key = "event:" + std::to_string(payload.first);
  CHECK(count(t, "SELECT COUNT(*) FROM notifications WHERE dedupe_key = :k", key) == kBulk + 1);
  CHECK(count(t, "SELECT COUNT(DISTINCT account_id) FROM notifications WHERE dedupe_key = :k", key) == kBulk + 1);
  auto got = mine(t, real);
  REQUIRE(got.size() == 1);
  CHECK(got[0].at("title") == "Announcement: Water off Tuesday");
  CHECK(got[0].at("data").at("announcement_id").as_int64() == r.id());
  for (auto const& n : mine(t, c.manager)) CHECK(n.at("type") != "announcement.published");  // not a resident

  // A redelivery adds nothing.
  auto [h, size] = t.app().bus().batch_handler("notifications.announcement.published", "announcement.published");
  REQUIRE(h);
  events::Event e{payload.first, "announcement.published", c.id, payload.second, db::now_ms()};
  db::transact(t.app().db(), &t.app().bus(), [&](db::Tx& tx) { (*h)({e}, tx); });
  CHECK(count(t, "SELECT COUNT(*) FROM notifications WHERE dedupe_key = :k", key) == kBulk + 1);
}

TEST_CASE("an announcement to one building reaches only its residents", "[notifications][scale]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto b = t.post(c.base() + "/buildings", {{"name", t.unique("B")}}, c.manager.token);
  REQUIRE(b.status == 201);
  auto u = t.post(c.base() + "/buildings/" + std::to_string(b.id()) + "/units", {{"number", "201"}}, c.manager.token);
  REQUIRE(u.status == 201);
  c.unit_ids.push_back(u.id());
  auto in_a = t.resident(c, 0);
  auto in_b = t.resident(c, c.unit_ids.size() - 1);

  auto r = t.post(c.base() + "/announcements", {{"title", "Lift"}, {"body", "B lift."}, {"building_id", b.id()}},
                  c.manager.token);
  REQUIRE(r.status == 201);
  CHECK(r.json.at("audience_count").as_int64() == 1);
  t.drain_events();
  CHECK(mine(t, in_a).empty());
  REQUIRE(mine(t, in_b).size() == 1);
}

TEST_CASE("notifications older than the retention are pruned, recent ones kept", "[notifications][retention]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto a = t.account("keeper");
  constexpr std::int64_t kDay = 24LL * 3600 * 1000;
  auto& database = t.app().db();

  std::map<std::string, std::int64_t> ids;
  db::transact(database, nullptr, [&](db::Tx& tx) {
    for (auto const* name : {"old_read", "old_unread", "recent_read", "recent_unread", "edge_unread"})
      ids[name] = notifications::notify(tx, a.account_id, c.id, "test.retention", name, "body");
  });
  auto age = [&](std::string const& name, std::int64_t days_ago, bool read) {
    std::int64_t at = db::now_ms() - days_ago;
    std::int64_t id = ids.at(name);
    int r = read ? 1 : 0;
    db::transact(database, nullptr, [&](db::Tx& tx) {
      tx.exec("UPDATE notifications SET created_at = :t, read_at = CASE WHEN :r = 1 THEN :t2 ELSE NULL END WHERE id = :id",
              soci::use(at, "t"), soci::use(r, "r"), soci::use(at, "t2"), soci::use(id, "id"));
    });
  };
  age("old_read", 91 * kDay, true);
  age("old_unread", 120 * kDay, false);
  age("recent_read", 3 * kDay, true);
  age("recent_unread", 10 * kDay, false);
  age("edge_unread", 89 * kDay, false);  // inside the default 90 days

  REQUIRE(t.run_job("notifications.prune"));  // the default notifications.retention-days = 90
  std::vector<std::string> left;
  for (auto const& n : mine(t, a)) left.emplace_back(n.at("title").as_string());
  std::sort(left.begin(), left.end());
  CHECK(left == std::vector<std::string>{"edge_unread", "recent_read", "recent_unread"});

  // Batches: everything older than 5 days, two rows per transaction.
  CHECK(notifications::prune(database, db::now_ms(), std::chrono::hours(24 * 5), 2) >= 2);
  left.clear();
  for (auto const& n : mine(t, a)) left.emplace_back(n.at("title").as_string());
  CHECK(left == std::vector<std::string>{"recent_read"});
}
