#pragma once
// Shared by the harnesses: one App over a throwaway SQLite file with every service, a
// signed-in platform admin and one community (ids 1 of everything the set-up creates), built
// once per process in LLVMFuzzerInitialize. And the oracle every App-driven harness applies to
// a response: never a 500, never SQL or an exception text in the body, errors as problem+json.
#include "gateway/app.hpp"
#include "gateway/service_list.hpp"
#include "services/identity/api.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace courtyard::fuzz {

[[noreturn]] inline void fail(std::string const& what) {
  std::fprintf(stderr, "\n==FUZZ ORACLE== %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

struct World {
  std::unique_ptr<gateway::App> app;
  std::string db_path;
  std::string admin_token;
  std::int64_t community_id = 0;
  std::string community_base;

  http::Response call(std::string method, std::string target, std::string body, std::string const& token,
                      http::Headers extra = {}) {
    http::Request req;
    req.method = std::move(method);
    req.target = target;
    auto q = target.find('?');
    req.path = target.substr(0, q);
    if (!token.empty()) req.headers.emplace_back("authorization", "Bearer " + token);
    if (!body.empty()) req.headers.emplace_back("content-type", "application/json");
    for (auto& h : extra) req.headers.push_back(std::move(h));
    req.body = std::move(body);
    req.remote_ip = "127.0.0.1";
    return app->handle(req);
  }

  ~World() {
    app.reset();
    for (char const* suffix : {"", "-wal", "-shm", "-journal"}) {
      std::error_code ec;
      std::filesystem::remove(db_path + suffix, ec);
    }
  }
};

inline boost::json::value must_json(http::Response const& r, std::string const& what) {
  boost::system::error_code ec;
  auto v = boost::json::parse(r.body, ec);
  if (ec || r.status >= 300) fail("set-up: " + what + " answered " + std::to_string(r.status) + ": " + r.body);
  return v;
}

// Built once; FUZZ_VERBOSE=1 keeps the server's logs.
inline World& world() {
  static World* w = [] {
    spdlog::set_level(std::getenv("FUZZ_VERBOSE") ? spdlog::level::debug : spdlog::level::off);
    auto* w = new World;
    w->db_path = (std::filesystem::temp_directory_path() /
                  ("courtyard-fuzz-" + std::to_string(::getpid()) + ".db")).string();
    gateway::Config config;
    config.db = "sqlite3://" + w->db_path;
    config.background = false;
    config.rate_limit_rps = 0;
    config.access_log = false;
    config.log_level = "off";
    config.db_pool = 4;
    config.settings.set("identity.password-hash", "min");
    w->app = std::make_unique<gateway::App>(std::move(config), gateway::all_services(), gateway::authenticator());
    w->app->set_access_log_level(spdlog::level::off);
    identity::bootstrap_admin(w->app->db(), "admin@fuzz.test", "correct-horse-battery-staple", "min");
    auto login = must_json(w->call("POST", "/v1/auth/login",
                                   R"({"email":"admin@fuzz.test","password":"correct-horse-battery-staple"})", ""),
                           "admin login");
    w->admin_token = std::string(login.at("token").as_string());
    auto c = must_json(w->call("POST", "/v1/communities",
                               R"({"name":"Fuzz Court","address":"1 Fuzz Street","timezone":"Europe/Berlin"})",
                               w->admin_token),
                       "create community");
    w->community_id = c.at("id").as_int64();
    w->community_base = "/v1/communities/" + std::to_string(w->community_id);
    auto b = must_json(w->call("POST", w->community_base + "/buildings", R"({"name":"A"})", w->admin_token),
                       "create building");
    must_json(w->call("POST", w->community_base + "/buildings/" + std::to_string(b.at("id").as_int64()) + "/units",
                      R"({"number":"101"})", w->admin_token),
              "create unit");
    static World* owned = nullptr;  // static: usable in the captureless atexit handler
    owned = w;
    std::atexit([] { delete owned; });
    return w;
  }();
  return *w;
}

// What every response must satisfy, whatever the input. `input` is what the client sent: a
// leak marker that the client itself sent (and an error detail may quote) is not a leak.
inline void check_response(http::Response const& r, std::string_view what, std::string_view input) {
  if (r.status >= 500 && r.status != 503)
    fail("status " + std::to_string(r.status) + " for " + std::string(what) + ": " + r.body);
  if (r.status < 100 || r.status > 599) fail("impossible status for " + std::string(what));
  if (r.status >= 400) {
    if (r.content_type != "application/problem+json")
      fail("error without problem+json (" + r.content_type + ") for " + std::string(what));
    boost::system::error_code ec;
    auto v = boost::json::parse(r.body, ec);
    if (ec || !v.is_object()) fail("problem body is not a JSON object for " + std::string(what) + ": " + r.body);
  }
  for (std::string_view leak : {"sqlite", "SQLITE", "soci", "SOCI", "SELECT ", "INSERT ", "UPDATE ", "std::", "what()"}) {
    if (r.status >= 400 && r.body.find(leak) != std::string::npos && input.find(leak) == std::string_view::npos)
      fail("error body leaks internals ('" + std::string(leak) + "') for " + std::string(what) + ": " + r.body);
  }
}

}  // namespace courtyard::fuzz
