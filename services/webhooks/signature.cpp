#include "services/webhooks/signature.hpp"

#include <sodium.h>

#include <stdexcept>

namespace courtyard::webhooks {

namespace {
constexpr std::string_view kSealed = "sb1:";
constexpr std::string_view kPlain = "plain:";
unsigned char const* bytes(std::string_view s) { return reinterpret_cast<unsigned char const*>(s.data()); }
}  // namespace

std::string base64(std::string_view in) {
  std::string out(sodium_base64_encoded_len(in.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes(in), in.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::optional<std::string> unbase64(std::string_view text) {
  std::string out(text.size(), '\0');
  std::size_t len = 0;
  char const* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size())
    return std::nullopt;
  out.resize(len);
  return out;
}

std::string new_secret() {
  std::string raw(kSecretBytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  return std::string(kSecretPrefix) + base64(raw);
}

std::optional<std::string> secret_key(std::string_view secret) {
  if (secret.starts_with(kSecretPrefix)) secret.remove_prefix(kSecretPrefix.size());
  auto key = unbase64(secret);
  if (!key || key->empty()) return std::nullopt;
  return key;
}

std::string sign(std::string_view secret, std::string_view msg_id, std::int64_t timestamp_s, std::string_view body) {
  auto key = secret_key(secret);
  if (!key) throw std::invalid_argument("a webhook secret must be whsec_ followed by base64");
  std::string ts = std::to_string(timestamp_s);
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, bytes(*key), key->size());
  crypto_auth_hmacsha256_update(&st, bytes(msg_id), msg_id.size());
  crypto_auth_hmacsha256_update(&st, bytes("."), 1);
  crypto_auth_hmacsha256_update(&st, bytes(ts), ts.size());
  crypto_auth_hmacsha256_update(&st, bytes("."), 1);
  crypto_auth_hmacsha256_update(&st, bytes(body), body.size());
  std::string mac(crypto_auth_hmacsha256_BYTES, '\0');
  crypto_auth_hmacsha256_final(&st, reinterpret_cast<unsigned char*>(mac.data()));
  sodium_memzero(key->data(), key->size());
  return "v1," + base64(mac);
}

std::string signature_header(std::vector<std::string> const& secrets, std::string_view msg_id,
                             std::int64_t timestamp_s, std::string_view body) {
  std::string out;
  for (auto const& s : secrets) out += (out.empty() ? "" : " ") + sign(s, msg_id, timestamp_s, body);
  return out;
}

SecretBox::SecretBox(std::string_view key_hex) {
  if (key_hex.empty()) return;
  std::string key(crypto_secretbox_KEYBYTES, '\0');
  std::size_t len = 0;
  char const* end = nullptr;
  if (key_hex.size() != crypto_secretbox_KEYBYTES * 2 ||
      sodium_hex2bin(reinterpret_cast<unsigned char*>(key.data()), key.size(), key_hex.data(), key_hex.size(), nullptr,
                     &len, &end) != 0 ||
      len != key.size())
    throw std::invalid_argument("webhooks.secret-key must be 64 hexadecimal characters (32 bytes)");
  key_ = std::move(key);
}

std::string SecretBox::seal(std::string_view secret) const {
  if (key_.empty()) return std::string(kPlain) + std::string(secret);
  std::string box(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + secret.size(), '\0');
  auto* out = reinterpret_cast<unsigned char*>(box.data());
  randombytes_buf(out, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES, bytes(secret), secret.size(), out, bytes(key_));
  return std::string(kSealed) + base64(box);
}

std::string SecretBox::open(std::string_view stored) const {
  if (stored.starts_with(kPlain)) return std::string(stored.substr(kPlain.size()));
  if (!stored.starts_with(kSealed)) throw std::runtime_error("a stored webhook secret has an unknown format");
  if (key_.empty()) throw std::runtime_error("a webhook secret is sealed but webhooks.secret-key is not set");
  auto box = unbase64(stored.substr(kSealed.size()));
  if (!box || box->size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
    throw std::runtime_error("a sealed webhook secret is damaged");
  std::string out(box->size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  auto const* in = bytes(*box);
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(out.data()), in + crypto_secretbox_NONCEBYTES,
                                 box->size() - crypto_secretbox_NONCEBYTES, in, bytes(key_)) != 0)
    throw std::runtime_error("a sealed webhook secret does not open with webhooks.secret-key");
  return out;
}

}  // namespace courtyard::webhooks
