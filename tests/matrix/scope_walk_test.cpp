// API-key scopes (issue 13, item 6): every merchant route of the route table is reachable with
// a key holding the scope the route names and refused (403) with a key holding any other
// merchant scope. A merchant route without a scope must be one a key may never call (keys
// and staff are managed by the owner's session); a scope no route names, or a route naming a
// scope missing from http/scopes.hpp, fails the walk.
#include "tests/matrix/world.hpp"

#include "http/scopes.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <iostream>
#include <set>

namespace courtyard::test::matrix {
namespace {

// A route a merchant's key may be meant for: one naming a scope, or one under a merchant
// ({mid}) whose rule admits the merchant (or any signed-in caller). Community-wide member
// routes (posts, clubs, amenities) are not merchant routes: keys never call them.
bool merchant_route(http::Route const& r) {
  auto const& a = r.access;
  if (!a.scope.empty()) return true;
  bool under_merchant = r.pattern.find("/merchants/{mid}") != std::string::npos;
  return under_merchant && (a.level == http::Access::Level::Authenticated ||
                            (a.level == http::Access::Level::Community && (a.roles & unsigned(Role::Merchant)) != 0));
}

// Owner-only routes: a key may not mint keys or add staff, whatever it holds.
bool owner_only(http::Route const& r) {
  return r.pattern.find("/merchants/{mid}/api-keys") != std::string::npos ||
         r.pattern.find("/merchants/{mid}/staff") != std::string::npos;
}

std::string path_of(http::Route const& route, World const& w) {
  std::string out, prev;
  for (auto const& seg : route.segments) {
    if (seg.empty()) continue;
    out += "/";
    if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
      auto v = w.param(seg.substr(1, seg.size() - 2), prev, route.pattern);
      out += std::to_string(v ? v : 999999999);
    } else {
      out += seg;
    }
    prev = seg;
  }
  return out;
}

}  // namespace

TEST_CASE("API-key scopes: every merchant route with its scope, refused without it", "[matrix][scopes]") {
  auto& t = TestApp::get();
  auto scopes = route_scopes(t);
  World w = build_world(t, scopes);

  std::set<std::string> declared(http::scopes::kMerchantScopes.begin(), http::scopes::kMerchantScopes.end());
  std::vector<http::Route const*> routes;
  std::set<std::string> named;
  for (auto const& r : t.app().router().routes()) {
    if (!merchant_route(*r)) continue;
    if (r->access.scope.empty()) {
      INFO(r->method << " " << r->pattern << " is a merchant route without an API-key scope");
      CHECK(owner_only(*r));
      continue;
    }
    INFO(r->method << " " << r->pattern << " names a scope missing from http/scopes.hpp: " << r->access.scope);
    CHECK(declared.count(r->access.scope) == 1);
    named.insert(r->access.scope);
    routes.push_back(r.get());
  }
  // The groups the issue names each have their routes (webhooks and statements: the wallet
  // today; the webhook routes come with services/webhooks).
  for (auto s : {"products:read", "products:write", "stock:read", "stock:write", "orders:read", "orders:write",
                 "redemptions:write", "coupons:read", "coupons:write", "statements"})
    CHECK(named.count(s) == 1);

  // One key per declared scope, each holding that scope only.
  std::map<std::string, std::string> key_of;
  for (auto const& s : declared) {
    auto r = must(t.post(w.mbase() + "/api-keys", {{"name", "only " + s}, {"scopes", bj::array{bj::string(s)}}},
                         w.merchant.token),
                  {201}, "key for " + s);
    key_of[s] = std::string(r.json.at("key").as_string());
  }

  // Refusals first (they change nothing), then each route with its own scope.
  std::vector<std::string> failures;
  int refused = 0, admitted = 0;
  auto call = [&](http::Route const& r, std::string const& key) {
    bool with_body = r.method == "POST" || r.method == "PUT" || r.method == "PATCH";
    return t.call(r.method, path_of(r, w), with_body ? std::optional<bj::value>(bj::object{}) : std::nullopt, key);
  };
  for (auto const* r : routes)
    for (auto const& [scope, key] : key_of) {
      if (scope == r->access.scope) continue;
      auto res = call(*r, key);
      ++refused;
      if (res.status != 403)
        failures.push_back(r->method + " " + r->pattern + " with a key holding only " + scope + ": " +
                           std::to_string(res.status) + " (want 403)");
    }
  for (auto const* r : routes) {
    auto res = call(*r, key_of.at(r->access.scope));
    ++admitted;
    if (res.status == 401 || res.status == 403 || res.status >= 500)
      failures.push_back(r->method + " " + r->pattern + " with its scope " + r->access.scope + ": " +
                         std::to_string(res.status) + " " + res.body.substr(0, 160));
  }
  // And the owner-only routes refuse every key.
  for (auto const& rr : t.app().router().routes())
    if (merchant_route(*rr) && owner_only(*rr))
      for (auto const& [scope, key] : key_of)
        if (auto res = call(*rr, key); res.status != 403)
          failures.push_back(rr->method + " " + rr->pattern + " with a key (" + scope + "): " +
                             std::to_string(res.status) + " (want 403)");

  std::cout << "API-key scope walk: " << routes.size() << " merchant routes x " << key_of.size() << " keys ("
            << refused << " refused, " << admitted << " admitted)\n";
  for (auto const& f : failures) std::cout << "  MISMATCH " << f << "\n";
  CHECK(routes.size() >= 15);
  CHECK(failures.empty());
}

}  // namespace courtyard::test::matrix
