// Harness: bytes -> every JSON body decoder.
//  1. The accessors of http/json.hpp (str, integer, boolean, opt_*, time_ms, array) on every
//     key of the parsed object and on the keys the services read, Request::json(), and the
//     text decoders parse_rfc3339 and decode_cursor with round-trip oracles.
//  2. The services' own body readers: the input's first line picks one of the App's POST, PUT
//     and PATCH routes (the real route table): "POST /v1/communities/{cid}/orders" picks that
//     route, any other line picks one by its hash. The rest is the body, sent as the platform
//     admin into the harness's community (other ids 1) with a fresh Idempotency-Key, through
//     App::handle on SQLite.
// Oracles: sanitizers; decoders throw only ApiError; round trips hold; no 500; errors are
// problem+json without internals.
#include "fuzz_common.hpp"

#include "http/errors.hpp"
#include "http/json.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

using namespace courtyard;
namespace bj = boost::json;

namespace {

struct Target {
  std::string key;  // "POST /v1/communities/{cid}/orders"
  std::string method;
  std::string path;  // parameters substituted
};
std::vector<Target> g_targets;

std::string substitute(std::string const& pattern, std::int64_t cid) {
  std::string out;
  std::size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] == '{') {
      auto close = pattern.find('}', i);
      auto name = pattern.substr(i + 1, close - i - 1);
      out += name == "cid" ? std::to_string(cid) : "1";
      i = close + 1;
    } else {
      out += pattern[i++];
    }
  }
  return out;
}

// Keys the services read from bodies (and a few that mass assignment would try).
constexpr std::string_view kKeys[] = {
    "name", "email", "password", "display_name", "address", "timezone", "number", "unit_id", "account_id",
    "role", "amount_cents", "price_cents", "stock", "quantity", "items", "product_id", "note", "title", "body",
    "starts_at", "ends_at", "at", "due_at", "deadline", "status", "category", "scopes", "capacity", "id",
    "community_id", "balance_cents", "total_cents", "buyer_id", "reason", "description", "merchant_id"};

template <class F>
void api_only(F&& f) {
  try {
    f();
  } catch (ApiError const&) {
  } catch (std::exception const& e) {
    fuzz::fail(std::string("a JSON decoder threw a non-API exception: ") + e.what());
  }
}

void decode_text(std::string_view s) {
  if (auto t = json::parse_rfc3339(s)) {
    auto again = json::parse_rfc3339(json::rfc3339(*t));
    if (!again || *again != *t) fuzz::fail("rfc3339 round trip changed " + std::string(s));
  }
  if (auto k = json::decode_cursor(s)) {
    auto again = json::decode_cursor(json::encode_cursor(*k));
    if (!again || *again != *k) fuzz::fail("cursor round trip changed " + std::string(s));
  }
}

void decode_object(bj::object const& o) {
  std::vector<std::string> keys(std::begin(kKeys), std::end(kKeys));
  for (auto const& kv : o) keys.emplace_back(kv.key());
  for (auto const& k : keys) {
    api_only([&] { (void)json::str(o, k); });
    api_only([&] { (void)json::str(o, k, 0, 5); });
    api_only([&] { (void)json::integer(o, k); });
    api_only([&] { (void)json::boolean(o, k); });
    api_only([&] { (void)json::opt_str(o, k); });
    api_only([&] { (void)json::opt_integer(o, k); });
    api_only([&] { (void)json::opt_boolean(o, k); });
    api_only([&] { (void)json::time_ms(o, k); });
    api_only([&] { (void)json::opt_time_ms(o, k); });
    api_only([&] {
      for (auto const& item : json::array(o, k))
        if (item.is_object()) decode_object(item.as_object());
    });
    if (auto const* v = o.if_contains(k); v && v->is_string()) decode_text(v->as_string());
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  auto& w = fuzz::world();
  for (auto const& r : w.app->router().routes()) {
    if (r->method != "POST" && r->method != "PUT" && r->method != "PATCH") continue;
    // Signing in or out as the admin would change the harness's own session.
    if (r->pattern.find("/logout") != std::string::npos) continue;
    g_targets.push_back({r->key, r->method, substitute(r->pattern, w.community_id)});
  }
  if (g_targets.empty()) fuzz::fail("no write routes in the route table");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view const in(reinterpret_cast<char const*>(data), size);
  auto const nl = in.find('\n');
  std::string_view const selector = nl == std::string_view::npos ? std::string_view{} : in.substr(0, nl);
  std::string_view const body = nl == std::string_view::npos ? in : in.substr(nl + 1);

  // 1. The accessors.
  http::Request req;
  req.method = "POST";
  req.body = std::string(body);
  api_only([&] { decode_object(req.json()); });
  decode_text(body);

  // 2. A service's body reader, through the middleware.
  auto& w = fuzz::world();
  static std::uint64_t n = 0;
  Target const* t = nullptr;
  for (auto const& c : g_targets)
    if (c.key == selector) t = &c;
  if (!t) t = &g_targets[std::hash<std::string_view>{}(selector) % g_targets.size()];
  auto r = w.call(t->method, t->path, std::string(body), w.admin_token,
                  {{"idempotency-key", "fuzz-" + std::to_string(++n)}});
  fuzz::check_response(r, t->key + " body " + std::string(body.substr(0, 200)), body);
  return 0;
}
