#pragma once
// Routes are data: method, path pattern, access rule, handler. One test walks
// every route x every role using this table; another checks it against OpenAPI.
#include "http/message.hpp"
#include "http/principal.hpp"

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace courtyard {
class Context;
}

namespace courtyard::http {

// The access rule declared on a route, checked before its handler runs.
// Community rules read the community from the `{cid}` path parameter:
//   not signed in -> 401; not a member of that community -> 404 (never reveal it);
//   a member without one of the roles -> 403. Platform admins pass every rule.
// Merchant API keys count as the Merchant role of their merchant's community; when the
// path has `{mid}`, the merchant role must be for that merchant (else 403).
struct Access {
  enum class Level { Public, Authenticated, Community, Admin };
  Level level = Level::Public;
  unsigned roles = 0;  // Role bit mask for Level::Community
  std::string scope;   // API-key scope required (e.g. "orders:write"); empty = keys not allowed

  static Access public_() { return {Level::Public, 0, {}}; }
  static Access authenticated() { return {Level::Authenticated, 0, {}}; }
  static Access admin() { return {Level::Admin, 0, {}}; }
  // Any role in {cid}.
  static Access member() { return {Level::Community, 0xFu, {}}; }
  static Access any_of(unsigned mask) { return {Level::Community, mask, {}}; }
  static Access resident() { return any_of(unsigned(Role::Resident)); }
  static Access manager() { return any_of(unsigned(Role::Manager)); }
  static Access courier() { return any_of(unsigned(Role::Courier)); }
  static Access merchant(std::string api_key_scope = {}) {
    return {Level::Community, unsigned(Role::Merchant), std::move(api_key_scope)};
  }
  Access with_scope(std::string s) const { Access a = *this; a.scope = std::move(s); return a; }

  std::string describe() const;  // "manager", "resident|manager", "public", ...
};

using Handler = std::function<Response(Request const&, Context&)>;

struct Route {
  std::string method;
  std::string pattern;  // "/v1/communities/{cid}/tickets/{id}/resolve"
  std::string key;      // "POST /v1/communities/{cid}/tickets/{id}/resolve": its name in metrics and logs
  Access access;
  Handler handler;
  std::string service;        // the service that registered it
  bool inline_ok = false;     // runs on the I/O thread (no storage, no auth; health, metrics)
  bool json_body = true;      // a body must be application/json (else 415); plugins may take others
  // The handler only reads: ctx.tx() runs a read unit (db::TxMode::Read: no write lock on
  // SQLite, no START TRANSACTION on MySQL). Set for GET and HEAD; a GET that writes (marks
  // something seen, counts a view) clears it where it is registered.
  bool read_only = false;
  std::vector<std::string> segments;  // pattern split on '/'
};

class Router {
 public:
  // Registers a route; throws std::logic_error on a duplicate method+pattern.
  Route& add(std::string method, std::string pattern, Access access, Handler h);
  Route& get(std::string p, Access a, Handler h) { return add("GET", std::move(p), std::move(a), std::move(h)); }
  Route& post(std::string p, Access a, Handler h) { return add("POST", std::move(p), std::move(a), std::move(h)); }
  Route& patch(std::string p, Access a, Handler h) { return add("PATCH", std::move(p), std::move(a), std::move(h)); }
  Route& put(std::string p, Access a, Handler h) { return add("PUT", std::move(p), std::move(a), std::move(h)); }
  Route& del(std::string p, Access a, Handler h) { return add("DELETE", std::move(p), std::move(a), std::move(h)); }

  struct Match {
    Route const* route = nullptr;
    bool path_known = false;  // some route has this path (for 405 vs 404)
    std::vector<std::pair<std::string, std::string>> params;
  };
  // Literal segments win over parameters at the same position.
  Match match(std::string_view method, std::string_view path) const;

  std::vector<std::unique_ptr<Route>> const& routes() const { return routes_; }
  // Routes registered from now on are tagged with this service name.
  void set_current_service(std::string name) { current_service_ = std::move(name); }

 private:
  // The routes as a tree of path segments, so a match looks up each segment of the path
  // instead of comparing it with every route (a few hundred; the scan was 5 % of the CPU of a
  // /healthz request, and ran twice for a queued one).
  struct Node {
    std::map<std::string, std::unique_ptr<Node>, std::less<>> literal;
    std::unique_ptr<Node> param;       // any one non-empty segment
    std::vector<Route const*> routes;  // ending here, in registration order (any method)
  };
  // The best route for `method` below `n` for segments i.., literal before parameter from the
  // left; `known` is set when some route (of any method) ends at the path.
  static Route const* find(Node const& n, std::vector<std::string_view> const& segs, std::size_t i,
                           std::string_view method, bool& known);

  std::vector<std::unique_ptr<Route>> routes_;
  Node root_;
  std::string current_service_;
};

}  // namespace courtyard::http
