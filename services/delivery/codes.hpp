#pragma once
// Offline-verifiable codes: a short human-typeable code's signed twin. A token is
//   base64url(payload) "." base64url(Ed25519 signature of the payload bytes)
// with a 38-byte payload, big-endian: version (1) = 1, kind (1), key id (8), community id (8),
// object id (8), expiry in Unix seconds (4), nonce (8). ~140 characters: one QR code.
// Pure: libsodium only, no SOCI, no HTTP. Keys are raw bytes here; the repository stores hex.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace courtyard::delivery::codes {

enum class Kind : std::uint8_t { Redemption = 1, VisitorPass = 2, Delivery = 3, DeliveryStop = 4 };
// "redemption", "visitor_pass", "delivery", "delivery_stop"
std::string_view to_string(Kind k);
std::optional<Kind> parse_kind(std::string_view s);

constexpr std::uint8_t kVersion = 1;
constexpr std::size_t kPayloadBytes = 38;
// A token lives at most this long (and never past what it stands for).
constexpr std::int64_t kTokenTtlMs = 15LL * 60 * 1000;

struct Claims {
  Kind kind = Kind::Redemption;
  std::int64_t key_id = 0;
  std::int64_t community_id = 0;
  std::int64_t object_id = 0;
  std::int64_t expires_at_ms = 0;  // whole seconds
  std::uint64_t nonce = 0;
};

struct KeyPair {
  std::string public_key;  // 32 bytes
  std::string secret_key;  // 64 bytes (libsodium's seed + public key)
};
KeyPair generate_key_pair();

std::string encode_payload(Claims const& c);
std::optional<Claims> decode_payload(std::string_view bytes);
// A fresh token for `c` (its nonce drawn here when 0).
std::string sign(Claims c, std::string_view secret_key);
// The claims a token says, without checking its signature (nullopt when malformed).
std::optional<Claims> peek(std::string_view token);

enum class Check { Valid, Malformed, BadSignature, Expired };
std::string_view to_string(Check c);
// Checks the signature with `public_key` and the expiry against `at_ms`.
Check verify(std::string_view token, std::string_view public_key, std::int64_t at_ms, Claims* out = nullptr);

std::string to_base64url(std::string_view bytes);
std::optional<std::string> from_base64url(std::string_view text);
std::string to_hex(std::string_view bytes);
std::optional<std::string> from_hex(std::string_view hex);

}  // namespace courtyard::delivery::codes
