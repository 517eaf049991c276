// Two instances of the real binary on one database (SQLite file, or a MariaDB schema when
// COURTYARD_TEST_DB=mysql): a principal cached by one instance never outlives a logout or a
// role change made through the other by more than one second (http/principal_cache.hpp).
#include "db/database.hpp"
#include "tests/e2e/http_client.hpp"
#include "tests/e2e/server_process.hpp"
#include "tests/e2e/session.hpp"

#include <boost/json.hpp>
#include <boost/url/url.hpp>
#include <catch2/catch.hpp>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>

using namespace courtyard::e2e;
namespace bj = boost::json;

namespace {

std::string env(char const* name) {
  char const* v = std::getenv(name);
  return v ? v : "";
}

// A database both instances open: a fresh SQLite file, or a fresh schema on the MariaDB server
// named by COURTYARD_TEST_MYSQL (dropped at the end).
class SharedDatabase {
 public:
  SharedDatabase() {
    std::string tag = std::to_string(::getpid()) + "_" + std::to_string(std::random_device{}() & 0xFFFFFF);
    std::string backend = env("COURTYARD_TEST_DB");
    if (backend != "mysql" && backend != "mariadb") {
      dir_ = (std::filesystem::temp_directory_path() / ("courtyard-e2e-shared-" + tag)).string();
      std::filesystem::create_directories(dir_);
      url_ = "sqlite3://" + dir_ + "/shared.db";
      return;
    }
    if (env("COURTYARD_TEST_MYSQL").empty()) throw std::runtime_error("COURTYARD_TEST_DB=mysql needs COURTYARD_TEST_MYSQL");
    boost::urls::url u(env("COURTYARD_TEST_MYSQL"));
    schema_ = "courtyard_e2e_" + tag;  // digits only: safe to splice into DDL
    u.set_path("");
    server_ = std::string(u.buffer());
    {
      courtyard::db::Database server(server_, 1);
      *server.acquire() << "CREATE DATABASE " + schema_ + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci";
    }
    u.set_path("/" + schema_);
    url_ = std::string(u.buffer());
  }
  ~SharedDatabase() {
    try {
      if (!schema_.empty()) {
        courtyard::db::Database server(server_, 1);
        *server.acquire() << "DROP DATABASE IF EXISTS " + schema_;
      }
    } catch (...) {
    }
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  std::string const& url() const { return url_; }

 private:
  std::string url_, dir_, server_, schema_;
};

long long cache_hits(unsigned short port) {
  auto text = fetch(port, "GET", "/metrics").body;
  constexpr std::string_view kName = "\ncourtyard_principal_cache_hits_total ";
  auto at = text.find(kName);
  REQUIRE(at != std::string::npos);
  return std::stoll(text.substr(at + kName.size()));
}

// Calls `target` on the port until it answers `status`; the milliseconds that took, or -1
// after `limit`.
long long ms_until(unsigned short port, std::string const& target, std::string const& token, int status,
                   std::chrono::milliseconds limit) {
  auto start = std::chrono::steady_clock::now();
  for (;;) {
    auto elapsed = std::chrono::steady_clock::now() - start;
    if (fetch(port, "GET", target, {}, bearer(token)).status == status)
      return std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
    if (elapsed > limit) return -1;
    std::this_thread::sleep_for(5ms);
  }
}

}  // namespace

TEST_CASE("e2e: a logout or a new role on one instance reaches another instance's cache within 1 s",
          "[e2e][principal-cache]") {
  SharedDatabase shared;
  ServerProcess a({"--db", shared.url(), "--demo", "--rate-limit-rps", "0"});
  ServerProcess b({"--db", shared.url(), "--rate-limit-rps", "0"});

  SECTION("logout on A: B refuses the token within 1 s") {
    auto token = login(a.port(), "alice@demo.courtyard.local", "courtyard-demo");
    // B caches the principal: the second and later calls are hits.
    auto before = cache_hits(b.port());
    for (int i = 0; i < 5; ++i) REQUIRE(fetch(b.port(), "GET", "/v1/me", {}, bearer(token)).status == 200);
    REQUIRE(cache_hits(b.port()) >= before + 4);

    REQUIRE(fetch(a.port(), "POST", "/v1/auth/logout", {}, bearer(token)).status == 204);
    REQUIRE(fetch(a.port(), "GET", "/v1/me", {}, bearer(token)).status == 401);  // A at once
    auto ms = ms_until(b.port(), "/v1/me", token, 401, 3s);
    INFO("B refused the token after " << ms << " ms");
    CHECK(ms >= 0);
    CHECK(ms < 1000);
  }

  SECTION("a role granted on A is seen by B within 1 s") {
    auto manager = login(a.port(), "manager@demo.courtyard.local", "courtyard-demo");
    auto me = fetch(a.port(), "GET", "/v1/me", {}, bearer(manager)).json();
    auto cid = me.at("roles").as_array().at(0).at("community_id").as_int64();
    std::string const community = "/v1/communities/" + std::to_string(cid);

    auto reg = fetch(b.port(), "POST", "/v1/auth/register",
                     bj::serialize(bj::object{{"email", "courier-to-be@e2e.example.com"},
                                              {"password", "a long enough password"},
                                              {"display_name", "Courier to be"}}));
    REQUIRE(reg.status == 201);
    auto account_id = reg.json().at("id").as_int64();
    auto token = login(b.port(), "courier-to-be@e2e.example.com", "a long enough password");
    for (int i = 0; i < 3; ++i) REQUIRE(fetch(b.port(), "GET", community, {}, bearer(token)).status == 404);

    auto granted = fetch(a.port(), "POST", community + "/staff",
                         bj::serialize(bj::object{{"account_id", account_id}, {"role", "courier"}}), bearer(manager));
    REQUIRE(granted.status == 201);
    auto ms = ms_until(b.port(), community, token, 200, 3s);
    INFO("B saw the role after " << ms << " ms");
    CHECK(ms >= 0);
    CHECK(ms < 1000);
  }
}
