// The authorization matrix (issue 10): every route of the route table x every kind of caller x
// own community / foreign community / foreign objects under the own community, with real
// objects substituted for every path parameter. The expected outcome is computed from the
// route's Access rule (http/router.hpp), so a new route is covered the day it is registered.
//
//   anonymous on a non-public route                     -> 401
//   not a member of the {cid} community (not an admin)  -> 404 (never 403: that would reveal it)
//   a member whose role or API-key scope the rule refuses -> 403
//   admitted                                            -> neither 401 nor 403
//   foreign objects under the own {cid} (or /v1/me/...)  -> never 2xx, never 401 (400/403/404/422)
//   anything                                            -> never 5xx; errors are problem+json
//
// All calls expected to be refused run first, between two digests of every business table
// (world.cpp, bookkeeping_tables()): the digests must be equal and no audit_log row may be
// written. The admitted calls run afterwards (they may change data).
#include "tests/matrix/world.hpp"

#include "http/scopes.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

namespace courtyard::test::matrix {
namespace {

constexpr char kPassword[] = "correct-horse-battery-staple";  // tests/support/test_app.cpp's

enum class Variant { Own, ForeignCommunity, ForeignObjects };
enum class Want { Any, Unauthorized, NotFound, Forbidden, Allowed, Refused };

char const* name(Variant v) {
  switch (v) {
    case Variant::Own: return "own";
    case Variant::ForeignCommunity: return "foreign community";
    case Variant::ForeignObjects: return "foreign objects in own community";
  }
  return "?";
}

char const* describe(Want w) {
  switch (w) {
    case Want::Any: return "anything but 5xx";
    case Want::Unauthorized: return "401";
    case Want::NotFound: return "404";
    case Want::Forbidden: return "403";
    case Want::Allowed: return "not 401/403/5xx";
    case Want::Refused: return "400/403/404/422 (never 2xx)";
  }
  return "?";
}

struct Caller {
  std::string name;
  std::string token;
  std::string email;  // session callers: signs in afresh for the logout route
  bool key = false;
  std::vector<std::string> scopes;
  unsigned roles = 0;          // in the own community
  std::int64_t acts_for = 0;   // merchant id in the own community
  bool admin = false;
  bool staff = false;          // a merchant's staff account: only the staff scopes' routes
  bool anonymous() const { return token.empty(); }
  bool has_scope(std::string const& s) const { return std::find(scopes.begin(), scopes.end(), s) != scopes.end(); }
};

bool has_param(http::Route const& r, std::string const& p) {
  return std::find(r.segments.begin(), r.segments.end(), "{" + p + "}") != r.segments.end();
}
bool has_object_param(http::Route const& r) {
  return std::any_of(r.segments.begin(), r.segments.end(),
                     [](std::string const& s) { return s.size() > 2 && s.front() == '{' && s != "{cid}"; });
}

Want expectation(http::Route const& route, Caller const& who, Variant v) {
  using Level = http::Access::Level;
  auto const& a = route.access;
  bool foreign_objects = v == Variant::ForeignObjects;
  if (a.level == Level::Public) return foreign_objects ? Want::Refused : Want::Any;
  if (who.anonymous()) return Want::Unauthorized;
  bool key_refused = who.key && (a.scope.empty() || !who.has_scope(a.scope));
  switch (a.level) {
    case Level::Public: return Want::Any;
    case Level::Authenticated:
      if (key_refused) return Want::Forbidden;
      if (foreign_objects) return Want::Refused;
      if (who.admin) return Want::Allowed;
      // Anyone signed in may apply to any community; nothing else of a foreign one is theirs.
      if (v == Variant::ForeignCommunity)
        return route.method == "POST" && !has_object_param(route) ? Want::Allowed : Want::Refused;
      return Want::Allowed;
    case Level::Admin:
      if (!who.admin) return Want::Forbidden;
      return foreign_objects ? Want::Refused : Want::Allowed;
    case Level::Community: break;
  }
  if (!has_param(route, "cid")) return Want::Any;
  if (who.admin) return foreign_objects ? Want::Refused : Want::Allowed;
  if (v == Variant::ForeignCommunity) return Want::NotFound;
  if (key_refused) return Want::Forbidden;
  auto admitted = Want::Forbidden;
  if (a.roles & who.roles & ~unsigned(Role::Merchant)) admitted = Want::Allowed;
  else if ((a.roles & who.roles & unsigned(Role::Merchant)) != 0)
    // With {mid} in the path the merchant must act for that merchant (foreign objects: it
    // does not, so the rule refuses with 403, which Refused accepts).
    admitted = !has_param(route, "mid") || !foreign_objects ? Want::Allowed : Want::Forbidden;
  // A merchant's staff: orders and redemptions only (http/scopes.hpp).
  if (admitted == Want::Allowed && who.staff && !(a.roles & who.roles & ~unsigned(Role::Merchant)) &&
      !http::scopes::staff_route_ok(a.scope, has_param(route, "mid")))
    admitted = Want::Forbidden;
  if (admitted == Want::Forbidden) return Want::Forbidden;
  return foreign_objects ? Want::Refused : Want::Allowed;
}

// {mid} is the caller's own merchant when the caller is a merchant (so merchant rules are
// exercised as the acting merchant, not only as "some other merchant").
std::string path_for(http::Route const& route, World const& own, World const& objects, Caller const& who,
                     std::vector<std::string>& unknown) {
  std::string out;
  std::string prev;
  for (auto const& seg : route.segments) {
    if (seg.empty()) continue;
    out += "/";
    if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
      auto p = seg.substr(1, seg.size() - 2);
      std::int64_t v = p == "cid" ? own.c.id : objects.param(p, prev, route.pattern);
      if (p == "mid" && &own == &objects && who.acts_for) v = who.acts_for;
      if (v == 0) {
        unknown.push_back(route.method + " " + route.pattern + " {" + p + "}");
        v = 999999999;
      }
      out += std::to_string(v);
    } else {
      out += seg;
    }
    prev = seg;
  }
  return out.empty() ? "/" : out;
}

bool matches(Want w, int status) {
  switch (w) {
    case Want::Any: return true;
    case Want::Unauthorized: return status == 401;
    case Want::NotFound: return status == 404;
    case Want::Forbidden: return status == 403;
    case Want::Allowed: return status != 401 && status != 403;
    case Want::Refused: return status == 400 || status == 403 || status == 404 || status == 422;
  }
  return false;
}

// Defects the matrix found in service code (not this suite's to fix): reported on every run,
// not failed on, each listed in the hand-off for the owning engineer. Key:
// "METHOD pattern | caller | variant".
std::set<std::string> const& known_defects() {
  // Fixed: a foreign merchant id under the own {cid} (api-keys, wallet) now answers 404.
  static std::set<std::string> const d{};
  return d;
}

// Refused calls that still wrote an audit_log row (reported, not failed), by audit action.
// Fixed: revoke_key now refuses inside its transaction, so a refused revoke writes nothing.
std::set<std::string> const& known_audit_defects() {
  static std::set<std::string> const d{};
  return d;
}

// Routes whose handler checks ownership of the object after the rule admitted the role:
// a caller who does not own the (visible, same-community) object gets 403 with a reason,
// which reveals nothing. Only the callers listed own the fixture's object, and for them a
// 403 is still a mismatch.
std::map<std::string, std::set<std::string>> const& object_owners() {
  static std::map<std::string, std::set<std::string>> const o{
      {"POST /v1/communities/{cid}/tickets/{id}/reopen", {"resident"}},
      {"DELETE /v1/communities/{cid}/amenities/{aid}/bookings/{id}", {"resident", "manager"}},
      {"POST /v1/communities/{cid}/orders/{oid}/accept", {"merchant", "merchant staff", "API key with every scope"}},
      {"POST /v1/communities/{cid}/orders/{oid}/ready", {"merchant", "merchant staff", "API key with every scope"}},
      {"POST /v1/communities/{cid}/clubs/{id}/members/{account_id}/approve", {"resident"}},
      {"POST /v1/communities/{cid}/clubs/{id}/members/{account_id}/organiser", {"resident"}},
      // Claimed by the walk's courier earlier in the admitted phase.
      {"POST /v1/communities/{cid}/deliveries/{id}/pick-up", {"courier"}},
      {"POST /v1/communities/{cid}/deliveries/{id}/deliver", {"courier"}},
  };
  return o;
}

struct Call {
  http::Route const* route;
  Caller const* who;
  Variant variant;
  Want want;
  std::string path;
};

}  // namespace

TEST_CASE("authorization matrix: every route x every caller x own/foreign community", "[matrix]") {
  auto& t = TestApp::get();
  auto scopes = route_scopes(t);
  World a = build_world(t, scopes);
  World b = build_world(t, scopes);
  auto admin = t.admin();

  std::vector<Caller> callers{
      {"anonymous", "", "", false, {}, 0, 0, false},
      {"resident", a.resident.token, a.resident.email, false, {}, unsigned(Role::Resident), 0, false},
      {"other resident", a.resident2.token, a.resident2.email, false, {}, unsigned(Role::Resident), 0, false},
      {"manager", a.c.manager.token, a.c.manager.email, false, {}, unsigned(Role::Manager), 0, false},
      {"merchant", a.merchant.token, a.merchant.email, false, {}, Role::Resident | Role::Merchant, a.mid, false},
      {"other merchant", a.merchant2.token, a.merchant2.email, false, {}, Role::Resident | Role::Merchant, a.mid2,
       false},
      {"courier", a.courier.token, a.courier.email, false, {}, unsigned(Role::Courier), 0, false},
      {"merchant staff", a.staff.token, a.staff.email, false, {}, unsigned(Role::Merchant), a.mid, false, true},
      {"admin", admin.token, admin.email, false, {}, 0, 0, true},
      {"API key with every scope", a.key_all, "", true, scopes, unsigned(Role::Merchant), a.mid, false},
      {"API key without the scope", a.key_none, "", true, a.key_none_scopes, unsigned(Role::Merchant), a.mid, false},
  };

  // Plan every call.
  std::vector<Call> calls;
  std::vector<std::string> unknown_params;
  for (auto const& r : t.app().router().routes()) {
    auto const& route = *r;
    bool cid = has_param(route, "cid");
    std::vector<Variant> variants{Variant::Own};
    if (cid) variants.push_back(Variant::ForeignCommunity);
    if (has_object_param(route)) variants.push_back(Variant::ForeignObjects);
    for (auto v : variants)
      for (auto const& who : callers) {
        World const& objects = v == Variant::Own ? a : b;
        World const& community = v == Variant::ForeignCommunity ? b : a;
        auto path = path_for(route, community, objects, who, unknown_params);
        calls.push_back({&route, &who, v, expectation(route, who, v), path});
      }
  }
  std::sort(unknown_params.begin(), unknown_params.end());
  unknown_params.erase(std::unique(unknown_params.begin(), unknown_params.end()), unknown_params.end());
  // Platform objects the API cannot create as fixtures (a dead letter needs a subscriber
  // that fails for days): the substituted id still exercises every caller's rule.
  // A group-buy delivery batch and its stops exist only after a group buy reached its
  // threshold and closed (tests/delivery/batches_test.cpp walks them with real objects).
  // A refund needs a completed order and a statement a closed settlement period
  // (tests/shops/refunds_test.cpp and tests/settlement walk them with real objects); a
  // merchant's campaign needs a segment of at least 5 customers (tests/members/segments_test.cpp).
  // {category} and {tag} are names, not ids: the substituted text is a valid one.
  std::erase_if(unknown_params, [](std::string const& u) {
    for (char const* exempt : {"/delivery-batches/{id}", "/delivery-stops/{id}", "/refunds/{rid}", "/statements/{sid}",
                               "/merchants/{mid}/campaigns/{cpid}", "{category}", "{tag}"})
      if (u.find(exempt) != std::string::npos) return true;
    return u.rfind("POST /v1/admin/events/dead-letters/{id}/retry", 0) == 0;
  });
  for (auto const& u : unknown_params) WARN("no fixture object for " << u << " (999999999 substituted)");

  std::vector<std::string> failures, defects_seen;
  std::map<int, int> by_status;
  int object_level_403 = 0;
  auto run = [&](Call const& c) {
    bool with_body = c.route->method == "POST" || c.route->method == "PUT" || c.route->method == "PATCH";
    std::string token = c.who->token;
    if (c.route->pattern == "/v1/auth/logout" && !c.who->email.empty() && c.want == Want::Allowed) {
      // Logging out ends the caller's session: use a session of its own.
      auto login = t.post("/v1/auth/login", {{"email", c.who->email}, {"password", kPassword}});
      REQUIRE(login.status == 200);
      token = std::string(login.json.at("token").as_string());
    }
    auto res = t.call(c.route->method, c.path, with_body ? std::optional<bj::value>(bj::object{}) : std::nullopt, token);
    ++by_status[res.status];
    bool ok = res.status < 500 && matches(c.want, res.status);
    if (!ok && c.want == Want::Allowed && res.status == 403) {
      auto it = object_owners().find(c.route->method + " " + c.route->pattern);
      if (it != object_owners().end() && !it->second.count(c.who->name)) {
        ok = true;
        ++object_level_403;
      }
    }
    if (res.status >= 400 && res.header("Content-Type").find("application/problem+json") == std::string::npos)
      ok = false;
    if (ok) return;
    std::string key = c.route->method + " " + c.route->pattern + " | " + c.who->name + " | " + name(c.variant);
    std::ostringstream line;
    line << key << " (" << c.route->access.describe() << "): expected " << describe(c.want) << ", got "
         << res.status << " " << res.body.substr(0, 200);
    (known_defects().count(key) ? defects_seen : failures).push_back(line.str());
  };

  // Phase 1: every call that must be refused, between two digests.
  auto before = digest(t);
  auto audit_before = count_rows(t, "audit_log");
  auto audit_max_before = max_id(t, "audit_log");
  std::size_t refused = 0;
  for (auto const& c : calls)
    if (c.want != Want::Allowed && c.want != Want::Any) {
      run(c);
      ++refused;
    }
  auto after = digest(t);
  auto audit_after = count_rows(t, "audit_log");
  auto audit_written = rows_after(t, "audit_log", audit_max_before);
  std::vector<std::string> changed;
  for (auto const& [table, d] : after)
    if (before[table] != d) changed.push_back(table + ": " + before[table] + " -> " + d);
  for (auto const& [table, d] : before)
    if (!after.count(table)) changed.push_back(table + ": dropped");

  // Phase 2: the admitted calls (they may change data).
  std::size_t admitted = 0;
  for (auto const& c : calls)
    if (c.want == Want::Allowed || c.want == Want::Any) {
      run(c);
      ++admitted;
    }

  std::cout << "authorization matrix: " << t.app().router().routes().size() << " routes x " << callers.size()
            << " callers x {own, foreign community, foreign objects} = " << calls.size() << " calls (" << refused
            << " expected refused, " << admitted << " admitted); " << before.size() << " business tables digested\n";
  std::cout << "  object-level 403s for admitted roles (handler ownership checks): " << object_level_403 << "\n";
  std::cout << "  statuses:";
  for (auto const& [s, n] : by_status) std::cout << " " << s << "x" << n;
  std::cout << "\n";
  if (!defects_seen.empty()) {
    std::cout << "  KNOWN DEFECTS still present (" << defects_seen.size() << ", reported, not failed):\n";
    for (auto const& d : defects_seen) std::cout << "    " << d << "\n";
  }
  for (auto const& f : failures) std::cout << "  MISMATCH " << f << "\n";
  std::vector<std::string> audit_failures;
  for (auto const& r : audit_written) {
    bool known = false;
    for (auto const& action : known_audit_defects())
      if (r.find("action=" + action + " ") != std::string::npos) known = true;
    std::cout << (known ? "  KNOWN DEFECT (reported, not failed): audit row written by a refused call: "
                        : "  AUDIT ROW WRITTEN BY A REFUSED CALL ")
              << r << "\n";
    if (!known) audit_failures.push_back(r);
  }
  for (auto const& c : changed) std::cout << "  CHANGED BY REFUSED CALLS " << c << "\n";

  CHECK(calls.size() >= 1000);
  CHECK(unknown_params.empty());
  CHECK(failures.empty());
  CHECK(changed.empty());
  CHECK(audit_after - audit_before == std::int64_t(audit_written.size()));
  CHECK(audit_failures.empty());
}

}  // namespace courtyard::test::matrix
