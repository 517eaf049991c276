#pragma once
// Standard Webhooks signatures (https://www.standardwebhooks.com): secrets are "whsec_" +
// base64 of the key bytes; a delivery is signed as
//   webhook-signature: v1,<base64(HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>"))>
// with one such entry per valid secret, space-separated (both during a rotation's overlap).
// Secrets are kept sealed at rest (crypto_secretbox under webhooks.secret-key) when that
// key is configured.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace courtyard::webhooks {

constexpr std::string_view kSecretPrefix = "whsec_";
constexpr std::size_t kSecretBytes = 32;

// A fresh secret: "whsec_" + base64 of 32 random bytes.
std::string new_secret();
// The key bytes of a secret: base64 after an optional "whsec_"; nullopt when not base64.
std::optional<std::string> secret_key(std::string_view secret);
// "v1," + base64(HMAC-SHA256(key, msg_id + "." + timestamp + "." + body)).
std::string sign(std::string_view secret, std::string_view msg_id, std::int64_t timestamp_s, std::string_view body);
// The webhook-signature header: one signature per secret, space-separated.
std::string signature_header(std::vector<std::string> const& secrets, std::string_view msg_id,
                             std::int64_t timestamp_s, std::string_view body);

std::string base64(std::string_view bytes);
std::optional<std::string> unbase64(std::string_view text);

// Secrets at rest. With a key (64 hex characters), seal() stores "sb1:" + base64(nonce ||
// XSalsa20-Poly1305 box); without one, "plain:" + the secret. open() reads either, and
// throws when a sealed secret meets a missing or different key.
class SecretBox {
 public:
  // Throws std::invalid_argument when key_hex is neither empty nor 64 hex characters.
  explicit SecretBox(std::string_view key_hex);
  bool sealing() const { return !key_.empty(); }
  std::string seal(std::string_view secret) const;
  std::string open(std::string_view stored) const;

 private:
  std::string key_;
};

}  // namespace courtyard::webhooks
