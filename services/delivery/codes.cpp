#include "services/delivery/codes.hpp"

#include "http/names.hpp"

#include <sodium.h>

#include <stdexcept>

namespace courtyard::delivery::codes {

namespace {

void put(std::string& out, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

std::uint64_t get(std::string_view in, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(in[at + i]);
  return v;
}

struct Sodium {
  Sodium() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  }
};
void ensure_sodium() { static Sodium s; }

}  // namespace

namespace {
constexpr auto kKind = http::names<Kind>({{Kind::Redemption, "redemption"},
                                          {Kind::VisitorPass, "visitor_pass"},
                                          {Kind::Delivery, "delivery"},
                                          {Kind::DeliveryStop, "delivery_stop"}});
constexpr auto kCheck = http::names<Check>({{Check::Valid, "valid"},
                                            {Check::Malformed, "malformed"},
                                            {Check::BadSignature, "bad_signature"},
                                            {Check::Expired, "expired"}});
static_assert(kKind.distinct() && kCheck.distinct());
}  // namespace

std::string_view to_string(Kind k) { return kKind.name(k); }
std::optional<Kind> parse_kind(std::string_view s) { return kKind.parse(s); }
std::string_view to_string(Check c) { return kCheck.name(c); }

KeyPair generate_key_pair() {
  ensure_sodium();
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(pk, sk);
  KeyPair kp{std::string(reinterpret_cast<char*>(pk), sizeof pk), std::string(reinterpret_cast<char*>(sk), sizeof sk)};
  sodium_memzero(sk, sizeof sk);
  return kp;
}

std::string encode_payload(Claims const& c) {
  std::string out;
  out.reserve(kPayloadBytes);
  out.push_back(static_cast<char>(kVersion));
  out.push_back(static_cast<char>(c.kind));
  put(out, static_cast<std::uint64_t>(c.key_id), 8);
  put(out, static_cast<std::uint64_t>(c.community_id), 8);
  put(out, static_cast<std::uint64_t>(c.object_id), 8);
  put(out, static_cast<std::uint64_t>(c.expires_at_ms / 1000), 4);
  put(out, c.nonce, 8);
  return out;
}

std::optional<Claims> decode_payload(std::string_view b) {
  if (b.size() != kPayloadBytes || static_cast<unsigned char>(b[0]) != kVersion) return std::nullopt;
  auto kind = static_cast<std::uint8_t>(b[1]);
  if (kind < 1 || kind > 4) return std::nullopt;
  Claims c;
  c.kind = static_cast<Kind>(kind);
  c.key_id = static_cast<std::int64_t>(get(b, 2, 8));
  c.community_id = static_cast<std::int64_t>(get(b, 10, 8));
  c.object_id = static_cast<std::int64_t>(get(b, 18, 8));
  c.expires_at_ms = static_cast<std::int64_t>(get(b, 26, 4)) * 1000;
  c.nonce = get(b, 30, 8);
  if (c.key_id <= 0 || c.community_id <= 0 || c.object_id <= 0) return std::nullopt;
  return c;
}

std::string sign(Claims c, std::string_view secret_key) {
  ensure_sodium();
  if (secret_key.size() != crypto_sign_SECRETKEYBYTES) throw std::invalid_argument("bad Ed25519 secret key");
  if (c.nonce == 0) randombytes_buf(&c.nonce, sizeof c.nonce);
  std::string payload = encode_payload(c);
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<unsigned char const*>(payload.data()), payload.size(),
                       reinterpret_cast<unsigned char const*>(secret_key.data()));
  return to_base64url(payload) + "." + to_base64url(std::string_view(reinterpret_cast<char*>(sig), sizeof sig));
}

namespace {
bool split(std::string_view token, std::string& payload, std::string& sig) {
  auto dot = token.find('.');
  if (dot == std::string_view::npos || token.size() > 256) return false;
  auto p = from_base64url(token.substr(0, dot));
  auto s = from_base64url(token.substr(dot + 1));
  if (!p || !s || s->size() != crypto_sign_BYTES) return false;
  payload = std::move(*p);
  sig = std::move(*s);
  return true;
}
}  // namespace

std::optional<Claims> peek(std::string_view token) {
  std::string payload, sig;
  if (!split(token, payload, sig)) return std::nullopt;
  return decode_payload(payload);
}

Check verify(std::string_view token, std::string_view public_key, std::int64_t at_ms, Claims* out) {
  ensure_sodium();
  std::string payload, sig;
  if (!split(token, payload, sig)) return Check::Malformed;
  auto claims = decode_payload(payload);
  if (!claims) return Check::Malformed;
  if (public_key.size() != crypto_sign_PUBLICKEYBYTES) return Check::BadSignature;
  if (crypto_sign_verify_detached(reinterpret_cast<unsigned char const*>(sig.data()),
                                  reinterpret_cast<unsigned char const*>(payload.data()), payload.size(),
                                  reinterpret_cast<unsigned char const*>(public_key.data())) != 0)
    return Check::BadSignature;
  if (out) *out = *claims;
  return at_ms >= claims->expires_at_ms ? Check::Expired : Check::Valid;
}

std::string to_base64url(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<unsigned char const*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.find('\0'));
  return out;
}

std::optional<std::string> from_base64url(std::string_view text) {
  std::string out(text.size(), '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &len, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    return std::nullopt;
  out.resize(len);
  return out;
}

std::string to_hex(std::string_view bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<unsigned char const*>(bytes.data()), bytes.size());
  out.pop_back();
  return out;
}

std::optional<std::string> from_hex(std::string_view hex) {
  std::string out(hex.size() / 2, '\0');
  std::size_t len = 0;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), hex.data(), hex.size(), nullptr, &len,
                     nullptr) != 0 || len * 2 != hex.size())
    return std::nullopt;
  out.resize(len);
  return out;
}

}  // namespace courtyard::delivery::codes
