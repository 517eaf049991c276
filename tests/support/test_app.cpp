#include "tests/support/test_app.hpp"
#include "tests/support/openapi_walk.hpp"

#include "db/database.hpp"
#include "db/tx.hpp"
#include "services/identity/api.hpp"

#include <boost/url.hpp>
#define CATCH_CONFIG_EXTERNAL_INTERFACES  // TestEventListenerBase
#include <catch2/catch.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <random>
#include <stdexcept>

namespace courtyard::test {

namespace bj = boost::json;

namespace {

constexpr char kPassword[] = "correct-horse-battery-staple";
constexpr char kAdminEmail[] = "admin@courtyard.test";
constexpr std::int64_t kUnknownId = 999999999;
constexpr int kSkipped = 77;  // CTest's SKIP_RETURN_CODE for the MariaDB runs

std::string env(char const* name) {
  char const* v = std::getenv(name);
  return v ? v : "";
}

bool wants_mysql() {
  auto backend = env("COURTYARD_TEST_DB");
  if (backend.empty() || backend == "sqlite" || backend == "sqlite3") return false;
  if (backend == "mysql" || backend == "mariadb") return true;
  std::cerr << "COURTYARD_TEST_DB must be sqlite or mysql, not '" << backend << "'\n";
  std::exit(2);
}

// The MariaDB run without a server to run on is skipped, not failed, and says why.
void skip_unless_mysql_configured() {
  if (!wants_mysql() || !env("COURTYARD_TEST_MYSQL").empty()) return;
  std::cerr << "skipped: COURTYARD_TEST_DB=mysql needs COURTYARD_TEST_MYSQL=mysql://user@host:port/ "
               "(deploy/test.sh starts a throwaway MariaDB and sets it)\n";
  std::exit(kSkipped);
}

std::string run_tag() {
  static std::string const tag = [] {
    std::random_device rd;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%06x", static_cast<unsigned>(rd() & 0xFFFFFF));
    return std::string(buf);
  }();
  return tag;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The test database: a fresh SQLite file, or a fresh schema on the MariaDB server. Removed
// at exit; built before the App (in TestApp's constructor), so destroyed after it.
class Storage {
 public:
  static Storage& get() {
    static Storage s;
    return s;
  }
  std::string const& url() const { return url_; }

  ~Storage() {
    try {
      if (!server_url_.empty()) {
        db::Database server(server_url_, 1);
        auto session = server.acquire();
        *session << "DROP DATABASE IF EXISTS " + schema_;
      } else if (!sqlite_path_.empty()) {
        for (char const* suffix : {"", "-wal", "-shm", "-journal"}) {
          std::error_code ec;
          std::filesystem::remove(sqlite_path_ + suffix, ec);
        }
      }
    } catch (std::exception const& e) {
      std::cerr << "could not remove the test database: " << e.what() << "\n";
    }
  }

 private:
  Storage() {
    auto tag = std::to_string(::getpid()) + "_" + run_tag();
    if (!wants_mysql()) {
      sqlite_path_ = (std::filesystem::temp_directory_path() / ("courtyard-test-" + tag + ".db")).string();
      url_ = "sqlite3://" + sqlite_path_;
      return;
    }
    boost::urls::url u(env("COURTYARD_TEST_MYSQL"));
    // Generated from digits and hex only, so it is safe to splice into DDL (identifiers
    // cannot be bound parameters).
    schema_ = "courtyard_test_" + tag;
    u.set_path("");
    server_url_ = std::string(u.buffer());
    {
      db::Database server(server_url_, 1);
      auto session = server.acquire();
      *session << "CREATE DATABASE " + schema_ + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci";
    }
    u.set_path("/" + schema_);
    url_ = std::string(u.buffer());
  }

  std::string url_;
  std::string sqlite_path_;
  std::string server_url_;
  std::string schema_;
};

Result expect(Result r, int status, std::string const& what) {
  if (r.status != status)
    throw std::runtime_error("fixture: " + what + ": expected " + std::to_string(status) + ", got " +
                             std::to_string(r.status) + ": " + r.body);
  return r;
}

std::atomic<std::int64_t> g_clock_offset{0};
std::mutex g_admin_mu;
std::int64_t g_admin_login_offset = 0;

// Runs before any test: an unconfigured MariaDB run exits as skipped before printing results.
struct SkipListener : Catch::TestEventListenerBase {
  using TestEventListenerBase::TestEventListenerBase;
  void testRunStarting(Catch::TestRunInfo const& info) override {
    skip_unless_mysql_configured();
    TestEventListenerBase::testRunStarting(info);
  }
};
CATCH_REGISTER_LISTENER(SkipListener)

}  // namespace

// ---- Result

std::string Result::header(std::string_view name) const {
  auto want = lower(std::string(name));
  for (auto const& [k, v] : headers)
    if (lower(k) == want) return v;
  return "";
}

std::string Result::problem_type() const {
  if (!json.is_object()) return "";
  auto const* t = json.as_object().if_contains("type");
  return t && t->is_string() ? std::string(t->get_string()) : "";
}

// ---- TestApp

TestApp& TestApp::get() {
  skip_unless_mysql_configured();
  static TestApp instance;
  return instance;
}

TestApp::TestApp() {
  auto const& storage = Storage::get();
  spdlog::set_level(env("COURTYARD_TEST_LOG").empty() ? spdlog::level::warn : spdlog::level::debug);

  auto services = services_under_test();
  gateway::Config config;
  config.db = storage.url();
  config.background = false;
  config.settings.set("identity.password-hash", "min");
  config.rate_limit_rps = 0;
  config.access_log = !env("COURTYARD_TEST_LOG").empty();
  config.log_level = "warn";
  config.db_pool = 24;
  config.services.clear();
  for (auto const& s : services) config.services.push_back(s.name);
  app_ = std::make_unique<gateway::App>(std::move(config), services, &identity::authenticate);

  identity::bootstrap_admin(app_->db(), kAdminEmail, kPassword, "min");
  auto login = expect(post("/v1/auth/login", {{"email", kAdminEmail}, {"password", kPassword}}), 200, "admin login");
  admin_.account_id = login.json.at("account").at("id").as_int64();
  admin_.email = kAdminEmail;
  admin_.token = std::string(login.json.at("token").as_string());
}

bool TestApp::mysql() const { return app_->db().backend() == db::Backend::MySql; }

Result TestApp::call(std::string method, std::string const& target, std::optional<bj::value> body,
                     std::string const& token, http::Headers extra) {
  http::Request req;
  req.method = std::move(method);
  req.target = target;
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) throw std::invalid_argument("not an origin-form target: " + target);
  req.path = parsed->path();
  for (auto const& p : parsed->params()) req.query.emplace_back(p.key, p.has_value ? p.value : "");
  if (!token.empty()) req.headers.emplace_back("authorization", "Bearer " + token);
  if (body) {
    req.body = bj::serialize(*body);
    req.headers.emplace_back("content-type", "application/json");
  }
  for (auto& [k, v] : extra) req.headers.emplace_back(lower(k), std::move(v));
  req.remote_ip = "127.0.0.1";

  http::Response resp = app_->handle(req);
  Result r;
  r.streamed = static_cast<bool>(resp.stream);
  http::drain(resp);
  r.status = resp.status;
  r.headers = std::move(resp.headers);
  if (!resp.content_type.empty()) r.headers.emplace_back("Content-Type", resp.content_type);
  r.body = std::move(resp.body);
  if (!r.body.empty() && resp.content_type.find("json") != std::string::npos) {
    boost::system::error_code ec;
    auto v = bj::parse(r.body, ec);
    if (!ec) r.json = std::move(v);
  }
  return r;
}

std::string TestApp::unique(std::string const& prefix) {
  static std::atomic<std::uint64_t> counter{0};
  return prefix + "-" + std::to_string(++counter) + "-" + run_tag();
}

Actor TestApp::admin() {
  std::lock_guard lk(g_admin_mu);
  // Tests that move the clock past the session lifetime would otherwise leave the admin
  // signed out for every test after them.
  auto ttl = app_->config().settings.integer("identity.token-ttl-hours") * 3600 * 1000;
  auto offset = g_clock_offset.load();
  if (offset - g_admin_login_offset > ttl / 2) {
    auto login = expect(post("/v1/auth/login", {{"email", kAdminEmail}, {"password", kPassword}}), 200, "admin login");
    admin_.token = std::string(login.json.at("token").as_string());
    g_admin_login_offset = offset;
  }
  return admin_;
}

Actor TestApp::account(std::string const& name) {
  std::string local;
  for (char c : unique(name)) {
    unsigned char u = static_cast<unsigned char>(c);
    local += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '-';
  }
  Actor a;
  a.email = local + "@example.test";
  auto reg = expect(post("/v1/auth/register", {{"email", a.email}, {"password", kPassword}, {"display_name", name}}),
                    201, "register " + a.email);
  a.account_id = reg.id();
  auto login = expect(post("/v1/auth/login", {{"email", a.email}, {"password", kPassword}}), 200, "login " + a.email);
  a.token = std::string(login.json.at("token").as_string());
  return a;
}

Community TestApp::community() {
  auto admin_token = admin().token;
  Community c;
  c.id = expect(post("/v1/communities",
                     {{"name", unique("Community")}, {"address", "1 Test Street"}, {"timezone", "Europe/Berlin"}},
                     admin_token),
                201, "create community")
             .id();
  c.manager = account("manager");
  expect(post(c.base() + "/staff", {{"account_id", c.manager.account_id}, {"role", "manager"}}, admin_token), 201,
         "add manager");
  c.building_id = expect(post(c.base() + "/buildings", {{"name", "A"}}, c.manager.token), 201, "create building").id();
  for (int i = 1; i <= 3; ++i) {
    auto path = c.base() + "/buildings/" + std::to_string(c.building_id) + "/units";
    c.unit_ids.push_back(
        expect(post(path, {{"number", std::to_string(100 + i)}}, c.manager.token), 201, "create unit").id());
  }
  return c;
}

Actor TestApp::resident(Community const& c, std::size_t unit_index) {
  auto a = account("resident");
  auto application =
      expect(post(c.base() + "/residency-applications", {{"unit_id", c.unit_ids.at(unit_index)}}, a.token), 201,
             "apply for residency");
  expect(call("POST", c.base() + "/residency-applications/" + std::to_string(application.id()) + "/approve",
              std::nullopt, c.manager.token),
         200, "approve residency");
  return a;
}

Actor TestApp::courier(Community const& c) {
  auto a = account("courier");
  expect(post(c.base() + "/staff", {{"account_id", a.account_id}, {"role", "courier"}}, c.manager.token), 201,
         "add courier");
  return a;
}

std::pair<Actor, std::int64_t> TestApp::merchant(Community const& c, std::string const& category) {
  auto owner = resident(c);
  auto m = expect(post(c.base() + "/merchants",
                       {{"name", unique("Shop")}, {"category", category}, {"contact", {{"phone", "+44 20 7946 0000"}}}},
                       owner.token),
                  201, "apply as merchant");
  auto mid = m.id();
  expect(call("POST", c.base() + "/merchants/" + std::to_string(mid) + "/approve", std::nullopt, c.manager.token), 200,
         "approve merchant");
  return {owner, mid};
}

void TestApp::top_up(Community const& c, Actor const& who, std::int64_t cents) {
  auto r = post(c.base() + "/wallets/" + std::to_string(who.account_id) + "/top-ups", {{"amount_cents", cents}},
                c.manager.token, {{"Idempotency-Key", unique("top-up")}});
  if (r.status != 200) expect(std::move(r), 201, "top up");
}

std::int64_t TestApp::balance(Community const& c, Actor const& who) {
  auto r = expect(get("/v1/me/wallet?community_id=" + std::to_string(c.id), who.token), 200, "wallet");
  return r.json.at("balance_cents").as_int64();
}

void TestApp::advance_clock_ms(std::int64_t ms) { db::set_clock_offset_ms(g_clock_offset += ms); }

// ---- access walk

namespace {

enum class Expect { Any, Unauthorized, NotFound, Forbidden, Allowed };

struct Caller {
  std::string name;
  std::string email;    // signs in afresh before every route (a route may end sessions)
  std::string api_key;  // instead of a session
  unsigned roles = 0;   // roles held in the walk's community
  bool admin = false;
  bool member = false;  // of the walk's community
};

bool has_param(http::Route const& r, std::string_view name) {
  return std::find(r.segments.begin(), r.segments.end(), "{" + std::string(name) + "}") != r.segments.end();
}

Expect expectation(http::Route const& route, Caller const& who) {
  using Level = http::Access::Level;
  auto const& a = route.access;
  if (a.level == Level::Public) return Expect::Any;
  if (who.email.empty() && who.api_key.empty()) return Expect::Unauthorized;
  bool key = !who.api_key.empty();
  switch (a.level) {
    case Level::Public:
      return Expect::Any;
    case Level::Authenticated:
      return key && a.scope.empty() ? Expect::Forbidden : Expect::Allowed;
    case Level::Admin:
      return who.admin ? Expect::Allowed : Expect::Forbidden;
    case Level::Community:
      break;
  }
  if (!has_param(route, "cid")) return Expect::Any;
  if (who.admin) return Expect::Allowed;
  if (!who.member) return Expect::NotFound;
  if (key && a.scope.empty()) return Expect::Forbidden;
  // The walk's merchant acts for the {mid} the walk substitutes, so merchant rules pass.
  return (a.roles & who.roles) ? Expect::Allowed : Expect::Forbidden;
}

std::string path_for(http::Route const& route, std::int64_t cid, std::int64_t mid) {
  std::string out;
  for (auto const& seg : route.segments) {
    if (seg.empty()) continue;
    out += "/";
    if (seg == "{cid}")
      out += std::to_string(cid);
    else if (seg == "{mid}")
      out += std::to_string(mid);
    else if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}')
      out += std::to_string(kUnknownId);
    else
      out += seg;
  }
  return out.empty() ? "/" : out;
}

char const* describe(Expect e) {
  switch (e) {
    case Expect::Any:
      return "anything but a 5xx";
    case Expect::Unauthorized:
      return "401";
    case Expect::NotFound:
      return "404";
    case Expect::Forbidden:
      return "403";
    case Expect::Allowed:
      return "neither 401 nor 403";
  }
  return "?";
}

}  // namespace

void walk_access(TestApp& t, std::string const& service) {
  auto c = t.community();
  auto other = t.community();
  auto resident = t.resident(c);
  auto courier = t.courier(c);

  std::vector<Caller> callers{
      {"anonymous", "", "", 0, false, false},
      {"resident", resident.email, "", unsigned(Role::Resident), false, true},
      {"manager", c.manager.email, "", unsigned(Role::Manager), false, true},
      {"courier", courier.email, "", unsigned(Role::Courier), false, true},
      {"admin", kAdminEmail, "", 0, true, false},
      {"member of another community", other.manager.email, "", unsigned(Role::Manager), false, false},
  };

  auto const& enabled = t.app().services();
  bool shops = std::any_of(enabled.begin(), enabled.end(), [](auto const& s) { return s->name() == "shops"; });
  std::int64_t mid = kUnknownId;
  if (shops) {
    auto [owner, merchant_id] = t.merchant(c);
    mid = merchant_id;
    // Merchant owners are residents too.
    callers.push_back({"merchant", owner.email, "", Role::Resident | Role::Merchant, false, true});

    bj::array scopes{"walk:access"};
    for (auto const& r : t.app().router().routes())
      if (r->service == service && !r->access.scope.empty() &&
          std::find(scopes.begin(), scopes.end(), bj::value(r->access.scope)) == scopes.end())
        scopes.emplace_back(r->access.scope);
    auto key = t.post(c.base() + "/merchants/" + std::to_string(mid) + "/api-keys",
                      {{"name", "access walk"}, {"scopes", scopes}}, owner.token);
    REQUIRE(key.status == 201);
    callers.push_back(
        {"merchant API key", "", std::string(key.json.at("key").as_string()), unsigned(Role::Merchant), false, true});
  }

  int walked = 0;
  for (auto const& route : t.app().router().routes()) {
    if (route->service != service) continue;
    ++walked;
    auto path = path_for(*route, c.id, mid);
    bool with_body = route->method == "POST" || route->method == "PUT" || route->method == "PATCH";
    for (auto const& who : callers) {
      std::string token = who.api_key;
      if (!who.email.empty()) {
        auto login = t.post("/v1/auth/login", {{"email", who.email}, {"password", kPassword}});
        REQUIRE(login.status == 200);
        token = std::string(login.json.at("token").as_string());
      }
      auto res = t.call(route->method, path, with_body ? std::optional<bj::value>(bj::object{}) : std::nullopt, token);
      auto want = expectation(*route, who);
      INFO(route->method << " " << route->pattern << " (" << route->access.describe() << ") as " << who.name
                         << ": expected " << describe(want) << ", got " << res.status << " " << res.body);
      CHECK(res.status < 500);
      switch (want) {
        case Expect::Any:
          break;
        case Expect::Unauthorized:
          CHECK(res.status == 401);
          break;
        case Expect::NotFound:
          CHECK(res.status == 404);
          break;
        case Expect::Forbidden:
          CHECK(res.status == 403);
          break;
        case Expect::Allowed:
          CHECK((res.status != 401 && res.status != 403));
          break;
      }
    }
  }
  INFO("service " << service);
  CHECK(walked > 0);
}

int for_each_documented_route(TestApp& t, bj::object const& paths, std::string const& service,
                              std::function<void(http::Route const&, bj::object const&)> const& check) {
  int routes = 0;
  for (auto const& r : t.app().router().routes()) {
    if (r->service != service) continue;
    ++routes;
    std::string method = lower(r->method);
    INFO(r->method << " " << r->pattern);
    auto const* item = paths.if_contains(r->pattern);
    REQUIRE(item != nullptr);
    auto const* op = item->as_object().if_contains(method);
    REQUIRE(op != nullptr);
    check(*r, op->as_object());
  }
  return routes;
}

}  // namespace courtyard::test
