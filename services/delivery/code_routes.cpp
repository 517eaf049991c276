// Offline-verifiable codes: the community's Ed25519 signing keys (the public halves published
// for verifiers, rotation by a manager), tokens signed for the codes of other services
// (api.hpp sign_code), and the sync route where a guard's, shop's or courier's device reports
// the codes it accepted offline: the first use of an object is recorded, a replay refused.
#include "services/delivery/api.hpp"
#include "services/delivery/codes.hpp"
#include "services/delivery/routes.hpp"
#include "services/identity/api.hpp"

#include <algorithm>
#include <stdexcept>

namespace courtyard::delivery {

using http::Access;
using http::Request;
using http::Response;

namespace {

constexpr std::size_t kMaxSyncCodes = 500;
// Codes accepted offline may be reported this far ahead of the server's clock (device drift).
constexpr std::int64_t kClockSlackMs = 5LL * 60 * 1000;

// The community's current key, made on first use (a concurrent first use inserts the same
// generation once: the loser's INSERT IGNORE changes nothing and it reads the winner's key).
repo::CodeKey current_or_new_key(db::Tx& tx, std::int64_t cid) {
  if (auto k = repo::current_key(tx, cid)) return *k;
  auto kp = codes::generate_key_pair();
  repo::insert_key(tx, cid, 1, kp.public_key, kp.secret_key);
  auto k = repo::current_key(tx, cid);
  if (!k) throw std::runtime_error("no code signing key for community " + std::to_string(cid));
  return *k;
}

bj::object key_json(repo::CodeKey const& k) {
  return bj::object{{"key_id", k.id},
                    {"algorithm", "Ed25519"},
                    {"public_key", codes::to_base64url(k.public_key)},
                    {"created_at", json::rfc3339(k.created_at)},
                    {"retired_at", json::time_or_null(k.retired_at)},
                    {"listed_until", json::time_or_null(k.listed_until)}};
}

bj::object keys_json(std::vector<repo::CodeKey> const& keys) {
  bj::array items;
  for (auto const& k : keys) items.push_back(key_json(k));
  return bj::object{{"items", std::move(items)},
                    {"token_format", "base64url(payload).base64url(signature)"},
                    {"token_ttl_seconds", codes::kTokenTtlMs / 1000}};
}

// Public: what a verifier device downloads while online (no secret in it).
Response list_keys(Request const&, Context& ctx) {
  std::int64_t cid = ctx.community_id;
  return ctx.tx([&](db::Tx& tx) {
    if (!identity::community_exists(tx, cid)) throw NotFound("community");
    current_or_new_key(tx, cid);
    return Response::json(keys_json(repo::listed_keys(tx, cid, tx.now_ms())));
  });
}

// A new key signs from now on; the old one stays listed until every token it signed expired.
Response rotate_key(Request const&, Context& ctx) {
  std::int64_t cid = ctx.community_id;
  return ctx.tx([&](db::Tx& tx) {
    auto old = current_or_new_key(tx, cid);
    std::int64_t now = tx.now_ms();
    if (repo::retire_key(tx, old.id, now, now + codes::kTokenTtlMs) != 1)
      throw Conflict("key-rotated", "the key was rotated meanwhile; reload the keys");
    auto kp = codes::generate_key_pair();
    if (!repo::insert_key(tx, cid, old.generation + 1, kp.public_key, kp.secret_key))
      throw Conflict("key-rotated", "the key was rotated meanwhile; reload the keys");
    tx.publish("code.key_rotated", cid, bj::object{{"community_id", cid}, {"retired_key_id", old.id}});
    return Response::json(keys_json(repo::listed_keys(tx, cid, now)));
  });
}

// Which kinds of code each role's device may report.
bool may_sync(Context const& ctx, codes::Kind kind) {
  if (ctx.is_manager()) return true;
  auto const& p = ctx.principal;
  std::int64_t cid = ctx.community_id;
  switch (kind) {
    case codes::Kind::Redemption: return p.has(Role::Merchant, cid);
    case codes::Kind::Delivery:
    case codes::Kind::DeliveryStop: return p.has(Role::Courier, cid);
    case codes::Kind::VisitorPass: return false;  // guards work for the property office (managers)
  }
  return false;
}

struct SyncItem {
  std::string token;
  std::int64_t accepted_at = 0;
};

std::vector<SyncItem> read_sync(bj::object const& body, std::string& device) {
  device = json::opt_str(body, "device_id", 64).value_or("");
  auto const& list = json::array(body, "codes");
  if (list.empty()) throw Invalid("codes", "must list at least one code");
  if (list.size() > kMaxSyncCodes) throw Invalid("codes", "may list at most 500 codes");
  std::vector<SyncItem> out;
  std::vector<FieldError> errors;
  for (std::size_t i = 0; i < list.size(); ++i) {
    std::string at = "codes[" + std::to_string(i) + "]";
    if (!list[i].is_object()) {
      errors.push_back({at, "must be an object"});
      continue;
    }
    auto const& o = list[i].as_object();
    auto token = json::opt_str(o, "token", 512);
    auto accepted = o.if_contains("accepted_at");
    std::optional<std::int64_t> when;
    if (accepted && accepted->is_string()) when = json::parse_rfc3339(accepted->as_string());
    if (!token || token->empty()) errors.push_back({at + ".token", "is required"});
    if (!when) errors.push_back({at + ".accepted_at", "is required (an RFC 3339 time)"});
    if (token && when) out.push_back({*token, *when});
  }
  if (!errors.empty()) throw Invalid(std::move(errors));
  return out;
}

// One reported code: invalid (malformed, another community's, unknown key, bad signature),
// expired (accepted after its expiry), forbidden (not this device's kind), conflict (the
// object's code was used before: online, or synced by this or another device) or recorded.
bj::object sync_one(db::Tx& tx, Context const& ctx, SyncItem const& item, std::string const& device,
                    std::int64_t now) {
  bj::object r{{"token", item.token}};
  auto invalid = [&](std::string_view why) {
    r["status"] = "invalid";
    r["reason"] = why;
    return r;
  };
  auto claims = codes::peek(item.token);
  if (!claims) return invalid("malformed");
  r["kind"] = codes::to_string(claims->kind);
  r["object_id"] = claims->object_id;
  if (claims->community_id != ctx.community_id) return invalid("other_community");
  auto key = repo::find_key(tx, ctx.community_id, claims->key_id);
  if (!key) return invalid("unknown_key");
  std::int64_t used_at = std::min(item.accepted_at, now);
  if (item.accepted_at > now + kClockSlackMs) return invalid("accepted_in_future");
  switch (codes::verify(item.token, key->public_key, used_at)) {
    case codes::Check::Valid: break;
    case codes::Check::Expired:
      r["status"] = "expired";
      return r;
    case codes::Check::Malformed: return invalid("malformed");
    case codes::Check::BadSignature: return invalid("bad_signature");
  }
  if (!may_sync(ctx, claims->kind)) {
    r["status"] = "forbidden";
    return r;
  }
  repo::CodeUse use;
  use.community_id = ctx.community_id;
  use.kind = std::string(codes::to_string(claims->kind));
  use.object_id = claims->object_id;
  use.key_id = claims->key_id;
  use.nonce = codes::to_hex(std::string_view(reinterpret_cast<char const*>(&claims->nonce), sizeof claims->nonce));
  use.used_at = used_at;
  use.device_id = device;
  use.synced_by = ctx.principal.account_id;
  use.synced_at = now;
  if (!repo::insert_use(tx, use)) {
    auto first = repo::find_use(tx, ctx.community_id, use.kind, use.object_id);
    r["status"] = "conflict";
    if (first)
      r["first_use"] = bj::object{{"used_at", json::rfc3339(first->used_at)},
                                  {"device_id", first->device_id},
                                  {"synced_at", json::rfc3339(first->synced_at)}};
    return r;
  }
  r["status"] = "recorded";
  tx.publish("code.used_offline", ctx.community_id,
             bj::object{{"community_id", ctx.community_id},
                        {"kind", use.kind},
                        {"object_id", use.object_id},
                        {"used_at", json::rfc3339(used_at)},
                        {"device_id", device},
                        {"synced_by", use.synced_by}});
  return r;
}

Response sync_codes(Request const& req, Context& ctx) {
  std::string device;
  auto items = read_sync(req.json(), device);
  return ctx.tx([&](db::Tx& tx) {
    std::int64_t now = tx.now_ms();
    bj::array results;
    std::int64_t recorded = 0, conflicts = 0, rejected = 0;
    for (auto const& item : items) {
      auto r = sync_one(tx, ctx, item, device, now);
      auto const& st = r.at("status").as_string();
      if (st == "recorded") ++recorded;
      else if (st == "conflict") ++conflicts;
      else ++rejected;
      results.push_back(std::move(r));
    }
    return Response::json(bj::object{{"results", std::move(results)},
                                     {"recorded", recorded},
                                     {"conflicts", conflicts},
                                     {"rejected", rejected}});
  });
}

}  // namespace

SignedCode sign_code(db::Tx& tx, std::int64_t cid, std::string_view kind, std::int64_t object_id,
                     std::int64_t valid_until_ms) {
  auto k = codes::parse_kind(kind);
  if (!k) throw std::invalid_argument("unknown code kind " + std::string(kind));
  auto key = current_or_new_key(tx, cid);
  codes::Claims c;
  c.kind = *k;
  c.key_id = key.id;
  c.community_id = cid;
  c.object_id = object_id;
  // Whole seconds, rounded down, and never past what the code stands for.
  c.expires_at_ms = std::min(tx.now_ms() + codes::kTokenTtlMs, valid_until_ms) / 1000 * 1000;
  SignedCode out;
  out.token = codes::sign(c, key.secret_key);
  out.key_id = key.id;
  out.expires_at = c.expires_at_ms;
  return out;
}

bj::object signed_code_json(std::string_view kind, std::int64_t object_id, SignedCode const& c) {
  return bj::object{{"kind", kind},
                    {"object_id", object_id},
                    {"token", c.token},
                    {"key_id", c.key_id},
                    {"expires_at", json::rfc3339(c.expires_at)}};
}

void add_code_routes(http::Router& r) {
  // Public, and it may write: the first read makes the community's key.
  r.get("/v1/communities/{cid}/code-keys", Access::public_(), list_keys).read_only = false;
  r.post("/v1/communities/{cid}/code-keys/rotate", Access::manager(), rotate_key);
  r.post("/v1/communities/{cid}/codes/sync",
         Access::any_of(Role::Manager | Role::Courier | Role::Merchant).with_scope("redemptions:write"), sync_codes);
}

}  // namespace courtyard::delivery
