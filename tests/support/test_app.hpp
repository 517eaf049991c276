#pragma once
// In-process test harness: one App per test process on the backend chosen by
// COURTYARD_TEST_DB ("sqlite" -> a fresh temp file; "mysql" -> a fresh database on the
// server named by COURTYARD_TEST_MYSQL, dropped at exit; unset -> sqlite).
// Tests isolate by creating their own communities and accounts (unique names), so
// they share one migrated schema and run fast on both backends.
#include "gateway/app.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace courtyard::test {

// Each test executable defines this (tests/<area>/services.cpp): the services it links.
std::vector<gateway::ServiceEntry> services_under_test();

struct Result {
  int status = 0;
  boost::json::value json;     // parsed body (null when empty / not JSON)
  http::Headers headers;
  std::string body;
  bool streamed = false;        // the body came from a Response::stream (drained here)
  std::string header(std::string_view name) const;  // "" when absent
  std::int64_t id() const { return json.at("id").as_int64(); }
  std::string problem_type() const;  // json["type"] or ""
};

struct Actor {
  std::int64_t account_id = 0;
  std::string email;
  std::string token;
};

// A community with one building and three units, and its manager.
struct Community {
  std::int64_t id = 0;
  std::int64_t building_id = 0;
  std::vector<std::int64_t> unit_ids;
  Actor manager;
  std::string base() const { return "/v1/communities/" + std::to_string(id); }
};

class TestApp {
 public:
  // The process-wide instance (built on first use).
  static TestApp& get();
  gateway::App& app() { return *app_; }
  bool mysql() const;

  Result call(std::string method, std::string const& target, std::optional<boost::json::value> body = std::nullopt,
              std::string const& token = "", http::Headers extra = {});
  Result get(std::string const& target, std::string const& token = "") { return call("GET", target, std::nullopt, token); }
  Result post(std::string const& target, boost::json::value body, std::string const& token = "",
              http::Headers extra = {}) {
    return call("POST", target, std::move(body), token, std::move(extra));
  }
  Result patch(std::string const& target, boost::json::value body, std::string const& token = "") {
    return call("PATCH", target, std::move(body), token);
  }
  Result del(std::string const& target, std::string const& token = "") { return call("DELETE", target, std::nullopt, token); }

  // Fixtures built through the public API (so they exercise it).
  std::string unique(std::string const& prefix);  // prefix + process-unique suffix
  Actor admin();                                   // the bootstrap platform admin
  Actor account(std::string const& name = "user"); // registered + logged in, no roles
  Community community();                           // admin creates it; a manager is added
  Actor resident(Community const& c, std::size_t unit_index = 0);  // applied + approved
  Actor courier(Community const& c);
  // An approved merchant of the community, owned by a new resident; returns {owner, merchant_id}.
  std::pair<Actor, std::int64_t> merchant(Community const& c, std::string const& category = "grocery");
  // Manager tops up the account's wallet in the community.
  void top_up(Community const& c, Actor const& who, std::int64_t cents);
  std::int64_t balance(Community const& c, Actor const& who);

  int drain_events() { return app_->drain_events(); }
  bool run_job(std::string const& name) { return app_->run_job(name); }
  // Moves the application clock forward (db::now_ms()).
  void advance_clock_ms(std::int64_t ms);

 private:
  TestApp();
  std::unique_ptr<gateway::App> app_;
  Actor admin_;
};

// Access walk (ARCHITECTURE.md "Request path" 3): for every route of `service`, checks
//   no credentials -> 401 (non-public routes), a member of another community -> 404,
//   each role the rule does not allow -> 403, each role it allows -> neither 401 nor 403.
// Ids in paths are replaced by ids from `c` or by 999999999 (so allowed roles see 404/422).
void walk_access(TestApp& t, std::string const& service);

}  // namespace courtyard::test
