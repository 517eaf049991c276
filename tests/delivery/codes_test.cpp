// Offline-verifiable codes. The verifier here is written apart from services/delivery/codes:
// its own base64url decoder and field reader, and only libsodium's Ed25519 check, as a
// guard's or shop's device would hold it. Unit tests of signing and verification (tampered,
// expired, wrong key), then the routes: public keys, tokens for each kind of code, rotation,
// and the offline sync with single use enforced on reconnect.
#include "http/json.hpp"
#include "services/delivery/codes.hpp"
#include "tests/delivery/helpers.hpp"

#include <sodium.h>

#include <algorithm>
#include <optional>

using namespace courtyard;
using namespace courtyard::test;
using namespace courtyard::test::delivery;
namespace codes = courtyard::delivery::codes;

namespace {

// ---- the device's verifier, independent of the server's code

std::optional<std::string> b64url_decode(std::string_view in) {
  auto val = [](char ch) -> int {
    if (ch >= 'A' && ch <= 'Z') return ch - 'A';
    if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9') return ch - '0' + 52;
    if (ch == '-') return 62;
    if (ch == '_') return 63;
    return -1;
  };
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char ch : in) {
    int v = val(ch);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

struct Seen {
  int kind = 0;
  std::uint64_t key_id = 0, community = 0, object = 0;
  std::uint32_t expires = 0;  // Unix seconds
};

std::uint64_t be(std::string const& b, std::size_t at, int n) {
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

enum class Verdict { Ok, Malformed, BadSignature, Expired };

// What a device decides with the public key (raw 32 bytes) and its clock (Unix seconds).
Verdict device_verify(std::string const& token, std::string const& public_key, std::uint64_t now_s,
                      Seen* seen = nullptr) {
  auto dot = token.find('.');
  if (dot == std::string::npos) return Verdict::Malformed;
  auto payload = b64url_decode(std::string_view(token).substr(0, dot));
  auto sig = b64url_decode(std::string_view(token).substr(dot + 1));
  if (!payload || !sig || payload->size() != 38 || sig->size() != 64 || (*payload)[0] != 1) return Verdict::Malformed;
  if (public_key.size() != 32) return Verdict::BadSignature;
  if (crypto_sign_verify_detached(reinterpret_cast<unsigned char const*>(sig->data()),
                                  reinterpret_cast<unsigned char const*>(payload->data()), payload->size(),
                                  reinterpret_cast<unsigned char const*>(public_key.data())) != 0)
    return Verdict::BadSignature;
  Seen s{static_cast<unsigned char>((*payload)[1]), be(*payload, 2, 8), be(*payload, 10, 8), be(*payload, 18, 8),
         static_cast<std::uint32_t>(be(*payload, 26, 4))};
  if (seen) *seen = s;
  return now_s >= s.expires ? Verdict::Expired : Verdict::Ok;
}

std::string flip(std::string token, std::size_t at) {
  token[at] = token[at] == 'A' ? 'B' : 'A';
  return token;
}

// ---- route helpers

struct Keys {
  std::vector<std::pair<std::int64_t, std::string>> keys;  // id -> raw public key
  std::string of(std::int64_t id) const {
    for (auto const& [k, pk] : keys)
      if (k == id) return pk;
    return {};
  }
};

Keys public_keys(TestApp& t, Community const& c) {
  auto r = t.get(c.base() + "/code-keys");  // no credentials: a public route
  REQUIRE(r.status == 200);
  Keys out;
  for (auto const& k : r.json.at("items").as_array()) {
    auto raw = b64url_decode(std::string(k.at("public_key").as_string()));
    REQUIRE(raw);
    REQUIRE(raw->size() == 32);
    CHECK_FALSE(k.as_object().contains("secret_key"));
    out.keys.emplace_back(k.at("key_id").as_int64(), *raw);
  }
  return out;
}

Result sync(TestApp& t, Community const& c, Actor const& device, std::vector<std::string> const& tokens,
            std::int64_t accepted_at = 0, std::string const& device_id = "gate-1") {
  bj::array list;
  for (auto const& tok : tokens)
    list.push_back(bj::object{{"token", tok}, {"accepted_at", json::rfc3339(accepted_at ? accepted_at : db::now_ms())}});
  return t.post(c.base() + "/codes/sync", {{"device_id", device_id}, {"codes", list}}, device.token);
}

std::string status_of(Result const& r, std::size_t i) {
  return std::string(r.json.at("results").as_array().at(i).at("status").as_string());
}

std::uint64_t now_s() { return static_cast<std::uint64_t>(db::now_ms() / 1000); }

}  // namespace

TEST_CASE("signed codes: the device's own verifier accepts a good token and refuses bad ones", "[delivery][codes][unit]") {
  REQUIRE(sodium_init() >= 0);
  auto kp = codes::generate_key_pair();
  auto other = codes::generate_key_pair();
  codes::Claims c;
  c.kind = codes::Kind::VisitorPass;
  c.key_id = 7;
  c.community_id = 42;
  c.object_id = 123456;
  c.expires_at_ms = (static_cast<std::int64_t>(now_s()) + 600) * 1000;
  auto token = codes::sign(c, kp.secret_key);
  CHECK(token.size() < 160);  // one small QR code
  CHECK(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") ==
        std::string::npos);

  Seen seen;
  REQUIRE(device_verify(token, kp.public_key, now_s(), &seen) == Verdict::Ok);
  CHECK(seen.kind == 2);
  CHECK(seen.key_id == 7);
  CHECK(seen.community == 42);
  CHECK(seen.object == 123456);
  CHECK(seen.expires == static_cast<std::uint32_t>(c.expires_at_ms / 1000));

  // Tampered: any changed character of the payload or the signature.
  CHECK(device_verify(flip(token, 5), kp.public_key, now_s()) != Verdict::Ok);
  CHECK(device_verify(flip(token, token.size() - 3), kp.public_key, now_s()) != Verdict::Ok);
  // A payload re-encoded with another object id keeps no valid signature.
  codes::Claims forged = c;
  forged.object_id = 999;
  auto dot = token.find('.');
  auto forged_token = codes::to_base64url(codes::encode_payload(forged)) + token.substr(dot);
  CHECK(device_verify(forged_token, kp.public_key, now_s()) == Verdict::BadSignature);
  // Expired, wrong key, garbage.
  CHECK(device_verify(token, kp.public_key, now_s() + 601) == Verdict::Expired);
  CHECK(device_verify(token, other.public_key, now_s()) == Verdict::BadSignature);
  CHECK(device_verify("not-a-token", kp.public_key, now_s()) == Verdict::Malformed);

  // The server's own check agrees.
  using codes::Check;
  CHECK(codes::verify(token, kp.public_key, db::now_ms()) == Check::Valid);
  CHECK(codes::verify(flip(token, 5), kp.public_key, db::now_ms()) != Check::Valid);
  CHECK(codes::verify(token, kp.public_key, c.expires_at_ms) == Check::Expired);
  CHECK(codes::verify(token, other.public_key, db::now_ms()) == Check::BadSignature);
  CHECK(codes::verify("x.y", kp.public_key, db::now_ms()) == Check::Malformed);
  // Two tokens for the same code differ (their nonces).
  CHECK(codes::sign(c, kp.secret_key) != token);
}

TEST_CASE("signed redemption codes: verified offline, single use enforced at sync", "[delivery][codes]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto [owner, mid] = t.merchant(c);
  auto shop = c.base() + "/merchants/" + std::to_string(mid);
  auto product = t.post(shop + "/products", {{"name", "Tea"}, {"price_cents", 300}, {"stock", 10}}, owner.token);
  REQUIRE(product.status == 201);
  auto buyer = t.resident(c, 1);
  t.top_up(c, buyer, 2'000);
  auto order_tea = [&] {  // one tea for pickup
    return t.post(c.base() + "/orders",
                  {{"merchant_id", mid},
                   {"items", bj::array{bj::object{{"product_id", product.id()}, {"quantity", 1}}}},
                   {"fulfilment", "pickup"}},
                  buyer.token, {{"Idempotency-Key", t.unique("tea")}});
  };
  auto placed = order_tea();
  REQUIRE(placed.status == 201);
  CHECK(placed.json.at("redemption_code").is_string());  // the short code stays
  auto token_path = c.base() + "/orders/" + std::to_string(placed.id()) + "/code-token";

  auto issued = t.post(token_path, bj::object{}, buyer.token);
  REQUIRE(issued.status == 200);
  std::string token(issued.json.at("token").as_string());
  CHECK(issued.json.at("kind") == "redemption");
  auto expires = json::parse_rfc3339(issued.json.at("expires_at").as_string());
  REQUIRE(expires);
  CHECK(*expires <= db::now_ms() + 15 * 60 * 1000);

  // Offline: the shop's device holds the public keys fetched earlier.
  auto keys = public_keys(t, c);
  REQUIRE(keys.keys.size() == 1);
  Seen seen;
  REQUIRE(device_verify(token, keys.of(issued.json.at("key_id").as_int64()), now_s(), &seen) == Verdict::Ok);
  CHECK(seen.community == static_cast<std::uint64_t>(c.id));
  CHECK(seen.object == static_cast<std::uint64_t>(placed.id()));

  // Who may get a token: the buyer only; other communities see nothing.
  CHECK(t.post(token_path, bj::object{}, t.resident(c, 0).token).status == 404);
  CHECK(t.post(token_path, bj::object{}, owner.token).status == 404);
  auto other = t.community();
  auto stranger = t.resident(other);
  CHECK(t.post(other.base() + "/orders/" + std::to_string(placed.id()) + "/code-token", bj::object{}, stranger.token)
            .status == 404);
  CHECK(t.get("/v1/communities/999999999/code-keys").status == 404);

  // Reconnected: the first sync records it; a replay (same token, or a fresh token of the same
  // code, from any device) is a conflict naming the first use.
  auto first = sync(t, c, owner, {token});
  INFO(first.body);
  REQUIRE(first.status == 200);
  CHECK(status_of(first, 0) == "recorded");
  CHECK(first.json.at("recorded").as_int64() == 1);
  CHECK(events_with(t, "code.used_offline", "object_id", placed.id()) == 1);
  auto again = sync(t, c, owner, {token}, 0, "till-2");
  CHECK(status_of(again, 0) == "conflict");
  CHECK(again.json.at("conflicts").as_int64() == 1);
  CHECK(again.json.at("results").as_array()[0].at("first_use").at("device_id") == "gate-1");
  auto fresh = t.post(token_path, bj::object{}, buyer.token);
  REQUIRE(fresh.status == 200);
  CHECK(status_of(sync(t, c, owner, {std::string(fresh.json.at("token").as_string())}), 0) == "conflict");

  // Refused in the batch: tampered, another community's, accepted after expiry.
  auto other_owner = t.merchant(other).first;
  auto mixed = sync(t, c, owner, {flip(token, 8), "garbage"});
  CHECK(status_of(mixed, 0) == "invalid");
  CHECK(status_of(mixed, 1) == "invalid");
  CHECK(mixed.json.at("rejected").as_int64() == 2);
  CHECK(status_of(sync(t, other, other_owner, {token}), 0) == "invalid");
  auto second = order_tea();
  REQUIRE(second.status == 201);
  auto late = t.post(c.base() + "/orders/" + std::to_string(second.id()) + "/code-token", bj::object{}, buyer.token);
  REQUIRE(late.status == 200);
  std::string late_token(late.json.at("token").as_string());
  CHECK(status_of(sync(t, c, owner, {late_token}, db::now_ms() + 16 * 60 * 1000), 0) == "invalid");  // in the future
  t.advance_clock_ms(16 * 60 * 1000);
  CHECK(status_of(sync(t, c, owner, {late_token}), 0) == "expired");

  // Roles: a courier's device may not report a shop's code; a resident may not sync at all.
  auto courier = t.courier(c);
  auto third = order_tea();
  REQUIRE(third.status == 201);
  auto third_token = t.post(c.base() + "/orders/" + std::to_string(third.id()) + "/code-token", bj::object{},
                            buyer.token);
  std::string tok3(third_token.json.at("token").as_string());
  CHECK(status_of(sync(t, c, courier, {tok3}), 0) == "forbidden");
  CHECK(sync(t, c, buyer, {tok3}).status == 403);
  CHECK(sync(t, other, other.manager, {tok3}).status == 200);
  CHECK(t.post(c.base() + "/codes/sync", {{"codes", bj::array{}}}, owner.token).status == 422);
  CHECK(t.post(c.base() + "/codes/sync", {{"codes", bj::array{bj::object{{"token", tok3}}}}}, owner.token).status ==
        422);
  CHECK(t.post(c.base() + "/codes/sync", {{"codes", bj::array{bj::object{{"token", tok3}}}}}, stranger.token).status ==
        404);

  // A completed order has no token to show.
  auto redeem = t.post(shop + "/redemptions", {{"code", placed.json.at("redemption_code")}}, owner.token);
  CHECK(redeem.status == 409);  // placed: the merchant accepts first
  REQUIRE(t.post(c.base() + "/orders/" + std::to_string(placed.id()) + "/accept", bj::object{}, owner.token).status ==
          200);
  REQUIRE(t.post(shop + "/redemptions", {{"code", placed.json.at("redemption_code")}}, owner.token).status == 200);
  CHECK(t.post(token_path, bj::object{}, buyer.token).status == 409);
}

TEST_CASE("code keys rotate: old tokens verify until they expire, new ones use the new key", "[delivery][codes]") {
  auto& t = TestApp::get();
  auto c = t.community();
  auto guest_host = t.resident(c);
  std::int64_t now = db::now_ms();
  auto pass = t.post(c.base() + "/visitor-passes",
                     {{"visitor_name", "Grandma"},
                      {"valid_from", json::rfc3339(now)},
                      {"valid_until", json::rfc3339(now + 5 * 60 * 1000)}},
                     guest_host.token);
  REQUIRE(pass.status == 201);
  auto pass_token_path = c.base() + "/visitor-passes/" + std::to_string(pass.id()) + "/code-token";
  auto old = t.post(pass_token_path, bj::object{}, guest_host.token);
  REQUIRE(old.status == 200);
  CHECK(old.json.at("kind") == "visitor_pass");
  // Never past the pass's own window.
  CHECK(*json::parse_rfc3339(old.json.at("expires_at").as_string()) <= now + 5 * 60 * 1000);
  CHECK(t.post(pass_token_path, bj::object{}, t.resident(c, 1).token).status == 404);
  CHECK(t.post(pass_token_path, bj::object{}, c.manager.token).status == 403);

  auto resident = t.resident(c, 2);
  CHECK(t.post(c.base() + "/code-keys/rotate", bj::object{}, resident.token).status == 403);
  auto rotated = t.post(c.base() + "/code-keys/rotate", bj::object{}, c.manager.token);
  REQUIRE(rotated.status == 200);
  auto keys = public_keys(t, c);
  REQUIRE(keys.keys.size() == 2);

  auto old_id = old.json.at("key_id").as_int64();
  std::string old_token(old.json.at("token").as_string());
  CHECK(device_verify(old_token, keys.of(old_id), now_s()) == Verdict::Ok);
  auto fresh = t.post(pass_token_path, bj::object{}, guest_host.token);
  REQUIRE(fresh.status == 200);
  auto new_id = fresh.json.at("key_id").as_int64();
  CHECK(new_id != old_id);
  CHECK(device_verify(std::string(fresh.json.at("token").as_string()), keys.of(new_id), now_s()) == Verdict::Ok);
  CHECK(device_verify(std::string(fresh.json.at("token").as_string()), keys.of(old_id), now_s()) ==
        Verdict::BadSignature);

  // The guard (a manager's device) syncs the old token accepted before rotation: still good.
  auto synced = sync(t, c, c.manager, {old_token}, now);
  CHECK(status_of(synced, 0) == "recorded");
  CHECK(status_of(sync(t, c, c.manager, {std::string(fresh.json.at("token").as_string())}), 0) == "conflict");

  // Once every token of the old key has expired it is no longer listed.
  t.advance_clock_ms(16 * 60 * 1000);
  auto later = public_keys(t, c);
  REQUIRE(later.keys.size() == 1);
  CHECK(later.keys[0].first == new_id);
}

TEST_CASE_METHOD(BuyerAndCourier, "delivery proof codes: signed twins for tasks and batch stops", "[delivery][codes]") {
  auto oid = order_ready(t, c, buyer);
  auto task = task_of_order(t, buyer, oid);
  auto tid = task.at("id").as_int64();
  auto issued = t.post("/v1/me/deliveries/" + std::to_string(tid) + "/code-token", bj::object{}, buyer.token);
  REQUIRE(issued.status == 200);
  CHECK(issued.json.at("kind") == "delivery");
  auto keys = public_keys(t, c);
  std::string tok(issued.json.at("token").as_string());
  CHECK(device_verify(tok, keys.of(issued.json.at("key_id").as_int64()), now_s()) == Verdict::Ok);
  CHECK(t.post("/v1/me/deliveries/" + std::to_string(tid) + "/code-token", bj::object{}, courier.token).status == 404);
  CHECK(t.post("/v1/me/delivery-stops/999999999/code-token", bj::object{}, buyer.token).status == 404);
  // The courier's device reports it after a dead zone; the merchant's may not.
  CHECK(status_of(sync(t, c, courier, {tok}), 0) == "recorded");
  CHECK(status_of(sync(t, c, courier, {tok}), 0) == "conflict");
}
